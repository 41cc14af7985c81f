// SPDX-License-Identifier: MIT
/*
 * Description: a ring-bridged publisher whose only consumer is its own
 * bus writes nothing to the ring (ring statistics), and starts forwarding
 * once a subscriber in another process appears; with MYC_BUS_RING_FORCE it
 * forwards with no consumer at all.  Bad ring options are refused with
 * EINVAL.
 * Sanitizers: tsan
 */
#include <errno.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define TYPE	13

static const char *dom;
static struct rt_sync go, ready, done;

static int remote(void *arg)
{
	struct myc_bus *bus;
	struct myc_sub *sub;
	uint64_t v;

	/* Forked before the parent has threads; joins when told to. */
	RT_EQ(rt_sync_wait(&go, 60000), 0);
	bus = br_bus(dom, TYPE, MYC_LOSSY, 256);
	sub = myc_sub_new(bus, TYPE, NULL);
	RT_CHECK(sub);
	rt_sync_post(&ready);
	RT_EQ(bt_recv_u64(sub, &v, 10000), 0);
	RT_EQ(v, 100);
	rt_sync_post(&done);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

static void bad_opts(void)
{
	struct myc_bus_opts o = { .sz = sizeof(o) };

	o.ring_domain = "";
	RT_CHECK(!myc_bus_new(&o) && errno == EINVAL);
	o.ring_domain = ".hidden";
	RT_CHECK(!myc_bus_new(&o) && errno == EINVAL);
	o.ring_domain = "a/b";
	RT_CHECK(!myc_bus_new(&o) && errno == EINVAL);
	o.ring_domain = "0123456789012345678901234567890123456789012345678901234567";
	RT_CHECK(!myc_bus_new(&o) && errno == EINVAL);
	o.ring_domain = "ok";
	o.ring_flags = 0x80;
	RT_CHECK(!myc_bus_new(&o) && errno == EINVAL);
	o.ring_domain = NULL;
	o.ring_flags = MYC_BUS_RING_FORCE;
	RT_CHECK(!myc_bus_new(&o) && errno == EINVAL);
}

int main(void)
{
	struct myc_bus_opts fo = { .sz = sizeof(fo), .ring_flags = MYC_BUS_RING_FORCE };
	struct myc_bus *bus, *fbus;
	struct myc_sub *sub;
	struct myc_pub *pub;
	uint64_t v;
	pid_t c;

	bad_opts();
	dom = rt_name("busnorem");
	rt_sync_init(&go);
	rt_sync_init(&ready);
	rt_sync_init(&done);
	c = rt_spawn(remote, NULL);
	bus = br_bus(dom, TYPE, MYC_LOSSY, 256);
	sub = myc_sub_new(bus, TYPE, NULL);
	pub = myc_pub_new(bus, TYPE, NULL);
	RT_CHECK(sub && pub);
	for (uint64_t i = 0; i < 100; i++) {
		RT_EQ(bt_send_u64(pub, i), 0);
		RT_EQ(bt_recv_u64(sub, &v, 0), 0);
	}
	RT_EQ(br_ring_frames(dom, TYPE), 0);

	rt_sync_post(&go);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	RT_EQ(bt_send_u64(pub, 100), 0);
	RT_EQ(rt_sync_wait(&done, 10000), 0);
	RT_EQ(rt_wait(c), 0);
	RT_EQ(br_ring_frames(dom, TYPE), 1);
	myc_pub_free(pub);
	myc_sub_free(sub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));

	/* Forced: a consumer-less ring still gets the frames. */
	fo.ring_domain = dom;
	fbus = myc_bus_new(&fo);
	RT_CHECK(fbus);
	pub = myc_pub_new(fbus, TYPE, NULL);
	RT_CHECK(pub);
	for (uint64_t i = 0; i < 5; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(br_ring_frames(dom, TYPE), 5);
	myc_pub_free(pub);
	myc_bus_free(fbus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));
	return 0;
}
