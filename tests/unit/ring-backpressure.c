// SPDX-License-Identifier: MIT
/*
 * Description: on a lossless ring a producer never overwrites what a live
 * consumer has not read: when the consumer is full it gets
 * -MYC_E_BACK_PRESSURED at once (timeout 0) or -ETIMEDOUT after waiting
 * (timeout > 0); a producer waiting without timeout in another process
 * proceeds as soon as the consumer reads, and the consumer then receives
 * every frame in order.  A lossy ring with the same full consumer never
 * back-pressures.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

#define SIZE	100u

static const char *name;
static uint64_t filled;
static struct rt_sync ready;

static int blocked_producer(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	unsigned char buf[SIZE];
	uint64_t i;

	RT_CHECK(r);
	rt_sync_post(&ready);
	for (i = filled; i < filled + 500; i++) {
		rt_fill(buf, SIZE, i);
		RT_EQ(myc_ring_send(r, 2, buf, SIZE, -1), 0);
	}
	myc_ring_free(r);
	return 0;
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 8192,
	};
	struct myc_ring *c, *p, *lc, *lp;
	unsigned char buf[SIZE];
	struct myc_frame_hdr h;
	uint64_t i;
	void *slot;
	pid_t pid;
	int rc;

	name = rt_name("bp");
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	p = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(c && p);
	for (;;) {
		rt_fill(buf, SIZE, filled);
		rc = myc_ring_send(p, 2, buf, SIZE, 0);
		if (rc)
			break;
		filled++;
	}
	RT_EQ(rc, -MYC_E_BACK_PRESSURED);
	RT_CHECK(filled > 8192 / 144 - 2 && filled <= 8192 / 136);
	RT_EQ(myc_ring_claim(p, SIZE, &slot, 30), -ETIMEDOUT);
	RT_EQ(myc_ring_claim(p, SIZE, &slot, 0), -MYC_E_BACK_PRESSURED);

	rt_sync_init(&ready);
	pid = rt_spawn(blocked_producer, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	for (i = 0; i < filled + 500; i++) {
		RT_EQ(myc_ring_recv(c, &h, buf, sizeof(buf), 10000), SIZE);
		RT_CHECK(rt_check(buf, SIZE, i));
	}
	RT_EQ(rt_wait(pid), 0);
	RT_EQ(myc_ring_lost(c), 0);
	myc_ring_free(p);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));

	/* Lossy: the same full consumer does not hold the producer back. */
	o.policy = MYC_LOSSY;
	lc = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	lp = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(lc && lp);
	for (i = 0; i < 10 * filled; i++)
		RT_EQ(myc_ring_send(lp, 2, buf, SIZE, 0), 0);
	myc_ring_free(lp);
	myc_ring_free(lc);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
