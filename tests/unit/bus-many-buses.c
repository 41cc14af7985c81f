// SPDX-License-Identifier: MIT
/*
 * Description: many buses live in one process independently (the parallel
 * backtest case): the same type id on different buses are different
 * topics, with their own settings, subscribers, sequence numbers and
 * publisher ids; freeing one bus leaves the others working.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define NBUS 300

static void buses_are_independent(void **state)
{
	static struct myc_bus *bus[NBUS];
	static struct myc_pub *pub[NBUS];
	static struct myc_sub *sub[NBUS];
	struct myc_msg *m;
	uint64_t v;

	for (int i = 0; i < NBUS; i++) {
		assert_non_null(bus[i] = myc_bus_new(&(struct myc_bus_opts){
			.sz = sizeof(struct myc_bus_opts), .name = "backtest" }));
		/* Different depth per bus: no shared topic table. */
		assert_int_equal(bt_topic(bus[i], 1, MYC_LOSSY, 4u << (i % 4), 16), 0);
		assert_non_null(sub[i] = myc_sub_new(bus[i], 1, NULL));
		assert_non_null(pub[i] = myc_pub_new(bus[i], 1, NULL));
		assert_int_equal(myc_pub_id(pub[i]), 1);
	}
	for (int i = 0; i < NBUS; i++)
		for (int k = 0; k <= i % 3; k++)
			assert_int_equal(bt_send_u64(pub[i], (uint64_t)i * 1000 + (uint64_t)k), 0);
	myc_pub_free(pub[0]);
	myc_sub_free(sub[0]);
	myc_bus_free(bus[0]);
	for (int i = 1; i < NBUS; i++) {
		for (int k = 0; k <= i % 3; k++) {
			assert_int_equal(myc_sub_recv(sub[i], &m, 0), 0);
			assert_int_equal(myc_msg_hdr(m)->seq, (uint64_t)k + 1);
			memcpy(&v, myc_msg_data(m), 8);
			assert_int_equal(v, (uint64_t)i * 1000 + (uint64_t)k);
			myc_msg_release(m);
		}
		assert_int_equal(myc_sub_recv(sub[i], &m, 0), -EAGAIN);
		assert_int_equal(myc_sub_lost(sub[i]), 0);
		/* A second declaration with other settings is refused. */
		assert_int_equal(bt_topic(bus[i], 1, MYC_LOSSLESS, 4u << (i % 4), 16), -EBUSY);
		assert_int_equal(bt_topic(bus[i], 1, MYC_LOSSY, 4u << (i % 4), 16), 0);
	}
	for (int i = 1; i < NBUS; i++) {
		myc_pub_free(pub[i]);
		myc_sub_free(sub[i]);
		myc_bus_free(bus[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buses_are_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
