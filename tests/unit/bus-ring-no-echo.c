// SPDX-License-Identifier: MIT
/*
 * Description: a process that publishes and subscribes the same type on a
 * ring-bridged bus receives each of its own messages exactly once (from
 * the local fan-out, not again from the ring), while a subscriber in
 * another process receives them too.
 * Sanitizers: tsan
 */
#include <errno.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define NMSG	2000u
#define TYPE	12

static const char *dom;
static struct rt_sync ready;

static int remote(void *arg)
{
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSLESS, 256);
	struct myc_sub *sub = myc_sub_new(bus, TYPE, NULL);
	uint64_t v;

	RT_CHECK(sub);
	rt_sync_post(&ready);
	for (uint64_t i = 0; i < NMSG; i++) {
		RT_EQ(bt_recv_u64(sub, &v, 10000), 0);
		RT_EQ(v, i);
	}
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_bus *bus;
	struct myc_sub *sub;
	struct myc_pub *pub;
	uint64_t v;
	pid_t c;

	dom = rt_name("busecho");
	rt_sync_init(&ready);
	c = rt_spawn(remote, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	/* Depth above NMSG: the local subscriber reads only at the end. */
	bus = br_bus(dom, TYPE, MYC_LOSSLESS, 4096);
	sub = myc_sub_new(bus, TYPE, NULL);
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(sub && pub);
	for (uint64_t i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_wait(c), 0);
	for (uint64_t i = 0; i < NMSG; i++) {
		RT_EQ(bt_recv_u64(sub, &v, 1000), 0);
		RT_EQ(v, i);
	}
	/* The ring carried every frame back to our own consumer: a copy
	 * would be here by now if it were not skipped. */
	RT_EQ(br_ring_frames(dom, TYPE), NMSG);
	RT_EQ(bt_recv_u64(sub, &v, 200), -ETIMEDOUT);
	myc_pub_free(pub);
	myc_sub_free(sub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));
	return 0;
}
