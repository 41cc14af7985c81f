// SPDX-License-Identifier: MIT
/*
 * Description: a directed publisher (publisher-to-service) on a
 * ring-bridged bus delivers only to the local subscribers tagged with its
 * service and writes nothing to the ring (a frame on a ring carries no
 * target service, so another process would deliver it to everyone), while
 * an undirected publisher of the same type on the same bus still reaches the
 * subscriber in another process.
 */
#include <errno.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define NMSG	100u
#define TYPE	14

static const char *dom;
static struct rt_sync ready, sent;

static int remote(void *arg)
{
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSLESS, 256);
	struct myc_sub *sub = myc_sub_new(bus, TYPE, NULL);
	uint64_t v;

	RT_CHECK(sub);
	rt_sync_post(&ready);
	/* only the undirected messages, numbered from 1000 */
	for (uint64_t i = 0; i < NMSG; i++) {
		RT_EQ(bt_recv_u64(sub, &v, 10000), 0);
		RT_EQ(v, 1000 + i);
	}
	RT_EQ(rt_sync_wait(&sent, 10000), 0);
	RT_EQ(bt_recv_u64(sub, &v, 0), -EAGAIN);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_sub_opts so = { .sz = sizeof(so), .service = "risk" };
	struct myc_sub_opts other = { .sz = sizeof(other), .service = "audit" };
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_pub_opts to = { .sz = sizeof(to), .timeout_ms = -1,
				   .to = "risk" };
	struct myc_bus *bus;
	struct myc_sub *risk, *audit;
	struct myc_pub *direct, *all;
	uint64_t v;
	pid_t c;

	dom = rt_name("busdirect");
	rt_sync_init(&ready);
	rt_sync_init(&sent);
	c = rt_spawn(remote, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	bus = br_bus(dom, TYPE, MYC_LOSSLESS, 1024);
	risk = myc_sub_new(bus, TYPE, &so);
	audit = myc_sub_new(bus, TYPE, &other);
	direct = myc_pub_new(bus, TYPE, &to);
	all = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(risk && audit && direct && all);
	for (uint64_t i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(direct, i), 0);
	/* nothing reached the ring */
	RT_CHECK(br_ring_frames(dom, TYPE) <= 0);
	for (uint64_t i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(all, 1000 + i), 0);
	rt_sync_post(&sent);
	RT_EQ(rt_wait(c), 0);
	RT_EQ(br_ring_frames(dom, TYPE), NMSG);
	/* risk: the directed ones, then the undirected ones */
	for (uint64_t i = 0; i < NMSG; i++) {
		RT_EQ(bt_recv_u64(risk, &v, 1000), 0);
		RT_EQ(v, i);
	}
	for (uint64_t i = 0; i < NMSG; i++) {
		RT_EQ(bt_recv_u64(risk, &v, 1000), 0);
		RT_EQ(v, 1000 + i);
	}
	/* audit: only the undirected ones */
	for (uint64_t i = 0; i < NMSG; i++) {
		RT_EQ(bt_recv_u64(audit, &v, 1000), 0);
		RT_EQ(v, 1000 + i);
	}
	RT_EQ(bt_recv_u64(audit, &v, 0), -EAGAIN);
	myc_pub_free(direct);
	myc_pub_free(all);
	myc_sub_free(risk);
	myc_sub_free(audit);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));
	return 0;
}
