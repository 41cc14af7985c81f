/* SPDX-License-Identifier: MIT */
/*
 * In-process bus internals (docs/api.md, "How the in-process bus works").
 *
 * Every topic owns a pool of fixed-size buffers.  A buffer is a message:
 *
 *   0           32                 64                      64 + max_size
 *   +-----------+------------------+-----------------------+----+
 *   | meta      | myc_frame_hdr    | payload               |pad | -> stride
 *   | refs, idx |  (a wire frame starts here: len, type,    |    |  (multiple
 *   | next, ... |   seq, ts_ns, src; little-endian host)    |    |   of 64)
 *   +-----------+------------------+-----------------------+----+
 *
 * Publishing puts a pointer to the same buffer into the bounded queue of
 * every subscriber (zero copy); each subscriber drops one reference when it
 * releases the message and the last one returns the buffer to the pool.
 *
 *   publisher --claim--> pool (Treiber stack of chains, tagged index)
 *       |                  ^
 *       | commit           | last release
 *       v                  |
 *   sub A queue [b3 b4 b5]-+--> recv / dispatch / inline callback
 *   sub B queue [b4 b5]----+
 *
 * The subscriber array of a topic is copy-on-write and read under
 * urcu-bp; old arrays and removed subscribers are reclaimed after a grace
 * period, so publishing takes no lock.  The pool is grown only when a
 * publisher or subscriber is created, to the worst case they can hold, so a
 * claim never allocates and never finds the pool empty unless subscribers
 * hold more messages than they declared (max_held).
 */
#ifndef MYC_BUS_INTERNAL_H
#define MYC_BUS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu.h"
#include "ring-sys.h"
#include "myc.h"

#if defined(__SANITIZE_THREAD__)
#define MYC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MYC_TSAN 1
#endif
#endif

/*
 * urcu-bp read-side lock/unlock are documented as small enough to inline
 * into non-LGPL code.  Under sanitizers we call the library versions
 * instead (UBSan flags urcu-bp's over-aligned reader struct), and tell TSan
 * about the grace-period ordering it cannot see (myc_tsan_*).
 */
#if !defined(MYC_TSAN) && !defined(__SANITIZE_ADDRESS__)
#define _LGPL_SOURCE
#endif
#include <urcu-bp.h>

#ifdef MYC_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define myc_tsan_acquire(a)	__tsan_acquire(a)
#define myc_tsan_release(a)	__tsan_release(a)
#else
#define myc_tsan_acquire(a)	((void)(a))
#define myc_tsan_release(a)	((void)(a))
#endif

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the in-process bus stores frame headers in host order == wire order"
#endif

#define MYC_CACHELINE		64
#define __myc_aligned		__attribute__((aligned(MYC_CACHELINE)))
#define myc_likely(x)		__builtin_expect(!!(x), 1)
#define myc_unlikely(x)		__builtin_expect(!!(x), 0)

#define MYC_BUF_NONE		0xffffffffu	/* empty free list */
#define MYC_POOL_CHUNK_SHIFT	16		/* buffers per chunk: 65536 */
#define MYC_POOL_CHUNK_MAX	(1u << MYC_POOL_CHUNK_SHIFT)
#define MYC_POOL_CHUNKS		256		/* chunk directory size */
#define MYC_BUF_META		32u		/* meta bytes before the frame */
#define MYC_BUF_GROW_MIN	64u		/* smallest pool growth step */
#define MYC_PUB_CACHE		16u		/* buffers a publisher takes at once */
#define MYC_PUB_BUFS		(2u + MYC_PUB_CACHE)	/* claim + spare + cache */
#define MYC_SUB_REL_BATCH	16u		/* buffers a consumer returns at once */

/* Subscriber wake bits (struct myc_sub.wake). */
#define MYC_WAKE_FUTEX		0x1u	/* consumer sleeps in futex_wait */
#define MYC_WAKE_FD		0x2u	/* consumer's eventfd is armed */

struct myc_topic;
struct bus_ring;

/*
 * Bridges (docs/api.md, "Bridges"): a bridge carries a topic's frames to
 * and from outside the process (bus-ring.c: shared-memory rings; next, the
 * Unix/TCP transport of net.h).  A topic's bridges are an RCU-protected
 * copy-on-write array like its subscribers; NULL when it has none, so an
 * undirected topic pays one predictable branch per claim and commit.
 *
 *   claim:  local reservations, then ops->claim per bridge (reserve room
 *           outside: lossless back-pressure happens here, never at commit)
 *   commit: local fan-out, then ops->commit per bridge with the finished
 *           frame (header + payload, a valid wire frame)
 *   inbound: the bridge owns an inject publisher (myc_pub_new, origin =
 *           the bridge) and hands frames to bus_inject(): local fan-out,
 *           header kept; on a gateway bus also the topic's other bridges
 *           (never the origin: bus-gateway.c).
 *
 * Per-publisher bridge state lives in pub->bpriv[bridge->idx]; the bridge
 * allocates it lazily in ->claim and frees it in ->pub_free.
 */
#define MYC_BRIDGES_MAX		4

struct myc_bridge;
struct myc_bridge_ops {
	/* Publisher's thread, inside its claim: reserve room for a frame of
	 * @len bytes (header included).  0, or -MYC_E_BACK_PRESSURED /
	 * -ETIMEDOUT (lossless, @timeout_ms as for local subscribers). */
	int (*claim)(struct myc_bridge *br, void **priv, uint32_t len,
		     int timeout_ms);
	/* After local fan-out: forward @frame (never fails, never blocks). */
	void (*commit)(struct myc_bridge *br, void **priv,
		       const struct myc_frame_hdr *frame);
	/* The claim was given up. */
	void (*abort)(struct myc_bridge *br, void **priv);
	/* The publisher goes away (or the bus: no other thread runs). */
	void (*pub_free)(struct myc_bridge *br, void **priv);
};

struct myc_bridge {
	const struct myc_bridge_ops *ops;
	void *ctx;
	uint32_t idx;		/* slot in pub->bpriv, < MYC_BRIDGES_MAX */
};

struct myc_bridges {
	struct myc_bridges *retired_next;	/* bus retired list */
	uint32_t n;
	struct myc_bridge *b[];
};

/* A pool buffer; struct myc_msg is this type. */
struct myc_buf {
	_Atomic uint32_t refs;		/* subscribers (+ publisher) holding it */
	uint32_t idx;			/* chunk << 16 | slot */
	uint64_t pad;			/* keeps the frame at MYC_BUF_META */
	struct myc_topic *topic;
	/* Free chain heads only (see myc_pool_take()). */
	_Atomic uint32_t chain_next;	/* head of the next chain (index) */
	_Atomic uint32_t chain_n;	/* buffers in this chain */
	struct myc_frame_hdr hdr;	/* the frame starts here */
	unsigned char data[];
};
_Static_assert(__builtin_offsetof(struct myc_buf, hdr) == MYC_BUF_META,
	       "frame header position");

/*
 * A free chain's head lists the chain's buffers (itself first) in its
 * frame area, which no one reads while the buffer is free.  Whoever takes
 * the chain learns every buffer from one or two lines of the head, instead
 * of following a link through each buffer (a dependent cache miss per
 * buffer when another core released them last).
 */
#define MYC_CHAIN_MAX		16u
_Static_assert(MYC_PUB_CACHE <= MYC_CHAIN_MAX && MYC_SUB_REL_BATCH <= MYC_CHAIN_MAX,
	       "batches fit a chain");
/* Smallest buffer stride: the meta and a chain's index list. */
#define MYC_BUF_MIN_STRIDE	(MYC_BUF_META + MYC_CHAIN_MAX * 4u)

static inline uint32_t *myc_chain_list(struct myc_buf *b)
{
	return (uint32_t *)(void *)&b->hdr;
}

struct myc_pool {
	_Atomic uint64_t head __myc_aligned;	/* tag << 32 | index */
	char *_Atomic chunk[MYC_POOL_CHUNKS] __myc_aligned;
	uint32_t stride;	/* bytes per buffer */
	uint32_t nchunks;	/* under bus lock */
	uint32_t total;		/* buffers, under bus lock */
	uint32_t need;		/* worst-case buffers in use, under bus lock */
};

/* One cell of a subscriber queue (bounded MPMC queue, D. Vyukov style). */
struct myc_cell {
	_Atomic uint64_t seq;	/* == pos: free for enqueue at pos;
				 * == pos + 1: holds the message of pos */
	struct myc_buf *buf;
};

/* Copy-on-write subscriber array: queued subscribers first, then inline. */
struct myc_subs {
	struct myc_subs *retired_next;	/* bus retired list, under bus lock */
	uint32_t n;		/* all subscribers */
	uint32_t nq;		/* queued ones: s[0 .. nq-1] */
	struct myc_sub *s[];
};

struct myc_sub {
	/* Read by publishers, written only at creation. */
	struct myc_topic *topic;
	struct myc_cell *cells;
	uint64_t mask;		/* depth - 1 */
	/* Cell layout (myc_q_cell()): spread, lmask = lines - 1, lshift =
	 * log2(lines), cshift = 2; dense, lmask = mask, lshift = 63,
	 * cshift = 0. */
	uint64_t lmask;
	uint32_t lshift;
	uint32_t cshift;
	myc_msg_fn cb;
	void *ctx;
	uint32_t flags;
	uint32_t spin_ns;
	uint32_t need;		/* pool buffers this subscriber accounts for */
	int efd;		/* eventfd, -1 until myc_sub_fd() */
	uint32_t svc;		/* service tag (bus service id), 0 = none */
	struct myc_sub *next;	/* topic's list, under bus lock */
	struct myc_sub *retired_next;	/* bus retired list, under bus lock */

	/* Written by publishers only. */
	_Atomic uint64_t enq __myc_aligned;	/* next queue position */
	_Atomic uint64_t lost;		/* lossy: messages dropped */
	/* Lossless: messages committed + claims open (a count that only
	 * grows, like a position), and the publishers' cached copy of ->deq
	 * (Aeron style: re-read the consumer's line only when this says
	 * full).  Queued + claimed = resv - deq <= depth. */
	_Atomic uint64_t resv;
	_Atomic uint64_t deq_cache;

	/* Written by the consumer on every message. */
	_Atomic uint64_t deq __myc_aligned;

	/* Consumer only: the release cache (myc_sub_release(), dispatch):
	 * buffers this consumer dropped the last reference to, chained
	 * through ->next and returned to the pool with one CAS per
	 * MYC_SUB_REL_BATCH, so the shared pool head is not touched per
	 * message.  Own line: a publisher short of room reads ->deq, which
	 * must not share a line written on every release.  nrel is read by
	 * stats. */
	struct myc_buf *rel_first __myc_aligned;
	_Atomic uint32_t nrel;
	struct stream_pace pace;	/* consumer back-off (cpu.h) */

	/* Wake word, written by the consumer only when it goes to sleep, so
	 * publishers read a line that stays shared in the fast path. */
	_Atomic uint32_t wake __myc_aligned;
};

struct myc_topic {
	struct myc_pool pool;

	/* Read-mostly: the subscriber array and the settings. */
	struct myc_subs *_Atomic subs __myc_aligned;
	uint16_t type;
	uint32_t policy;
	uint32_t depth;
	uint32_t max_size;
	struct myc_bus *bus;
	struct myc_topic *next;		/* bus list, under bus lock */
	struct myc_pub *pubs;		/* under bus lock */
	struct myc_sub *sublist;	/* under bus lock */
	_Atomic uint32_t nsubs;		/* in sublist (written under bus lock) */
	uint32_t npubs;
	uint64_t retired;		/* messages of freed publishers */
	/* Bridges to other processes/hosts, NULL when none (read under RCU
	 * by publishers, replaced under bus lock). */
	struct myc_bridges *_Atomic bridges;

	/* Solo publisher (bus.c, "Solo publisher"): the topic's only
	 * publisher, which reserves room with plain stores instead of locked
	 * instructions; | MYC_SOLO_REVOKING while a second publisher takes
	 * that away; 0 otherwise.  solo_enq: its pushes (->enq) are plain
	 * too; set at each grant, cleared by a subscriber's first sleep.
	 * Read-mostly: publishers read both in each window, subscribers
	 * solo_enq before they sleep. */
	_Atomic uintptr_t solo;
	_Atomic uint32_t solo_enq;

	/* Lossless: set by publishers about to sleep for room; the first
	 * consumer that frees room clears it and wakes them (once). */
	_Atomic uint32_t pub_sleep __myc_aligned;	/* futex word: 1 = asleep */

	/* Written by the solo publisher: 1 while it updates ->resv/->enq
	 * with plain stores (bus.c, "Solo publisher"). */
	_Atomic uint32_t solo_busy __myc_aligned;
};

#define MYC_SOLO_REVOKING	((uintptr_t)1)

struct myc_pub {
	struct myc_topic *topic;
	struct myc_buf *claim;		/* open claim or NULL */
	/* Next buffer, taken from the pool and prefetched after a commit so
	 * the next claim touches no shared line (stats read it). */
	struct myc_buf *_Atomic spare;
	/* Free buffers taken from the pool in one CAS (up to
	 * MYC_PUB_CACHE), used before going back to it: the shared pool head
	 * is touched once per batch.  cidx[cpos] is the next one; ncache is
	 * read by stats. */
	uint32_t cidx[MYC_PUB_CACHE];
	uint32_t cpos;
	_Atomic uint32_t ncache;	/* buffers in the cache */
	struct myc_subs *snap;		/* subscribers seen at claim */
	uint32_t size;			/* claimed payload size */
	uint32_t id;
	int timeout_ms;
	uint32_t spin_ns;
	uint32_t to;			/* directed: service id, 0 = everyone */
	_Atomic uint64_t seq;		/* last sequence number (stats read) */
	uint64_t last_ts;		/* ts_ns of the previous commit */
	struct ring_clock clock;	/* frame timestamps (ring-sys.h) */
	struct myc_pub *next;		/* topic's list, under bus lock */
	/* Bridges seen at claim (NULL: none, the common case) and each
	 * bridge's state for this publisher. */
	struct myc_bridges *bsnap;
	void *bpriv[MYC_BRIDGES_MAX];
	/* Inject publishers only: the bridge whose inbound frames this
	 * publisher delivers.  A gateway bus forwards them to the topic's
	 * other bridges, never back to this one (bus-gateway.c). */
	struct myc_bridge *origin;
};

struct myc_bus {
	pthread_mutex_t lock;		/* slow path only: create/free */
	struct myc_topic *topics;
	uint32_t next_pub_id;
	/* Unlinked but possibly still read by publishers: freed after the
	 * next grace period (bus_reclaim()), under bus lock. */
	struct myc_subs *retired_arrays;
	struct myc_sub *retired_subs;
	char *name;
	/* Service names for publisher-to-service (bus-topology.c); a
	 * service's id is its index + 1.  Under bus lock. */
	char **svc;
	uint32_t nsvc;
	uint32_t self_svc;		/* default subscriber tag, 0 = none */
	bool svc_fixed;			/* from a topology: no new names */
	struct bus_ring *ring;		/* ring bridge (bus-ring.c) or NULL */
	struct myc_bridges *retired_bridges;
	/* Net bridge (bus-net.c), NULL until myc_bus_net_listen/connect. */
	struct bus_net *_Atomic net;
	/* myc_bus_opts.schema_digest (net HELLO, rings), all zero if none. */
	uint8_t digest[MYC_SCHEMA_DIGEST_LEN];
	bool has_digest;
	/* A gateway (myc_gateway_new): inbound frames of one bridge are
	 * forwarded to the topic's other bridges.  Set before any bridge. */
	bool gateway;
	/* TSan only: sync object standing for "a grace period elapsed". */
	char tsan_gp;
};

/*
 * Service id of @name (bus-topology.c), called with the bus lock held:
 * > 0, -EINVAL (bad name), -ENOENT (not in the topology) or -ENOMEM.  A
 * bus not made from a topology registers new names as it sees them.
 */
int bus_service_id(struct myc_bus *bus, const char *name);
void bus_services_free(struct myc_bus *bus);
/* bus-bridge.c: add a bridge to a topic; 0, -ENOSPC, -ENOMEM. */
int bus_bridge_add(struct myc_topic *t, struct myc_bridge *br);
/* bus-bridge.c, called by bus.c for topics with bridges only. */
int bridges_claim(struct myc_pub *pub, struct myc_topic *t, uint32_t size);
void bridges_commit(struct myc_pub *pub, const struct myc_frame_hdr *f);
void bridges_abort(struct myc_pub *pub);
void bridges_pub_free(struct myc_pub *pub);

/* bus.c entry points for bridges. */
/* Deliver the frame @hdr + @payload to the local subscribers of @pub's
 * topic only, keeping the header (the bridge's inbound side; @pub is a
 * publisher the bridge made and uses for nothing else).  0, -MYC_E_BACK_PRESSURED, -ETIMEDOUT,
 * -EMSGSIZE, -MYC_E_NO_BUFS, or a bridge's claim error.
 * On a gateway bus it also claims and commits in every bridge of the topic
 * but pub->origin, and the frame leaves with the gateway's own seq and src
 * (the link's streams stay gap-free; ts_ns is kept). */
int bus_inject(struct myc_pub *pub, const struct myc_frame_hdr *hdr,
	       const void *payload);
/* Add @n to the lost count of every queued subscriber of @t (frames lost
 * before they reached this process). */
void bus_topic_add_lost(struct myc_topic *t, uint64_t n);

/* bus-ring.c, called by bus.c */
int bus_ring_new(struct myc_bus *bus, const struct myc_bus_opts *opts);
/* Stop receive threads and consumers (first in myc_bus_free). */
void bus_ring_stop(struct myc_bus *bus);
/* Free the rest (last in myc_bus_free, after publishers' handles). */
void bus_ring_free(struct myc_bus *bus);
/* Called without the bus lock after a topic got a publisher/subscriber. */
int bus_ring_topic_used(struct myc_bus *bus, struct myc_topic *t, bool sub);
/* Gateway (bus-gateway.c): consumers of @t's ring other than this bus's
 * own (0 when the ring does not exist), or -errno; whether this bus
 * consumes it; stop consuming it. */
int bus_ring_foreign_consumers(struct myc_bus *bus, struct myc_topic *t);
bool bus_ring_receiving(struct myc_bus *bus, struct myc_topic *t);
void bus_ring_rx_stop(struct myc_bus *bus, struct myc_topic *t);

/* bus-net.c, called by bus.c */
/* Stop the net thread, free inject publishers (first in myc_bus_free). */
void bus_net_stop(struct myc_bus *bus);
/* Close the net and free the rest (last in myc_bus_free). */
void bus_net_free(struct myc_bus *bus);
/* A topic got a publisher/subscriber (bus->net set), no bus lock held. */
int bus_net_topic_used(struct myc_bus *bus, struct myc_topic *t, bool sub);
/* A subscriber went: the net thread withdraws interest in types left with
 * none (safe inside a claim or an inline callback: it only flags). */
void bus_net_sub_gone(struct myc_bus *bus);
/* Gateway (bus-gateway.c): stop receiving @t from the peers (undo the
 * subscribe of bus_net_topic_used); is it subscribed; does any peer want
 * type @type. */
int bus_net_topic_unsubscribe(struct myc_bus *bus, struct myc_topic *t);
bool bus_net_topic_subscribed(struct myc_bus *bus, struct myc_topic *t);
bool bus_net_peers_want(struct myc_bus *bus, uint16_t type);
/* Stats of the link to node @peer (tests, tools): 0 or -ENOENT. */
struct myc_link_stats;
int bus_net_link_stats(struct myc_bus *bus, const char *peer,
		       struct myc_link_stats *st);

/* Leave a read-side section opened by a claim. */
static inline void myc_read_unlock(struct myc_bus *bus)
{
	myc_tsan_release(&bus->tsan_gp);
	urcu_bp_read_unlock();
}

/* ---- pool: lock-free stack of buffer indices -------------------------- */

static inline struct myc_buf *myc_pool_buf(struct myc_pool *p, uint32_t idx)
{
	char *base = atomic_load_explicit(&p->chunk[idx >> MYC_POOL_CHUNK_SHIFT],
					  memory_order_relaxed);

	return (struct myc_buf *)(base + (size_t)(idx & (MYC_POOL_CHUNK_MAX - 1)) *
				  p->stride);
}

/*
 * The free buffers form a lock-free stack of chains: the pool head names
 * the head of the top chain; a chain head records the chain's length, the
 * next chain's head, and its buffers' indices (myc_chain_list()).  Whole
 * chains are pushed and popped with one CAS:
 *
 *   head -> [b7 n=3: b7 b2 b9]
 *              | chain_next
 *              v
 *           [b4 n=1: b4]
 *              | chain_next
 *              v
 *             NONE
 *
 * The 32-bit tag in the head changes on every successful pop and push, so
 * a head that was popped and pushed back while we read its chain fields
 * fails the CAS (no ABA).  Buffers are never freed before the topic, so
 * reading the fields of a chain someone else just took is safe; the lists
 * are read only once the CAS made the chains ours.
 *
 * myc_pool_take(): pop whole chains, at least one, while they add up to at
 * most @max buffers, in one CAS, and copy their buffers' indices to @out.
 * Consumers that release one message at a time push chains of one; this
 * takes a batch of them with one touch of the head (walking their heads),
 * batched releases arrive as one chain.  If the CAS succeeds nothing was
 * pushed or popped since we read the head (the tag would differ), so the
 * chains we walked were the stack's.
 */
static inline uint32_t myc_pool_take(struct myc_pool *p, uint32_t *out, uint32_t max)
{
	/* acquire: pairs with the release CAS in myc_pool_put_chain() of
	 * every chain we take (all in the head's release sequence), so their
	 * last users' accesses happen before ours. */
	uint64_t h = atomic_load_explicit(&p->head, memory_order_acquire);
	uint32_t first, idx, n;

	for (;;) {
		first = idx = (uint32_t)h;
		n = 0;
		if (idx == MYC_BUF_NONE)
			return 0;
		do {
			struct myc_buf *b = myc_pool_buf(p, idx);
			uint32_t c = atomic_load_explicit(&b->chain_n, memory_order_relaxed);

			if (n && n + c > max)
				break;
			n += c;
			idx = atomic_load_explicit(&b->chain_next, memory_order_relaxed);
		} while (n < max && idx != MYC_BUF_NONE);
		if (atomic_compare_exchange_weak_explicit(&p->head, &h,
							  ((h >> 32) + 1) << 32 | idx,
							  memory_order_acquire,
							  memory_order_acquire))
			break;
	}
	/* Ours now: copy the lists of the chains up to @idx. */
	for (uint32_t got = 0; got < n;) {
		struct myc_buf *b = myc_pool_buf(p, first);
		uint32_t c = atomic_load_explicit(&b->chain_n, memory_order_relaxed);

		if (myc_unlikely(c > MYC_CHAIN_MAX || c > n - got))
			__builtin_trap();	/* a corrupt pool: never */
		memcpy(out + got, myc_chain_list(b), c * sizeof(*out));
		got += c;
		first = atomic_load_explicit(&b->chain_next, memory_order_relaxed);
	}
	return n;
}

/* Push the chain of @n buffers headed by @first, whose list
 * (myc_chain_list()) the caller filled in. */
static inline void myc_pool_put_chain(struct myc_pool *p, struct myc_buf *first,
				      uint32_t n)
{
	uint64_t h = atomic_load_explicit(&p->head, memory_order_relaxed);

	atomic_store_explicit(&first->chain_n, n, memory_order_relaxed);
	do {
		atomic_store_explicit(&first->chain_next, (uint32_t)h,
				      memory_order_relaxed);
		/* release: pairs with the acquire in myc_pool_take(). */
	} while (!atomic_compare_exchange_weak_explicit(&p->head, &h,
			((h >> 32) + 1) << 32 | first->idx,
			memory_order_release, memory_order_relaxed));
}

static inline void myc_pool_put(struct myc_pool *p, struct myc_buf *b)
{
	myc_chain_list(b)[0] = b->idx;
	myc_pool_put_chain(p, b, 1);
}

/*
 * Drop one reference; true if it was the last, and the caller now owns the
 * buffer (to return it to the pool, alone or in a chain).
 */
static inline bool myc_buf_unref(struct myc_buf *b)
{
	/*
	 * The sole holder (the common one-subscriber case) skips the locked
	 * RMW: nobody else holds a reference, so nobody can change the count
	 * (retaining needs a reference).  acquire pairs with the release
	 * half of earlier holders' decrements.  Otherwise acq_rel: every
	 * holder's reads of the payload happen before the buffer is reused,
	 * and the last holder sees them all before pushing it.
	 */
	return atomic_load_explicit(&b->refs, memory_order_acquire) == 1 ||
	       atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1;
}

/* Drop one reference; the last one returns the buffer to its pool. */
static inline void myc_buf_put(struct myc_buf *b)
{
	if (myc_buf_unref(b))
		myc_pool_put(&b->topic->pool, b);
}

/* Add @d to a counter only publishers write: a plain load and store for a
 * solo publisher (bus.c, "Solo publisher"), a seq_cst RMW otherwise.
 * Returns the old value. */
static inline uint64_t myc_pub_add(_Atomic uint64_t *c, uint64_t d, bool solo)
{
	uint64_t v;

	if (!solo)
		return atomic_fetch_add_explicit(c, d, memory_order_seq_cst);
	v = atomic_load_explicit(c, memory_order_relaxed);
	atomic_store_explicit(c, v + d, memory_order_relaxed);
	return v;
}

/* ---- subscriber queue: bounded MPMC queue of buffer pointers ----------- */

#define MYC_CELLS_PER_LINE	4	/* 16-byte cells */

/*
 * Cell of queue position @pos.  Lossy queues: consecutive positions live
 * on different cache lines (position i sits in line i % lines, slot i /
 * lines), so the consumer freeing cell i never steals the line the
 * publisher is about to fill for i + 1:
 *
 *   line 0: pos 0, L, 2L, 3L     line 1: pos 1, L+1, ...    (L = depth/4)
 *
 * Lossless queues are dense (cell i at i: four positions per line): their
 * consumer never writes a cell, so a consumer that fell behind reads four
 * messages' cells with one miss.
 */
static inline struct myc_cell *myc_q_cell(const struct myc_sub *s, uint64_t pos)
{
	uint64_t i = pos & s->mask;

	return &s->cells[((i & s->lmask) << s->cshift) + (i >> s->lshift)];
}

/* Lossless: enqueue @bs[0..@k), for which reservations were made, at
 * consecutive positions: one ->enq update for all (see myc_q_push()). */
static inline void myc_q_push_n(struct myc_sub *s, struct myc_buf *const *bs,
				uint32_t k, bool solo)
{
	/* Not a CAS loop: a reserved position always has room. */
	uint64_t pos = myc_pub_add(&s->enq, k, solo);

	for (uint32_t j = 0; j < k; j++) {
		struct myc_cell *c = myc_q_cell(s, pos + j);

		c->buf = bs[j];
		/* release: pairs with the acquire in myc_q_pop_single(). */
		atomic_store_explicit(&c->seq, pos + j + 1, memory_order_release);
	}
}

/*
 * Enqueue @b; false when full.  The RMW on ->enq is seq_cst: it is the
 * publisher's half of the Dekker pairing with a consumer going to sleep
 * (sub_wait(), sub_arm_fd()): the consumer sets a wake bit and then reads
 * ->enq, the publisher advances ->enq and then reads the wake bit, so at
 * least one of them sees the other.  A solo publisher's plain pushes
 * (@solo) leave that fence out; they stop before a subscriber of the topic
 * first sleeps (bus.c, "Solo publisher").
 *
 * Lossless: the claim reserved room (reserve_one()), so the cell is free:
 * its last message was taken before ->deq passed it, and that ->deq reached
 * us through an acquire chain (->deq, ->deq_cache, then this RMW chain on
 * ->enq).  The consumer does not mark cells free there, and we do not look.
 */
static inline bool myc_q_push(struct myc_sub *s, struct myc_buf *b, bool solo)
{
	uint64_t pos;
	struct myc_cell *c;

	if (s->topic->policy == MYC_LOSSLESS) {
		myc_q_push_n(s, &b, 1, solo);
		return true;
	}
	pos = atomic_load_explicit(&s->enq, memory_order_relaxed);
	for (;;) {
		int64_t dif;

		c = myc_q_cell(s, pos);
		/* acquire: pairs with the release in myc_q_pop(); the cell's
		 * previous buffer was read before we overwrite it. */
		dif = (int64_t)(atomic_load_explicit(&c->seq, memory_order_acquire) - pos);
		if (dif == 0) {
			if (solo) {
				atomic_store_explicit(&s->enq, pos + 1, memory_order_relaxed);
				break;
			}
			if (atomic_compare_exchange_weak_explicit(&s->enq, &pos, pos + 1,
								  memory_order_seq_cst,
								  memory_order_relaxed))
				break;
		} else if (dif < 0) {
			return false;
		} else {
			pos = atomic_load_explicit(&s->enq, memory_order_relaxed);
		}
	}
	c->buf = b;
	/* release: pairs with the acquire in myc_q_pop(). */
	atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
	return true;
}

/* Dequeue the oldest message, or NULL when its cell is not filled yet. */
static inline struct myc_buf *myc_q_pop(struct myc_sub *s)
{
	uint64_t pos = atomic_load_explicit(&s->deq, memory_order_relaxed);
	struct myc_cell *c;
	struct myc_buf *b;

	for (;;) {
		int64_t dif;

		c = myc_q_cell(s, pos);
		/* acquire: pairs with the release in myc_q_push(). */
		dif = (int64_t)(atomic_load_explicit(&c->seq, memory_order_acquire) -
				(pos + 1));
		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(&s->deq, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		} else if (dif < 0) {
			return NULL;
		} else {
			pos = atomic_load_explicit(&s->deq, memory_order_relaxed);
		}
	}
	b = c->buf;
	/* release: pairs with the acquire in myc_q_push(). */
	atomic_store_explicit(&c->seq, pos + s->mask + 1, memory_order_release);
	return b;
}

/*
 * Lossless dequeue: publishers never dequeue there, so the consumer is
 * alone and needs no CAS, and it leaves the cell as it is: publishers
 * know the room from ->deq (myc_q_push()), and the next message of this
 * cell carries seq pos + depth + 1, which tells it from this one.
 */
static inline struct myc_buf *myc_q_pop_single(struct myc_sub *s)
{
	uint64_t pos = atomic_load_explicit(&s->deq, memory_order_relaxed);
	struct myc_cell *c = myc_q_cell(s, pos);
	struct myc_buf *b;

	/* acquire: pairs with the release in myc_q_push(). */
	if (atomic_load_explicit(&c->seq, memory_order_acquire) != pos + 1)
		return NULL;
	b = c->buf;
	/* release: our read of the cell happens before a publisher whose
	 * reservation saw the new position fills it (pairs with the loads in
	 * reserve_one()).  Not seq_cst: a locked store here would stall on
	 * the line a full-queue publisher keeps reading.  The Dekker pairing with a publisher going
	 * to sleep is done with a fence before the consumer itself waits or
	 * returns empty-handed (sub_wake_publishers()). */
	atomic_store_explicit(&s->deq, pos + 1, memory_order_release);
	return b;
}

/* Is the oldest message filled in?  Spinning consumers poll this: it reads
 * only the cell line the publisher hands over, never the ->enq line. */
static inline bool myc_q_ready(struct myc_sub *s)
{
	uint64_t pos = atomic_load_explicit(&s->deq, memory_order_relaxed);

	return atomic_load_explicit(&myc_q_cell(s, pos)->seq, memory_order_relaxed) == pos + 1;
}

/* Has a publisher claimed a queue position the consumer has not taken? */
static inline bool myc_q_pending(struct myc_sub *s)
{
	return atomic_load_explicit(&s->enq, memory_order_seq_cst) !=
	       atomic_load_explicit(&s->deq, memory_order_relaxed);
}

#endif
