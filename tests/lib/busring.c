// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

struct myc_bus *br_bus(const char *dom, uint16_t type, uint32_t policy,
		       uint32_t depth)
{
	struct myc_bus_opts o = { .sz = sizeof(o), .ring_domain = dom };
	struct myc_bus *bus = myc_bus_new(&o);

	RT_CHECK(bus);
	RT_EQ(bt_topic(bus, type, policy, depth, 64), 0);
	return bus;
}

void br_publish_to(const char *dom, uint16_t type, uint32_t depth, uint64_t n,
		   int (*subscriber)(void *), struct rt_sync *ready)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_bus *bus;
	struct myc_pub *pub;
	pid_t c;

	c = rt_spawn(subscriber, NULL);
	RT_EQ(rt_sync_wait(ready, 10000), 0);
	bus = br_bus(dom, type, MYC_LOSSLESS, depth);
	pub = myc_pub_new(bus, type, &po);
	RT_CHECK(pub);
	for (uint64_t i = 0; i < n; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_wait(c), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, type)));
}

const char *br_ring(const char *dom, uint16_t type)
{
	static char name[64];

	snprintf(name, sizeof(name), "%s.%u", dom, type);
	return name;
}

int64_t br_ring_frames(const char *dom, uint16_t type)
{
	struct myc_ring *r = myc_ring_open(br_ring(dom, type), 0, NULL);
	struct myc_ring_info in = { .sz = sizeof(in) };
	int64_t n;

	if (!r)
		return -1;
	RT_EQ(myc_ring_info(r, &in), 0);
	n = (int64_t)in.head_seq - 1;
	myc_ring_free(r);
	return n;
}
