// SPDX-License-Identifier: MIT
/*
 * Description: on a lossless topic a publisher whose subscriber queue is
 * full gets -MYC_E_BACK_PRESSURED at once (timeout 0) or -ETIMEDOUT after
 * its timeout, loses nothing, and can publish again as soon as the
 * subscriber takes a message; an aborted claim gives its slot back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define DEPTH 4

static void full_queue_back_pressures(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_pub_opts wait = { .sz = sizeof(wait), .timeout_ms = 20 };
	struct myc_pub *pub, *waiter;
	struct myc_sub *sub;
	uint64_t v;
	void *buf;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 4, MYC_LOSSLESS, DEPTH, 64), 0);
	assert_non_null(sub = myc_sub_new(bus, 4, NULL));
	assert_non_null(pub = myc_pub_new(bus, 4, NULL));
	assert_non_null(waiter = myc_pub_new(bus, 4, &wait));

	for (uint64_t i = 0; i < DEPTH; i++)
		assert_int_equal(bt_send_u64(pub, i), 0);
	assert_int_equal(bt_send_u64(pub, 99), -MYC_E_BACK_PRESSURED);
	assert_int_equal(myc_pub_claim(pub, 8, &buf), -MYC_E_BACK_PRESSURED);
	assert_int_equal(bt_send_u64(waiter, 99), -ETIMEDOUT);
	assert_int_equal(myc_sub_lost(sub), 0);

	assert_int_equal(bt_recv_u64(sub, &v, 0), 0);
	assert_int_equal(v, 0);
	/* One slot free: a claim takes it, abort returns it. */
	assert_int_equal(myc_pub_claim(pub, 8, &buf), 0);
	assert_int_equal(myc_pub_claim(waiter, 8, &buf), -ETIMEDOUT);
	myc_pub_abort(pub, buf);
	assert_int_equal(bt_send_u64(waiter, DEPTH), 0);
	assert_int_equal(bt_send_u64(pub, 99), -MYC_E_BACK_PRESSURED);

	for (uint64_t i = 1; i <= DEPTH; i++) {
		assert_int_equal(bt_recv_u64(sub, &v, 0), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(bt_recv_u64(sub, &v, 0), -EAGAIN);

	/* A subscriber going away releases the back-pressure it caused. */
	for (uint64_t i = 0; i < DEPTH; i++)
		assert_int_equal(bt_send_u64(pub, i), 0);
	assert_int_equal(bt_send_u64(pub, 99), -MYC_E_BACK_PRESSURED);
	myc_sub_free(sub);
	assert_int_equal(bt_send_u64(pub, 99), 0);

	myc_pub_free(pub);
	myc_pub_free(waiter);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_queue_back_pressures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
