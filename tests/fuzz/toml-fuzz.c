// SPDX-License-Identifier: MIT
/*
 * Description: libFuzzer target for the TOML parser and the topology
 * loader.  Any input must either parse into a tree that can be walked and
 * freed, or be refused with a position; the same bytes are then fed to the
 * topology validator and, when they form a valid topology, every route is
 * resolved.  Built and run briefly by tests/suites/fuzz.sh.
 * Seeds: ../shared/toml-test/tests/valid ../shared/toml-test/tests/invalid examples
 * Dict: tests/fuzz/toml.dict
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "myc.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every node so ASan sees any bad pointer or length. */
static size_t walk(const struct toml_value *v)
{
	char buf[64];
	size_t i, n = 1;

	switch (v->type) {
	case TOML_TABLE:
		for (i = 0; i < v->u.table.n; i++) {
			const struct toml_kv *kv = &v->u.table.items[i];

			n += kv->keylen + walk(kv->val);
			if (kv->key[kv->keylen] != 0 || !kv->line || !kv->col)
				abort();
		}
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.array.n; i++)
			n += walk(v->u.array.items[i]);
		break;
	case TOML_STRING:
		if (v->u.str.ptr[v->u.str.len] != 0)
			abort();
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		if (toml_datetime_format(v, buf, sizeof(buf)) >= (int)sizeof(buf))
			abort();
		break;
	default:
		break;
	}
	if (v->depth > TOML_MAX_DEPTH)
		abort();
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_error err;
	struct toml_value *doc;
	struct myc_topo *t;
	char msg[256];

	doc = toml_parse((const char *)data, size, &err);
	if (doc) {
		walk(doc);
		toml_free(doc);
	} else if (!err.line || !err.col || !memchr(err.msg, 0, sizeof(err.msg))) {
		abort();	/* every refusal names a position */
	}

	t = myc_topo_parse((const char *)data, size, "fuzz.toml", msg, sizeof(msg));
	if (t) {
		size_t i, j, a, b;

		for (i = 0; i < myc_topo_node_count(t); i++) {
			const struct myc_topo_node *n = myc_topo_node_at(t, i);

			for (a = 0; a < myc_topo_node_service_count(n); a++) {
				for (j = 0; j < myc_topo_node_count(t); j++) {
					const struct myc_topo_node *m = myc_topo_node_at(t, j);

					for (b = 0; b < myc_topo_node_service_count(m); b++) {
						struct myc_route r = { .sz = sizeof(r) };

						if (myc_topo_route(t, myc_topo_node_service(n, a),
								   myc_topo_node_service(m, b), &r))
							abort();
					}
				}
			}
		}
		myc_topo_free(t);
	}
	return 0;
}
