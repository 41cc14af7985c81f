// SPDX-License-Identifier: MIT
/*
 * Description: a gateway sends a remote host only what it subscribed to,
 * and a host's publishers write their ring only while a gateway forwards
 * it.  Two hosts (netns h1, h2) with a `myc gateway` each and a publisher
 * process on h1.  (1) No subscriber on h2: N values published, none is
 * even written to h1's ring.  (2) A subscriber process joins on h2: once
 * gw-a consumes h1's ring, M more values are published and the subscriber
 * gets exactly those (its first is N: nothing from (1) was queued).  (3)
 * It leaves: gw-b unsubscribes, gw-a stops consuming (h1's ring has no
 * consumer again), and N more values leave no frame on the ring.  At the
 * end the gateways' link counters say exactly M data frames crossed the
 * wire, none unwanted.  Skips (77) without root or ip(8).
 * Sanitizers: tsan
 * Timeout: 180
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bus-test.h"
#include "gwtest.h"
#include "netns.h"
#include "ringtest.h"

#define N	1000u
#define M	3000u

static struct rt_sync ready;

static int subscriber(void *arg)
{
	struct myc_bus *bus;
	struct myc_sub *sub;

	(void)arg;
	sub = gw_take(2, &bus, N, M, 0, &ready);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct gw a = { 0 }, b = { 0 };
	struct myc_bus *bus;
	struct myc_pub *pub;
	const char *topo;
	uint64_t i;
	int r;
	pid_t s;

	r = netns_setup();
	if (r)
		return r;
	atexit(gw_cleanup);
	topo = gw_topology(MYC_LOSSLESS);
	gw_start(&a, 1, topo, "gw-a");
	gw_start(&b, 2, topo, "gw-b");
	RT_EQ(netns_enter(1), 0);
	bus = gw_app_bus(1, MYC_LOSSLESS);
	pub = myc_pub_new(bus, GW_TYPE, &po);
	RT_CHECK(pub);

	/* (1) Nobody on h2 wants the type. */
	for (i = 0; i < N; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(gw_ring_consumers(1), 0);
	RT_CHECK(gw_ring_frames(1) <= 0);

	/* (2) A subscriber on h2. */
	rt_sync_init(&ready);
	s = rt_spawn(subscriber, NULL);
	RT_EQ(rt_sync_wait(&ready, GW_WAIT_MS), 0);
	RT_CHECK(gw_wait_consumers(1, 1));
	for (; i < N + M; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_wait(s), 0);
	RT_EQ(gw_ring_frames(1), M);

	/* (3) It left: the interest unwinds back to h1's ring. */
	RT_CHECK(gw_wait_consumers_eq(1, 0));
	for (; i < 2 * N + M; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(gw_ring_frames(1), M);

	myc_pub_free(pub);
	myc_bus_free(bus);
	RT_EQ(gw_stop(&a), 0);
	RT_EQ(gw_stop(&b), 0);
	RT_EQ(gw_link_count(&a, "gw-b", "tx_frames "), M);
	RT_EQ(gw_link_count(&b, "gw-a", "rx_frames "), M);
	RT_EQ(gw_link_count(&b, "gw-a", "rx_unwanted "), 0);
	netns_cleanup();
	return 0;
}
