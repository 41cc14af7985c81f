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
