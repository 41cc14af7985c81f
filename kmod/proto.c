// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ring protocol of docs/ring-format.md, kernel side: the kernel joins a
 * ring as one more producer (write() of a frame), finishes the claim of a
 * producer whose fd was released, starts consumers at the head and tells
 * whether a consumer has a record ready (poll, WAIT).
 *
 * Everything in the ring's pages is shared with userspace and therefore
 * untrusted: positions are masked into the data area before use, spans are
 * bounded by max_frame, and a value that breaks the protocol makes the
 * kernel give up on that one operation (never loop, never write outside
 * the ring).
 */
#include <linux/sched.h>
#include <linux/jiffies.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>

#include "internal.h"
#include "trace.h"

#define MYC_OWNER(seq)		((u32)((seq) >> MYC_RING_OWNER_SHIFT))
/* How long a kernel writer waits for another producer's dirty head. */
#define MYC_DIRTY_WAIT		msecs_to_jiffies(10)

static inline u64 myc_mask(const struct myc_ring *ring)
{
	return ring->capacity - 1;
}

/* The record (frame header) at byte position pos; contiguous thanks to the
 * mirror for up to capacity bytes.
 */
static inline struct myc_kframe *myc_rec(struct myc_ring *ring, u64 pos)
{
	return myc_ring_at(ring, ring->off_data + (pos & myc_mask(ring)));
}

/* 16-byte compare-and-swap of {head_pos, head_seq} (cmpxchg16b; the pair is
 * 16-byte aligned at the start of the control page).
 */
static bool myc_head_cas(struct myc_ring_ctl *ctl, u64 opos, u64 oseq, u64 npos, u64 nseq)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	u128 old = (u128)oseq << 64 | opos;

	return try_cmpxchg128((u128 *)&ctl->head_pos, &old, (u128)nseq << 64 | npos);
#else
	return cmpxchg_double(&ctl->head_pos, &ctl->head_seq, opos, oseq, npos, nseq);
#endif
}

/* A consistent snapshot of the head pair: a CAS that writes back what it
 * read succeeds only if both halves were read from the same state.
 */
void myc_head_load(struct myc_ring *ring, u64 *pos, u64 *seq)
{
	struct myc_ring_ctl *ctl = ring->ctl;
	int tries = 1000;

	do {
		*pos = READ_ONCE(ctl->head_pos);
		*seq = READ_ONCE(ctl->head_seq);
	} while (!myc_head_cas(ctl, *pos, *seq, *pos, *seq) && --tries);
}

/*
 * Sleepers announce themselves in the kernel's count and in ctl.waiters,
 * which producers read after their commit (Dekker, docs/ring-format.md
 * "Waiting").  A wake-up takes every announcement back at once (and bumps
 * wake_gen), so until a woken sleeper sleeps again producers see no waiter
 * and make no syscall: at most one wake per sleep, not one per message.
 * All under ring->lock; callers re-check for data after announcing.
 */
void myc_waiter_add(struct myc_ring *ring, int n)
{
	lockdep_assert_held(&ring->lock);
	atomic_add(n, &ring->nr_waiters);
	atomic_add(n, (atomic_t *)&ring->ctl->waiters);
	/* Announce before re-checking; pairs with myc_ring_notify()'s smp_mb(). */
	smp_mb__after_atomic();
}

/* Announce one WAIT sleeper; returns the wake generation it counts in. */
u64 myc_announce(struct myc_ring *ring)
{
	u64 gen;

	spin_lock(&ring->lock);
	myc_waiter_add(ring, 1);
	gen = ring->wake_gen;
	spin_unlock(&ring->lock);
	return gen;
}

/* Withdraw a WAIT sleeper, unless a wake-up already took its count. */
void myc_withdraw(struct myc_ring *ring, u64 gen)
{
	spin_lock(&ring->lock);
	if (ring->wake_gen == gen)
		myc_waiter_add(ring, -1);
	spin_unlock(&ring->lock);
}

/* Wake every sleeper (WAIT and poll) and take their announcements back.
 * Returns how many were announced.
 */
int myc_wake_all(struct myc_ring *ring)
{
	struct myc_rfile *rf;
	int n;

	spin_lock(&ring->lock);
	n = atomic_read(&ring->nr_waiters);
	if (n > 0) {
		myc_waiter_add(ring, -n);
		ring->wake_gen++;
		list_for_each_entry(rf, &ring->cons_files, node)
			rf->armed = false;
	}
	spin_unlock(&ring->lock);
	if (n <= 0)
		return 0;
	atomic64_inc(&ring->st_wakeups);
	trace_myc_wake(ring->name, n);
	wake_up_all(&ring->wq);
	return n;
}

/* Does consumer page slot have a record ready (or was it lapped)? */
bool myc_cons_readable(struct myc_ring *ring, u32 slot)
{
	struct myc_ring_cons *c = myc_ring_cons(ring, slot);
	u64 cursor = READ_ONCE(c->cursor);
	u64 want = READ_ONCE(c->seq);
	u64 head, seq;

	/* Pairs with the producer's head CAS (a full barrier). */
	head = smp_load_acquire(&ring->ctl->head_pos);
	if (head == cursor)
		return false;
	/* Behind by more than the ring (lapped), or a cursor past the head
	 * (its own corruption): either way the consumer must look.
	 */
	if (head - cursor + MYC_RING_GUARD > ring->capacity)
		return true;
	/* Pairs with the producer's store-release of the commit word. */
	seq = le64_to_cpu(smp_load_acquire(&myc_rec(ring, cursor)->seq));
	return seq >= want;
}

void myc_cons_attach(struct myc_ring *ring, u32 slot)
{
	struct myc_ring_cons *c = myc_ring_cons(ring, slot);
	u64 pos, seq, lim, old;

	memset(c, 0, sizeof(*c));
	/* A consumer joining starts at the current head, so it is never
	 * behind a lossless producer's cached limit.
	 */
	myc_head_load(ring, &pos, &seq);
	c->cursor = pos;
	c->seq = seq & MYC_RING_SEQ_MASK;
	c->pid = task_tgid_nr(current);
	/* Pairs with the acquire load of state by anyone scanning pages. */
	smp_store_release(&c->state, MYC_RING_CS_ACTIVE);
	WRITE_ONCE(ring->ctl->cons_gen, ring->ctl->cons_gen + 1);
	/* Lossless producers that scan from now on see us; one that
	 * scanned before may have cached a limit past our reach: lower it
	 * (never raise it) as libmyc's attach does.  The barrier orders
	 * ACTIVE before the limit update (pairs with the producers' scan).
	 */
	smp_mb();
	lim = READ_ONCE(ring->ctl->limit);
	while (lim > pos + ring->capacity) {
		old = cmpxchg(&ring->ctl->limit, lim, pos + ring->capacity);
		if (old == lim)
			break;
		lim = old;
	}
}

void myc_cons_detach(struct myc_ring *ring, u32 slot)
{
	struct myc_ring_cons *c = myc_ring_cons(ring, slot);

	/* The consumer's last cursor store is before FREE; pairs with the
	 * acquire of state by a scanner (myc stat, lossless producers).
	 */
	smp_store_release(&c->state, MYC_RING_CS_FREE);
	WRITE_ONCE(ring->ctl->cons_gen, ring->ctl->cons_gen + 1);
}

void myc_prod_attach(struct myc_ring *ring, u32 slot)
{
	struct myc_ring_prod *p = myc_ring_prod(ring, slot);

	memset(p, 0, sizeof(*p));
	p->pid = task_tgid_nr(current);
	/* Zeroed slot visible before IDLE; pairs with readers' acquire. */
	smp_store_release(&p->state, MYC_RING_PS_IDLE);
}

/* Fill [pos, pos + span) with a padding frame and commit it as seq. */
static void myc_commit_pad(struct myc_ring *ring, u64 pos, u32 span, u64 seq, u32 src)
{
	struct myc_kframe *f = myc_rec(ring, pos);

	f->len = cpu_to_le32(span);
	f->type = 0;
	f->flags = cpu_to_le16(MYC_KFRAME_F_PAD);
	f->ts_ns = cpu_to_le64(ktime_get_real_ns());
	f->src = cpu_to_le32(src);
	f->resv = 0;
	memset(f + 1, 0, span - sizeof(*f));
	/* Commit: pairs with the reader's acquire load of the seq word. */
	smp_store_release(&f->seq, cpu_to_le64(seq));
}

/* Clean a head left dirty by owner: zero the next record's seq word, then
 * clear the owner bits (steps 4 and 5 of the claim).
 */
static bool myc_clean_head(struct myc_ring *ring, u32 owner)
{
	struct myc_ring_ctl *ctl = ring->ctl;
	u64 pos, seq;

	myc_head_load(ring, &pos, &seq);
	if (MYC_OWNER(seq) != owner)
		return false;
	WRITE_ONCE(myc_rec(ring, pos)->seq, 0);
	/* The CAS is a full barrier: the zero is visible before the clean
	 * head (pairs with the reader's acquire load of head_pos).
	 */
	myc_head_cas(ctl, pos, seq, pos, seq & MYC_RING_SEQ_MASK);
	return true;
}

/*
 * A producer fd was released: finish whatever its slot left (docs/ring-
 * format.md "Producer death") and free the slot.  Returns true if a claim
 * had to be turned into padding.
 */
bool myc_prod_recover(struct myc_ring *ring, u32 slot)
{
	struct myc_ring_prod *p = myc_ring_prod(ring, slot);
	/* Pairs with the release of CLAIMING after the claim fields. */
	u32 state = smp_load_acquire(&p->state);
	u64 cpos = READ_ONCE(p->claim_pos);
	u64 cseq = READ_ONCE(p->claim_seq);
	u32 span = READ_ONCE(p->claim_span);
	bool padded = false;
	u64 head, seq;

	/* Won the head CAS but did not clean it: do it, then the claim
	 * counts as CLAIMED.
	 */
	if (myc_clean_head(ring, slot + 1))
		state = MYC_RING_PS_CLAIMED;

	if (state == MYC_RING_PS_CLAIMED) {
		/* Pairs with the head CAS; then the commit word's release. */
		head = smp_load_acquire(&ring->ctl->head_pos);
		/* Pairs with the commit's store-release of seq. */
		seq = le64_to_cpu(smp_load_acquire(&myc_rec(ring, cpos)->seq));
		/* Only a sane claim that is still in the ring and not yet
		 * committed (nor overwritten by a later lap) is padded.
		 */
		if (span >= MYC_KFRAME_HDR && span % MYC_KFRAME_ALIGN == 0 &&
		    span <= round_up(ring->max_frame, MYC_KFRAME_ALIGN) && cpos % 8 == 0 &&
		    cpos + span <= head && head - cpos <= ring->capacity &&
		    seq < cseq && cseq <= MYC_RING_SEQ_MASK) {
			myc_commit_pad(ring, cpos, span, cseq, slot + 1);
			WRITE_ONCE(ring->ctl->recovered, ring->ctl->recovered + 1);
			padded = true;
		}
	}
	/* The padding is committed before the slot reads FREE. */
	smp_store_release(&p->state, MYC_RING_PS_FREE);
	return padded;
}

/* Wake everyone sleeping on the ring if someone announced itself (step 8
 * of the claim, kernel side).  The full barrier orders the commit before
 * the read of the waiter count; pairs with myc_waiter_add().
 */
void myc_ring_notify(struct myc_ring *ring)
{
	/* Commit before reading waiters; pairs with myc_waiter_add(). */
	smp_mb();
	if (!READ_ONCE(ring->ctl->waiters) && !atomic_read(&ring->nr_waiters))
		return;
	atomic_inc((atomic_t *)&ring->ctl->futex);
	WRITE_ONCE(ring->ctl->wakeups, ring->ctl->wakeups + 1);
	myc_wake_all(ring);
}

/* Lossless room: the slowest active consumer's cursor + capacity. */
static u64 myc_limit(struct myc_ring *ring, u64 head)
{
	u64 lim = head + ring->capacity, c;
	u32 j;

	spin_lock(&ring->lock);
	for_each_set_bit(j, ring->cons_used, ring->max_consumers) {
		/* Pairs with the consumer's release store of its cursor. */
		c = smp_load_acquire(&myc_ring_cons(ring, j)->cursor);
		/* A cursor past the head is bogus: it cannot hold us back. */
		if (c <= head && c + ring->capacity < lim)
			lim = c + ring->capacity;
	}
	spin_unlock(&ring->lock);
	return lim;
}

/* Consumers this claim laps (lossy rings): trace each once per lap. */
static void myc_note_laps(struct myc_ring *ring, u64 end)
{
	struct myc_rfile *rf;
	u64 c;

	spin_lock(&ring->lock);
	list_for_each_entry(rf, &ring->cons_files, node) {
		c = READ_ONCE(myc_ring_cons(ring, rf->slot)->cursor);
		if (c <= end && end - c > ring->capacity) {
			if (!rf->lapped) {
				rf->lapped = true;
				atomic64_inc(&ring->st_overruns);
				trace_myc_overrun(ring->name, rf->slot, c, end);
			}
		} else {
			rf->lapped = false;
		}
	}
	spin_unlock(&ring->lock);
}

/*
 * Make ctl.bound cover a claim ending (guard included) at end, a step
 * past it, before the head CAS that makes the claim (so before any write
 * of it): lossy readers check for laps against the bound (section A of the
 * uapi header).  Never lowers it.
 */
static void myc_raise_bound(struct myc_ring *ring, u64 end)
{
	u64 b = READ_ONCE(ring->ctl->bound), old;
	int tries = 16;	/* only a producer rewriting it beats us that often */

	while (b < end && tries--) {
		/* Full barrier: the bound before the head CAS and our writes. */
		old = cmpxchg(&ring->ctl->bound, b,
			      end + MYC_RING_BOUND_STEP(ring->capacity));
		if (old == b)
			break;
		b = old;
	}
}

/* Claim [pos, pos + span) for producer slot k (steps 1-5).  Returns the
 * position and seq through the pointers, or a negative errno.
 */
static int myc_claim(struct myc_ring *ring, u32 k, u32 span, u64 *pos_out, u64 *seq_out)
{
	struct myc_ring_ctl *ctl = ring->ctl;
	struct myc_ring_prod *p = myc_ring_prod(ring, k);
	unsigned long deadline = jiffies + MYC_DIRTY_WAIT;
	u64 pos, seq, next, lim;

	for (;;) {
		pos = READ_ONCE(ctl->head_pos);
		seq = READ_ONCE(ctl->head_seq);
		if (MYC_OWNER(seq)) {
			/* Another producer is between its steps 2 and 5. */
			if (time_after(jiffies, deadline))
				return -EAGAIN;
			if (signal_pending(current))
				return -EINTR;
			cond_resched();
			continue;
		}
		if (pos % MYC_KFRAME_ALIGN || (seq & MYC_RING_SEQ_MASK) == MYC_RING_SEQ_MASK)
			return -EIO;	/* a producer broke the ring */
		lim = READ_ONCE(ctl->limit);
		if (ring->lossless && pos + span + MYC_RING_GUARD > lim) {
			/* Replace only the value the scan started from: a
			 * consumer that joined meanwhile may have lowered it.
			 */
			cmpxchg(&ctl->limit, lim, myc_limit(ring, pos));
			if (pos + span + MYC_RING_GUARD > READ_ONCE(ctl->limit))
				return -EAGAIN;	/* back-pressure */
		}
		myc_raise_bound(ring, pos + span + MYC_RING_GUARD);
		WRITE_ONCE(p->claim_pos, pos);
		WRITE_ONCE(p->claim_seq, seq);
		WRITE_ONCE(p->claim_span, span);
		/* Claim fields before the state, state before the CAS (which
		 * is a full barrier): a recoverer sees a complete claim.
		 */
		smp_store_release(&p->state, MYC_RING_PS_CLAIMING);
		next = (seq + 1) | (u64)(k + 1) << MYC_RING_OWNER_SHIFT;
		if (myc_head_cas(ctl, pos, seq, pos + span, next))
			break;
	}
	WRITE_ONCE(p->state, MYC_RING_PS_CLAIMED);
	if (!ring->lossless)
		myc_note_laps(ring, pos + span + MYC_RING_GUARD);
	/* Step 4: the next record's seq word may hold last lap's payload. */
	WRITE_ONCE(myc_rec(ring, pos + span)->seq, 0);
	/* Step 5; the CAS orders the zero before the clean head. */
	myc_head_cas(ctl, pos + span, next, pos + span, seq + 1);
	*pos_out = pos;
	*seq_out = seq;
	return 0;
}

/* Check a frame header like myc_frame_decode() (docs/frame-format.md). */
static int myc_frame_check(const struct myc_kframe *f, u32 max_frame)
{
	u32 len = le32_to_cpu(f->len);
	u16 type = le16_to_cpu(f->type), flags = le16_to_cpu(f->flags);

	if (len < MYC_KFRAME_HDR)
		return -EINVAL;
	if (len > MYC_KFRAME_MAX || len > max_frame)
		return -EMSGSIZE;
	if (flags & ~MYC_KFRAME_F_KNOWN)
		return -EINVAL;
	/* Padding frames are the ring's own business. */
	if (flags & MYC_KFRAME_F_PAD || type == 0)
		return -EINVAL;
	if ((type >= MYC_KTYPE_SYS_MIN) != !!(flags & MYC_KFRAME_F_SYSTEM))
		return -EINVAL;
	if (f->resv)
		return -EINVAL;
	return 0;
}

/*
 * write() of one frame on a producer fd: validate, claim, copy the payload
 * once from the caller straight into the ring, commit, wake.  count is the
 * frame's len, or its span (len rounded up to 8) with zero padding.  A
 * frame whose payload cannot be copied (or whose padding is not zero)
 * still ends as a committed padding frame, so the ring never wedges.
 */
ssize_t myc_ring_write(struct myc_rfile *rf, const char __user *buf, size_t count)
{
	struct myc_ring *ring = rf->ring;
	struct myc_ring_prod *p = myc_ring_prod(ring, rf->slot);
	struct myc_kframe h, *f;
	u64 pos, seq;
	u32 len, span;
	int err;

	if (count < sizeof(h))
		return -EINVAL;
	if (copy_from_user(&h, buf, sizeof(h)))
		return -EFAULT;
	err = myc_frame_check(&h, ring->max_frame);
	if (err)
		return err;
	len = le32_to_cpu(h.len);
	span = round_up(len, MYC_KFRAME_ALIGN);
	if (count != len && count != span)
		return -EINVAL;

	if (mutex_lock_interruptible(&ring->write_lock))
		return -EINTR;
	err = myc_claim(ring, rf->slot, span, &pos, &seq);
	if (err)
		goto out;
	seq &= MYC_RING_SEQ_MASK;
	f = myc_rec(ring, pos);
	if (copy_from_user(f + 1, buf + sizeof(h), count - sizeof(h))) {
		err = -EFAULT;
	} else {
		memset((char *)f + count, 0, span - count);
		if (!myc_all_zero((char *)f + len, span - len))
			err = -EINVAL;
	}
	if (err) {
		myc_commit_pad(ring, pos, span, seq, rf->slot + 1);
	} else {
		f->len = h.len;
		f->type = h.type;
		f->flags = h.flags;
		f->ts_ns = h.ts_ns ? h.ts_ns : cpu_to_le64(ktime_get_real_ns());
		f->src = cpu_to_le32(rf->slot + 1);
		f->resv = 0;
		/* Commit (step 7): pairs with the reader's acquire load. */
		smp_store_release(&f->seq, cpu_to_le64(seq));
		WRITE_ONCE(p->commits, p->commits + 1);
		atomic64_inc(&ring->st_writes);
	}
	WRITE_ONCE(p->state, MYC_RING_PS_IDLE);
	myc_ring_notify(ring);
out:
	mutex_unlock(&ring->write_lock);
	return err ? err : count;
}
