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
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define NPUB 3
#define NSUB 2
#define N 20000

struct sub_ctx {
	struct myc_sub *sub;
	uint64_t got, bad;
	uint64_t total;			/* messages to account for */
};

static void *sub_thread(void *arg)
{
	struct sub_ctx *c = arg;
	uint64_t next[NPUB] = { 0 };
	struct myc_msg *m;

	/* Received + lost reaches the total exactly once all is published. */
	while (c->got + myc_sub_lost(c->sub) < c->total) {
		uint64_t v, p, i;

		if (myc_sub_recv(c->sub, &m, 100) == -ETIMEDOUT)
			continue;
		memcpy(&v, myc_msg_data(m), 8);
		p = v >> 32;
		i = v & 0xffffffffu;
		if (p >= NPUB || i < next[p] || myc_msg_hdr(m)->seq != i + 1)
			c->bad++;
		else
			next[p] = i + 1;
		c->got++;
		myc_msg_release(m);
	}
	return NULL;
}

static void run(uint32_t policy, uint32_t depth)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1, .spin_ns = 2000 };
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = 2000 };
	struct myc_topic_stats st = { .sz = sizeof(st) };
	struct sub_ctx sc[NSUB];
	struct bt_pub_ctx pc[NPUB];
	pthread_t st_[NSUB], pt[NPUB];

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, policy, depth, 8), 0);
	for (int i = 0; i < NSUB; i++) {
		sc[i] = (struct sub_ctx){ .total = (uint64_t)NPUB * N };
		assert_non_null(sc[i].sub = myc_sub_new(bus, 1, &so));
	}
	for (int i = 0; i < NPUB; i++) {
		pc[i] = (struct bt_pub_ctx){ .id = (uint64_t)i, .n = N };
		assert_non_null(pc[i].pub = myc_pub_new(bus, 1, &po));
	}
	for (int i = 0; i < NSUB; i++)
		assert_int_equal(pthread_create(&st_[i], NULL, sub_thread, &sc[i]), 0);
	for (int i = 0; i < NPUB; i++)
		assert_int_equal(pthread_create(&pt[i], NULL, bt_pub_thread, &pc[i]), 0);
	for (int i = 0; i < NPUB; i++) {
		assert_int_equal(pthread_join(pt[i], NULL), 0);
		assert_int_equal(pc[i].fails, 0);
	}
	for (int i = 0; i < NSUB; i++) {
		assert_int_equal(pthread_join(st_[i], NULL), 0);
		assert_int_equal(sc[i].bad, 0);
		assert_int_equal(sc[i].got + myc_sub_lost(sc[i].sub), (uint64_t)NPUB * N);
		if (policy == MYC_LOSSLESS)
			assert_int_equal(myc_sub_lost(sc[i].sub), 0);
	}
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.published, (uint64_t)NPUB * N);
	assert_int_equal(st.bufs_free, st.bufs_total);
	for (int i = 0; i < NPUB; i++)
		myc_pub_free(pc[i].pub);
	for (int i = 0; i < NSUB; i++)
		myc_sub_free(sc[i].sub);
	myc_bus_free(bus);
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
