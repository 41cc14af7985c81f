// SPDX-License-Identifier: MIT
/*
 * Description: a hostile producer process that writes garbage into the
 * shared ring (head moved backwards or misaligned, write bound far past
 * the head or below the reader, bad record lengths,
 * flags, type ids and reserved fields behind a valid-looking seq word, and
 * random bytes) makes a consumer return the named error MYC_E_CORRUPT (or
 * just see nothing), never crash, never read outside its mapping, and
 * never hang past its timeout; a garbage header makes open fail with
 * MYC_E_CORRUPT or MYC_E_VERSION; and the reader is fuzzed against random
 * ring contents (control page and data) for many rounds.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ring.h"
#include "ringtest.h"

static const char *name;

enum attack {
	HEAD_BACK, HEAD_ODD, LEN_HUGE, LEN_SMALL, BAD_FLAGS, BAD_TYPE,
	BAD_RESV, SPAN_PAST_HEAD, SEQ_AHEAD, BOUND_HIGH, BOUND_LOW, ATTACKS
};

/* A hostile producer: commits one good frame, then attacks. */
static int hostile(void *arg)
{
	enum attack a = (enum attack)(uintptr_t)arg;
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	uint64_t v = 42, pos;
	uint8_t *rec;
	void *p;

	RT_CHECK(r);
	RT_EQ(myc_ring_send(r, 1, &v, sizeof(v), 0), 0);
	RT_EQ(myc_ring_claim(r, 8, &p, 0), 0);
	myc_ring_commit(r, 1);
	pos = r->ctl->head_pos - 40;	/* the second record */
	rec = ring_rec(r, pos);
	switch (a) {
	case HEAD_BACK: r->ctl->head_pos = 8; break;
	case HEAD_ODD: r->ctl->head_pos += 3; break;
	case LEN_HUGE: *(uint32_t *)rec = 0x7fffffff; break;
	case LEN_SMALL: *(uint32_t *)rec = 5; break;
	case BAD_FLAGS: *(uint16_t *)(rec + 6) = 0x8000; break;
	case BAD_TYPE: *(uint16_t *)(rec + 4) = 0; break;
	case BAD_RESV: *(uint32_t *)(rec + 28) = 1; break;
	case SPAN_PAST_HEAD: *(uint32_t *)rec = 32 + 4000; break;
	case SEQ_AHEAD: *(uint64_t *)(rec + 8) = 1000; break;
	/* the lossy reader's lap check then fails on every record: it must
	 * not resync forever */
	case BOUND_HIGH: r->ctl->bound = r->ctl->head_pos + 4 * r->cap; break;
	case BOUND_LOW: r->ctl->bound = 8; break;
	default: break;
	}
	myc_ring_free(r);
	return 0;
}

static void attack(enum attack a)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .capacity = 8192 };
	struct myc_ring *c;
	struct myc_frame_hdr h;
	uint64_t v = 0;
	int rc;

	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	RT_EQ(rt_wait(rt_spawn(hostile, (void *)(uintptr_t)a)), 0);
	/* the good frame may or may not be read before the attack shows */
	while ((rc = myc_ring_recv(c, &h, &v, sizeof(v), 100)) == sizeof(v))
		RT_CHECK(v == 42 || v == 0);	/* the second frame is empty */
	if (a == SPAN_PAST_HEAD) {
		/* too costly to tell from a big frame on the hot path: the
		 * consumer sees a frame it has no room for, and stays safe */
		RT_EQ(rc, -EMSGSIZE);
		myc_ring_free(c);
		return;
	}
	RT_EQ(rc, -MYC_E_CORRUPT);
	/* broken for good: a named error, not a crash or a hang */
	RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), -1), -MYC_E_CORRUPT);
	myc_ring_free(c);
}

/* Random bytes over the header, written through the producer's mapping
 * (userspace mode: the /dev/shm file; kernel mode: the ring's header page,
 * which the kernel itself never trusts): open refuses with a named error. */
static void bad_header(void)
{
	struct myc_ring *p = myc_ring_open(name, MYC_RING_PRODUCER |
					   MYC_RING_CREATE, NULL);
	struct myc_ring_hdr save, *hp;
	struct myc_ring *c;
	int i;

	RT_CHECK(p);
	hp = (struct myc_ring_hdr *)p->base;
	memcpy(&save, hp, sizeof(save));
	for (i = 0; i < 2000; i++) {
		size_t off = (size_t)rand() % sizeof(save);

		((volatile uint8_t *)hp)[off] ^= (uint8_t)(1 + rand() % 255);
		c = myc_ring_open(name, MYC_RING_CONSUMER, NULL);
		if (c) {
			/* a header that still describes a consistent layout
			 * (offsets are published, not fixed) is usable */
			struct myc_frame_hdr fh;
			uint64_t v;
			int rc = myc_ring_recv(c, &fh, &v, sizeof(v), 0);

			RT_CHECK(rc == -EAGAIN || rc == -MYC_E_CORRUPT);
			myc_ring_free(c);
		} else {
			RT_CHECK(errno == MYC_E_CORRUPT || errno == MYC_E_VERSION);
		}
		memcpy(hp, &save, sizeof(save));
	}
	myc_ring_free(p);
}

/* Fuzz: random control words and data under a live consumer. */
static void fuzz(void)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .capacity = 4096 };
	struct myc_ring *p, *c;
	struct myc_frame_hdr h;
	uint8_t buf[4096];
	int round, i, rc;

	for (round = 0; round < 300; round++) {
		o.policy = round & 1;
		p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE, &o);
		c = myc_ring_open(name, MYC_RING_CONSUMER, NULL);
		RT_CHECK(p && c);
		for (i = 0; i < (int)p->cap; i++)
			p->data[i] = (uint8_t)(rand() % 4 ? 0 : rand());
		/* plausible-looking frames at plausible positions */
		for (i = 0; i < 20; i++) {
			uint64_t at = (uint64_t)(rand() % (int)(p->cap / 8)) * 8;
			uint32_t *w = (uint32_t *)ring_rec(p, at);

			w[0] = (uint32_t)(rand() % 5000);
			w[1] = (uint32_t)rand() & 0x0003ffff;
			w[2] = (uint32_t)(rand() % 8);
			w[3] = 0;
		}
		p->ctl->head_pos = (uint64_t)(rand() % 3 ? rand() % 20000 : rand()) &
				   ~(uint64_t)(rand() % 2 ? 7 : 0);
		p->ctl->head_seq = (uint64_t)(rand() % 8);
		for (i = 0; i < 50; i++) {
			rc = myc_ring_recv(c, &h, buf, sizeof(buf), 0);
			RT_CHECK(rc >= 0 || rc == -EAGAIN || rc == -MYC_E_CORRUPT ||
				 rc == -EMSGSIZE);
			if (rc >= 0)
				RT_CHECK(h.len <= c->hdr.max_frame &&
					 myc_frame_span(h.len) <= c->cap);
			if (rc == -MYC_E_CORRUPT)
				break;
			if (rand() % 3 == 0)
				p->ctl->head_pos += (uint64_t)(rand() % 64);
		}
		myc_ring_free(c);
		myc_ring_free(p);
	}
}

int main(void)
{
	int a;

	srand(1234);
	name = rt_name("hostile");
	for (a = 0; a < ATTACKS; a++)
		attack((enum attack)a);
	bad_header();
	fuzz();
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
