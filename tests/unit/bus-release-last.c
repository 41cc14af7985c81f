// SPDX-License-Identifier: MIT
/*
 * Description: a delivered buffer goes back to the topic's pool only when
 * the last subscriber releases it (extra references from myc_msg_retain
 * count too), and a message nobody subscribes to is recycled at commit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

static void released_after_last_subscriber(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_sub *s[3];
	struct myc_msg *m[3], *extra;
	struct myc_pub *pub;
	uint32_t all;

	assert_non_null(bus);
	for (int i = 0; i < 3; i++)
		assert_non_null(s[i] = myc_sub_new(bus, 9, NULL));
	assert_non_null(pub = myc_pub_new(bus, 9, NULL));
	all = bt_bufs_free(bus, 9);
	assert_true(all > 0);

	assert_int_equal(bt_send_u64(pub, 1), 0);
	assert_int_equal(bt_bufs_free(bus, 9), all - 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(myc_sub_recv(s[i], &m[i], 0), 0);
	extra = myc_msg_retain(m[1]);
	assert_ptr_equal(extra, m[1]);

	myc_msg_release(m[0]);
	assert_int_equal(bt_bufs_free(bus, 9), all - 1);
	myc_msg_release(m[2]);
	assert_int_equal(bt_bufs_free(bus, 9), all - 1);
	myc_msg_release(m[1]);
	assert_int_equal(bt_bufs_free(bus, 9), all - 1);	/* retained */
	assert_memory_equal(myc_msg_data(extra), &(uint64_t){ 1 }, 8);
	myc_msg_release(extra);
	assert_int_equal(bt_bufs_free(bus, 9), all);

	/* Unsubscribing drops what was still queued for that subscriber. */
	assert_int_equal(bt_send_u64(pub, 2), 0);
	assert_int_equal(myc_sub_recv(s[0], &m[0], 0), 0);
	assert_int_equal(myc_sub_recv(s[1], &m[1], 0), 0);
	myc_msg_release(m[0]);
	myc_msg_release(m[1]);
	assert_int_equal(bt_bufs_free(bus, 9), all - 1);
	myc_sub_free(s[2]);
	assert_int_equal(bt_bufs_free(bus, 9), all);

	myc_sub_free(s[0]);
	myc_sub_free(s[1]);
	/* No subscribers: the buffer is recycled at once. */
	all = bt_bufs_free(bus, 9);
	assert_int_equal(bt_send_u64(pub, 3), 0);
	assert_int_equal(bt_bufs_free(bus, 9), all);
	myc_pub_free(pub);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(released_after_last_subscriber),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
