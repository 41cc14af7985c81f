// SPDX-License-Identifier: MIT
/*
 * Description: the TOML parser API returns a tree that can be walked and
 * looked up: toml_table_get / toml_table_entry / toml_get_path find keys
 * (including quoted keys with dots or NUL bytes), every key and value
 * carries the line and column (in characters, not bytes) where it is
 * written, values have the right types and contents (integers at the int64
 * limits, floats, strings with escapes, all four date/time kinds), and
 * lookups on the wrong type or missing keys return NULL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "toml.h"

static struct toml_value *parse(const char *s)
{
	struct toml_error err;
	struct toml_value *v = toml_parse(s, strlen(s), &err);

	if (!v)
		fail_msg("parse failed at %u:%u: %s", err.line, err.col, err.msg);
	return v;
}

static void key_and_value_positions(void **state)
{
	struct toml_value *doc = parse(
		"# comment\n"
		"title = \"x\"\n"
		"\n"
		"[server]\n"
		"  port   = 7000\n"
		"  \"é.k\" = true\n"
		"[[nodes]]\n"
		"name = 'a'\n");
	const struct toml_value *srv = toml_table_get(doc, "server");
	const struct toml_kv *kv;

	kv = toml_table_entry(doc, "title");
	assert_non_null(kv);
	assert_int_equal(kv->line, 2);
	assert_int_equal(kv->col, 1);
	assert_int_equal(kv->val->line, 2);
	assert_int_equal(kv->val->col, 9);

	assert_non_null(srv);
	assert_int_equal(srv->type, TOML_TABLE);
	assert_int_equal(srv->line, 4);
	kv = toml_table_entry(srv, "port");
	assert_int_equal(kv->line, 5);
	assert_int_equal(kv->col, 3);
	assert_int_equal(kv->val->col, 12);
	assert_int_equal(kv->val->u.integer, 7000);

	/* the quoted key holds a multi-byte character: columns count it once */
	kv = toml_table_entry(srv, "é.k");
	assert_non_null(kv);
	assert_int_equal(kv->line, 6);
	assert_int_equal(kv->val->col, 11);
	assert_true(kv->val->u.boolean);

	kv = toml_table_entry(doc, "nodes");
	assert_int_equal(kv->val->type, TOML_ARRAY);
	assert_int_equal(kv->val->u.array.n, 1);
	assert_int_equal(kv->val->u.array.items[0]->line, 7);
	assert_string_equal(toml_get_path(kv->val->u.array.items[0], "name")->u.str.ptr,
			    "a");
	toml_free(doc);
}

static void dotted_paths_and_missing_keys(void **state)
{
	struct toml_value *doc = parse("a.b.c = 1\n[x.y]\nz = 2\n");

	assert_int_equal(toml_get_path(doc, "a.b.c")->u.integer, 1);
	assert_int_equal(toml_get_path(doc, "x.y.z")->u.integer, 2);
	assert_null(toml_get_path(doc, "a.b.d"));
	assert_null(toml_get_path(doc, "a.b.c.d"));	/* c is not a table */
	assert_null(toml_get_path(doc, "q"));
	assert_null(toml_table_get(toml_get_path(doc, "a.b.c"), "k"));
	assert_null(toml_table_get(NULL, "k"));
	assert_null(toml_table_get(doc, NULL));
	toml_free(doc);
}

static void expect_dt(const struct toml_value *v, enum toml_type type,
		      const char *text)
{
	char buf[64];

	assert_non_null(v);
	assert_int_equal(v->type, type);
	assert_int_equal(toml_datetime_format(v, buf, sizeof(buf)), strlen(text));
	assert_string_equal(buf, text);
}

static void scalar_types_and_values(void **state)
{
	struct toml_value *doc = parse(
		"max = 9223372036854775807\n"
		"min = -9223372036854775808\n"
		"hex = 0xdead_BEEF\n"
		"oct = 0o755\n"
		"bin = 0b1010\n"
		"f = 6.626e-34\n"
		"ni = -inf\n"
		"nn = nan\n"
		"s = \"tab\\tquote\\\" \\u00e9 \\U0001F600\"\n"
		"nul = \"a\\u0000b\"\n"
		"ml = \"\"\"\nline1\\\n   line2\"\"\"\n"
		"lit = '''\nC:\\path'''\n"
		"odt = 1979-05-27T07:32:00.999999-07:00\n"
		"ldt = 1979-05-27 07:32:00\n"
		"ld = 1979-05-27\n"
		"lt = 00:32:00.5\n");
	const struct toml_value *v;

	assert_int_equal(toml_table_get(doc, "max")->u.integer, INT64_MAX);
	assert_int_equal(toml_table_get(doc, "min")->u.integer, INT64_MIN);
	assert_int_equal(toml_table_get(doc, "hex")->u.integer, 0xdeadbeef);
	assert_int_equal(toml_table_get(doc, "oct")->u.integer, 0755);
	assert_int_equal(toml_table_get(doc, "bin")->u.integer, 10);
	v = toml_table_get(doc, "f");
	assert_int_equal(v->type, TOML_FLOAT);
	assert_true(v->u.flt == 6.626e-34);
	assert_true(isinf(toml_table_get(doc, "ni")->u.flt));
	assert_true(toml_table_get(doc, "ni")->u.flt < 0);
	assert_true(isnan(toml_table_get(doc, "nn")->u.flt));
	assert_string_equal(toml_table_get(doc, "s")->u.str.ptr,
			    "tab\tquote\" \xc3\xa9 \xf0\x9f\x98\x80");
	v = toml_table_get(doc, "nul");
	assert_int_equal(v->u.str.len, 3);
	assert_memory_equal(v->u.str.ptr, "a\0b", 3);
	assert_string_equal(toml_table_get(doc, "ml")->u.str.ptr, "line1line2");
	assert_string_equal(toml_table_get(doc, "lit")->u.str.ptr, "C:\\path");

	v = toml_table_get(doc, "odt");
	assert_int_equal(v->u.dt.offset_min, -7 * 60);
	assert_int_equal(v->u.dt.nsec, 999999000);
	expect_dt(v, TOML_DATETIME, "1979-05-27T07:32:00.999999-07:00");
	expect_dt(toml_table_get(doc, "ldt"), TOML_DATETIME_LOCAL,
		  "1979-05-27T07:32:00");
	expect_dt(toml_table_get(doc, "ld"), TOML_DATE_LOCAL, "1979-05-27");
	expect_dt(toml_table_get(doc, "lt"), TOML_TIME_LOCAL, "00:32:00.5");
	assert_string_equal(toml_type_name(TOML_DATETIME_LOCAL), "datetime-local");
	toml_free(doc);
}

static void key_with_nul_byte(void **state)
{
	struct toml_value *doc = parse("\"a\\u0000b\" = 1\n");

	assert_int_equal(doc->u.table.n, 1);
	assert_int_equal(doc->u.table.items[0].keylen, 3);
	/* a C-string lookup cannot name it, and must not match "a" */
	assert_null(toml_table_get(doc, "a"));
	toml_free(doc);
}

/* Past TOML_INDEX_MIN keys a table is hashed: lookups and duplicate
 * detection must behave exactly as in a small table. */
static void large_table_lookup(void **state)
{
	size_t n = 5000, i, len = 0;
	char *s = malloc(n * 32 + 64), key[32];
	struct toml_error err;
	struct toml_value *doc;

	for (i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "k%zu = %zu\n", i, i);
	doc = toml_parse(s, len, &err);
	assert_non_null(doc);
	for (i = 0; i < n; i++) {
		const struct toml_kv *kv;

		snprintf(key, sizeof(key), "k%zu", i);
		kv = toml_table_entry(doc, key);
		assert_non_null(kv);
		assert_int_equal(kv->val->u.integer, i);
		assert_int_equal(kv->line, i + 1);
	}
	assert_null(toml_table_get(doc, "k5000"));
	toml_free(doc);

	/* a duplicate of an early key, found through the index */
	len += (size_t)sprintf(s + len, "k17 = 1\n");
	doc = toml_parse(s, len, &err);
	assert_null(doc);
	assert_int_equal(err.line, n + 1);
	assert_string_equal(err.msg, "duplicate key 'k17'");
	free(s);
}

static void empty_document(void **state)
{
	struct toml_value *doc = parse("");

	assert_int_equal(doc->type, TOML_TABLE);
	assert_int_equal(doc->u.table.n, 0);
	toml_free(doc);
	toml_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_and_value_positions),
		cmocka_unit_test(dotted_paths_and_missing_keys),
		cmocka_unit_test(scalar_types_and_values),
		cmocka_unit_test(key_with_nul_byte),
		cmocka_unit_test(large_table_lookup),
		cmocka_unit_test(empty_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
