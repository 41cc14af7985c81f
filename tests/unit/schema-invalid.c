// SPDX-License-Identifier: MIT
/*
 * Description: every invalid schema under tests/data/schema/bad-*.yaml is
 * refused, from a file and from a buffer, with MYC_E_INVALID (MYC_E_PARSE
 * for YAML syntax), no schema object, and an error text "FILE:LINE: ..."
 * naming the file and the line given by the fixture's "expect-line:" header
 * and containing its "expect-error:" text.  Truncated error buffers stay
 * NUL-terminated, and a NULL error buffer is allowed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "test-top.h"

/* The fixtures must keep coming: fewer than this means a broken glob. */
#define MIN_FIXTURES 40

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The value of "# KEY: value" in @text, copied to @out. */
static void header(const char *text, const char *key, char *out, size_t outlen)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "# %s: ", key);
	p = strstr(text, pat);
	assert_non_null(p);
	p += strlen(pat);
	e = strchr(p, '\n');
	assert_non_null(e);
	assert_true((size_t)(e - p) < outlen);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = 0;
}

static void check_error(const char *path, const char *text, const char *err, int errnum)
{
	char line[16], want[256], prefix[4200];
	int expect_errno = strstr(path, "bad-yaml-syntax") ? MYC_E_PARSE : MYC_E_INVALID;

	header(text, "expect-line", line, sizeof(line));
	header(text, "expect-error", want, sizeof(want));
	snprintf(prefix, sizeof(prefix), "%s:%s: ", path, line);
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, want))
		fail_msg("%s\n  got:  %s\n  want: %s... %s", path, err, prefix, want);
	assert_int_equal(errnum, expect_errno);
}

static void every_fixture_refused(void **state)
{
	glob_t g;
	size_t i;

	assert_int_equal(glob(myc_test_path("tests/data/schema/bad-*.yaml"), 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= MIN_FIXTURES);
	for (i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		char err[512];
		size_t len;
		char *text = slurp(path, &len);
		struct myc_schema *s;

		errno = 0;
		s = myc_schema_load(path, err, sizeof(err));
		assert_null(s);
		check_error(path, text, err, errno);

		/* from a buffer, named differently */
		errno = 0;
		s = myc_schema_parse(text, len, path, err, sizeof(err));
		assert_null(s);
		check_error(path, text, err, errno);
		free(text);
	}
	globfree(&g);
}

static void small_or_null_error_buffer(void **state)
{
	const char *path = myc_test_path("tests/data/schema/bad-duplicate-id.yaml");
	char tiny[8];

	memset(tiny, 'x', sizeof(tiny));
	assert_null(myc_schema_load(path, tiny, sizeof(tiny)));
	assert_int_equal(errno, MYC_E_INVALID);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_memory_equal(tiny, path, sizeof(tiny) - 1);
	assert_null(myc_schema_load(path, NULL, 0));
	assert_int_equal(errno, MYC_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fixture_refused),
		cmocka_unit_test(small_or_null_error_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
