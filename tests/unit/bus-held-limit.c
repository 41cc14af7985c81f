// SPDX-License-Identifier: MIT
/*
 * Description: the topic pool covers each subscriber's queue plus the
 * max_held messages it declared; a subscriber holding more than that can
 * exhaust it, which a claim reports as -MYC_E_NO_BUFS (named, no crash),
 * and releasing one message makes publishing work again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define DEPTH 4

static void pool_exhaustion_is_named(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_sub_opts so = { .sz = sizeof(so), .max_held = 1 };
	struct myc_topic_stats st = { .sz = sizeof(st) };
	struct myc_msg *held[256];
	struct myc_pub *pub;
	struct myc_sub *sub;
	int n = 0, r;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSY, DEPTH, 8), 0);
	assert_non_null(sub = myc_sub_new(bus, 1, &so));
	assert_non_null(pub = myc_pub_new(bus, 1, NULL));
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_true(st.bufs_total >= DEPTH + 1 + 1);
	assert_true(st.bufs_total < 256);
	/* Hold everything we receive until the pool runs dry. */
	for (;;) {
		r = bt_send_u64(pub, (uint64_t)n);
		if (r)
			break;
		assert_int_equal(myc_sub_recv(sub, &held[n], 0), 0);
		n++;
	}
	assert_int_equal(r, -MYC_E_NO_BUFS);
	assert_int_equal(n, st.bufs_total);	/* every buffer is held */
	myc_msg_release(held[--n]);
	assert_int_equal(bt_send_u64(pub, 1), 0);
	while (n)
		myc_msg_release(held[--n]);
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.bufs_free, st.bufs_total - 1);	/* one queued */
	myc_pub_free(pub);
	myc_sub_free(sub);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pool_exhaustion_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
