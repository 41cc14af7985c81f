// SPDX-License-Identifier: MIT
/*
 * Description: several publisher threads and several subscriber threads on
 * one topic.  Lossless: every subscriber receives exactly every message,
 * each publisher's messages in order.  Lossy with small queues: every
 * subscriber's received + lost equals what was published, and what it
 * receives is in order per publisher.  All buffers return to the pool.
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define NPUB 3
#define NSUB 2
#define N 20000

static void run(uint32_t policy, uint32_t depth)
{
	/* Every subscriber releases with myc_msg_release (mask 0). */
	bt_stream_check(policy, depth, NPUB, NSUB, N, 0, 0);
}

static void lossless_many_to_many(void **state)
{
	run(MYC_LOSSLESS, 16);
}

static void lossy_many_to_many(void **state)
{
	run(MYC_LOSSY, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lossless_many_to_many),
		cmocka_unit_test(lossy_many_to_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
