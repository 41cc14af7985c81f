// SPDX-License-Identifier: MIT
/*
 * Description: publisher threads stream into two subscriber threads that
 * share every buffer; one releases through its batch cache
 * (myc_sub_release), the other one message at a time (myc_msg_release),
 * so the last reference is dropped by either side and chains of one and of
 * sixteen meet in the pool while publishers take them.  Every message
 * arrives intact and in order per publisher (lossless: all of them; lossy
 * with a small queue: received + lost = published, the publishers dropping
 * the oldest concurrently), and every buffer is back in the pool at the end.
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define NPUB 2
#define N 30000

static void lossless_batched_and_single(void **state)
{
	bt_stream_check(MYC_LOSSLESS, 32, NPUB, 2, N, 0x1, 0);
}

static void lossy_batched_and_single(void **state)
{
	bt_stream_check(MYC_LOSSY, 8, NPUB, 2, N, 0x1, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lossless_batched_and_single),
		cmocka_unit_test(lossy_batched_and_single),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
