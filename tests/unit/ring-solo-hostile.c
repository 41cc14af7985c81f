// SPDX-License-Identifier: MIT
/*
 * Description: hostile values in the control page's solo word (written
 * by a broken producer) cost nothing else: garbage (no such slot, with or
 * without the revoke bit) is reset to 0 by the next claim, a word naming
 * another producer that is not solo, or a revoke of a free slot, is
 * revoked and cleared, a producer attaching over garbage does not become
 * solo, and every frame still reaches the consumer in order, none lost.
 * Userspace mode only.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ring.h"
#include "ringtest.h"

static struct myc_ring *c;
static uint64_t sent, seq;

static void send_recv(struct myc_ring *p)
{
	struct myc_frame_hdr h;
	uint64_t v = ++sent, got = 0;

	RT_EQ(myc_ring_send(p, 3, &v, sizeof(v), 1000), 0);
	RT_EQ(myc_ring_recv(c, &h, &got, sizeof(got), 1000), sizeof(got));
	RT_EQ(got, v);
	RT_EQ(h.seq, ++seq);
}

static void poke(uint32_t val)
{
	__atomic_store_n(&c->ctl->solo, val, __ATOMIC_SEQ_CST);
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 8192,
		.max_producers = 4,
	};
	static const uint32_t garbage[] = {
		0x12345678u, MYC_RING_SOLO_REVOKE, MYC_RING_SOLO_REVOKE | 5,
		MYC_RING_SOLO_REVOKE | 0x7fffffffu, 5, 0xffffffffu,
	};
	struct myc_ring *a, *b, *d;
	uint64_t v = 0;
	struct myc_frame_hdr h;
	unsigned int i;

	rt_skip_in_kernel_mode("the solo fast path is userspace mode only");
	c = myc_ring_open(rt_name("solohost"),
			  MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	a = myc_ring_open(myc_ring_name(c), MYC_RING_PRODUCER, NULL);
	RT_CHECK(a && a->solo_ok);
	send_recv(a);

	/* Garbage: the solo producer loses the fast path and clears it. */
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		poke(garbage[i]);
		send_recv(a);
		RT_EQ(c->ctl->solo, 0);
		RT_CHECK(!a->solo_ok);
	}

	/* Attaching over garbage: not solo; the first claim clears it. */
	myc_ring_free(a);
	poke(0x5a5a5a5au);
	a = myc_ring_open(myc_ring_name(c), MYC_RING_PRODUCER, NULL);
	RT_CHECK(a && !a->solo_ok);
	send_recv(a);
	RT_EQ(c->ctl->solo, 0);

	/* A word naming a producer that is not solo (b attached second):
	 * revoked like a real one, b never skips the CAS. */
	b = myc_ring_open(myc_ring_name(c), MYC_RING_PRODUCER, NULL);
	RT_CHECK(b && !b->solo_ok);
	poke((uint32_t)b->slot + 1);
	send_recv(a);
	RT_EQ(c->ctl->solo, 0);
	send_recv(b);
	RT_CHECK(!b->solo_ok);

	/* Revoke of a free slot, and a word naming our own slot while we
	 * are not solo: cleared. */
	poke(MYC_RING_SOLO_REVOKE | 4);
	send_recv(b);
	RT_EQ(c->ctl->solo, 0);
	poke((uint32_t)a->slot + 1);
	send_recv(a);
	RT_EQ(c->ctl->solo, 0);
	RT_CHECK(!a->solo_ok);

	/* A naming a free slot (d's future one): d attaches, sees its own
	 * slot named (as left by a dead owner) and is solo; a revokes. */
	poke(3);
	d = myc_ring_open(myc_ring_name(c), MYC_RING_PRODUCER, NULL);
	RT_CHECK(d);
	RT_EQ(d->slot, 2);
	RT_CHECK(d->solo_ok);
	send_recv(d);
	send_recv(a);
	RT_EQ(c->ctl->solo, 0);
	send_recv(d);
	RT_CHECK(!d->solo_ok);

	myc_ring_free(a);
	myc_ring_free(b);
	myc_ring_free(d);
	RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), 0), -EAGAIN);
	RT_EQ(myc_ring_lost(c), 0);
	myc_ring_free(c);
	return 0;
}
