// SPDX-License-Identifier: MIT
/*
 * Description: three subscriber processes on the same ring domain each
 * receive every message of one lossless publisher process, in order, with
 * nothing lost.
 * Sanitizers: tsan
 */
#include <errno.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define NMSG	5000u
#define NSUB	3
#define TYPE	11

static const char *dom;
static struct rt_sync ready;

static int subscriber(void *arg)
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
	RT_EQ(bt_recv_u64(sub, &v, 0), -EAGAIN);
	RT_EQ(myc_sub_lost(sub), 0);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

static int publisher(void *arg)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSLESS, 256);
	struct myc_pub *pub = myc_pub_new(bus, TYPE, &po);

	RT_CHECK(pub);
	for (uint64_t i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	pid_t c[NSUB], p;
	int i;

	dom = rt_name("busfan");
	rt_sync_init(&ready);
	for (i = 0; i < NSUB; i++)
		c[i] = rt_spawn(subscriber, NULL);
	for (i = 0; i < NSUB; i++)
		RT_EQ(rt_sync_wait(&ready, 10000), 0);
	p = rt_spawn(publisher, NULL);
	RT_EQ(rt_wait(p), 0);
	for (i = 0; i < NSUB; i++)
		RT_EQ(rt_wait(c[i]), 0);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));
	return 0;
}
