// SPDX-License-Identifier: MIT
/*
 * Description: one producer process publishes to a lossless ring read by
 * three consumer processes; every consumer receives every frame exactly
 * once, in order, with its type, size, seq and payload intact (fan-out
 * without copies between them), and the ring file is gone after the last
 * handle closes.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

#define NMSG	20000u
#define NCONS	3

static const char *name;
static struct rt_sync ready;

static int consumer(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_CONSUMER, NULL);
	struct myc_frame_hdr h;
	unsigned char buf[512];
	uint64_t i;
	int n;

	RT_CHECK(r);
	rt_sync_post(&ready);
	for (i = 0; i < NMSG; i++) {
		n = myc_ring_recv(r, &h, buf, sizeof(buf), 10000);
		RT_CHECK(n >= 0);
		RT_EQ(n, 8 + i % 300);
		RT_EQ(h.type, 7 + i % 3);
		RT_EQ(h.seq, i + 1);
		RT_CHECK(rt_check(buf, (uint32_t)n, i));
	}
	RT_EQ(myc_ring_recv(r, &h, buf, sizeof(buf), 0), -EAGAIN);
	RT_EQ(myc_ring_lost(r), 0);
	myc_ring_free(r);
	return 0;
}

static int producer(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	unsigned char buf[512];
	uint64_t i;

	RT_CHECK(r);
	for (i = 0; i < NMSG; i++) {
		uint32_t n = 8 + i % 300;

		rt_fill(buf, n, i);
		RT_EQ(myc_ring_send(r, (uint16_t)(7 + i % 3), buf, n, -1), 0);
	}
	myc_ring_free(r);
	return 0;
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 64 * 1024,
	};
	struct myc_ring *keep;
	pid_t c[NCONS], p;
	int i;

	name = rt_name("fanout");
	rt_sync_init(&ready);
	keep = myc_ring_open(name, MYC_RING_CREATE | MYC_RING_EXCL, &o);
	RT_CHECK(keep);
	for (i = 0; i < NCONS; i++)
		c[i] = rt_spawn(consumer, NULL);
	for (i = 0; i < NCONS; i++)
		RT_EQ(rt_sync_wait(&ready, 10000), 0);
	p = rt_spawn(producer, NULL);
	RT_EQ(rt_wait(p), 0);
	for (i = 0; i < NCONS; i++)
		RT_EQ(rt_wait(c[i]), 0);
	RT_CHECK(rt_ring_exists(name));
	myc_ring_free(keep);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
