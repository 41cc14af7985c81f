// SPDX-License-Identifier: MIT
/*
 * Description: the first producer of a ring becomes its solo producer
 * (claims without the 16-byte CAS, ctl.solo names its slot); a second
 * producer process attaching while the first keeps publishing takes the
 * fast path away (ctl.solo back to 0) and both streams reach the consumer
 * of the lossless ring complete, each in its producer's order, with ring
 * seqs increasing by one; a producer alone again after the other left
 * does not become solo behind its back; and a producer that closes gives
 * the word back, so the next one to attach alone is solo again.
 * Userspace mode only (kernel-mode rings never use the fast path).
 * Sanitizers: tsan
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ring.h"
#include "ringtest.h"

#define NMSG	40000u
#define ROUNDS	4

static const char *name;
static struct rt_sync half, started;

/*
 * Producer 0: solo, publishes NMSG frames.  With @arg (a "sync" round) it
 * stops half way until the second producer has published once, so that
 * the revoke surely lands while it still has frames to send; otherwise it
 * keeps publishing while the second one attaches and revokes, and stays
 * attached until the second has published (were it gone by then, the
 * second would rightly be solo).
 */
static int first(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	uint64_t msg[2] = { 0, 0 };

	RT_CHECK(r);
	RT_CHECK(r->solo_ok);
	RT_EQ(__atomic_load_n(&r->ctl->solo, __ATOMIC_ACQUIRE), r->slot + 1);
	for (msg[1] = 0; msg[1] < NMSG; msg[1]++) {
		if (msg[1] == NMSG / 2 && arg) {
			RT_CHECK(r->solo_ok);
			rt_sync_post(&half);
			RT_EQ(rt_sync_wait(&started, 20000), 0);
		}
		RT_EQ(myc_ring_send(r, 1, msg, sizeof(msg), -1), 0);
	}
	/* The second producer revoked the fast path along the way. */
	if (arg)
		RT_CHECK(!r->solo_ok);
	else	/* stay attached until it did: it must find us there */
		RT_EQ(rt_sync_wait(&started, 20000), 0);
	myc_ring_free(r);
	return 0;
}

/* Producer 1: attaches mid-stream. */
static int second(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	uint64_t msg[2] = { 1, 0 };

	RT_CHECK(r);
	RT_CHECK(!r->solo_ok);
	for (msg[1] = 0; msg[1] < NMSG; msg[1]++) {
		RT_EQ(myc_ring_send(r, 1, msg, sizeof(msg), -1), 0);
		/* No one skips the CAS once we have claimed with it. */
		RT_EQ(__atomic_load_n(&r->ctl->solo, __ATOMIC_ACQUIRE), 0);
		if (!msg[1])
			rt_sync_post(&started);
	}
	myc_ring_free(r);
	return 0;
}

static void one_round(struct myc_ring *c, uint64_t *seq, bool sync)
{
	uint64_t next[2] = { 0, 0 }, msg[2], i;
	struct myc_frame_hdr h;
	pid_t p[2] = { -1, -1 };
	int k;

	p[0] = rt_spawn(first, sync ? (void *)1 : NULL);
	for (i = 0; i < 2 * NMSG; i++) {
		if (i == NMSG / 2) {
			/* Sync: all of its first half is here, it waits. */
			if (sync)
				RT_EQ(rt_sync_wait(&half, 20000), 0);
			p[1] = rt_spawn(second, NULL);
		}
		RT_EQ(myc_ring_recv(c, &h, msg, sizeof(msg), 20000),
		      sizeof(msg));
		RT_EQ(h.seq, ++*seq);
		RT_CHECK(msg[0] < 2);
		RT_EQ(msg[1], next[msg[0]]);
		next[msg[0]]++;
	}
	RT_EQ(next[0], NMSG);
	RT_EQ(next[1], NMSG);
	for (k = 0; k < 2; k++)
		RT_EQ(rt_wait(p[k]), 0);
	RT_EQ(myc_ring_recv(c, &h, msg, sizeof(msg), 0), -EAGAIN);
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 16 * 1024,
	};
	struct myc_ring *c, *a, *b;
	uint64_t seq = 0, v = 7;
	struct myc_frame_hdr h;
	int round;

	rt_skip_in_kernel_mode("the solo fast path is userspace mode only");
	name = rt_name("solotake");
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	rt_sync_init(&half);
	rt_sync_init(&started);
	for (round = 0; round < ROUNDS; round++)
		one_round(c, &seq, !(round & 1));

	/* Two producers in this process: the first is solo until the second
	 * claims; after the second leaves, the first stays on the CAS path
	 * (it only becomes solo when it attaches). */
	a = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(a && a->solo_ok);
	RT_EQ(myc_ring_send(a, 1, &v, sizeof(v), -1), 0);
	b = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(b && !b->solo_ok);
	RT_EQ(a->ctl->solo, a->slot + 1);	/* not revoked until b claims */
	RT_EQ(myc_ring_send(b, 1, &v, sizeof(v), -1), 0);
	RT_EQ(a->ctl->solo, 0);
	myc_ring_free(b);
	RT_EQ(myc_ring_send(a, 1, &v, sizeof(v), -1), 0);
	RT_CHECK(!a->solo_ok);
	RT_EQ(a->ctl->solo, 0);
	myc_ring_free(a);
	/* Alone at attach: solo; closing gives the word back. */
	a = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(a && a->solo_ok);
	RT_EQ(myc_ring_send(a, 1, &v, sizeof(v), -1), 0);
	RT_EQ(a->ctl->solo, a->slot + 1);
	myc_ring_free(a);
	RT_EQ(c->ctl->solo, 0);
	for (round = 0; round < 4; round++) {
		RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), 1000), sizeof(v));
		RT_EQ(h.seq, ++seq);
		RT_EQ(v, 7);
	}
	RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), 0), -EAGAIN);
	RT_EQ(myc_ring_lost(c), 0);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
