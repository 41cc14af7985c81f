// SPDX-License-Identifier: MIT
/*
 * Description: a lossless publisher whose only remote subscriber process is
 * killed with SIGKILL while the ring is full is not wedged: its claims
 * succeed again once the dead consumer's cursor is reclaimed, and a
 * back-pressured claim before that returns -MYC_E_BACK_PRESSURED.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define TYPE	14

static const char *dom;
static struct rt_sync ready;

static int sleeper(void *arg)
{
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSLESS, 64);
	struct myc_sub *sub = myc_sub_new(bus, TYPE, NULL);

	RT_CHECK(sub);
	rt_sync_post(&ready);
	pause();	/* never reads: the ring and its queue fill up */
	return 0;
}

int main(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = 0 };
	struct myc_bus *bus;
	struct myc_pub *pub;
	uint64_t i;
	pid_t c;
	int r;

	dom = rt_name("buskill");
	rt_sync_init(&ready);
	c = rt_spawn(sleeper, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	bus = br_bus(dom, TYPE, MYC_LOSSLESS, 64);
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	for (i = 0; i < 1000000; i++) {
		r = bt_send_u64(pub, i);
		if (r)
			break;
	}
	RT_EQ(r, -MYC_E_BACK_PRESSURED);
	kill(c, SIGKILL);
	RT_EQ(rt_wait(c), 128 + SIGKILL);
	myc_pub_free(pub);
	po.timeout_ms = 10000;
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	for (i = 0; i < 5000; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));
	return 0;
}
