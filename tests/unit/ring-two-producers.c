// SPDX-License-Identifier: MIT
/*
 * Description: two producer processes publish concurrently into one
 * lossless ring; the consumer process sees both streams interleaved, each
 * producer's frames in the order it sent them, nothing lost and nothing
 * duplicated, and ring seq numbers strictly increasing by one (the claim
 * CAS orders seqs by position).
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

#define NMSG	30000u

static const char *name;
static struct rt_sync ready, go;

static int producer(void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg, i;
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	uint64_t msg[2];

	RT_CHECK(r);
	rt_sync_post(&ready);
	RT_EQ(rt_sync_wait(&go, 10000), 0);
	for (i = 0; i < NMSG; i++) {
		msg[0] = id;
		msg[1] = i;
		RT_EQ(myc_ring_send(r, 1, msg, sizeof(msg), -1), 0);
	}
	myc_ring_free(r);
	return 0;
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 16 * 1024,
	};
	uint64_t next[2] = { 0, 0 }, msg[2], i, switches = 0, last = 9;
	struct myc_frame_hdr h;
	struct myc_ring *c;
	pid_t p[2];
	int k;

	name = rt_name("twoprod");
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	rt_sync_init(&ready);
	rt_sync_init(&go);
	for (k = 0; k < 2; k++)
		p[k] = rt_spawn(producer, (void *)(uintptr_t)k);
	for (k = 0; k < 2; k++)
		RT_EQ(rt_sync_wait(&ready, 10000), 0);
	rt_sync_post(&go);
	rt_sync_post(&go);
	for (i = 0; i < 2 * NMSG; i++) {
		RT_EQ(myc_ring_recv(c, &h, msg, sizeof(msg), 10000), sizeof(msg));
		RT_EQ(h.seq, i + 1);
		RT_CHECK(msg[0] < 2);
		RT_EQ(msg[1], next[msg[0]]);
		next[msg[0]]++;
		switches += msg[0] != last;
		last = msg[0];
	}
	RT_EQ(next[0], NMSG);
	RT_EQ(next[1], NMSG);
	for (k = 0; k < 2; k++)
		RT_EQ(rt_wait(p[k]), 0);
	RT_EQ(myc_ring_recv(c, &h, msg, sizeof(msg), 0), -EAGAIN);
	RT_EQ(myc_ring_lost(c), 0);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
