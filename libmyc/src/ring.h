/* SPDX-License-Identifier: MIT */
/* Ring handle and internals shared by ring.c (lifetime) and ring-io.c
 * (claim/commit/read protocol). */
#ifndef MYC_RING_INTERNAL_H
#define MYC_RING_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <linux/mycelium.h>

#include "myc.h"
#include "ring-sys.h"

struct myc_ring;

/*
 * What differs between pure userspace mode (ring.c: /dev/shm file, OFD
 * locks, futex) and kernel mode (ring-kern.c: /dev/mycelium ring fd).  The
 * claim/commit/read protocol (ring-io.c) is the same code in both; it calls
 * these only off its hot path: to sleep, to wake a sleeper, and to ask
 * whether a peer is dead.
 */
struct ring_ops {
	/* Get the fd, validate the header, map, attach in r->role.  On
	 * error the caller calls close(). */
	int (*open)(struct myc_ring *r, const char *name, uint32_t flags,
		    const struct myc_ring_opts *o);
	void (*close)(struct myc_ring *r);
	/* Consumer sleep: begin (announce), wait while futex == @val (up to
	 * @ns, -1 forever), end (withdraw).  NULL: nothing to do. */
	void (*sleep_begin)(struct myc_ring *r);
	void (*wait)(struct myc_ring *r, uint32_t val, int64_t ns);
	void (*sleep_end)(struct myc_ring *r);
	/* Producer: ctl.futex was bumped and someone announced itself. */
	void (*wake)(struct myc_ring *r);
	/* Is the owner of the liveness lock at lock_base + @lock_off gone
	 * (and so its slot/page ours to recover)? */
	bool (*owner_dead)(struct myc_ring *r, uint64_t lock_off);
	/* Mode-only parts of myc_ring_info() (counts kept by the kernel). */
	void (*info)(struct myc_ring *r, struct myc_ring_info *out);
	int (*list)(int (*fn)(const char *name, void *ctx), void *ctx);
};

extern const struct ring_ops ring_user_ops;
extern const struct ring_ops ring_kern_ops;

struct myc_ring {
	const struct ring_ops *ops;
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
	bool awaited;			/* the last commit came after a pause:
					 * the next is likely polled for */
	struct ring_clock clock;	/* frame timestamps */
	uint64_t last_ts;		/* of the previous commit (demote_due()) */
	uint64_t claim_pos, claim_seq;
	uint32_t claim_len, claim_span;
	uint64_t last_reap;		/* mono ns of the last dead-consumer scan */
	uint64_t bound_cache;		/* ctl.bound as last seen (never above) */
	bool solo_ok;			/* may claim without the CAS while
					 * ctl.solo names our slot */
	bool solo_aware;		/* userspace mode: honours ctl.solo */
	bool mb_target;			/* userspace mode, and this process is
					 * registered for expedited membarrier:
					 * a commit not awaited needs no fence
					 * while no consumer is a sleeper
					 * (commit_seq()) */

	/* consumer */
	struct myc_ring_cons *cons;
	uint64_t cursor, seq;		/* private: next record and its seq */
	uint64_t head_cache;		/* last head_pos seen (or, once a lap
					 * was seen, past the cursor + cap) */
	bool need_head;			/* cursor came from the head */
	uint64_t published;		/* cursor value last published */
	uint64_t lost, delivered;
	struct stream_pace pace;	/* back-off in a fast stream */
	bool peeked;
	uint64_t stuck_ns;		/* since when a claim stays uncommitted */
	uint64_t idle_polls;		/* timeout-0 polls that found nothing */
	uint32_t peek_span;
	bool sleeper;			/* counted as a sleeper (ctl.waiters) */
	uint32_t awake;			/* frames taken since our last sleep */
	bool nap_once;			/* our membarrier() failed: the next
					 * wait is short (user_wait()) */

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

void ring_copy_awaited(struct myc_ring *r, void *dst, const void *src,
		       size_t n);

/*
 * Copy @n payload bytes to @dst in the claimed record.  A record committed
 * after a pause is likely awaited by a consumer polling its seq word: then
 * the payload's part in the seq word's line goes last
 * (ring_copy_awaited()), so that every store into that line (that part,
 * the header, the seq word) comes after those into the record's other
 * lines, and the line moves to us once instead of being taken back by the
 * consumer's polls between them.  That took the 64-byte ping-pong's p99.9
 * from about 370 to about 330 ns (docs/PERFORMANCE.md, "Session 12").  In
 * a stream the plain copy is cheaper.  @ts is the frame's timestamp when
 * the caller already has it (the bus stamps a frame before the copy), so
 * the pause is this frame's; 0 when it has not (the stamp is taken at the
 * commit: reading the clock before the copy would delay it), so the pause
 * is the one before the previous commit, as in a ping-pong.
 */
static inline void ring_copy_in(struct myc_ring *r, void *dst,
				const void *src, size_t n, uint64_t ts)
{
	bool awaited = ts ? ts - r->last_ts >= DEMOTE_GAP_NS : r->awaited;

	if (__builtin_expect(awaited, 0))
		ring_copy_awaited(r, dst, src, n);
	else
		memcpy(dst, src, n);
}

struct myc_ring_prod *ring_prod(struct myc_ring *r, uint32_t k);
struct myc_ring_cons *ring_cons(struct myc_ring *r, uint32_t j);
/* Is the owner of the lock at byte lock_base + @lock_off gone? */
static inline bool ring_owner_dead(struct myc_ring *r, uint64_t lock_off)
{
	return r->ops->owner_dead(r, lock_off);
}
/* Shared by both backends (ring.c). */
bool ring_name_ok(const char *name);
int ring_hdr_validate(const struct myc_ring_hdr *h, uint64_t size,
		      const char *name, bool kernel);
int ring_digest_check(struct myc_ring *r, const struct myc_ring_opts *o);
void ring_setup(struct myc_ring *r);
/* Userspace mode: stop counting ourselves as a sleeper. */
void ring_sleeper_leave(struct myc_ring *r);
/* Finish a dead producer's claim in slot @k (caller holds its lock). */
void ring_recover_slot(struct myc_ring *r, uint32_t k);
/* Look for dead producers and finish their claims.  Returns how many. */
int ring_recover_producers(struct myc_ring *r);
void ring_cons_reset(struct myc_ring *r, uint32_t j, bool dead);
int ring_cons_reclaim(struct myc_ring *r, uint32_t j);
/* Userspace mode, producer just attached (slot state stored with a full
 * barrier): become the solo producer if no other slot is owned. */
void ring_solo_try(struct myc_ring *r);
/* Producer closing: give ctl.solo back if it names our slot. */
void ring_solo_drop(struct myc_ring *r);
/* Commit a user frame keeping the timestamp @ts of its original publisher
 * (the bus ring bridge forwards frames already stamped by the bus). */
int ring_commit_ts(struct myc_ring *r, uint16_t type, uint64_t ts);

#endif
