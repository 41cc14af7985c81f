// SPDX-License-Identifier: MIT
/*
 * Description: a solo producer (claiming without the 16-byte CAS) killed
 * with SIGKILL never wedges the ring nor keeps the fast path: killed
 * between claim and commit while a second producer is attached, the second
 * one revokes the solo word and publishes, and the consumer turns the dead
 * claim into padding and receives the live frame; killed after announcing
 * a claim but before storing the head (simulated), the second producer
 * waits (nothing of it is published while the solo owner lives), then
 * takes over once it is dead, with nothing to pad; and a new producer that
 * gets the dead solo producer's slot finishes its claim and stays solo.
 * Userspace mode only.
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
static struct rt_sync ready, opened;

/* Become solo, claim (for real, or only announced as the fast path does
 * before its head store), say so, wait to be killed. */
static int solo_and_hang(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	void *p;

	RT_CHECK(r);
	RT_CHECK(r->solo_ok);
	RT_EQ(r->ctl->solo, r->slot + 1);
	if (arg) {
		struct myc_ring_prod *s = r->prod;

		__atomic_store_n(&s->claim_pos, r->ctl->head_pos,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&s->claim_seq, r->ctl->head_seq,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&s->claim_span, 96, __ATOMIC_RELAXED);
		__atomic_store_n(&s->state, MYC_RING_PS_CLAIMED,
				 __ATOMIC_RELEASE);
	} else {
		RT_EQ(myc_ring_claim(r, 64, &p, 0), 0);
		memset(p, 0xee, 64);
	}
	rt_sync_post(&ready);
	for (;;)
		pause();
	return 0;
}

/* Second producer: attach, say so, publish one frame (waiting as long as
 * the revoke takes). */
static int take_over(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	uint64_t v = (uint64_t)(uintptr_t)arg;

	RT_CHECK(r);
	RT_CHECK(!r->solo_ok);
	rt_sync_post(&opened);
	RT_EQ(myc_ring_send(r, 9, &v, sizeof(v), -1), 0);
	RT_EQ(r->ctl->solo, 0);
	myc_ring_free(r);
	return 0;
}

static void expect(struct myc_ring *c, uint64_t want, uint64_t recovered)
{
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct myc_frame_hdr h;
	uint64_t v = 0;

	RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), 10000), sizeof(v));
	RT_EQ(v, want);
	RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), 0), -EAGAIN);
	RT_EQ(myc_ring_info(c, &info), 0);
	RT_EQ(info.recovered, recovered);
}

/* Killed with a claim in flight while a second producer waits. */
static void killed_with_rival(struct myc_ring *c, bool before_head,
			      uint64_t v, uint64_t recovered)
{
	struct myc_frame_hdr h;
	pid_t a, b;
	uint64_t x;
	int i;

	a = rt_spawn(solo_and_hang, before_head ? (void *)1 : NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	b = rt_spawn(take_over, (void *)(uintptr_t)v);
	RT_EQ(rt_sync_wait(&opened, 10000), 0);
	if (before_head) {
		/* The rival starts revoking; the solo owner lives and may
		 * still store the head, so the rival must not claim. */
		for (i = 0; i < 10000 && __atomic_load_n(&c->ctl->solo,
				__ATOMIC_ACQUIRE) != (MYC_RING_SOLO_REVOKE | 1); i++)
			usleep(1000);
		RT_EQ(c->ctl->solo, MYC_RING_SOLO_REVOKE | 1);
		RT_EQ(myc_ring_recv(c, &h, &x, sizeof(x), 300), -ETIMEDOUT);
		RT_EQ(c->ctl->solo, MYC_RING_SOLO_REVOKE | 1);
	}
	kill(a, SIGKILL);
	RT_EQ(rt_wait(a), 128 + SIGKILL);
	RT_EQ(rt_wait(b), 0);
	expect(c, v, recovered);
	RT_EQ(c->ctl->solo, 0);
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 8192,
		.max_producers = 2,
	};
	struct myc_ring *c, *p;
	uint64_t v = 42;
	pid_t a;

	rt_skip_in_kernel_mode("the solo fast path is userspace mode only");
	name = rt_name("solokill");
	rt_sync_init(&ready);
	rt_sync_init(&opened);
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	killed_with_rival(c, false, 1, 1);
	killed_with_rival(c, true, 2, 1);
	killed_with_rival(c, false, 3, 2);
	myc_ring_free(c);

	/* One slot: the next producer gets the dead solo owner's slot,
	 * finishes its claim as padding when it attaches, and is solo. */
	o.max_producers = 1;
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	a = rt_spawn(solo_and_hang, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	kill(a, SIGKILL);
	RT_EQ(rt_wait(a), 128 + SIGKILL);
	p = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(p && p->solo_ok);
	RT_EQ(myc_ring_send(p, 9, &v, sizeof(v), -1), 0);
	expect(c, v, 1);
	RT_EQ(c->ctl->solo, p->slot + 1);
	myc_ring_free(p);
	RT_EQ(c->ctl->solo, 0);
	RT_EQ(myc_ring_lost(c), 0);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
