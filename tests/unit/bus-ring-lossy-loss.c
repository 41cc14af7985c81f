// SPDX-License-Identifier: MIT
/*
 * Description: on a lossy topic a subscriber process that does not keep up
 * loses messages, and counts them exactly: received + myc_sub_lost() equals
 * what the publisher process committed, and what it did receive is in
 * order.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <unistd.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define NMSG	50000u
#define TYPE	15

static const char *dom;
static struct rt_sync ready, sent;

static int subscriber(void *arg)
{
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSY, 16);
	struct myc_sub *sub = myc_sub_new(bus, TYPE, NULL);
	uint64_t got = 0, v, last = 0;
	int r;

	RT_CHECK(sub);
	rt_sync_post(&ready);
	RT_EQ(rt_sync_wait(&sent, 60000), 0);
	for (;;) {
		r = bt_recv_u64(sub, &v, 0);
		if (r == -EAGAIN) {
			if (got + myc_sub_lost(sub) >= NMSG)
				break;
			usleep(1000);
			continue;
		}
		RT_EQ(r, 0);
		RT_CHECK(!got || v > last);
		last = v;
		got++;
	}
	RT_EQ(got + myc_sub_lost(sub), NMSG);
	RT_CHECK(myc_sub_lost(sub) > 0);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_bus *bus;
	struct myc_pub *pub;
	pid_t c;

	dom = rt_name("buslossy");
	rt_sync_init(&ready);
	rt_sync_init(&sent);
	c = rt_spawn(subscriber, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	bus = br_bus(dom, TYPE, MYC_LOSSY, 16);
	pub = myc_pub_new(bus, TYPE, NULL);
	RT_CHECK(pub);
	for (uint64_t i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	rt_sync_post(&sent);
	RT_EQ(rt_wait(c), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));
	return 0;
}
