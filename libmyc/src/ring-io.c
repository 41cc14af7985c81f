// SPDX-License-Identifier: MIT
/*
 * Ring protocol: claim, commit, read, wait, and recovery from dead peers
 * (docs/ring-format.md, "Protocol").
 *
 *   head {P, E | 0} --CAS16--> {P+span, E+1 | me}     claim [P, P+span)
 *        zero the seq word at P+span; head_seq := E+1    clean the head
 *        fill header (seq word stays 0) and payload at P
 *        seq word at P := E, full fence                   commit
 *
 * A reader at position p expecting E trusts p only once it has seen
 * head_pos > p (so the seq word there was cleaned after the last lap) and
 * then reads exactly E in the seq word.
 */
#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "frame.h"

#define DIRTY_CHECK_NS		1000000ull	/* dirty head: check owner */
#define STUCK_CHECK_NS		10000000ull	/* uncommitted: check producers */
#define BP_CHECK_NS		1000000ull	/* back-pressure: check consumers */
#define IDLE_CHECK_NS		1000000ull	/* spinning: look at the head */
#define SLEEPER_AWAKE_FRAMES	4096u	/* without a sleep: not a sleeper */
/*
 * Pauses per poll while the frames come as a stream (cpu.h, stream_pace):
 * 64, about 0.7 us here; twice that in a flood, frames on average less
 * than RING_FLOOD_GAP_NS apart (over 20 M msgs/s: a producer sending as
 * fast as it can).  There the consumer is the faster side and would only
 * keep taking away the line the producer writes: the longer pause raises
 * 1 -> 1 throughput from 24.7 M to 27.7 M msgs/s.  Below a flood it would
 * only delay frames: in a stream of 12-16 M msgs/s it raised the median
 * age of a frame at its receipt from 0.6-0.8 us to 1.1-1.3 us
 * (docs/PERFORMANCE.md, "Session 6").  Ping-pongs never count as streams.
 */
#define RING_STREAM_BACKOFF	64
#define RING_FLOOD_BACKOFF	128
#define RING_FLOOD_GAP_NS	50

/* Private status of try_read(): nothing claimed / claimed, uncommitted. */
#define RD_EMPTY	1
#define RD_PENDING	2

/* Back off while waiting for another process: spin, yield, then sleep
 * 20 us doubling up to 1 ms (a producer held back for long costs little). */
static void nap(unsigned int *spins)
{
	if (++*spins < 64) {
		cpu_relax();
	} else if (*spins < 128) {
		sched_yield();
	} else {
		unsigned int shift = *spins - 128 < 6 ? *spins - 128 : 6;
		struct timespec ts = { 0, 20000L << shift };

		if (ts.tv_nsec > 1000000)
			ts.tv_nsec = 1000000;
		nanosleep(&ts, NULL);
	}
}

static int64_t deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 :
		(int64_t)(ring_mono_ns() + (uint64_t)timeout_ms * 1000000ull);
}

/* ns left until @deadline (-1 = forever), 0 when passed. */
static int64_t left_ns(int64_t deadline)
{
	uint64_t now;

	if (deadline < 0)
		return -1;
	now = ring_mono_ns();
	return (uint64_t)deadline > now ? deadline - (int64_t)now : 0;
}

/* ------------------------------------------------------------------------ */
/* Recovery                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Store a frame header at @rec except its seq word (bytes 8..15), which
 * stays 0 until the commit.  Whole little-endian words, written directly:
 * building the header elsewhere and copying it costs store-forwarding
 * stalls on the hot path.
 */
static inline void hdr_store_noseq(uint8_t *rec, uint32_t len, uint16_t type,
				   uint16_t flags, uint64_t ts, uint32_t src)
{
	uint64_t *w = (uint64_t *)rec;

	w[0] = htole64((uint64_t)len | (uint64_t)type << 32 |
		       (uint64_t)flags << 48);
	w[2] = htole64(ts);
	w[3] = htole64((uint64_t)src);	/* src, resv = 0 */
}

/*
 * Commit the record at @pos: its seq word := @seq, then demote its first
 * @demote bytes (cpu.h; 0: none: not awaited) before the fence, so that
 * the demotes do not wait for the stores to drain.  Returns how many
 * consumers sleep (to be woken).  The release store orders the record
 * before the seq word (pairs with the reader's acquire load of it).  The
 * barrier orders the seq word before our load of waiters: the producer's
 * half of the Dekker pair with a consumer that counts itself in waiters
 * and then re-checks.  A registered producer leaves it out while the same
 * word counts no sleeper: a consumer counts itself as one and issues
 * membarrier() before its first sleep (sleeper_enter()), which stands for
 * the barrier in commits whose load did not see its count.
 * After an awaited commit the fence stays: there it is free (we wait for
 * the reply next) and the measured ping-pong was no better without it
 * (docs/PERFORMANCE.md, "Session 14").  Kernel mode's wait ioctl issues
 * no membarrier: there the fence is always issued.  Not an xchg: a locked
 * instruction on the line the consumer polls makes one hop in ten or more
 * twice as slow ("Session 6"); the fence's locked instruction is on our
 * own stack.
 */
static inline uint32_t commit_seq(struct myc_ring *r, uint64_t pos,
				  uint64_t seq, uint32_t demote)
{
	uint32_t w;

	st_rel(ring_seqword(r, pos), htole64(seq));
	if (demote)
		cpu_demote(ring_rec(r, pos), demote);
	if (r->mb_target && !demote) {
		/* One load: with no sleeper counted it stands without the
		 * fence (and then no consumer sleeps: it counts 0). */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		w = ld_rlx(&r->ctl->waiters);
		if (likely(w < MYC_RING_SLEEPER_ONE))
			return w;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ld_rlx(&r->ctl->waiters) & MYC_RING_WAITERS_MASK;
}

/* Store a padding frame over [pos, pos+span) and commit it with @seq.
 * Returns the count of sleeping consumers (commit_seq()). */
static uint32_t write_pad(struct myc_ring *r, uint64_t pos, uint32_t span,
			  uint64_t seq, uint32_t src)
{
	hdr_store_noseq(ring_rec(r, pos), span, MYC_TYPE_INVALID,
			MYC_FRAME_F_PAD, 0, src);
	return commit_seq(r, pos, seq, 0);
}

/* Someone announced itself: bump the futex word and wake (FUTEX_WAKE or
 * MYC_IOC_WAKE, by mode). */
static void wake_waiters(struct myc_ring *r)
{
	__atomic_fetch_add(&r->ctl->futex, 1, __ATOMIC_SEQ_CST);
	r->ops->wake(r);
	__atomic_fetch_add(&r->ctl->wakeups, 1, __ATOMIC_RELAXED);
}

void ring_recover_slot(struct myc_ring *r, uint32_t k)
{
	struct myc_ring_prod *p = ring_prod(r, k);
	uint64_t pos, seqw, cpos, cseq, w;
	uint32_t span, state;

	/* Head first: a clean head means the owner stored CLAIMED (relaxed)
	 * before its release store that cleaned the head. */
	if (ring_head_load(r, &pos, &seqw))
		return;
	state = ld_acq(&p->state);
	cpos = ld_rlx(&p->claim_pos);
	cseq = ld_rlx(&p->claim_seq);
	span = ld_rlx(&p->claim_span);
	if ((seqw >> MYC_RING_OWNER_SHIFT) == k + 1) {
		/* Died between its claim CAS and cleaning the head: do the
		 * cleaning for it (only this slot's owner may, and it's us). */
		uint64_t lo = pos, hi = seqw;

		st_rlx(ring_seqword(r, pos), 0);
		cas16(&r->ctl->head_pos, &lo, &hi, pos, seqw & MYC_RING_SEQ_MASK);
		state = MYC_RING_PS_CLAIMED;
		if (cpos + span != pos ||
		    cseq + 1 != (seqw & MYC_RING_SEQ_MASK))
			state = MYC_RING_PS_FREE;	/* slot is garbage */
	}
	if (state == MYC_RING_PS_CLAIMED && span >= MYC_FRAME_HDR_SIZE &&
	    !(span % MYC_FRAME_ALIGN) &&
	    span <= myc_frame_span(r->hdr.max_frame) && !(cpos % 8) &&
	    cpos < pos && pos - cpos <= r->cap) {
		w = le64toh(ld_acq(ring_seqword(r, cpos)));
		if (w != cseq &&
		    (r->lossless || pos + MYC_RING_GUARD - cpos <= r->cap)) {
			bool wake = write_pad(r, cpos, span, cseq, k + 1);

			__atomic_fetch_add(&r->ctl->recovered, 1,
					   __ATOMIC_RELAXED);
			if (wake)
				wake_waiters(r);
		}
	}
	st_rel(&p->state, MYC_RING_PS_FREE);
}

/* Recover the claim of dead producer @k if we can take its lock. */
static int recover_one(struct myc_ring *r, uint32_t k)
{
	uint64_t off = r->hdr.lock_base + MYC_RING_LOCK_PROD(k);

	if (r->prod && (int)k == r->slot)
		return 0;
	if (ld_acq(&ring_prod(r, k)->state) == MYC_RING_PS_FREE)
		return 0;
	if (!ring_owner_dead(r, MYC_RING_LOCK_PROD(k)))
		return 0;
	if (ring_lock(r->fd, off, true))
		return 0;	/* a new owner or another survivor has it */
	ring_recover_slot(r, k);
	ring_unlock(r->fd, off);
	return 1;
}

int ring_recover_producers(struct myc_ring *r)
{
	uint32_t k;
	int n = 0;

	for (k = 0; k < r->hdr.max_producers; k++)
		n += recover_one(r, k);
	return n;
}

/* ------------------------------------------------------------------------ */
/* Solo producer (userspace mode; docs/ring-format.md, "Solo producer")      */
/* ------------------------------------------------------------------------ */

/*
 * A lone producer claims without the 16-byte CAS: nobody else moves the
 * head, so it zeroes the next record's seq word and then stores the clean
 * pair {pos + span, seq + 1} with one atomic 16-byte store.  Its claim
 * announces itself with state := CLAIMED *before* the head store (so a
 * death before the store leaves claim_pos == head_pos: nothing to pad, and
 * after it the usual "CLAIMED, not committed" padding applies), then loads
 * ctl.solo, without a fence between the two: a revoker's membarrier(2) is
 * the other half of that Dekker pair.
 */

/* Can slot @k (solo word @k + 1) still be in a claim that skipped the
 * CAS?  Not once its state is not CLAIMED, nor once the head is past the
 * claim it announced (the store that published it is done). */
static bool solo_quiet(struct myc_ring *r, uint32_t k)
{
	struct myc_ring_prod *p = ring_prod(r, k);
	uint64_t pos, seqw, cseq;

	/* Acquire: claim_seq is stored before state (program order). */
	if (ld_acq(&p->state) != MYC_RING_PS_CLAIMED)
		return true;
	cseq = ld_rlx(&p->claim_seq);
	if (ring_head_load(r, &pos, &seqw))
		return false;
	return (seqw & MYC_RING_SEQ_MASK) > cseq;
}

static bool solo_swap(struct myc_ring *r, uint32_t old, uint32_t val)
{
	return __atomic_compare_exchange_n(&r->ctl->solo, &old, val, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

/*
 * We found ctl.solo = @s, not naming us as solo: take the fast path away
 * from its slot so that we can claim with the CAS.  Returns when @s is
 * gone from the word (by us or anyone; the caller reloads it).
 */
static void solo_revoke(struct myc_ring *r, uint32_t s)
{
	uint32_t k = s & ~MYC_RING_SOLO_REVOKE, me = (uint32_t)r->slot + 1;
	unsigned int spins = 0;
	int mb;

	if (!k || k > r->hdr.max_producers || k == me) {
		/* Garbage, or our own slot's (we are not solo any more, or
		 * a previous owner of the slot was): no claim of anyone can
		 * be skipping the CAS on its strength. */
		r->solo_ok = false;
		solo_swap(r, s, 0);
		return;
	}
	if (!(s & MYC_RING_SOLO_REVOKE)) {
		if (!solo_swap(r, s, s | MYC_RING_SOLO_REVOKE))
			return;
		s |= MYC_RING_SOLO_REVOKE;
	}
	/* Full barrier on every CPU running the solo producer (it
	 * registered): its claims before it are visible to the loads below,
	 * its claims after it see REVOKE and use the CAS.  Pairs with the
	 * unfenced "state := CLAIMED; load solo" in myc_ring_claim(). */
	mb = ring_membarrier();
	for (;;) {
		if (ld_acq(&r->ctl->solo) != s)
			return;		/* finished by another producer */
		if (!mb && solo_quiet(r, k - 1))
			break;
		if (ld_acq(&ring_prod(r, k - 1)->state) == MYC_RING_PS_FREE)
			break;		/* closed (it gives the word back) */
		nap(&spins);
		/* Dead solo producer: finish its claim (or see that it made
		 * none); it cannot claim again. */
		if (spins >= 64 && recover_one(r, k - 1))
			break;
	}
	solo_swap(r, s, 0);
}

void ring_solo_try(struct myc_ring *r)
{
	uint32_t me = (uint32_t)r->slot + 1, k, s;

	r->solo_ok = false;
	if (!ring_store16_atomic() || !r->mb_target)
		return;
	s = ld_acq(&r->ctl->solo);
	if (s == (me | MYC_RING_SOLO_REVOKE) && solo_swap(r, s, 0))
		s = 0;	/* a dead owner of our slot was being revoked */
	if (s == me) {
		/* Left by a dead owner of our slot: still ours.  Producers
		 * that attached meanwhile revoke it at their first claim. */
		r->solo_ok = true;
		return;
	}
	if (s || !solo_swap(r, 0, me))
		return;
	/* Full barrier (the swap), then look for other producers: either we
	 * see their slot owned, or they see our word at their first claim
	 * (their attach stored the state with a full barrier). */
	for (k = 0; k < r->hdr.max_producers; k++) {
		if ((int)k == r->slot ||
		    ld_acq(&ring_prod(r, k)->state) == MYC_RING_PS_FREE)
			continue;
		if (!recover_one(r, k)) {
			/* Back off (or finish a revoke that already began:
			 * we made no claim). */
			if (!solo_swap(r, me, 0))
				solo_swap(r, me | MYC_RING_SOLO_REVOKE, 0);
			return;
		}
	}
	r->solo_ok = true;
}

void ring_solo_drop(struct myc_ring *r)
{
	uint32_t me = (uint32_t)r->slot + 1;

	r->solo_ok = false;
	if (!solo_swap(r, me, 0))
		solo_swap(r, me | MYC_RING_SOLO_REVOKE, 0);
}

/* ------------------------------------------------------------------------ */
/* Producer                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Lossless: recompute the room limit from the live consumers' cursors.
 * With @reap, consumers that hold back a claim ending at @need and whose
 * owner is dead are reclaimed.  The CAS from the value read before the scan
 * makes a scan that missed a joining consumer (which lowers the limit) try
 * again instead of overwriting its lower limit.
 */
static uint64_t recompute_limit(struct myc_ring *r, uint64_t need, bool reap)
{
	uint64_t old, head, min, cur, lim;
	uint32_t j;
	int tries;

	for (tries = 0; tries < 16; tries++) {
		old = ld_acq(&r->ctl->limit);
		head = ld_acq(&r->ctl->head_pos);
		min = head;
		for (j = 0; j < r->hdr.max_consumers; j++) {
			struct myc_ring_cons *c = ring_cons(r, j);

			if (ld_acq(&c->state) != MYC_RING_CS_ACTIVE)
				continue;
			/* Pairs with the consumer's release store of cursor:
			 * it is done with everything before. */
			cur = ld_acq(&c->cursor);
			if (cur > head)
				cur = head;	/* garbage: no room past it */
			if (reap && cur + r->cap < need &&
			    ring_owner_dead(r, MYC_RING_LOCK_CONS(j)) &&
			    !ring_cons_reclaim(r, j))
				continue;
			if (cur < min)
				min = cur;
		}
		lim = min + r->cap;
		if (lim == old ||
		    __atomic_compare_exchange_n(&r->ctl->limit, &old, lim, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_ACQUIRE))
			return lim;
	}
	return ld_acq(&r->ctl->limit);
}

/* Head is dirty: wait for its owner, recovering it if it died. */
static void wait_clean(struct myc_ring *r, uint64_t seqw, uint64_t *since,
		       unsigned int *spins)
{
	uint32_t owner = (uint32_t)(seqw >> MYC_RING_OWNER_SHIFT);
	uint64_t now;

	nap(spins);
	if (*spins < 64)
		return;
	now = ring_mono_ns();
	if (!*since) {
		*since = now;
	} else if (now - *since > DIRTY_CHECK_NS) {
		if (owner - 1 < r->hdr.max_producers)
			recover_one(r, owner - 1);
		*since = now;
	}
}

/*
 * Producer: take the lines PREFETCH_AHEAD bytes past the claim point
 * writable now, so their ownership moves here while we fill the current
 * record.  Without it each line is first asked for by a store and the
 * commit's fence (a full barrier) waits for that transfer from the
 * consumer's cache, which held the line since the last lap: one cache-line
 * round trip per message (docs/PERFORMANCE.md, "Shared-memory rings").
 * Two lines per claim, because a 64-byte frame spans 1.5 lines.  Far
 * enough ahead that a consumer that caught up (it polls the record at the
 * claim point) is not reading them; the address stays inside the mirrored
 * mapping (offset < capacity + 2 lines).
 */
#define PREFETCH_AHEAD	256u

static inline void prefetch_ahead(struct myc_ring *r, uint64_t pos)
{
	uint8_t *a = ring_rec(r, (pos + PREFETCH_AHEAD) & ~63ull);

	prefetch_w(a);
	prefetch_w(a + 64);
}

/*
 * Make sure ctl.bound covers a claim ending (guard included) at @end before
 * the head CAS that makes the claim, so that no byte below the claim's end
 * is written before the bound says so (readers' overwritten()).  Raised a
 * step past @end, so this is one compare-and-swap per
 * MYC_RING_BOUND_STEP(capacity) bytes and otherwise only a compare against
 * our cached copy.  The CAS (or the acquire load that found the bound
 * high enough) comes before our head CAS, a full barrier, and so before
 * every data write of the claim.
 */
static void raise_bound(struct myc_ring *r, uint64_t end)
{
	uint64_t b = ld_acq(&r->ctl->bound);
	int tries;

	/* Bounded: only a producer that keeps rewriting the bound makes
	 * the CAS fail that often; then we go on (it can break its own
	 * ring anyway) and try again at the next claim (cache 0). */
	for (tries = 0; b < end && tries < 16; tries++) {
		if (__atomic_compare_exchange_n(&r->ctl->bound, &b,
						end + MYC_RING_BOUND_STEP(r->cap),
						false, __ATOMIC_SEQ_CST,
						__ATOMIC_ACQUIRE)) {
			b = end + MYC_RING_BOUND_STEP(r->cap);
			break;
		}
	}
	r->bound_cache = b >= end ? b : 0;
}

/*
 * The solo producer's raise (ring-format.md, "Solo producer"): nobody else
 * claims, so a plain store does what the CAS does, and the line's transfer
 * from the lossy consumers that read it overlaps our next stores instead of
 * stalling us like a locked instruction would (docs/PERFORMANCE.md,
 * "Session 7").  Only after the claim's check of ctl.solo: a revoker waits
 * until our claim's head store is visible, and this store comes before
 * it.  A CAS raise by a producer that then found the word not its own may
 * land before ours and be lowered by it; that producer forgets its cached
 * bound when it revokes (myc_ring_claim()), and wrote nothing meanwhile.
 */
static void raise_bound_solo(struct myc_ring *r, uint64_t end)
{
	uint64_t b = ld_rlx(&r->ctl->bound);

	if (b < end) {
		b = end + MYC_RING_BOUND_STEP(r->cap);
		st_rlx(&r->ctl->bound, b);
		/* Before the claim's stores below (x86 keeps stores in
		 * order; this keeps the compiler from moving them up). */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	}
	r->bound_cache = b;
}

int myc_ring_claim(struct myc_ring *r, size_t size, void **payload,
		   int timeout_ms)
{
	uint64_t pos, seqw, e, end, lim, since = 0;
	int64_t deadline = 0;
	unsigned int spins = 0, bp_spins = 0;
	uint32_t span, me;

	if (!r || !payload)
		return -EINVAL;
	if (r->role != MYC_RING_PRODUCER)
		return -EPERM;
	if (r->claimed)
		return -EBUSY;
	if (size > r->hdr.max_frame - MYC_FRAME_HDR_SIZE)
		return -EMSGSIZE;
	span = myc_frame_span((uint32_t)size + MYC_FRAME_HDR_SIZE);
	me = (uint32_t)r->slot + 1;
	for (;;) {
		if (ring_head_load(r, &pos, &seqw))
			continue;
		if (unlikely(seqw >> MYC_RING_OWNER_SHIFT)) {
			wait_clean(r, seqw, &since, &spins);
			continue;
		}
		e = seqw;
		end = pos + span + MYC_RING_GUARD;
		if (r->lossless) {
			lim = ld_acq(&r->ctl->limit);
			if (unlikely(end > lim)) {
				uint64_t now = ring_mono_ns();
				bool reap = now - r->last_reap > BP_CHECK_NS;

				/* Checking consumers' liveness costs syscalls:
				 * at most once per BP_CHECK_NS per handle. */
				if (reap)
					r->last_reap = now;
				lim = recompute_limit(r, end, reap);
				if (end > lim) {
					if (!timeout_ms)
						return -MYC_E_BACK_PRESSURED;
					if (!deadline)
						deadline = deadline_of(timeout_ms);
					if (!left_ns(deadline))
						return -ETIMEDOUT;
					nap(&bp_spins);
					continue;
				}
			}
		}
		/* A solo claim raises it below, after its check of ctl.solo. */
		if (!r->solo_ok && unlikely(end > r->bound_cache))
			raise_bound(r, end);
		/* Announce the claim before making it, so a death right after
		 * the CAS leaves enough to recover; the CAS orders these. */
		st_rlx(&r->prod->claim_pos, pos);
		st_rlx(&r->prod->claim_seq, e);
		st_rlx(&r->prod->claim_span, span);
		if (r->solo_ok) {
			st_rlx(&r->prod->state, MYC_RING_PS_CLAIMED);
			/* No fence: a revoker's membarrier orders the store
			 * above before the load below (solo_revoke()). */
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			if (likely(ld_rlx(&r->ctl->solo) == me)) {
				if (unlikely(end > r->bound_cache))
					raise_bound_solo(r, end);
				/* Clean first: the head is never dirty. */
				st_rlx(ring_seqword(r, pos + span), 0);
				/* One atomic store, after the zero and the
				 * slot (x86 keeps stores in order): readers'
				 * head checks see both halves or neither. */
				ring_store16(&r->ctl->head_pos, pos + span,
					     e + 1);
				goto claimed;
			}
			/* Revoked: again, with the CAS raise of the bound. */
			r->solo_ok = false;
			continue;
		}
		st_rlx(&r->prod->state, MYC_RING_PS_CLAIMING);
		if (r->solo_aware) {
			uint32_t s = ld_acq(&r->ctl->solo);

			if (unlikely(s)) {
				/* Nobody may skip the CAS while we use it.  The
				 * solo producer's raise of the bound may have
				 * lowered ours (raise_bound_solo()). */
				solo_revoke(r, s);
				r->bound_cache = 0;
				continue;
			}
		}
		if (cas16(&r->ctl->head_pos, &pos, &seqw, pos + span,
			  (e + 1) | ((uint64_t)me << MYC_RING_OWNER_SHIFT)))
			break;
	}
	st_rlx(&r->prod->state, MYC_RING_PS_CLAIMED);
	/* Clean: the next record's seq word may hold last lap's payload. */
	st_rlx(ring_seqword(r, pos + span), 0);
	/* Release: the zero (and CLAIMED) before the clean head; pairs with
	 * the next claimer's CAS and with readers' acquire of head_pos. */
	st_rel(&r->ctl->head_seq, e + 1);
claimed:
	prefetch_ahead(r, pos + span);
	r->claimed = true;
	r->claim_pos = pos;
	r->claim_seq = e;
	r->claim_len = (uint32_t)size + MYC_FRAME_HDR_SIZE;
	r->claim_span = span;
	*payload = ring_rec(r, pos) + MYC_FRAME_HDR_SIZE;
	return 0;
}

/*
 * ring_copy_in() after a pause: the payload's part in the line of the
 * record's seq word last.  That part is the @k bytes up to the end of
 * @dst's line when the seq word (record + 8) shares that line with the
 * payload (record + 32): k <= 40, a multiple of 8 (records are 8-aligned).
 */
void ring_copy_awaited(struct myc_ring *r, void *dst, const void *src,
		       size_t n)
{
	uintptr_t d = (uintptr_t)dst;
	uintptr_t seqline = (uintptr_t)ring_seqword(r, r->claim_pos) &
			    ~(uintptr_t)(CPU_LINE - 1);
	size_t k = CPU_LINE - (d & (CPU_LINE - 1)), i;

	if ((d & ~(uintptr_t)(CPU_LINE - 1)) != seqline || n <= k) {
		memcpy(dst, src, n);
		return;
	}
	memcpy((uint8_t *)dst + k, (const uint8_t *)src + k, n - k);
	/* Compiler barrier: the line's part after the rest. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < k; i += 8)
		memcpy((uint8_t *)dst + i, (const uint8_t *)src + i, 8);
}

/*
 * After an awaited commit at [pos, pos+span): raise ctl.bound now if the
 * next claim of the same size would have to.  A claim's own raise comes
 * before its head CAS and so, in x86's store order, before its commit:
 * the line's transfer from the lossy consumers that read it held back the
 * very record they waited for, one hop in every MYC_RING_BOUND_STEP bytes,
 * which on the default ring is right at the p99.9 (docs/PERFORMANCE.md,
 * "Session 15").  Raised here, after the commit, the transfer overlaps the
 * consumers' reading of that record instead.  Only after awaited
 * (demoted) commits: in a stream the consumers are behind, the claim's
 * raise holds back nothing they wait for, and the flood's commits skip
 * the check.  A CAS, not the solo store: we may have been revoked since
 * our claim, and a CAS never lowers the bound.  The bound stays within
 * head_pos + max span + GUARD + step (the head is at or past pos + span).
 * Claims still raise whatever they need themselves (a larger frame, other
 * producers' claims in between, a stream).
 */
static inline void raise_ahead(struct myc_ring *r)
{
	uint64_t end = r->claim_pos + 2 * (uint64_t)r->claim_span +
		       MYC_RING_GUARD;

	if (unlikely(end > r->bound_cache))
		raise_bound(r, end);
}

static void publish(struct myc_ring *r, uint16_t type, uint16_t flags,
		    uint32_t len, uint64_t ts)
{
	uint8_t *rec = ring_rec(r, r->claim_pos);
	uint32_t sleeping;

	/* The padding first: the header's line last (ring_copy_in()). */
	if (len < r->claim_span)
		memset(rec + len, 0, r->claim_span - len);
	hdr_store_noseq(rec, len, type, flags, ts, (uint32_t)r->slot + 1);
	/* Committed after a pause, so likely awaited: demoted (cpu.h). */
	r->awaited = demote_due(&r->last_ts, ts);
	sleeping = commit_seq(r, r->claim_pos, r->claim_seq,
			      r->awaited ? r->claim_span : 0);
	st_rel(&r->prod->state, MYC_RING_PS_IDLE);
	st_rlx(&r->prod->commits, ld_rlx(&r->prod->commits) + 1);
	r->claimed = false;
	if (unlikely(sleeping))
		wake_waiters(r);
	if (r->awaited)
		raise_ahead(r);
}

int myc_ring_commit(struct myc_ring *r, uint16_t type)
{
	uint16_t flags = type >= MYC_TYPE_SYS_MIN ? MYC_FRAME_F_SYSTEM : 0;

	if (!r || !r->claimed)
		return -EINVAL;
	if (type == MYC_TYPE_INVALID)
		return -MYC_E_FRAME_TYPE;
	publish(r, type, flags, r->claim_len,
		r->no_ts ? 0 : ring_clock_now(&r->clock));
	return 0;
}

int ring_commit_ts(struct myc_ring *r, uint16_t type, uint64_t ts)
{
	if (!r->claimed || type == MYC_TYPE_INVALID || type >= MYC_TYPE_SYS_MIN)
		return -EINVAL;
	publish(r, type, 0, r->claim_len, ts);
	return 0;
}

void myc_ring_abort(struct myc_ring *r)
{
	if (!r || !r->claimed)
		return;
	publish(r, MYC_TYPE_INVALID, MYC_FRAME_F_PAD, r->claim_span, 0);
}

int myc_ring_send(struct myc_ring *r, uint16_t type, const void *data,
		  size_t size, int timeout_ms)
{
	void *p;
	int err;

	if (!data || type == MYC_TYPE_INVALID)
		return type == MYC_TYPE_INVALID ? -MYC_E_FRAME_TYPE : -EINVAL;
	err = myc_ring_claim(r, size, &p, timeout_ms);
	if (err)
		return err;
	ring_copy_in(r, p, data, size, 0);
	return myc_ring_commit(r, type);
}

/* ------------------------------------------------------------------------ */
/* Consumer                                                                  */
/* ------------------------------------------------------------------------ */

static int broken(struct myc_ring *r)
{
	r->broken = true;
	return -MYC_E_CORRUPT;
}

static void publish_cursor(struct myc_ring *r)
{
	/* Release: we are done reading everything before cursor; pairs with
	 * a lossless producer's acquire load in recompute_limit(). */
	st_rel(&r->cons->cursor, r->cursor);
	st_rlx(&r->cons->seq, r->seq);
	st_rlx(&r->cons->delivered, r->delivered);
	r->published = r->cursor;
}

/*
 * After each record: publish the cursor only every capacity/16 bytes (and
 * always before waiting, see try_read()), so a lossless producer that polls
 * it does not pull our line away on every frame.  A stale cursor only
 * gives producers less room, never too much.
 */
static inline void advance_cursor(struct myc_ring *r, uint32_t span)
{
	r->cursor += span;
	r->seq++;
	if (r->cursor - r->published >= r->cap / 16)
		publish_cursor(r);
}

/* Largest legitimate distance of ctl.bound past head_pos (see the uapi
 * header): a claim's span and guard, plus the step. */
static uint64_t bound_slack(struct myc_ring *r)
{
	return myc_frame_span(r->hdr.max_frame) + MYC_RING_GUARD +
	       MYC_RING_BOUND_STEP(r->cap);
}

/* Lapped: skip to the claim point; everything in between is lost. */
static int resync(struct myc_ring *r)
{
	uint64_t pos, seqw, s, b;

	/* Bound before head: it was raised before the head CAS that moved
	 * the head we read next, so b <= pos + slack unless a producer broke
	 * it; and never below our cursor (it covers every committed record).
	 * A bound outside that could make us resync forever. */
	b = ld_acq(&r->ctl->bound);
	if (ring_head_load(r, &pos, &seqw))
		return -EAGAIN;
	s = seqw & MYC_RING_SEQ_MASK;
	if (pos < r->cursor || (pos - r->cursor) % 8 || s < r->seq ||
	    s - r->seq > (pos - r->cursor) / 8 || b < r->cursor ||
	    b > pos + bound_slack(r))
		return broken(r);
	r->lost += s - r->seq;
	st_rlx(&r->cons->lost, r->lost);
	st_rlx(&r->cons->overruns, ld_rlx(&r->cons->overruns) + 1);
	r->cursor = pos;
	r->seq = s;
	r->head_cache = pos;
	r->need_head = true;
	publish_cursor(r);
	return 0;
}

static bool lapped(struct myc_ring *r, uint64_t head)
{
	return head + MYC_RING_GUARD - r->cursor > r->cap;
}

/*
 * After reading (seqlock style): may the record at the cursor have been
 * overwritten?  Asks the write bound, not head_pos: the bound's line
 * changes once per MYC_RING_BOUND_STEP, so it stays in our cache, where
 * head_pos would move its line here on every message and back to the
 * producer for its next claim.  Conservative: it may report a lap up to
 * a step early (the record is then counted lost, exactly).
 */
static bool overwritten(struct myc_ring *r)
{
	uint64_t b;

	/* Orders our reads of the record before the bound load; pairs with
	 * the producer's raise of the bound, which comes before its head CAS
	 * (full barrier) and so before its writes (raise_bound()). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	b = ld_rlx(&r->ctl->bound);
	/* bound < cursor only if a producer broke it: resync() says so. */
	if (b - r->cursor <= r->cap)
		return false;
	/* Make the next try_read() resync at once (lapped(head_cache)),
	 * instead of judging the overwritten seq word at the cursor. */
	if (r->head_cache < r->cursor + r->cap)
		r->head_cache = r->cursor + r->cap;
	return true;
}

/*
 * One step of reading.  Returns the payload size with *hdr and *payload
 * filled (record stays at the cursor until release), RD_EMPTY / RD_PENDING
 * as negative, or an error.
 */
static int try_read(struct myc_ring *r, struct myc_frame_hdr *hdr,
		    const void **payload)
{
	struct myc_frame_hdr h;
	uint64_t w, head;
	uint8_t *rec;
	uint32_t span;
	int err;

	for (;;) {
		/*
		 * The seq word at the cursor can be trusted without looking at
		 * the head when we got here by consuming the record before it:
		 * the producer of that record zeroed this word before
		 * committing it, and we acquired that commit.  After attach or
		 * a resync the cursor came from the head instead, so the first
		 * record waits until head_pos has moved past it.
		 */
		if (unlikely(r->need_head) && r->cursor >= r->head_cache) {
			head = ld_acq(&r->ctl->head_pos);
			if (head % 8 || head < r->cursor)
				return broken(r);
			if (head == r->cursor)
				return -RD_EMPTY;
			r->head_cache = head;
		}
		if (!r->lossless && lapped(r, r->head_cache)) {
			err = resync(r);
			if (err)
				return err;
			continue;
		}
		rec = ring_rec(r, r->cursor);
		/* Pairs with the producer's release store of the seq word. */
		w = le64toh(ld_acq(ring_seqword(r, r->cursor)));
		if (w < r->seq) {
			/* About to wait: let lossless producers have the room. */
			if (r->published != r->cursor)
				publish_cursor(r);
			/* Lossy: fetch the bound's line again while we wait, in
			 * case a producer's raise took it away; the check after
			 * the next record then finds it here. */
			if (!r->lossless)
				__builtin_prefetch(&r->ctl->bound, 0, 3);
			return r->need_head || r->head_cache > r->cursor ?
				-RD_PENDING : -RD_EMPTY;
		}
		if (w > r->seq) {
			if (overwritten(r)) {
				err = resync(r);
				if (err)
					return err;
				continue;
			}
			return broken(r);
		}
		myc_frame_hdr_load(&h, rec);
		/* Lossy: the header may have been overwritten after we saw
		 * the seq word; judge it only once we know it was not. */
		if (!r->lossless && overwritten(r)) {
			err = resync(r);
			if (err)
				return err;
			continue;
		}
		if (myc_frame_check(&h) || h.len > r->hdr.max_frame ||
		    h.seq != r->seq)
			return broken(r);
		/* span <= max_frame keeps every access inside the mirror. */
		span = myc_frame_span(h.len);
		if (r->head_cache < r->cursor + span)
			r->head_cache = r->cursor + span; /* claimed, known */
		r->need_head = false;
		if (h.flags & MYC_FRAME_F_PAD) {
			advance_cursor(r, span);
			continue;
		}
		r->peek_span = span;
		*hdr = h;
		*payload = rec + MYC_FRAME_HDR_SIZE;
		return (int)(h.len - MYC_FRAME_HDR_SIZE);
	}
}

/*
 * Sleep until a producer commits (or @ns passes).  Userspace mode counts
 * itself in ctl.waiters here (sleep_begin) before the re-check; in kernel
 * mode the consumer cannot write the control page and MYC_IOC_WAIT
 * announces it, then re-checks for data at our published cursor itself
 * (try_read() publishes it before reporting nothing).  Either way the
 * futex value is read before the re-check, so a commit after the re-check
 * changes it and the wait returns at once.
 */
static void sleep_for_data(struct myc_ring *r, int64_t ns,
			   struct myc_frame_hdr *hdr, const void **payload,
			   int *ret)
{
	uint32_t v;

	if (r->ops->sleep_begin)
		r->ops->sleep_begin(r);
	v = ld_acq(&r->ctl->futex);
	*ret = try_read(r, hdr, payload);
	if (*ret == -RD_EMPTY || *ret == -RD_PENDING)
		r->ops->wait(r, v, ns);
	if (r->ops->sleep_end)
		r->ops->sleep_end(r);
}

/*
 * Slow-path check while there is nothing to read (every 64 polls, and
 * before sleeping).  The hot path does not read the head; here we do, to
 * tell "nothing claimed" from "claimed, not committed", and start the
 * dead-producer check when a claim stays uncommitted for STUCK_CHECK_NS,
 * also across calls made with timeout 0.  Returns -RD_EMPTY, -RD_PENDING or
 * -MYC_E_CORRUPT.
 */
static int idle_check(struct myc_ring *r, uint64_t now)
{
	uint64_t head = ld_acq(&r->ctl->head_pos);

	if (head % 8 || head < r->cursor)
		return broken(r);
	if (head > r->head_cache)
		r->head_cache = head;
	if (r->head_cache <= r->cursor) {
		r->stuck_ns = 0;
		return -RD_EMPTY;
	}
	if (!r->stuck_ns) {
		r->stuck_ns = now;
	} else if (now - r->stuck_ns > STUCK_CHECK_NS) {
		ring_recover_producers(r);
		r->stuck_ns = now;
	}
	return -RD_PENDING;
}

static int got(struct myc_ring *r, int ret, const struct myc_frame_hdr *h)
{
	/* Taking frames without sleeping: let producers skip the fence. */
	if (unlikely(r->sleeper) && ++r->awake >= SLEEPER_AWAKE_FRAMES)
		ring_sleeper_leave(r);
	stream_pace_msg(&r->pace, h->ts_ns, STREAM_GAP_NS);
	r->peeked = true;
	r->stuck_ns = 0;
	return ret;
}

int myc_ring_peek(struct myc_ring *r, struct myc_frame_hdr *hdr,
		  const void **payload, int timeout_ms)
{
	uint64_t start = 0, now, last_check = 0;
	int64_t deadline = 0, ns;
	unsigned int spins = 0;
	int ret;

	if (!r || !hdr || !payload)
		return -EINVAL;
	if (r->role != MYC_RING_CONSUMER)
		return -EPERM;
	if (r->broken)
		return -MYC_E_CORRUPT;
	if (r->peeked)
		return -EBUSY;
	for (;;) {
		ret = try_read(r, hdr, payload);
		if (ret >= 0)
			return got(r, ret, hdr);
		if (ret != -RD_EMPTY && ret != -RD_PENDING)
			return ret;
		if (!timeout_ms) {
			if (!(++r->idle_polls & 63)) {
				ret = idle_check(r, ring_mono_ns());
				if (ret == -MYC_E_CORRUPT)
					return ret;
			}
			return -EAGAIN;
		}
		if (!start) {
			start = ring_mono_ns();
			deadline = deadline_of(timeout_ms);
		}
		/* spin_ns 0: go to sleep at once */
		if (r->spin_ns && (++spins & 63) && spins < (1u << 30)) {
			stream_pace_poll(&r->pace, r->pace.gap < RING_FLOOD_GAP_NS ?
					 RING_FLOOD_BACKOFF :
					 RING_STREAM_BACKOFF);
			continue;
		}
		now = ring_mono_ns();
		ns = left_ns(deadline);
		/* Look at the head (a line producers write on every claim)
		 * only every IDLE_CHECK_NS while spinning, so a spinning
		 * consumer does not pull it away from them. */
		if (now - last_check >= IDLE_CHECK_NS || !ns ||
		    now - start >= r->spin_ns) {
			last_check = now;
			ret = idle_check(r, now);
			if (ret == -MYC_E_CORRUPT)
				return ret;
		}
		if (!ns)
			return -ETIMEDOUT;
		if (now - start < r->spin_ns)
			continue;
		if (ret == -RD_PENDING && (ns < 0 || ns > (int64_t)STUCK_CHECK_NS))
			ns = STUCK_CHECK_NS;
		sleep_for_data(r, ns, hdr, payload, &ret);
		if (ret >= 0)
			return got(r, ret, hdr);
		if (ret != -RD_EMPTY && ret != -RD_PENDING)
			return ret;
	}
}

int myc_ring_release(struct myc_ring *r)
{
	if (!r || !r->peeked)
		return -EINVAL;
	r->peeked = false;
	if (!r->lossless && overwritten(r))
		return -MYC_E_LAPPED;	/* next read resyncs and counts it */
	r->delivered++;
	advance_cursor(r, r->peek_span);
	return 0;
}

int myc_ring_recv(struct myc_ring *r, struct myc_frame_hdr *hdr, void *buf,
		  size_t buflen, int timeout_ms)
{
	struct myc_frame_hdr h;
	const void *p;
	int n, err;

	if (!buf && buflen)
		return -EINVAL;
	for (;;) {
		n = myc_ring_peek(r, &h, &p, timeout_ms);
		if (n < 0)
			return n;
		if ((size_t)n > buflen) {
			r->peeked = false;	/* not consumed */
			return -EMSGSIZE;
		}
		memcpy(buf, p, (size_t)n);
		err = myc_ring_release(r);
		if (!err)
			break;
		if (err != -MYC_E_LAPPED)
			return err;
	}
	if (hdr)
		*hdr = h;
	return n;
}
