/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note OR MIT */
/*
 * mycelium.h - the Mycelium uapi: ring layout shared by the kernel module
 * and libmyc (kernel and pure userspace mode alike), and the /dev/mycelium
 * ioctls.  Fixed-width __u* types only, explicit padding, pointers as __u64,
 * reserved fields must be zero.  Userspace never hard-codes a field
 * position: it reads the offsets published in struct myc_ring_hdr.
 */
#ifndef _UAPI_LINUX_MYCELIUM_H
#define _UAPI_LINUX_MYCELIUM_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* ======================================================================== */
/* Section A: ring layout (docs/ring-format.md)                              */
/* ======================================================================== */

/*
 * A ring is one shared object: a read-mostly header page, a control page
 * that only producers write, one slot line per producer, one page per
 * consumer (the only thing a consumer may write), and the data area.  In
 * userspace mode it is a file under /dev/shm; in kernel mode the module
 * owns the pages and presents the same layout through mmap of a ring fd.
 * Every area's offset is published in struct myc_ring_hdr; readers take
 * nothing for granted and validate every field (docs/ring-format.md).
 *
 *   offset                 area              written by
 *   0                      myc_ring_hdr      creator, once (then read-only)
 *   hdr.off_ctl            myc_ring_ctl      producers (and kernel)
 *   hdr.off_prod           myc_ring_prod[]   each producer its own slot
 *   hdr.off_cons           myc_ring_cons[]   each consumer its own page
 *   hdr.off_data           data, capacity B  producers
 *   hdr.off_data + cap     data again        (second mapping of the same
 *                                            pages, not in the file)
 *
 *   +-------------+-------------+---------------+---------+---------+--
 *   | hdr (page)  | ctl (page)  | prod slots    | cons 0  | cons 1  | ..
 *   +-------------+-------------+---------------+---------+---------+--
 *   --+--------------------------------+--------------------------------+
 *     | data [0, cap)                  | data [0, cap) again (mirror)   |
 *   --+--------------------------------+--------------------------------+
 *
 * Records in the data area are frames (docs/frame-format.md), 8-byte
 * aligned, at monotonically increasing byte positions: a record at
 * position pos lives at off_data + (pos & (capacity - 1)) and, thanks to
 * the mirror, is always contiguous.  The frame's seq field is the commit
 * word: a producer fills the frame, then stores seq with release; a reader
 * expecting seq E trusts the record only when it reads exactly E.
 */

#define MYC_RING_MAGIC		0x31474e495243594dULL	/* "MYCRING1" LE */
#define MYC_RING_VERSION	4u	/* 2: ctl.bound (line 4); 3: ctl.solo
					 * (line 0); 4: sleepers in ctl.waiters */
#define MYC_RING_LINE		128u	/* hot-field stride: two cache lines
					 * so adjacent-line prefetch does not
					 * couple them */
#define MYC_RING_MAX_PRODUCERS	255u	/* owner id must fit in 8 bits */
#define MYC_RING_MAX_CONSUMERS	1024u
#define MYC_RING_CAP_MIN	4096u	/* smallest data area */
#define MYC_RING_CAP_MAX	(1ULL << 32)	/* largest data area */
#define MYC_RING_GUARD		32u	/* bytes past a claim a producer
					 * may touch (the next record's seq
					 * word); part of every room check */
#define MYC_RING_DIGEST_LEN	32u
#define MYC_RING_NAME_MAX	64u	/* including the NUL */

/* myc_ring_hdr.flags */
#define MYC_RING_HF_LOSSLESS	0x1u	/* producers respect consumers */
#define MYC_RING_HF_KERNEL	0x2u	/* kernel-owned (kernel mode) */
#define MYC_RING_HF_KNOWN	0x3u

/*
 * The header page.  Written once by the creator, which stores magic last
 * (release); an opener that sees the magic sees the rest.  Read-only after
 * that; readers still check every field against the size of the object.
 */
struct myc_ring_hdr {
	__u64 magic;		/* MYC_RING_MAGIC, stored last */
	__u32 version;		/* MYC_RING_VERSION */
	__u32 hdr_size;		/* sizeof(struct myc_ring_hdr) */
	__u32 page_size;	/* stride of consumer pages, alignment of areas */
	__u32 flags;		/* MYC_RING_HF_* */
	__u64 capacity;		/* data bytes: power of two, multiple of page */
	__u32 max_frame;	/* largest frame len (header + payload);
				 * span <= capacity / 2 */
	__u32 max_producers;	/* producer slots */
	__u32 max_consumers;	/* consumer pages */
	__u32 prod_stride;	/* bytes per producer slot (>= MYC_RING_LINE) */
	__u64 off_ctl;		/* struct myc_ring_ctl (page aligned) */
	__u64 off_prod;		/* producer slot 0 */
	__u64 off_cons;		/* consumer page 0 (page aligned) */
	__u64 off_data;		/* data area (page aligned) */
	__u64 file_size;	/* bytes backing the ring (= off_data + cap) */
	__u64 map_size;		/* bytes of address space: file_size + cap */
	__u64 lock_base;	/* userspace mode: OFD lock byte offsets, see
				 * MYC_RING_LOCK_* (0 in kernel mode) */
	__u64 create_ns;	/* CLOCK_REALTIME at creation */
	__u32 creator_uid;
	__u32 resv0;		/* must be zero */
	__u8  digest[MYC_RING_DIGEST_LEN];	/* schema digest (SHA-256) */
	char  name[MYC_RING_NAME_MAX];	/* ring name, NUL terminated */
	__u64 resv[8];		/* must be zero */
};

/*
 * Userspace-mode liveness: open file description (OFD) locks on single
 * bytes at hdr.lock_base + these offsets (past the end of the file; the
 * bytes need not exist).  The kernel drops an OFD lock when the last fd of
 * its open file description closes, so a process killed with SIGKILL
 * releases them: no PID to reuse, nothing a dead process can keep.
 *   USERS     read lock by every open handle; the last closer gets the
 *             write lock and unlinks the ring, as does "myc gc"
 *   PROD(k)   write lock while producer slot k is owned
 *   CONS(j)   write lock while consumer page j is owned
 */
#define MYC_RING_LOCK_USERS	0u
#define MYC_RING_LOCK_PROD(k)	(1u + (k))
#define MYC_RING_LOCK_CONS(j)	(1u + MYC_RING_MAX_PRODUCERS + (j))

/*
 * The control page (hdr.off_ctl), written by producers (and, in kernel
 * mode, by the kernel on behalf of consumers: the futex waiter count).
 * Each group sits on its own MYC_RING_LINE.
 *
 * head is the claim point, a 16-byte pair changed only by a 16-byte
 * compare-and-swap:
 *   head_pos  byte position where the next claim starts
 *   head_seq  bits 0..55: seq the next claim gets (seqs start at 1)
 *             bits 56..63: owner = producer slot + 1 whose claim still has
 *             to "clean" the next record's seq word, 0 when clean
 * A producer claims [pos, pos + span) only from a clean head, moving it to
 * {pos + span, seq + 1 | owner}; it then zeroes the seq word at
 * pos + span (MYC_RING_GUARD) and stores the owner bits back to 0 (only
 * the owner, or a survivor that proved it dead, changes a dirty head).  The
 * zeroing happens before the record at pos is committed, so a reader that
 * consumed the record at pos reads at pos + span either 0 or the real
 * commit, never stale payload from an earlier lap; a reader whose cursor
 * came from the head (attach, resync) first waits for head_pos > cursor
 * (acquire).  Readers do not touch the head on their hot path.  A dead
 * owner is found through its producer slot and cleaned by a survivor.
 */
#define MYC_RING_SEQ_MASK	((1ULL << 56) - 1)
#define MYC_RING_OWNER_SHIFT	56

/*
 * ctl.solo (userspace mode only; kernel mode never sets it and ignores it):
 *   0                       every producer claims with the 16-byte CAS
 *   k + 1                   producer slot k is the only producer and claims
 *                           without it: it stores the next clean head pair
 *                           with one atomic 16-byte store (zeroing the next
 *                           seq word first, so the head is never dirty)
 *   MYC_RING_SOLO_REVOKE | (k + 1)
 *                           a second producer is taking the fast path away
 *                           from slot k; every producer waits until it is 0
 * Taken by compare-and-swap 0 -> k + 1 by a producer that then finds every
 * other slot free (else it puts 0 back).  A producer that finds k + 1
 * (k not its own slot) swaps in REVOKE | (k + 1), issues an asymmetric
 * memory barrier (membarrier(2), the other half of the solo producer's
 * "state := CLAIMED; load solo", which has no fence), waits until slot k's
 * claim is published or its owner is dead (recovering it), and stores 0.
 * Any other value is garbage from a broken producer and is reset to 0.
 * Consumers never read it (docs/ring-format.md, "Solo producer").
 */
#define MYC_RING_SOLO_REVOKE	0x80000000u

/* ctl.waiters: consumers asleep (bits 0..15) and, userspace mode,
 * sleepers (bits 16..31, in units of MYC_RING_SLEEPER_ONE). */
#define MYC_RING_WAITERS_MASK	0xffffu
#define MYC_RING_SLEEPER_ONE	0x10000u

struct myc_ring_ctl {
	/* line 0: the claim point (16-byte aligned for cmpxchg16b and the
	 * solo producer's 16-byte store), and the solo word (see above) */
	__u64 head_pos;
	__u64 head_seq;
	__u32 solo;
	__u32 resv0;		/* zero */
	__u8  pad0[MYC_RING_LINE - 24];
	/* line 1: futex word and waiter count.  A consumer about to sleep
	 * increments waiters, reads futex, re-checks for data, then
	 * FUTEX_WAITs (shared) on futex.  A producer, after committing,
	 * reads waiters (after a full barrier) and only when its count of
	 * sleeping consumers is non-zero increments futex and FUTEX_WAKEs.
	 * In kernel mode the wait ioctl does the consumer's part.
	 * Userspace mode: bits 16..31 of waiters count the sleepers: a
	 * consumer adds MYC_RING_SLEEPER_ONE (and sets its page's sleeper
	 * flag), then issues membarrier(GLOBAL_EXPEDITED), before its first
	 * sleep; it takes itself out once it takes frames without
	 * sleeping.  A producer registered for that membarrier may commit
	 * without the barrier and take its one load of waiters as final
	 * while it counts no sleeper (docs/ring-format.md, "Waiting"). */
	__u32 futex;
	__u32 waiters;
	__u8  pad1[MYC_RING_LINE - 8];
	/* line 2: lossless producers' cached limit: claims must end (plus
	 * MYC_RING_GUARD) at or before this position; recomputed from the
	 * consumer cursors only when a claim would pass it (compare-and-swap
	 * from the value read before the scan); a joining consumer lowers it
	 * to its cursor + capacity. */
	__u64 limit;
	__u8  pad2[MYC_RING_LINE - 8];
	/* line 3: statistics (relaxed, informational) */
	__u64 wakeups;		/* FUTEX_WAKE calls made */
	__u64 recovered;	/* dead producers' claims turned into padding */
	__u64 reclaimed;	/* dead consumers' pages freed */
	__u64 cons_gen;		/* bumped when a consumer page changes hands */
	__u8  pad3[MYC_RING_LINE - 32];
	/* line 4: write bound.  No producer (nor a survivor finishing a dead
	 * one's claim) writes a data byte at or past this position: a claim
	 * of [pos, pos + span) first makes sure bound >= pos + span +
	 * MYC_RING_GUARD, raising it (compare-and-swap, never lowering) to
	 * that plus MYC_RING_BOUND_STEP(capacity), before its head CAS; a
	 * producer may also raise it (CAS) after a commit, to what its next
	 * claim of the same size would need.  So it moves once per step,
	 * not per claim, and a lossy reader checks
	 * "was my record overwritten" against it (a line it keeps cached)
	 * instead of against head_pos (the line every claim writes).
	 * head_pos <= bound <= head_pos + max span + GUARD + step. */
	__u64 bound;
	__u8  pad4[MYC_RING_LINE - 8];
};

/* How far past a claim's end a producer raises ctl.bound. */
#define MYC_RING_BOUND_STEP(cap)	((cap) / 16)

/* myc_ring_prod.state */
#define MYC_RING_PS_FREE	0u	/* slot unowned */
#define MYC_RING_PS_IDLE	1u	/* owned, no claim */
#define MYC_RING_PS_CLAIMING	2u	/* claim {pos,seq,span} predicted,
					 * CAS on head may not have won */
#define MYC_RING_PS_CLAIMED	3u	/* claim won, not yet committed */

/*
 * A producer slot (hdr.off_prod + k * hdr.prod_stride), written only by its
 * owner (or by a survivor that proved the owner dead: its PROD(k) lock is
 * free).  The claim is written before the head CAS (state CLAIMING), so a
 * producer that dies at any point leaves enough to finish its claim as a
 * padding frame (MYC_FRAME_F_PAD): a CLAIMING slot whose claim shows up as
 * the dirty owner of head, or a CLAIMED slot whose record still does not
 * hold claim_seq.
 */
struct myc_ring_prod {
	__u32 state;		/* MYC_RING_PS_* */
	__u32 pid;		/* informational only (myc stat) */
	__u64 claim_pos;
	__u64 claim_seq;
	__u32 claim_span;
	__u32 resv0;
	__u64 commits;		/* frames committed (statistics) */
	__u8  pad[MYC_RING_LINE - 40];
};

/* myc_ring_cons.state */
#define MYC_RING_CS_FREE	0u
#define MYC_RING_CS_ACTIVE	1u

/*
 * A consumer page (hdr.off_cons + j * hdr.page_size): the only memory a
 * consumer writes (in userspace mode it also pads dead producers' claims).
 * cursor is the position up to which it is done; it publishes it with
 * release, at least every capacity/16 bytes and always before it waits, so
 * a lossless producer that reads it (acquire) may reuse everything before.
 */
struct myc_ring_cons {
	/* line 0: hot, read by lossless producers */
	__u64 cursor;		/* next record position */
	__u64 seq;		/* seq expected at cursor */
	__u8  pad0[MYC_RING_LINE - 16];
	/* line 1: ownership and statistics */
	__u32 state;		/* MYC_RING_CS_* */
	__u32 pid;		/* informational only */
	__u64 delivered;	/* frames delivered (padding excluded) */
	__u64 lost;		/* frames skipped after being lapped */
	__u64 overruns;		/* times it was lapped */
	__u32 sleeping;		/* 1 while counted in ctl.waiters: a
				 * reclaimer that proved the owner dead and
				 * swaps this 1 -> 0 takes the count back */
	__u32 sleeper;		/* 1 while counted in ctl.waiters'
				 * sleepers (the same way) */
	__u8  pad1[MYC_RING_LINE - 40];
};


/* ======================================================================== */
/* Section B: /dev/mycelium ioctls (docs/uapi.md)                            */
/* ======================================================================== */

/*
 * Two kinds of file:
 *   /dev/mycelium      the control device: CREATE, OPEN and UNLINK rings by
 *                      name.  CREATE and OPEN return a new file descriptor,
 *                      the "ring fd", one per open ring.
 *   ring fd            one ring in one role (producer or consumer): mmap,
 *                      poll/epoll, INFO, STATS, WAIT, WAKE, EVENTS, and
 *                      write() of one frame (producers).
 *
 * Every argument struct starts with __u32 size = sizeof(the struct as the
 * caller knows it).  The kernel accepts any size from the struct's first
 * published size (MYC_*_SIZE_VER0) up to PAGE_SIZE; bytes it does not know
 * must be zero (so old kernels reject new requests they cannot honour) and
 * output structs are copied back only up to the caller's size.  Unknown flag
 * bits and non-zero reserved fields give -EINVAL.  Names are 1..63 bytes of
 * [A-Za-z0-9._-], not starting with '.', NUL terminated and NUL padded.
 *
 * mmap of a ring fd (MAP_SHARED only; offsets and sizes in the ring
 * header, section A):
 *   producer   any page range of [0, hdr.map_size), read-write or read-only
 *   consumer   any page range of [0, hdr.map_size) read-only (the mapping
 *              can never be made writable: mprotect(PROT_WRITE) fails), and
 *              exactly its own consumer page, offset
 *              hdr.off_cons + info.slot * hdr.page_size, read-write
 * A range past map_size fails with -EINVAL; a writable consumer mapping of
 * anything but its own page with -EACCES.
 */

#define MYC_DEV_PATH		"/dev/mycelium"
#define MYC_IOC_MAGIC		0xb7

/* roles of a ring fd */
#define MYC_ROLE_PRODUCER	1u
#define MYC_ROLE_CONSUMER	2u

/* myc_ioc_create.flags */
#define MYC_CREATE_LOSSLESS	0x1u	/* overflow policy: producers wait for
					 * the slowest consumer (default lossy:
					 * consumers are lapped, losses counted) */
#define MYC_CREATE_PERSISTENT	0x2u	/* the ring outlives its fds until
					 * MYC_IOC_UNLINK */
#define MYC_CREATE_CLOEXEC	0x4u	/* O_CLOEXEC on the returned fd */
#define MYC_CREATE_NONBLOCK	0x8u	/* O_NONBLOCK on the returned fd */
#define MYC_CREATE_KNOWN	0xfu

/* Create a ring and open it in role; returns the new ring fd. */
struct myc_ioc_create {
	__u32 size;		/* sizeof(struct myc_ioc_create) */
	__u32 flags;		/* MYC_CREATE_* */
	__u64 capacity;		/* data bytes: power of two, >= MYC_RING_CAP_MIN
				 * and a multiple of PAGE_SIZE, <= the module's
				 * ring_max_bytes */
	__u32 max_frame;	/* largest frame len, 33 .. min(64 KiB,
				 * cap / 2 - MYC_RING_GUARD); 0: the maximum */
	__u32 max_producers;	/* 1 .. MYC_RING_MAX_PRODUCERS */
	__u32 max_consumers;	/* 1 .. MYC_RING_MAX_CONSUMERS */
	__u32 mode;		/* permission bits (07777 & ~0777 must be 0):
				 * r = may consume, w = may produce */
	__u32 role;		/* MYC_ROLE_* of the returned fd */
	__u32 resv0;		/* must be 0 */
	__u8  digest[MYC_RING_DIGEST_LEN];	/* schema digest, copied into
						 * the ring header */
	char  name[MYC_RING_NAME_MAX];
	__u64 resv[4];		/* must be 0 */
};
#define MYC_CREATE_SIZE_VER0	168u

/* myc_ioc_open.flags */
#define MYC_OPEN_CLOEXEC	MYC_CREATE_CLOEXEC
#define MYC_OPEN_NONBLOCK	MYC_CREATE_NONBLOCK
#define MYC_OPEN_KNOWN		(MYC_OPEN_CLOEXEC | MYC_OPEN_NONBLOCK)

/* Open an existing ring in role; returns the new ring fd.  The caller
 * needs the ring's read permission to consume, write permission to
 * produce (owner, group, other bits as for files; CAP_DAC_OVERRIDE
 * bypasses).  -EBUSY when every producer slot or consumer page is taken. */
struct myc_ioc_open {
	__u32 size;		/* sizeof(struct myc_ioc_open) */
	__u32 flags;		/* MYC_OPEN_* */
	__u32 role;		/* MYC_ROLE_* */
	__u32 resv0;		/* must be 0 */
	char  name[MYC_RING_NAME_MAX];
	__u64 resv[4];		/* must be 0 */
};
#define MYC_OPEN_SIZE_VER0	112u

/* Remove a persistent ring's name; the ring is freed when its last fd
 * closes.  Owner or CAP_SYS_ADMIN only.  -ENOENT: no such ring; -EINVAL:
 * not persistent (it goes away with its last fd anyway). */
struct myc_ioc_unlink {
	__u32 size;		/* sizeof(struct myc_ioc_unlink) */
	__u32 flags;		/* none defined: must be 0 */
	char  name[MYC_RING_NAME_MAX];
	__u64 resv[2];		/* must be 0 */
};
#define MYC_UNLINK_SIZE_VER0	88u

/* myc_ioc_info.events and MYC_IOC_EVENTS */
#define MYC_EVENT_PRODUCER_GONE	0x1u	/* a producer fd of the ring was
					 * released (closed or its process
					 * died); its claim, if any, was
					 * turned into a padding frame */

/* Ring fd: static facts, role, and the ring's statistics. */
struct myc_ioc_info {
	__u32 size;		/* in: sizeof(struct myc_ioc_info) */
	__u32 flags;		/* in: must be 0; out: MYC_CREATE_LOSSLESS and
				 * MYC_CREATE_PERSISTENT as created, plus
				 * MYC_INFO_UNLINKED */
	__u32 role;		/* MYC_ROLE_* of this fd */
	__u32 slot;		/* producer slot or consumer page index */
	__u64 capacity;
	__u64 map_size;		/* = hdr.map_size: bytes to mmap at offset 0 */
	__u32 max_frame;
	__u32 max_producers;
	__u32 max_consumers;
	__u32 mode;
	__u32 uid;		/* owner, in the caller's user namespace */
	__u32 gid;
	__u32 producers;	/* fds open now, per role */
	__u32 consumers;
	__u64 head_pos;		/* claim point now */
	__u64 head_seq;		/* next seq (owner bits masked off) */
	__u64 min_cursor;	/* slowest active consumer (head_pos if none) */
	__u64 overruns;		/* sum of the consumers' overrun counters plus
				 * laps the kernel's own writes caused */
	__u64 lost;		/* sum of the consumers' lost counters */
	__u64 wakeups;		/* MYC_IOC_WAKE calls and kernel writes that
				 * woke someone */
	__u64 waits;		/* MYC_IOC_WAIT calls that slept */
	__u64 peer_deaths;	/* producer fds released */
	__u64 recovered;	/* claims turned into padding by the kernel */
	__u64 writes;		/* frames committed through write() */
	__u64 write_errors;	/* write() calls that failed */
	__u32 events;		/* MYC_EVENT_* pending for this fd (not
				 * cleared; see MYC_IOC_EVENTS) */
	__u32 resv0;
	char  name[MYC_RING_NAME_MAX];
	__u64 resv[4];
};
#define MYC_INFO_UNLINKED	0x100u	/* persistent ring already unlinked */
#define MYC_INFO_SIZE_VER0	256u

/* One consumer in MYC_IOC_STATS. */
struct myc_ioc_cons_stat {
	__u32 slot;		/* consumer page index */
	__u32 pid;		/* as written by the consumer (informational) */
	__u64 cursor;
	__u64 lag;		/* head_pos - cursor (0 if ahead) */
	__u64 delivered;
	__u64 lost;
	__u64 overruns;
};

/* Ring fd: per-consumer positions and counters.  The kernel writes up to
 * nr entries to the array at cons and sets nr to the number of active
 * consumers (which may be larger: call again with a bigger array). */
struct myc_ioc_stats {
	__u32 size;		/* sizeof(struct myc_ioc_stats) */
	__u32 flags;		/* must be 0 */
	__u32 nr;		/* in: entries at cons; out: active consumers */
	__u32 stride;		/* sizeof(struct myc_ioc_cons_stat) */
	__u64 cons;		/* pointer to struct myc_ioc_cons_stat[nr] */
	__u64 resv[2];
};
#define MYC_STATS_SIZE_VER0	40u

/* myc_ioc_wait.flags */
#define MYC_WAIT_TIMEOUT	0x1u	/* timeout_ns is valid (else forever) */
#define MYC_WAIT_KNOWN		0x1u

/*
 * Ring fd: sleep while ctl.futex == expected.  The kernel announces the
 * waiter (ctl.waiters += 1) before it re-checks, so a producer that
 * committed and then saw waiters == 0 is impossible to miss (the Dekker
 * pair of docs/ring-format.md "Waiting").  On a consumer fd it also
 * returns at once when a record is ready at the consumer's cursor or an
 * event is pending.  Returns 0 (woken, value changed, or data ready),
 * MYC_WAIT_EVENT (an event is pending: MYC_IOC_EVENTS), -EAGAIN (futex did
 * not hold expected on entry), -ETIMEDOUT, -EINTR.
 */
struct myc_ioc_wait {
	__u32 size;		/* sizeof(struct myc_ioc_wait) */
	__u32 flags;		/* MYC_WAIT_* */
	__u32 expected;		/* value of ctl.futex the caller saw */
	__u32 resv0;		/* must be 0 */
	__u64 timeout_ns;	/* relative, with MYC_WAIT_TIMEOUT */
	__u64 resv[2];
};
#define MYC_WAIT_EVENT		1
#define MYC_WAIT_SIZE_VER0	40u

/*
 * Ring fd: wake every waiter of the ring (MYC_IOC_WAIT sleepers and
 * poll/epoll waiters).  A producer calls it after it incremented
 * ctl.futex, and only when ctl.waiters was non-zero; the kernel makes it a
 * no-op when nobody waits.  Returns the number of waiters announced.
 */
struct myc_ioc_wake {
	__u32 size;		/* sizeof(struct myc_ioc_wake) */
	__u32 flags;		/* must be 0 */
	__u64 resv[1];
};
#define MYC_WAKE_SIZE_VER0	16u

/* Ring fd: fetch and clear the pending MYC_EVENT_* bits (clears EPOLLPRI). */
struct myc_ioc_events {
	__u32 size;		/* sizeof(struct myc_ioc_events) */
	__u32 flags;		/* must be 0 */
	__u32 events;		/* out: MYC_EVENT_* */
	__u32 resv0;
	__u64 resv[1];
};
#define MYC_EVENTS_SIZE_VER0	24u

#define MYC_IOC_CREATE	_IOW(MYC_IOC_MAGIC, 0x01, struct myc_ioc_create)
#define MYC_IOC_OPEN	_IOW(MYC_IOC_MAGIC, 0x02, struct myc_ioc_open)
#define MYC_IOC_UNLINK	_IOW(MYC_IOC_MAGIC, 0x03, struct myc_ioc_unlink)
#define MYC_IOC_INFO	_IOWR(MYC_IOC_MAGIC, 0x10, struct myc_ioc_info)
#define MYC_IOC_STATS	_IOWR(MYC_IOC_MAGIC, 0x11, struct myc_ioc_stats)
#define MYC_IOC_WAIT	_IOW(MYC_IOC_MAGIC, 0x12, struct myc_ioc_wait)
#define MYC_IOC_WAKE	_IOW(MYC_IOC_MAGIC, 0x13, struct myc_ioc_wake)
#define MYC_IOC_EVENTS	_IOWR(MYC_IOC_MAGIC, 0x14, struct myc_ioc_events)

#endif /* _UAPI_LINUX_MYCELIUM_H */
