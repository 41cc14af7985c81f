// SPDX-License-Identifier: MIT
/*
 * Description: every kind of TOML syntax or definition error is rejected
 * with the line and column of the offending character (columns count
 * characters, so multi-byte text before the error does not shift them) and
 * a message naming the problem; the parser sets errno to EINVAL and
 * returns NULL.  Also: nesting beyond TOML_MAX_DEPTH is refused, and
 * toml_parse_file reports open errors without a position.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "toml.h"

struct bad {
	const char *text;
	unsigned int line, col;
	const char *msg;	/* substring of the message */
};

static const struct bad cases[] = {
	{ "a = 1\nb = \n", 2, 5, "expected a value" },
	{ "a = 1\na = 2\n", 2, 1, "duplicate key 'a'" },
	{ "x = 1 2\n", 1, 7, "expected a newline" },
	{ "k = \"abc\n", 1, 9, "newline in a single-line string" },
	{ "k = \"unterminated", 1, 5, "unterminated string" },
	{ "k = \"\\q\"\n", 1, 6, "invalid escape sequence \\q" },
	{ "k = \"\\uD800\"\n", 1, 6, "not a Unicode scalar value" },
	{ "é = 1\n", 1, 1, "expected a key" },
	{ "\"é\" = \"é\" x\n", 1, 11, "expected a newline" },
	{ "n = 0123\n", 1, 5, "leading zeros" },
	{ "n = 9223372036854775808\n", 1, 5, "does not fit in 64 bits" },
	{ "n = +0x10\n", 1, 5, "sign is not allowed" },
	{ "n = 1__0\n", 1, 5, "invalid number" },
	{ "f = 1.\n", 1, 5, "decimal point" },
	{ "f = 1e999\n", 1, 5, "out of range" },
	{ "d = 2021-02-29\n", 1, 5, "invalid date" },
	{ "t = 24:00:00\n", 1, 5, "invalid date" },
	{ "[a]\n[a]\n", 2, 2, "defined twice" },
	{ "[a]\nb.c = 1\n[a.b]\n", 3, 4, "dotted keys" },
	{ "a = {b = 1}\n[a]\n", 2, 2, "inline table" },
	{ "a = {b = 1}\na.c = 2\n", 2, 1, "inline table 'a'" },
	{ "a = [1]\n[[a]]\n", 2, 3, "array value" },
	{ "[[a]]\n[a]\n", 2, 2, "array of tables" },
	{ "a = 1\na.b = 2\n", 2, 1, "already an integer" },
	{ "a = {b = 1,}\n", 1, 12, "trailing comma" },
	{ "a = {b = 1\n}\n", 1, 11, "newline or comment inside an inline table" },
	{ "a = [1 2]\n", 1, 8, "expected ',' or ']'" },
	{ "a = [1,\n2\n", 3, 1, "unterminated array" },
	{ "[a\n", 1, 3, "expected ']'" },
	{ "[[a]\n", 1, 4, "expected ']]'" },
	{ "# bad \x01 char\n", 1, 7, "control character U+0001 in comment" },
	{ "a = 1\r\nb = 2\r", 2, 6, "carriage return" },
	{ "a = \"\xff\"\n", 1, 6, "invalid UTF-8" },
	{ "a = \"\xed\xa0\x80\"\n", 1, 6, "invalid UTF-8" },	/* surrogate */
	{ "a = \"\xc0\xaf\"\n", 1, 6, "invalid UTF-8" },	/* overlong */
	{ "a = \"\"\"x\"\"\"\"\"\"\n", 1, 14, "too many quotes" },
	{ "\"\"\"k\"\"\" = 1\n", 1, 1, "multi-line string cannot be a key" },
	{ "a = tru\n", 1, 5, "invalid number" },
};

static void each_error_has_position(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad *c = &cases[i];
		struct toml_error err;
		struct toml_value *v;

		errno = 0;
		v = toml_parse(c->text, strlen(c->text), &err);
		if (v || err.line != c->line || err.col != c->col ||
		    !strstr(err.msg, c->msg) || errno != EINVAL) {
			toml_free(v);
			fail_msg("case %zu (%s): got %s at %u:%u \"%s\" errno %d; want %u:%u \"%s\"",
				 i, c->text, v ? "success" : "error", err.line,
				 err.col, err.msg, errno, c->line, c->col, c->msg);
		}
	}
}

/* "a = " and @n '[' then @n ']' */
static struct toml_value *nested_arrays(char *s, size_t n, struct toml_error *err)
{
	memcpy(s, "a = ", 4);
	memset(s + 4, '[', n);
	memset(s + 4 + n, ']', n);
	return toml_parse(s, 4 + 2 * n, err);
}

static void nesting_limit(void **state)
{
	char *s = malloc(2 * TOML_MAX_DEPTH + 64);
	struct toml_error err;
	struct toml_value *v;

	v = nested_arrays(s, TOML_MAX_DEPTH + 10, &err);
	assert_null(v);
	assert_non_null(strstr(err.msg, "nesting deeper"));
	assert_int_equal(err.line, 1);

	/* within the limit it parses */
	v = nested_arrays(s, TOML_MAX_DEPTH - 1, &err);
	assert_non_null(v);
	toml_free(v);
	free(s);
}

/* Numbers have a length limit; up to it they parse, past it the error is
 * named (and the ASan build checks no buffer is overrun near it). */
static void number_length_limit(void **state)
{
	char s[1024];
	struct toml_error err;
	struct toml_value *v;

	memcpy(s, "f = 0.", 6);
	memset(s + 6, '5', 500);
	v = toml_parse(s, 506, &err);
	assert_non_null(v);
	assert_true(toml_table_get(v, "f")->u.flt == 0.5555555555555556);
	toml_free(v);

	memcpy(s, "f = ", 4);
	memset(s + 4, '1', 511);
	memcpy(s + 515, ".5e1", 4);
	v = toml_parse(s, 519, &err);
	assert_null(v);
	assert_string_equal(err.msg, "number too long (515 characters)");
	assert_int_equal(err.col, 5);
}

static void file_errors(void **state)
{
	struct toml_error err;
	FILE *f;

	errno = 0;
	assert_null(toml_parse_file("does-not-exist.toml", &err));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "No such file"));

	assert_null(toml_parse_file(".", &err));	/* a directory */
	assert_int_equal(errno, EINVAL);

	f = fopen("bad.toml", "w");
	assert_non_null(f);
	fputs("ok = 1\n\nbad = [\n", f);
	fclose(f);
	assert_null(toml_parse_file("bad.toml", &err));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(err.line, 4);
	remove("bad.toml");

	/* NULL err is allowed */
	assert_null(toml_parse("=", 1, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_error_has_position),
		cmocka_unit_test(nesting_limit),
		cmocka_unit_test(number_length_limit),
		cmocka_unit_test(file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
