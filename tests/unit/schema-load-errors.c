// SPDX-License-Identifier: MIT
/*
 * Description: loading a schema fails cleanly for system-level problems:
 * a missing file (ENOENT), a directory (EINVAL, "not a regular file"),
 * NULL arguments (EINVAL), and a file above the 16 MiB
 * limit (EFBIG); each names the path in the error text.  Random bytes and
 * truncations of a valid schema never crash the loader (ASan run) and
 * always end in a schema or in an error text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "myc.h"
#include "test-top.h"

static void expect_fail(const char *path, int err, const char *text)
{
	char buf[512];

	errno = 0;
	assert_null(myc_schema_load(path, buf, sizeof(buf)));
	assert_int_equal(errno, err);
	if (path)
		assert_true(!strncmp(buf, path, strlen(path)));
	if (text && !strstr(buf, text))
		fail_msg("'%s' lacks '%s'", buf, text);
}

static void system_errors(void **state)
{
	int fd;

	expect_fail("no-such-schema.yaml", ENOENT, "No such file");
	expect_fail(".", EINVAL, "not a regular file");
	expect_fail(NULL, EINVAL, NULL);
	assert_null(myc_schema_parse(NULL, 0, "x", NULL, 0));
	assert_int_equal(errno, EINVAL);
	/* a sparse file just above the limit */
	fd = open("huge.yaml", O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
	close(fd);
	expect_fail("huge.yaml", EFBIG, "too large");
	unlink("huge.yaml");
}

static void garbage_never_crashes(void **state)
{
	FILE *f = fopen(myc_test_path("examples/schema/trading.yaml"), "rb");
	char text[8192], err[256];
	size_t len;
	unsigned seed = 7;

	assert_non_null(f);
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	assert_true(len > 100 && len < sizeof(text));
	/* every truncation of a valid schema */
	for (size_t n = 0; n < len; n += 7) {
		struct myc_schema *s = myc_schema_parse(text, n, "cut.yaml", err, sizeof(err));

		assert_true(s || !strncmp(err, "cut.yaml:", 9));
		myc_schema_free(s);
	}
	/* random byte flips */
	for (int iter = 0; iter < 300; iter++) {
		char copy[8192];

		memcpy(copy, text, len);
		for (int k = 0; k < 4; k++)
			copy[rand_r(&seed) % len] = (char)rand_r(&seed);
		struct myc_schema *s = myc_schema_parse(copy, len, "flip.yaml", err, sizeof(err));

		assert_true(s || !strncmp(err, "flip.yaml:", 10));
		myc_schema_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(system_errors),
		cmocka_unit_test(garbage_never_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
