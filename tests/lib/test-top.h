/* SPDX-License-Identifier: MIT */
/* Where the source tree is, for tests that read files under tests/data. */
#ifndef MYC_TEST_TOP_H
#define MYC_TEST_TOP_H

/*
 * The source tree's top directory: $MYC_TOP when set, else the parent of
 * $MYC_BUILD (tests/run.sh sets it to TOP/build*), else "." (a test run by
 * hand from the top directory).  Never NULL.
 */
const char *myc_test_top(void);

/* myc_test_top() + "/" + @rel in a static buffer (one at a time). */
const char *myc_test_path(const char *rel);

#endif
