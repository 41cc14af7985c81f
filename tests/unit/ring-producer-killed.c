// SPDX-License-Identifier: MIT
/*
 * Description: a producer process killed with SIGKILL between claim and
 * commit never wedges the ring: the consumer (waiting at the dead claim)
 * finds the producer dead, turns its claim into padding and goes on to the
 * frames of a live producer; the same when the producer dies in the middle
 * of its claim (head still owned by it, simulated by leaving it dirty);
 * and a new producer that gets the dead one's slot finishes its claim too;
 * also for a consumer that only polls with timeout 0.
 * The ring's "recovered" counter counts each dead claim once.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ring.h"
#include "ringtest.h"

static const char *name;
static struct rt_sync ready;

/* Claim, say so, and wait to be killed. */
static int claim_and_hang(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	void *p;

	RT_CHECK(r);
	RT_EQ(myc_ring_claim(r, 64, &p, 0), 0);
	memset(p, 0xee, 64);
	if (arg) {
		/* Die "inside" the claim: put the head back in the dirty
		 * state it has between the claim CAS and the clean step, and
		 * un-zero the next seq word as stale memory would be. */
		uint64_t pos = r->ctl->head_pos;

		*ring_seqword(r, pos) = 0x4141414141414141ull;
		__atomic_store_n(&r->ctl->head_seq, r->ctl->head_seq |
				 ((uint64_t)(r->slot + 1) << MYC_RING_OWNER_SHIFT),
				 __ATOMIC_SEQ_CST);
	}
	rt_sync_post(&ready);
	for (;;)
		pause();
	return 0;
}

static void one_case(struct myc_ring *c, void *dirty, uint64_t round,
		     bool live_first, bool poll)
{
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct myc_frame_hdr h;
	struct myc_ring *live = NULL;
	uint64_t v = 0;
	pid_t pid;

	if (live_first)
		live = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	pid = rt_spawn(claim_and_hang, dirty);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	/* Nothing committed yet: the consumer waits at the claim. */
	RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), 0), -EAGAIN);
	kill(pid, SIGKILL);
	RT_EQ(rt_wait(pid), 128 + SIGKILL);

	if (!live_first)
		live = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(live);
	v = round;
	RT_EQ(myc_ring_send(live, 9, &v, sizeof(v), 5000), 0);
	v = 0;
	if (poll) {
		/* a consumer that only ever polls (timeout 0) recovers too */
		int rc, k;

		for (k = 0; k < 200000; k++) {
			rc = myc_ring_recv(c, &h, &v, sizeof(v), 0);
			if (rc != -EAGAIN)
				break;
			usleep(100);
		}
		RT_EQ(rc, sizeof(v));
	} else {
		RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), 5000), sizeof(v));
	}
	RT_EQ(v, round);
	RT_EQ(myc_ring_info(c, &info), 0);
	RT_EQ(info.recovered, round);
	RT_EQ(info.producers, 1);
	myc_ring_free(live);
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 8192,
		.max_producers = 1,
	};
	struct myc_ring *c;

	name = rt_name("prodkill");
	rt_sync_init(&ready);
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	/* One producer slot: the live producer reuses the dead one's slot,
	 * so recovery happens in open (dirty head) or in the consumer. */
	one_case(c, NULL, 1, false, false);
	one_case(c, (void *)1, 2, false, false);
	myc_ring_free(c);

	/* Detection by the consumer (dead claim) and by the live producer
	 * (dirty head): the live producer holds the other slot. */
	o.max_producers = 2;
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	one_case(c, NULL, 1, true, false);
	one_case(c, (void *)1, 2, true, false);
	one_case(c, NULL, 3, true, true);
	RT_EQ(myc_ring_lost(c), 0);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
