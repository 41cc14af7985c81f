// SPDX-License-Identifier: MIT
/*
 * Description: libFuzzer target for the schema loader.  Any byte string is
 * parsed as a schema file.  A refused input must come with an error text
 * that names the file and a line; an accepted schema must obey the layout
 * rules (members tile the payload, sizes a multiple of 8 within the payload
 * limit, ids outside the reserved ranges), its canonical text must hash to
 * its digest, and every message must accept and format its all-zero
 * payload.
 * Seeds: tests/data/schema examples/schema
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "myc.h"
#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_schema(const struct myc_schema *s)
{
	static uint8_t zero[MYC_PAYLOAD_MAX];
	char text[128];
	const char *canon = myc_schema_canonical(s);
	uint8_t d[MYC_SHA256_LEN];

	myc_sha256(canon, strlen(canon), d);
	if (memcmp(d, myc_schema_digest(s), sizeof(d)))
		abort();
	for (unsigned i = 0; i < myc_schema_msg_count(s); i++) {
		const struct myc_schema_msg *m = myc_schema_msg_at(s, i);
		uint32_t off = 0;

		if (!m->id || m->id > MYC_TYPE_USER_MAX || m->size % 8 ||
		    m->size > MYC_PAYLOAD_MAX || !m->size)
			abort();
		for (uint32_t j = 0; j < m->nfields; j++) {
			if (m->fields[j].offset != off)
				abort();
			off += m->fields[j].size;
		}
		if (off != m->size || myc_schema_msg_check(m, zero, m->size))
			abort();
		if (myc_schema_msg_format(m, zero, m->size, text, sizeof(text)) < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct myc_schema *s = myc_schema_parse(data, size, "fuzz.yaml", err, sizeof(err));

	if (s)
		check_schema(s);
	else if (strncmp(err, "fuzz.yaml:", 10) && strcmp(err, "fuzz.yaml: out of memory"))
		abort();
	myc_schema_free(s);
	return 0;
}
