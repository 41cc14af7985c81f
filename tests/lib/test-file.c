// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>

#include "test-file.h"

void test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		abort();
	}
}
