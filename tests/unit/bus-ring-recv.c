// SPDX-License-Identifier: MIT
/*
 * Description: a subscriber in another process receives, through
 * myc_sub_recv, every message a lossless publisher commits on a bus with
 * the same ring domain: payloads intact and in order, the original publish
 * timestamp and a src in the header; nothing is left in /dev/shm after
 * both buses are freed.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define NMSG	20000u
#define TYPE	7

static const char *dom;
static struct rt_sync ready;

static int subscriber(void *arg)
{
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSLESS, 256);
	struct myc_sub *sub = myc_sub_new(bus, TYPE, NULL);
	struct myc_msg *m;
	uint64_t i, v;

	RT_CHECK(sub);
	rt_sync_post(&ready);
	for (i = 0; i < NMSG; i++) {
		const struct myc_frame_hdr *h;

		RT_EQ(myc_sub_recv(sub, &m, 10000), 0);
		h = myc_msg_hdr(m);
		RT_EQ(myc_msg_size(m), 8);
		memcpy(&v, myc_msg_data(m), 8);
		RT_EQ(v, i);
		RT_EQ(h->type, TYPE);
		RT_CHECK(h->src != 0);
		/* The stamp follows the TSC between anchors: within 1 ms of
		 * the clock, as tests/unit/ring-timestamp.c allows
		 * (docs/ring-format.md, "Timestamps"). */
		RT_CHECK(h->ts_ns != 0 && h->ts_ns <= myc_now_ns() + 1000000);
		myc_msg_release(m);
	}
	RT_EQ(myc_sub_recv(sub, &m, 0), -EAGAIN);
	RT_EQ(myc_sub_lost(sub), 0);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	dom = rt_name("busrecv");
	rt_sync_init(&ready);
	br_publish_to(dom, TYPE, 256, NMSG, subscriber, &ready);
	return 0;
}
