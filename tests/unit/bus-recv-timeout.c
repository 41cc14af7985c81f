// SPDX-License-Identifier: MIT
/*
 * Description: myc_sub_recv with timeout 0 returns -EAGAIN on an empty
 * queue, with a positive timeout returns -ETIMEDOUT, and with timeout -1
 * sleeps until a message published from another thread arrives (also when
 * the subscriber does not spin at all).
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

struct ctx {
	struct myc_bus *bus;
	struct myc_pub *pub;
	_Atomic int started;
};

static void *late_publisher(void *arg)
{
	struct ctx *c = arg;

	while (!c->started)
		;
	/* Give the subscriber a chance to fall asleep (not asserted). */
	usleep(20000);
	bt_send_u64(c->pub, 42);
	return NULL;
}

static void timeouts_and_wakeup(void **state)
{
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = 1 };
	struct ctx c = { 0 };
	struct myc_sub *sub, *nospin;
	struct myc_msg *m;
	pthread_t th;
	uint64_t v;

	assert_non_null(c.bus = myc_bus_new(NULL));
	assert_non_null(sub = myc_sub_new(c.bus, 8, NULL));
	assert_non_null(nospin = myc_sub_new(c.bus, 8, &so));
	assert_non_null(c.pub = myc_pub_new(c.bus, 8, NULL));

	assert_int_equal(myc_sub_recv(sub, &m, 0), -EAGAIN);
	assert_int_equal(myc_sub_recv(sub, &m, 5), -ETIMEDOUT);
	assert_int_equal(myc_sub_recv(nospin, &m, 5), -ETIMEDOUT);

	assert_int_equal(pthread_create(&th, NULL, late_publisher, &c), 0);
	c.started = 1;
	assert_int_equal(bt_recv_u64(nospin, &v, -1), 0);
	assert_int_equal(v, 42);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(bt_recv_u64(sub, &v, -1), 0);
	assert_int_equal(v, 42);
	assert_int_equal(myc_sub_recv(sub, &m, 0), -EAGAIN);

	myc_pub_free(c.pub);
	myc_sub_free(sub);
	myc_sub_free(nospin);
	myc_bus_free(c.bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timeouts_and_wakeup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
