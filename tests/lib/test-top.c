// SPDX-License-Identifier: MIT
/* Locate the source tree for tests (see test-top.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-top.h"

const char *myc_test_top(void)
{
	static char top[PATH_MAX];
	const char *env = getenv("MYC_TOP");
	char *slash;

	if (top[0])
		return top;
	if (env && env[0]) {
		snprintf(top, sizeof(top), "%s", env);
		return top;
	}
	env = getenv("MYC_BUILD");
	if (env && env[0]) {
		snprintf(top, sizeof(top), "%s", env);
		slash = strrchr(top, '/');
		if (slash && slash != top) {
			*slash = 0;	/* TOP/build-asan -> TOP */
			return top;
		}
	}
	snprintf(top, sizeof(top), ".");	/* run by hand from the top */
	return top;
}

const char *myc_test_path(const char *rel)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", myc_test_top(), rel);
	return path;
}
