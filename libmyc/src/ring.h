/* SPDX-License-Identifier: MIT */
/* Ring handle and internals shared by ring.c (lifetime) and ring-io.c
 * (claim/commit/read protocol). */
#ifndef MYC_RING_INTERNAL_H
#define MYC_RING_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/mycelium.h>

#include "myc.h"
#include "ring-sys.h"

struct myc_ring {
	int fd;
	uint32_t role;			/* MYC_RING_PRODUCER/CONSUMER or 0 */
	int slot;			/* producer slot or consumer page */
	bool lossless;
	bool broken;			/* consumer: ring failed validation */
	struct myc_ring_hdr hdr;	/* validated private copy */
	uint8_t *base;			/* mapping, hdr.map_size bytes */
	struct myc_ring_ctl *ctl;
	uint8_t *data;			/* data area (mirrored) */
	uint64_t cap, mask;
	uint32_t spin_ns;
	uint64_t syscalls;		/* futex waits + wakes by this handle */

	/* producer */
	struct myc_ring_prod *prod;
	bool claimed;
	bool no_ts;			/* MYC_RING_O_NO_TIMESTAMP */
	uint64_t claim_pos, claim_seq;
	uint32_t claim_len, claim_span;
	uint64_t last_reap;		/* mono ns of the last dead-consumer scan */

	/* consumer */
	struct myc_ring_cons *cons;
	uint64_t cursor, seq;		/* private: next record and its seq */
	uint64_t head_cache;		/* last head_pos seen */
	bool need_head;			/* cursor came from the head */
	uint64_t published;		/* cursor value last published */
	uint64_t lost, delivered;
	bool peeked;
	uint64_t stuck_ns;		/* since when a claim stays uncommitted */
	uint64_t idle_polls;		/* timeout-0 polls that found nothing */
	uint32_t peek_span;

	char path[96];
};

/* Consistent {pos, seq|owner} snapshot of the claim point.  0 or -EAGAIN
 * when a (hostile) writer keeps changing it. */
static inline int ring_head_load(struct myc_ring *r, uint64_t *pos,
				 uint64_t *seqw)
{
	uint64_t s1, p, s2;
	int i;

	for (i = 0; i < 1000; i++) {
		/* seq is strictly increasing per claim, so equal seq before
		 * and after means pos belongs to that seq. */
		s1 = ld_acq(&r->ctl->head_seq);
		p = ld_acq(&r->ctl->head_pos);
		s2 = ld_acq(&r->ctl->head_seq);
		if (!((s1 ^ s2) & MYC_RING_SEQ_MASK)) {
			*pos = p;
			*seqw = s2;
			return 0;
		}
	}
	return -EAGAIN;
}

/* Address of the record at position @pos (contiguous thanks to the mirror). */
static inline uint8_t *ring_rec(struct myc_ring *r, uint64_t pos)
{
	return r->data + (pos & r->mask);
}

static inline uint64_t *ring_seqword(struct myc_ring *r, uint64_t pos)
{
	return (uint64_t *)(ring_rec(r, pos) + 8);
}

struct myc_ring_prod *ring_prod(struct myc_ring *r, uint32_t k);
struct myc_ring_cons *ring_cons(struct myc_ring *r, uint32_t j);
/* Is the owner of the lock at byte lock_base + @lock_off gone? */
bool ring_owner_dead(struct myc_ring *r, uint64_t lock_off);
/* Finish a dead producer's claim in slot @k (caller holds its lock). */
void ring_recover_slot(struct myc_ring *r, uint32_t k);
/* Look for dead producers and finish their claims.  Returns how many. */
int ring_recover_producers(struct myc_ring *r);
void ring_cons_reset(struct myc_ring *r, uint32_t j, bool dead);
int ring_cons_reclaim(struct myc_ring *r, uint32_t j);
/* Commit a user frame keeping the timestamp @ts of its original publisher
 * (the bus ring bridge forwards frames already stamped by the bus). */
int ring_commit_ts(struct myc_ring *r, uint16_t type, uint64_t ts);

#endif
