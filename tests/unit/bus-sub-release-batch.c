// SPDX-License-Identifier: MIT
/*
 * Description: myc_sub_release() returns buffers to the pool in batches:
 * a message stays intact while held, a buffer shared by two subscribers
 * goes back only after both released it, cached buffers return when the
 * batch fills, when recv with timeout 0 finds the queue empty and when the
 * subscriber is freed; NULL message, NULL subscriber, an inline subscriber and a message
 * of another topic each fall back to a plain release.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define T 11
#define T2 12
#define HELD 40		/* more than one release batch (16) */

static void batch_returns_buffers(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_msg *m[HELD], *x;
	struct myc_sub *s, *s2;
	struct myc_pub *pub;
	uint32_t all;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, T, MYC_LOSSLESS, 64, 8), 0);
	assert_non_null(s = myc_sub_new(bus, T, NULL));
	assert_non_null(s2 = myc_sub_new(bus, T, NULL));
	assert_non_null(pub = myc_pub_new(bus, T, NULL));
	all = bt_bufs_free(bus, T);

	for (uint64_t i = 0; i < HELD; i++)
		assert_int_equal(bt_send_u64(pub, i), 0);
	assert_int_equal(bt_bufs_free(bus, T), all - HELD);
	/* s2 drops its references first: the buffers stay in use. */
	for (uint64_t i = 0; i < HELD; i++) {
		assert_int_equal(myc_sub_recv(s2, &x, 0), 0);
		myc_sub_release(s2, x);
	}
	assert_int_equal(bt_bufs_free(bus, T), all - HELD);
	for (int i = 0; i < HELD; i++)
		assert_int_equal(myc_sub_recv(s, &m[i], 0), 0);
	/* Held messages are intact while others come and go. */
	for (uint64_t i = 0; i < HELD; i++)
		assert_memory_equal(myc_msg_data(m[i]), &i, 8);
	for (int i = 0; i < HELD; i++)
		myc_sub_release(s, m[i]);
	/* Last holder everywhere: all back (counted free even while cached). */
	assert_int_equal(bt_bufs_free(bus, T), all);

	/* Reuse after batched release: contents are the new messages. */
	for (uint64_t i = 100; i < 100 + HELD; i++)
		assert_int_equal(bt_send_u64(pub, i), 0);
	for (uint64_t i = 100; i < 100 + HELD; i++) {
		uint64_t v;

		assert_int_equal(myc_sub_recv(s, &x, 0), 0);
		memcpy(&v, myc_msg_data(x), 8);
		assert_int_equal(v, i);
		myc_sub_release(s, x);
		assert_int_equal(bt_recv_u64(s2, &v, 0), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(myc_sub_recv(s, &x, 0), -EAGAIN);	/* flushes */
	assert_int_equal(bt_bufs_free(bus, T), all);

	myc_sub_free(s2);
	myc_sub_free(s);
	myc_pub_free(pub);
	myc_bus_free(bus);
}

static void pool_serves_publishers_after_batches(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_topic_stats st = { .sz = sizeof(st) };
	struct myc_sub *s;
	struct myc_pub *pub;
	struct myc_msg *x;

	/* Depth 4: the pool is small, so publishing 10 000 messages only
	 * works if every batched and single release really comes back. */
	assert_int_equal(bt_topic(bus, T, MYC_LOSSLESS, 4, 8), 0);
	assert_non_null(s = myc_sub_new(bus, T, &(struct myc_sub_opts){
		.sz = sizeof(struct myc_sub_opts), .max_held = 1 }));
	assert_non_null(pub = myc_pub_new(bus, T, NULL));
	for (uint64_t i = 0; i < 10000; i++) {
		uint64_t v;

		assert_int_equal(bt_send_u64(pub, i), 0);
		assert_int_equal(myc_sub_recv(s, &x, 0), 0);
		memcpy(&v, myc_msg_data(x), 8);
		assert_int_equal(v, i);
		/* Mix single and batched releases. */
		if (i % 7 == 0)
			myc_msg_release(x);
		else
			myc_sub_release(s, x);
	}
	/* Freeing the subscriber returns its cache; freeing the publisher
	 * returns its chains. */
	myc_sub_free(s);
	myc_pub_free(pub);
	assert_int_equal(myc_bus_topic_stats(bus, T, &st), 0);
	assert_int_equal(st.bufs_free, st.bufs_total);
	myc_bus_free(bus);
}

static void inline_cb(const struct myc_msg *m, void *ctx)
{
	*(struct myc_msg **)ctx = myc_msg_retain(m);
}

static void fallbacks(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_msg *kept = NULL, *x, *y;
	struct myc_sub *s, *s2, *in;
	struct myc_pub *pub, *pub2;
	uint32_t all, all2;

	assert_non_null(s = myc_sub_new(bus, T, NULL));
	assert_non_null(s2 = myc_sub_new(bus, T2, NULL));
	assert_non_null(in = myc_sub_new(bus, T, &(struct myc_sub_opts){
		.sz = sizeof(struct myc_sub_opts), .cb = inline_cb, .ctx = &kept,
		.flags = MYC_SUB_F_INLINE }));
	assert_non_null(pub = myc_pub_new(bus, T, NULL));
	assert_non_null(pub2 = myc_pub_new(bus, T2, NULL));
	all = bt_bufs_free(bus, T);
	all2 = bt_bufs_free(bus, T2);

	myc_sub_release(s, NULL);		/* ignored */
	myc_sub_release(NULL, NULL);

	assert_int_equal(bt_send_u64(pub, 1), 0);
	assert_non_null(kept);
	assert_int_equal(myc_sub_recv(s, &x, 0), 0);
	assert_ptr_equal(myc_msg_data(x), myc_msg_data(kept));
	myc_sub_release(NULL, x);		/* plain release */
	assert_int_equal(bt_bufs_free(bus, T), all - 1);
	myc_sub_release(in, kept);		/* inline subscriber: plain */
	assert_int_equal(bt_bufs_free(bus, T), all);

	/* A message of topic T2 released through a subscriber of T goes back
	 * to T2's pool, and T's pool is untouched. */
	assert_int_equal(bt_send_u64(pub2, 2), 0);
	assert_int_equal(myc_sub_recv(s2, &y, 0), 0);
	myc_sub_release(s, y);
	assert_int_equal(bt_bufs_free(bus, T2), all2);
	assert_int_equal(bt_bufs_free(bus, T), all);

	myc_sub_free(in);
	myc_sub_free(s);
	myc_sub_free(s2);
	myc_pub_free(pub);
	myc_pub_free(pub2);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batch_returns_buffers),
		cmocka_unit_test(pool_serves_publishers_after_batches),
		cmocka_unit_test(fallbacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
