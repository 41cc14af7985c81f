// SPDX-License-Identifier: MIT
/* Stream test shared by the concurrent bus tests (bus-test.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "bus-test.h"

#define BT_STREAM_MAX	8

struct stream_sub {
	struct myc_sub *sub;
	bool batch;			/* myc_sub_release, else myc_msg_release */
	uint32_t npub;
	uint64_t total, got, bad;
};

static void *stream_sub_thread(void *arg)
{
	struct stream_sub *c = arg;
	uint64_t next[BT_STREAM_MAX] = { 0 };
	struct myc_msg *m;

	/* Received + lost reaches the total exactly once all is published. */
	while (c->got + myc_sub_lost(c->sub) < c->total) {
		uint64_t v, p, i;

		if (myc_sub_recv(c->sub, &m, 100))
			continue;
		memcpy(&v, myc_msg_data(m), 8);
		p = v >> 32;
		i = v & 0xffffffffu;
		if (p >= c->npub || i < next[p] || myc_msg_hdr(m)->seq != i + 1)
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

void bt_stream_check(uint32_t policy, uint32_t depth, uint32_t npub, uint32_t nsub,
		     uint64_t n, uint32_t batch_mask, uint32_t burst)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1, .spin_ns = 2000 };
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = 2000 };
	struct myc_topic_stats st = { .sz = sizeof(st) };
	struct stream_sub sc[BT_STREAM_MAX];
	struct bt_pub_ctx pc[BT_STREAM_MAX];
	pthread_t sth[BT_STREAM_MAX], pth[BT_STREAM_MAX];

	assert_true(npub <= BT_STREAM_MAX && nsub <= BT_STREAM_MAX);
	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, policy, depth, 8), 0);
	for (uint32_t i = 0; i < nsub; i++) {
		sc[i] = (struct stream_sub){ .batch = batch_mask >> i & 1, .npub = npub,
					     .total = npub * n };
		assert_non_null(sc[i].sub = myc_sub_new(bus, 1, &so));
	}
	for (uint32_t i = 0; i < npub; i++) {
		pc[i] = (struct bt_pub_ctx){ .id = i, .n = n, .burst = burst };
		assert_non_null(pc[i].pub = myc_pub_new(bus, 1, &po));
	}
	for (uint32_t i = 0; i < nsub; i++)
		assert_int_equal(pthread_create(&sth[i], NULL, stream_sub_thread, &sc[i]), 0);
	for (uint32_t i = 0; i < npub; i++)
		assert_int_equal(pthread_create(&pth[i], NULL, bt_pub_thread, &pc[i]), 0);
	for (uint32_t i = 0; i < npub; i++) {
		assert_int_equal(pthread_join(pth[i], NULL), 0);
		assert_int_equal(pc[i].fails, 0);
	}
	for (uint32_t i = 0; i < nsub; i++) {
		assert_int_equal(pthread_join(sth[i], NULL), 0);
		assert_int_equal(sc[i].bad, 0);
		assert_int_equal(sc[i].got + myc_sub_lost(sc[i].sub), npub * n);
		if (policy == MYC_LOSSLESS)
			assert_int_equal(myc_sub_lost(sc[i].sub), 0);
	}
	/* Buffers in release caches count as free. */
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.published, npub * n);
	assert_int_equal(st.bufs_free, st.bufs_total);
	for (uint32_t i = 0; i < npub; i++)
		myc_pub_free(pc[i].pub);
	for (uint32_t i = 0; i < nsub; i++)
		myc_sub_free(sc[i].sub);
	/* Freed: the caches are back in the pool itself. */
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.bufs_free, st.bufs_total);
	myc_bus_free(bus);
}
