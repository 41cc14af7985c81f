/* SPDX-License-Identifier: MIT */
/* Helpers shared by the bus tests (tests/unit/bus-*.c). */
#ifndef MYC_TEST_BUS_H
#define MYC_TEST_BUS_H

#include <stdint.h>

#include "myc.h"

/* Declare @type on @bus with @policy/@depth/@max_size; 0 or -error. */
int bt_topic(struct myc_bus *bus, uint16_t type, uint32_t policy,
	     uint32_t depth, uint32_t max_size);
/* Publish one message whose payload is the 8-byte value @v. */
int bt_send_u64(struct myc_pub *pub, uint64_t v);
/* Publish the @n (<= 64) 8-byte values id << 32 | (i + k), k = 0..n-1,
 * with one myc_pub_sendv(); its result. */
int bt_sendv_u64(struct myc_pub *pub, uint64_t id, uint64_t i, uint32_t n);
/* Receive one message, store its 8-byte payload in *@v, release it. */
int bt_recv_u64(struct myc_sub *sub, uint64_t *v, int timeout_ms);
/* A publisher thread: sends n values (id << 32 | i), i = 0..n-1, one
 * myc_pub_send() each, or with burst > 0 in myc_pub_sendv() calls of 1 to
 * burst messages (at most 64). */
struct bt_pub_ctx {
	struct myc_pub *pub;
	uint64_t id, n;
	uint32_t burst;
	uint64_t fails;		/* sends that returned an error */
};
void *bt_pub_thread(void *arg);

/*
 * Stream @n values from each of @npub publisher threads to @nsub subscriber
 * threads on topic 1 (@policy, @depth) of a new bus, with cmocka asserts:
 * every subscriber sees each publisher's values in order and received +
 * lost = published (lossless: nothing lost), and every buffer is back in
 * the pool at the end.  Subscriber i releases with myc_sub_release() when
 * bit i of @batch_mask is set, else with myc_msg_release().  Publishers
 * send one message per call, or with @burst > 0 through myc_pub_sendv()
 * (bt_pub_ctx).  At most 8 publishers and 8 subscribers.
 */
void bt_stream_check(uint32_t policy, uint32_t depth, uint32_t npub, uint32_t nsub,
		     uint64_t n, uint32_t batch_mask, uint32_t burst);

/* Free buffers of @type right now (single-threaded snapshot). */
uint32_t bt_bufs_free(struct myc_bus *bus, uint16_t type);

#endif
