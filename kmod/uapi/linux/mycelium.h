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
#define MYC_RING_VERSION	1u
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

struct myc_ring_ctl {
	/* line 0: the claim point (16-byte aligned for cmpxchg16b) */
	__u64 head_pos;
	__u64 head_seq;
	__u8  pad0[MYC_RING_LINE - 16];
	/* line 1: futex word and waiter count.  A consumer about to sleep
	 * increments waiters, reads futex, re-checks for data, then
	 * FUTEX_WAITs (shared) on futex.  A producer, after committing,
	 * reads waiters (after a full barrier) and only when non-zero
	 * increments futex and FUTEX_WAKEs.  In kernel mode the wait ioctl
	 * does the consumer's part. */
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
};

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
	__u32 resv0;
	__u8  pad1[MYC_RING_LINE - 40];
};


/* ======================================================================== */
/* Section B: /dev/mycelium ioctls (docs/uapi.md)                            */
/* ======================================================================== */

#endif /* _UAPI_LINUX_MYCELIUM_H */
