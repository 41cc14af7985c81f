// SPDX-License-Identifier: MIT
/*
 * Description: two hosts (netns h1, h2), each with a `myc gateway`
 * process; a publisher process on h1 publishes N values on a lossless
 * topic over its host's ring, a subscriber process on h2 takes them from
 * its host's ring.  The frames travel ring -> gateway gw-a -> TCP ->
 * gateway gw-b -> ring; the subscriber is slow now and then, so the whole
 * chain back-pressures.  The subscriber gets exactly 0..N-1 in order (no
 * loss, no duplicate), the gateways' links counted exactly N frames each
 * way, both gateways exit 0 on SIGTERM, and no ring is left.  Skips (77)
 * without root or ip(8).
 * Sanitizers: tsan
 * Timeout: 180
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bus-test.h"
#include "gwtest.h"
#include "netns.h"
#include "ringtest.h"

#define N	20000u

static struct rt_sync ready;

static int subscriber(void *arg)
{
	struct myc_bus *bus;
	struct myc_sub *sub;
	uint64_t v;

	(void)arg;
	/* Slow now and then: back-pressure through the whole chain. */
	sub = gw_take(2, &bus, 0, N, 4096, &ready);
	/* Nothing more: no duplicate arrives after the last value. */
	RT_EQ(bt_recv_u64(sub, &v, 300), -ETIMEDOUT);
	RT_EQ(myc_sub_lost(sub), 0);
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
	char ring[2][64];
	int r, sa, sb, ss;
	pid_t s;

	r = netns_setup();
	if (r)
		return r;
	atexit(gw_cleanup);
	topo = gw_topology(MYC_LOSSLESS);
	snprintf(ring[0], sizeof(ring[0]), "%s.%d", gw_domain(1), GW_TYPE);
	snprintf(ring[1], sizeof(ring[1]), "%s.%d", gw_domain(2), GW_TYPE);
	gw_start(&a, 1, topo, "gw-a");
	gw_start(&b, 2, topo, "gw-b");
	rt_sync_init(&ready);
	s = rt_spawn(subscriber, NULL);
	RT_EQ(rt_sync_wait(&ready, GW_WAIT_MS), 0);

	RT_EQ(netns_enter(1), 0);
	bus = gw_app_bus(1, MYC_LOSSLESS);
	pub = myc_pub_new(bus, GW_TYPE, &po);
	RT_CHECK(pub);
	/* gw-b saw the subscriber and told gw-a, which consumes our ring. */
	RT_CHECK(gw_wait_consumers(1, 1));
	for (uint64_t i = 0; i < N; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	ss = rt_wait(s);
	myc_pub_free(pub);
	myc_bus_free(bus);
	sa = gw_stop(&a);
	sb = gw_stop(&b);
	RT_EQ(ss, 0);
	RT_EQ(sa, 0);
	RT_EQ(sb, 0);
	RT_EQ(gw_link_count(&a, "gw-b", "tx_frames "), N);
	RT_EQ(gw_link_count(&b, "gw-a", "rx_frames "), N);
	RT_EQ(gw_link_count(&b, "gw-a", "rx_lost "), 0);
	RT_CHECK(!rt_ring_exists(ring[0]));
	RT_CHECK(!rt_ring_exists(ring[1]));
	netns_cleanup();
	return 0;
}
