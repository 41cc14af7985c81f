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
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define NPUB 2
#define N 30000

struct sub_ctx {
	struct myc_sub *sub;
	bool batch;			/* myc_sub_release, else myc_msg_release */
	uint64_t got, bad;
};

static void *sub_thread(void *arg)
{
	struct sub_ctx *c = arg;
	uint64_t next[NPUB] = { 0 };
	struct myc_msg *m;

	while (c->got + myc_sub_lost(c->sub) < (uint64_t)NPUB * N) {
		uint64_t v, p, i;

		if (myc_sub_recv(c->sub, &m, 100))
			continue;
		memcpy(&v, myc_msg_data(m), 8);
		p = v >> 32;
		i = v & 0xffffffffu;
		if (p >= NPUB || i < next[p] || myc_msg_hdr(m)->seq != i + 1)
			c->bad++;
		else
			next[p] = i + 1;
		c->got++;
		if (c->batch)
			myc_sub_release(c->sub, m);
		else
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
	struct sub_ctx sc[2];
	struct bt_pub_ctx pc[NPUB];
	pthread_t st_[2], pt[NPUB];

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, policy, depth, 8), 0);
	for (int i = 0; i < 2; i++) {
		sc[i] = (struct sub_ctx){ .batch = i == 0 };
		assert_non_null(sc[i].sub = myc_sub_new(bus, 1, &so));
	}
	for (int i = 0; i < NPUB; i++) {
		pc[i] = (struct bt_pub_ctx){ .id = (uint64_t)i, .n = N };
		assert_non_null(pc[i].pub = myc_pub_new(bus, 1, &po));
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&st_[i], NULL, sub_thread, &sc[i]), 0);
	for (int i = 0; i < NPUB; i++)
		assert_int_equal(pthread_create(&pt[i], NULL, bt_pub_thread, &pc[i]), 0);
	for (int i = 0; i < NPUB; i++) {
		assert_int_equal(pthread_join(pt[i], NULL), 0);
		assert_int_equal(pc[i].fails, 0);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(st_[i], NULL), 0);
		assert_int_equal(sc[i].bad, 0);
		assert_int_equal(sc[i].got + myc_sub_lost(sc[i].sub), (uint64_t)NPUB * N);
		if (policy == MYC_LOSSLESS)
			assert_int_equal(myc_sub_lost(sc[i].sub), 0);
	}
	/* Cached buffers count as free; after the free they are in the pool. */
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.bufs_free, st.bufs_total);
	for (int i = 0; i < 2; i++)
		myc_sub_free(sc[i].sub);
	for (int i = 0; i < NPUB; i++)
		myc_pub_free(pc[i].pub);
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.bufs_free, st.bufs_total);
	myc_bus_free(bus);
}

static void lossless_batched_and_single(void **state)
{
	run(MYC_LOSSLESS, 32);
}

static void lossy_batched_and_single(void **state)
{
	run(MYC_LOSSY, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lossless_batched_and_single),
		cmocka_unit_test(lossy_batched_and_single),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
