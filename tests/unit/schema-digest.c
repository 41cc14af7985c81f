// SPDX-License-Identifier: MIT
/*
 * Description: the schema digest is SHA-256 of the documented canonical
 * form (docs/schema.md).  Stability: comments, whitespace, block or flow
 * style, quoting, key order, hex or decimal ids, descriptions and the order
 * of messages in the file leave it unchanged.  Sensitivity: renaming the
 * schema, a message or a field, changing an id, a topic, a type, a
 * capacity, an array's element type, the order of fields, or adding or
 * removing a field or message each give a different digest, all distinct.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "myc.h"
#include "sha256.h"

static const char base[] =
	"schema: demo\n"
	"messages:\n"
	"  - name: Quote\n"
	"    id: 0x0101\n"
	"    topic: md.quote\n"
	"    description: A quote.\n"
	"    fields:\n"
	"      - name: px\n"
	"        type: i64\n"
	"        description: Price.\n"
	"      - name: qty\n"
	"        type: u32\n"
	"      - name: sym\n"
	"        type: string[16]\n"
	"      - name: levels\n"
	"        type: f64[4]\n"
	"  - name: Order\n"
	"    id: 2\n"
	"    topic: oms.order\n"
	"    fields:\n"
	"      - name: id\n"
	"        type: u64\n";

/* The canonical form of base, and its SHA-256 computed independently
 * (Python hashlib) so a change of the form or the hash cannot go unnoticed. */
static const char base_canonical[] =
	"mycelium-schema 1\n"
	"schema demo\n"
	"message 2 Order oms.order\n"
	"field id u64\n"
	"end\n"
	"message 257 Quote md.quote\n"
	"field px i64\n"
	"field qty u32\n"
	"field sym string[16]\n"
	"field levels f64[4]\n"
	"end\n";
static const char base_digest[] =
	"63a3b866aeeb7736eacf3bd4091d295ee1eee489afd1aeb416d69d69dbeebecd";

/* Same schema, written differently. */
static const char *const same[] = {
	/* comments, blank lines, other indentation, flow style, quoting */
	"# a comment\n"
	"schema: \"demo\"   # trailing comment\n"
	"\n"
	"messages:\n"
	"- name: Quote\n"
	"  id: 257\n"
	"  topic: 'md.quote'\n"
	"  fields: [ {name: px, type: i64}, {name: qty, type: \"u32\"},\n"
	"            {name: sym, type: 'string[16]'}, {type: \"f64[4]\", name: levels} ]\n"
	"- {name: Order, id: 0x2, topic: oms.order, fields: [{name: id, type: u64}]}\n",
	/* key order, messages in the other order, other descriptions */
	"description: The demo schema.\n"
	"messages:\n"
	"  - topic: oms.order\n"
	"    fields:\n"
	"      - type: u64\n"
	"        name: id\n"
	"        description: Order id.\n"
	"    id: 0x0002\n"
	"    name: Order\n"
	"  - fields:\n"
	"      - { name: px, type: i64, description: Another price text. }\n"
	"      - { name: qty, type: u32 }\n"
	"      - { name: sym, type: \"string[16]\" }\n"
	"      - { name: levels, type: \"f64[4]\" }\n"
	"    description: Changed.\n"
	"    name: Quote\n"
	"    id: 0X101\n"
	"    topic: md.quote\n"
	"schema: demo\n",
};

/* Each edit of base (replace the first @from by @to) must change the
 * digest. */
static const struct edit {
	const char *what, *from, *to;
} edits[] = {
	{ "schema name", "schema: demo", "schema: demo2" },
	{ "message name", "name: Quote", "name: Quotes" },
	{ "type id", "id: 0x0101", "id: 0x0102" },
	{ "topic", "topic: md.quote", "topic: md.quotes" },
	{ "field name", "name: qty", "name: size" },
	{ "scalar type", "type: u32", "type: i32" },
	{ "scalar width", "type: u32", "type: u64" },
	{ "string capacity", "string[16]", "string[17]" },
	{ "string to bytes", "string[16]", "bytes[16]" },
	{ "array capacity", "f64[4]", "f64[5]" },
	{ "array element type", "f64[4]", "f32[4]" },
	{ "field order",
	  "      - name: px\n        type: i64\n        description: Price.\n"
	  "      - name: qty\n        type: u32\n",
	  "      - name: qty\n        type: u32\n"
	  "      - name: px\n        type: i64\n        description: Price.\n" },
	{ "field added", "      - name: id\n", "      - name: side\n        type: i8\n"
	  "      - name: id\n" },
	{ "field removed", "      - name: qty\n        type: u32\n", "" },
	{ "message added", "messages:\n", "messages:\n  - { name: Ping, id: 9, topic: p, "
	  "fields: [{ name: n, type: u8 }] }\n" },
	{ "other message's id", "id: 2\n", "id: 3\n" },
};

static struct myc_schema *parse(const char *text)
{
	char err[512];
	struct myc_schema *s = myc_schema_parse(text, strlen(text), "digest-test.yaml",
						err, sizeof(err));

	if (!s)
		fail_msg("parse failed: %s\n%s", err, text);
	return s;
}

static void canonical_form_and_digest(void **state)
{
	struct myc_schema *s = parse(base);
	uint8_t d[32];
	char hex[65];

	assert_string_equal(myc_schema_canonical(s), base_canonical);
	myc_schema_digest_hex(s, hex);
	assert_string_equal(hex, base_digest);
	myc_sha256(base_canonical, strlen(base_canonical), d);
	assert_memory_equal(myc_schema_digest(s), d, 32);
	myc_schema_free(s);
}

static void reformatting_keeps_digest(void **state)
{
	struct myc_schema *b = parse(base);

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		struct myc_schema *s = parse(same[i]);

		assert_string_equal(myc_schema_canonical(s), base_canonical);
		assert_memory_equal(myc_schema_digest(s), myc_schema_digest(b), 32);
		myc_schema_free(s);
	}
	myc_schema_free(b);
}

static char *apply(const struct edit *e)
{
	const char *at = strstr(base, e->from);
	size_t pre, n = sizeof(base) + strlen(e->to);
	char *out = malloc(n);

	if (!at)
		fail_msg("edit '%s': text not found", e->what);
	pre = (size_t)(at - base);
	memcpy(out, base, pre);
	strcpy(out + pre, e->to);
	strcat(out, at + strlen(e->from));
	return out;
}

static void every_change_changes_digest(void **state)
{
	const size_t n = sizeof(edits) / sizeof(edits[0]);
	uint8_t (*d)[32] = calloc(n + 1, 32);
	struct myc_schema *b = parse(base);

	memcpy(d[n], myc_schema_digest(b), 32);
	for (size_t i = 0; i < n; i++) {
		char *text = apply(&edits[i]);
		struct myc_schema *s = parse(text);

		memcpy(d[i], myc_schema_digest(s), 32);
		for (size_t j = 0; j < i; j++)
			if (!memcmp(d[i], d[j], 32))
				fail_msg("'%s' and '%s' give the same digest", edits[i].what,
					 edits[j].what);
		if (!memcmp(d[i], d[n], 32))
			fail_msg("'%s' does not change the digest", edits[i].what);
		myc_schema_free(s);
		free(text);
	}
	myc_schema_free(b);
	free(d);
}

static void file_and_buffer_agree(void **state)
{
	const char *path = "digest-file.yaml";	/* in the test's own temp dir */
	FILE *f = fopen(path, "w");
	struct myc_schema *a, *b = parse(base);
	char err[256];

	assert_non_null(f);
	fputs(base, f);
	fclose(f);
	a = myc_schema_load(path, err, sizeof(err));
	assert_non_null(a);
	assert_memory_equal(myc_schema_digest(a), myc_schema_digest(b), 32);
	assert_string_equal(myc_schema_name(a), "demo");
	unlink(path);
	myc_schema_free(a);
	myc_schema_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_form_and_digest),
		cmocka_unit_test(reformatting_keeps_digest),
		cmocka_unit_test(every_change_changes_digest),
		cmocka_unit_test(file_and_buffer_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
