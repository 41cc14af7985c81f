/* SPDX-License-Identifier: MIT */
/* Writing small input files (topologies, schemas) from tests. */
#ifndef MYC_TEST_FILE_H
#define MYC_TEST_FILE_H

/* Create or truncate @path (in the test's temporary cwd) with @text;
 * aborts the test binary if that fails. */
void test_write_file(const char *path, const char *text);

#endif
