// SPDX-License-Identifier: MIT
/*
 * Description: a bus's schema digest (myc_bus_opts.schema_digest) is
 * stored in the rings its ring bridge creates and required of the rings it
 * opens.  A subscriber process with digest D1 creates the ring; a process
 * with digest D2 cannot subscribe (myc_sub_new: MYC_E_DIGEST) and its
 * lossless publisher's claim fails with -MYC_E_DIGEST (nothing is written
 * to the ring); a process with D1 publishes and the subscriber gets every
 * value, in order.  No ring is left.  The children are forked before the
 * subscriber's bus (and its receive thread) exists and wait for a go.
 */
#include <errno.h>
#include <string.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define N	500u
#define TYPE	7

static const char *dom;
static uint8_t d1[MYC_SCHEMA_DIGEST_LEN], d2[MYC_SCHEMA_DIGEST_LEN];
static struct rt_sync go_other, go_same;

static struct myc_bus *dg_bus(const uint8_t *digest)
{
	struct myc_bus_opts o = { .sz = sizeof(o), .ring_domain = dom,
				  .schema_digest = digest };
	struct myc_bus *bus = myc_bus_new(&o);

	RT_CHECK(bus);
	RT_EQ(bt_topic(bus, TYPE, MYC_LOSSLESS, 64, 64), 0);
	return bus;
}

static int other_schema(void *arg)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = 0 };
	struct myc_bus *bus;
	struct myc_pub *pub;
	void *buf;

	(void)arg;
	RT_EQ(rt_sync_wait(&go_other, 10000), 0);
	bus = dg_bus(d2);
	RT_CHECK(!myc_sub_new(bus, TYPE, NULL));
	RT_EQ(errno, MYC_E_DIGEST);
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	RT_EQ(myc_pub_claim(pub, 8, &buf), -MYC_E_DIGEST);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return 0;
}

static int same_schema(void *arg)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_bus *bus;
	struct myc_pub *pub;

	(void)arg;
	RT_EQ(rt_sync_wait(&go_same, 10000), 0);
	bus = dg_bus(d1);
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	for (uint64_t i = 0; i < N; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_bus *bus;
	struct myc_sub *sub;
	uint64_t v;
	pid_t a, c;

	dom = rt_name("bdg");
	memset(d1, 0xd1, sizeof(d1));
	memset(d2, 0xd2, sizeof(d2));
	rt_sync_init(&go_other);
	rt_sync_init(&go_same);
	a = rt_spawn(other_schema, NULL);
	c = rt_spawn(same_schema, NULL);
	bus = dg_bus(d1);
	sub = myc_sub_new(bus, TYPE, NULL);
	RT_CHECK(sub);

	rt_sync_post(&go_other);
	RT_EQ(rt_wait(a), 0);
	RT_EQ(br_ring_frames(dom, TYPE), 0);
	rt_sync_post(&go_same);
	for (uint64_t i = 0; i < N; i++) {
		RT_EQ(bt_recv_u64(sub, &v, 10000), 0);
		RT_EQ(v, i);
	}
	RT_EQ(rt_wait(c), 0);
	myc_sub_free(sub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));
	return 0;
}
