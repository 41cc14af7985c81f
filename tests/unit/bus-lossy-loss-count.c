// SPDX-License-Identifier: MIT
/*
 * Description: on a lossy topic a publisher never waits; a subscriber that
 * falls behind loses the oldest messages, keeps the newest depth ones in
 * order, and myc_sub_lost() reports exactly how many it lost, while a
 * subscriber that keeps up loses nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define DEPTH 4

static void slow_subscriber_loses_oldest(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_sub *slow, *fast;
	struct myc_pub *pub;
	uint64_t v;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 3, MYC_LOSSY, DEPTH, 64), 0);
	assert_non_null(slow = myc_sub_new(bus, 3, NULL));
	assert_non_null(fast = myc_sub_new(bus, 3, NULL));
	assert_non_null(pub = myc_pub_new(bus, 3, NULL));

	for (uint64_t i = 0; i < 10; i++) {
		assert_int_equal(bt_send_u64(pub, i), 0);
		assert_int_equal(bt_recv_u64(fast, &v, 0), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(myc_sub_lost(fast), 0);
	assert_int_equal(myc_sub_lost(slow), 10 - DEPTH);
	for (uint64_t i = 10 - DEPTH; i < 10; i++) {
		assert_int_equal(bt_recv_u64(slow, &v, 0), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(bt_recv_u64(slow, &v, 0), -EAGAIN);

	/* Losses accumulate; the pool never runs dry however far behind. */
	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(bt_send_u64(pub, 100 + i), 0);
	assert_int_equal(myc_sub_lost(slow), 10 - DEPTH + 1000 - DEPTH);
	assert_int_equal(myc_sub_lost(fast), 1000 - DEPTH);
	assert_int_equal(bt_recv_u64(slow, &v, 0), 0);
	assert_int_equal(v, 100 + 1000 - DEPTH);

	myc_pub_free(pub);
	myc_sub_free(slow);
	myc_sub_free(fast);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slow_subscriber_loses_oldest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
