// SPDX-License-Identifier: MIT
/*
 * Description: a lossless publisher with timeout -1 blocks while the
 * subscriber queue is full and is unblocked by the consumer taking
 * messages; every message arrives exactly once and in order, including
 * when the consumer sleeps (spin 0) so the futex paths are used.
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define DEPTH 4
#define N 20000

struct ctx {
	struct myc_sub *sub;
	uint64_t got, bad;
};

static void *consumer(void *arg)
{
	struct ctx *c = arg;
	uint64_t v;

	for (uint64_t i = 0; i < N; i++) {
		if (bt_recv_u64(c->sub, &v, -1) || v != i) {
			c->bad++;
			break;
		}
		c->got++;
	}
	return NULL;
}

static void run(uint32_t spin_ns)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1, .spin_ns = spin_ns };
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = spin_ns };
	struct ctx c = { 0 };
	struct myc_pub *pub;
	pthread_t th;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 2, MYC_LOSSLESS, DEPTH, 16), 0);
	assert_non_null(c.sub = myc_sub_new(bus, 2, &so));
	assert_non_null(pub = myc_pub_new(bus, 2, &po));
	assert_int_equal(pthread_create(&th, NULL, consumer, &c), 0);
	for (uint64_t i = 0; i < N; i++)
		assert_int_equal(bt_send_u64(pub, i), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(c.bad, 0);
	assert_int_equal(c.got, N);
	assert_int_equal(myc_sub_lost(c.sub), 0);
	myc_pub_free(pub);
	myc_sub_free(c.sub);
	myc_bus_free(bus);
}

static void blocked_publisher_spinning(void **state)
{
	run(50000);
}

static void blocked_publisher_sleeping(void **state)
{
	run(1);		/* 1 ns: sleep almost at once on both sides */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blocked_publisher_spinning),
		cmocka_unit_test(blocked_publisher_sleeping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
