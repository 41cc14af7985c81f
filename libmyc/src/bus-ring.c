// SPDX-License-Identifier: MIT
/*
 * The ring bridge: a bus whose myc_bus_opts.ring_domain is set carries
 * each topic across processes on the shared-memory ring
 * "<domain>.<type id>" (docs/api.md, "Across processes").
 *
 *   process A                         process B
 *   pub --commit--> local subs        ring "dom.7"        rx thread --> subs
 *         \--bridge: one copy -----> [frame|frame|...] --peek/inject--/
 *
 * Outbound (bus.h bridge ops, in the publisher's thread): every publisher
 * opens its own producer handle on first claim (a handle is single-thread,
 * like a publisher).  A claim reserves ring room only when a consumer
 * other than this bus's own exists (or MYC_BUS_RING_FORCE), so lossless
 * back-pressure happens at claim and the commit is one copy, never a
 * failure.  Whether someone else listens is recounted only when the ring's
 * cons_gen (bumped on every consumer join/leave) changed.
 *
 * Inbound: the first subscriber of a topic opens the ring as consumer and
 * starts one receive thread for it (spin, then futex sleep, inside
 * myc_ring_peek).  The thread injects each frame into the local topic with
 * its header as sent (bus_inject); frames whose src is one of this bus's
 * producer slots are skipped, so a process never sees its own frames twice.
 * The consumer and the thread stay until myc_bus_free().
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "ring.h"
#include "topo.h"

#define RX_POLL_MS	100	/* receive thread: stop-flag check period */
#define RING_CAP_MIN	4096u

struct ring_topic {
	struct myc_bridge br;		/* br.ctx = this */
	struct bus_ring *owner;
	struct myc_topic *t;
	uint16_t type;
	char name[64];			/* "<domain>.<type>" */
	struct myc_ring_opts ro;	/* create options from the topic */
	/* Producer slots of this bus's publishers (index slot): their
	 * frames come back through our consumer and are skipped. */
	_Atomic uint8_t own[MYC_RING_MAX_PRODUCERS];
	/* Inbound, set up under owner->rx_lock. */
	_Atomic int has_rx;
	_Atomic int rx_stop;		/* this topic's thread: stop (gateway) */
	struct myc_ring *cons;
	struct myc_pub *inject;
	pthread_t thread;
	struct ring_topic *next;	/* owner's list, under owner->lock */
};

struct bus_ring {
	char domain[MYC_RING_DOMAIN_MAX + 1];
	uint32_t flags;
	pthread_mutex_t lock;		/* topics list */
	pthread_mutex_t rx_lock;	/* receive side setup */
	struct ring_topic *topics;
	_Atomic int stop;
};

/* One publisher's state on one ring (pub->bpriv[]). */
struct ring_pub {
	struct myc_ring *prod;		/* NULL: open failed with err */
	int err;
	void *payload;			/* open ring claim, or NULL */
	uint64_t gen;			/* cons_gen of the last count */
	bool remote;			/* someone else consumes */
	bool counted;
};

/* ---- outbound ----------------------------------------------------------- */

/* Does a consumer other than our own bus's read the ring?  Recounted only
 * when a consumer joined or left since the last look. */
static bool remote_interest(struct ring_topic *rt, struct ring_pub *rp)
{
	struct myc_ring *r = rp->prod;
	uint64_t gen = ld_acq(&r->ctl->cons_gen);
	uint32_t j, n = 0;

	if (myc_likely(rp->counted && gen == rp->gen))
		return rp->remote;
	for (j = 0; j < r->hdr.max_consumers; j++)
		if (ld_acq(&ring_cons(r, j)->state) == MYC_RING_CS_ACTIVE)
			n++;
	if (atomic_load_explicit(&rt->has_rx, memory_order_acquire) && n)
		n--;
	rp->gen = gen;
	rp->counted = true;
	rp->remote = n > 0;
	return rp->remote;
}

static int rb_claim(struct myc_bridge *br, void **priv, uint32_t len,
		    int timeout_ms)
{
	struct ring_topic *rt = br->ctx;
	bool lossless = rt->ro.policy == MYC_LOSSLESS;
	struct ring_pub *rp = *priv;
	int r;

	if (myc_unlikely(!rp)) {
		/* First claim of this publisher: its producer handle. */
		rp = calloc(1, sizeof(*rp));
		if (!rp)
			return lossless ? -ENOMEM : 0;
		rp->prod = myc_ring_open(rt->name, MYC_RING_PRODUCER | MYC_RING_CREATE,
					 &rt->ro);
		if (rp->prod)
			atomic_store_explicit(&rt->own[rp->prod->slot], 1,
					      memory_order_release);
		else
			rp->err = -errno;	/* e.g. EUSERS: no producer slot */
		*priv = rp;
	}
	if (myc_unlikely(!rp->prod)) {
		/* Not retried per message.  Lossy: the frame just does not
		 * leave the process; lossless: the claim fails, never a
		 * silent drop. */
		return lossless ? rp->err : 0;
	}
	if (!(rt->owner->flags & MYC_BUS_RING_FORCE) && !remote_interest(rt, rp))
		return 0;
	r = myc_ring_claim(rp->prod, len - MYC_FRAME_HDR_SIZE, &rp->payload,
			   timeout_ms);
	if (myc_likely(!r))
		return 0;
	rp->payload = NULL;
	return lossless ? r : 0;
}

static void rb_commit(struct myc_bridge *br, void **priv,
		      const struct myc_frame_hdr *f)
{
	struct ring_pub *rp = *priv;

	(void)br;
	if (!rp || !rp->payload)
		return;
	ring_copy_in(rp->prod, rp->payload, f + 1,
		     f->len - MYC_FRAME_HDR_SIZE, f->ts_ns);
	ring_commit_ts(rp->prod, f->type, f->ts_ns);
	rp->payload = NULL;
}

static void rb_abort(struct myc_bridge *br, void **priv)
{
	struct ring_pub *rp = *priv;

	(void)br;
	if (!rp || !rp->payload)
		return;
	myc_ring_abort(rp->prod);
	rp->payload = NULL;
}

static void rb_pub_free(struct myc_bridge *br, void **priv)
{
	struct ring_topic *rt = br->ctx;
	struct ring_pub *rp = *priv;

	if (!rp)
		return;
	if (rp->prod) {
		atomic_store_explicit(&rt->own[rp->prod->slot], 0,
				      memory_order_release);
		myc_ring_free(rp->prod);
	}
	free(rp);
	*priv = NULL;
}

static const struct myc_bridge_ops ring_bridge_ops = {
	.claim = rb_claim,
	.commit = rb_commit,
	.abort = rb_abort,
	.pub_free = rb_pub_free,
};

/* ---- inbound ------------------------------------------------------------ */

static bool rx_stopping(struct ring_topic *rt)
{
	return atomic_load_explicit(&rt->owner->stop, memory_order_acquire) ||
	       atomic_load_explicit(&rt->rx_stop, memory_order_acquire);
}

/* Deliver one frame, waiting (lossless) while local subscribers are full.
 * False when the bus is being freed. */
static bool rx_deliver(struct ring_topic *rt, const struct myc_frame_hdr *h,
		       const void *payload)
{
	int r;

	for (;;) {
		r = bus_inject(rt->inject, h, payload);
		if (r != -ETIMEDOUT && r != -MYC_E_BACK_PRESSURED)
			return true;
		if (rx_stopping(rt))
			return false;
	}
}

static void *rx_main(void *arg)
{
	struct ring_topic *rt = arg;
	/* The ring's policy (its creator's), which says whether a peeked
	 * frame can be overwritten while we read it. */
	bool lossless = rt->cons->lossless;
	uint64_t lost_seen = 0, lost;
	struct myc_frame_hdr h;
	const void *payload;
	void *copy = NULL;
	int r;

	if (!lossless) {
		/* Lossy: a producer may overwrite the frame while we read it,
		 * so copy it out and deliver only if release says it was whole. */
		copy = malloc(rt->ro.max_frame);
		if (!copy)
			return NULL;
	}
	while (!rx_stopping(rt)) {
		lost = myc_ring_lost(rt->cons);
		if (lost != lost_seen) {
			/* Frames lapped on the ring (found by the last peek,
			 * or torn while copied) are lost to every local
			 * subscriber: they count them (myc_sub_lost). */
			bus_topic_add_lost(rt->t, lost - lost_seen);
			lost_seen = lost;
		}
		r = myc_ring_peek(rt->cons, &h, &payload, RX_POLL_MS);
		if (r == -ETIMEDOUT || r == -EAGAIN)
			continue;
		if (r < 0)
			break;	/* corrupt ring: this topic stops receiving */
		/* Only frames of our type, not our own, fitting the topic. */
		if (h.type != rt->type || (h.flags & MYC_FRAME_F_SYSTEM) ||
		    (h.src && h.src <= MYC_RING_MAX_PRODUCERS &&
		     atomic_load_explicit(&rt->own[h.src - 1], memory_order_acquire)) ||
		    (uint32_t)r > rt->t->max_size) {
			myc_ring_release(rt->cons);
			continue;
		}
		if (lossless) {
			bool go = rx_deliver(rt, &h, payload);

			myc_ring_release(rt->cons);
			if (!go)
				break;
		} else {
			memcpy(copy, payload, (size_t)r);
			if (!myc_ring_release(rt->cons))
				rx_deliver(rt, &h, copy);
		}
	}
	free(copy);
	return NULL;
}

/* Open the ring as consumer and start the receive thread (once). */
static int rx_start(struct bus_ring *br, struct ring_topic *rt)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = RX_POLL_MS };
	int err = 0;

	pthread_mutex_lock(&br->rx_lock);
	if (atomic_load_explicit(&rt->has_rx, memory_order_relaxed))
		goto out;
	rt->inject = myc_pub_new(rt->t->bus, rt->type, &po);
	if (!rt->inject) {
		err = -errno;
		goto out;
	}
	rt->inject->origin = &rt->br;
	/* Announce our consumer before it exists: a publisher of this bus
	 * that recounts after the join discounts it. */
	atomic_store_explicit(&rt->has_rx, 1, memory_order_seq_cst);
	rt->cons = myc_ring_open(rt->name, MYC_RING_CONSUMER | MYC_RING_CREATE,
				 &rt->ro);
	if (!rt->cons) {
		err = -errno;
		goto fail;
	}
	err = -pthread_create(&rt->thread, NULL, rx_main, rt);
	if (!err)
		goto out;
	myc_ring_free(rt->cons);
	rt->cons = NULL;
fail:
	atomic_store_explicit(&rt->has_rx, 0, memory_order_seq_cst);
	myc_pub_free(rt->inject);
	rt->inject = NULL;
out:
	pthread_mutex_unlock(&br->rx_lock);
	return err;
}

/* ---- setup and teardown ------------------------------------------------- */

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = RING_CAP_MIN;

	while (p < v)
		p <<= 1;
	return p;
}

static struct ring_topic *topic_ring(struct bus_ring *br, struct myc_topic *t,
				     int *err)
{
	struct ring_topic *rt;
	uint32_t span;

	pthread_mutex_lock(&br->lock);
	for (rt = br->topics; rt; rt = rt->next)
		if (rt->t == t)
			goto out;
	rt = calloc(1, sizeof(*rt));
	if (!rt) {
		*err = -ENOMEM;
		goto out;
	}
	rt->owner = br;
	rt->t = t;
	rt->type = t->type;
	snprintf(rt->name, sizeof(rt->name), "%s.%u", br->domain, t->type);
	/* The ring holds a topic queue's worth of largest frames, and at
	 * least two of them (the ring's max_frame rule). */
	span = myc_frame_span(MYC_FRAME_HDR_SIZE + t->max_size);
	rt->ro = (struct myc_ring_opts){
		.sz = sizeof(rt->ro),
		.policy = t->policy,
		.capacity = pow2_at_least(((uint64_t)t->depth > 2 ? t->depth : 2) *
					  (span + 64)),
		.max_frame = MYC_FRAME_HDR_SIZE + t->max_size,
		/* Stored at create, checked at open: a ring of another
		 * schema is refused with MYC_E_DIGEST. */
		.digest = t->bus->has_digest ? t->bus->digest : NULL,
	};
	rt->br.ops = &ring_bridge_ops;
	rt->br.ctx = rt;
	*err = bus_bridge_add(t, &rt->br);
	if (*err) {
		free(rt);
		rt = NULL;
		goto out;
	}
	rt->next = br->topics;
	br->topics = rt;
out:
	pthread_mutex_unlock(&br->lock);
	return rt;
}

int bus_ring_topic_used(struct myc_bus *bus, struct myc_topic *t, bool sub)
{
	struct ring_topic *rt;
	int err = 0;

	rt = topic_ring(bus->ring, t, &err);
	if (!rt)
		return err;
	if (sub && !atomic_load_explicit(&rt->has_rx, memory_order_acquire))
		err = rx_start(bus->ring, rt);
	return err;
}

/* ---- gateway (bus-gateway.c) -------------------------------------------- */

bool bus_ring_receiving(struct myc_bus *bus, struct myc_topic *t)
{
	struct bus_ring *br = bus->ring;
	struct ring_topic *rt;
	bool on = false;

	pthread_mutex_lock(&br->lock);
	for (rt = br->topics; rt; rt = rt->next)
		if (rt->t == t)
			on = atomic_load_explicit(&rt->has_rx, memory_order_acquire);
	pthread_mutex_unlock(&br->lock);
	return on;
}

/* Stop consuming @t's ring (no peer wants it any more): this host's
 * publishers stop writing it once they see the consumer gone. */
void bus_ring_rx_stop(struct myc_bus *bus, struct myc_topic *t)
{
	struct bus_ring *br = bus->ring;
	struct ring_topic *rt;

	pthread_mutex_lock(&br->lock);
	for (rt = br->topics; rt; rt = rt->next)
		if (rt->t == t)
			break;
	pthread_mutex_unlock(&br->lock);
	if (!rt)
		return;
	pthread_mutex_lock(&br->rx_lock);
	if (atomic_load_explicit(&rt->has_rx, memory_order_relaxed)) {
		atomic_store_explicit(&rt->rx_stop, 1, memory_order_release);
		pthread_join(rt->thread, NULL);
		myc_ring_free(rt->cons);
		rt->cons = NULL;
		myc_pub_free(rt->inject);
		rt->inject = NULL;
		atomic_store_explicit(&rt->rx_stop, 0, memory_order_relaxed);
		atomic_store_explicit(&rt->has_rx, 0, memory_order_seq_cst);
	}
	pthread_mutex_unlock(&br->rx_lock);
}

/*
 * Consumers of @t's ring other than ours.  An inspecting handle (no role)
 * is opened and closed each time: holding one would keep an unused ring
 * alive, and a ring nobody opened yet has no consumer.
 */
int bus_ring_foreign_consumers(struct myc_bus *bus, struct myc_topic *t)
{
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct ring_topic *rt;
	struct myc_ring *r;
	int n;

	rt = topic_ring(bus->ring, t, &n);
	if (!rt)
		return n;
	r = myc_ring_open(rt->name, 0, &rt->ro);
	if (!r)
		return errno == ENOENT ? 0 : -errno;
	n = myc_ring_info(r, &info) ? 0 : (int)info.consumers;
	myc_ring_free(r);
	if (n && atomic_load_explicit(&rt->has_rx, memory_order_acquire))
		n--;
	return n;
}

bool ring_domain_ok(const char *d)
{
	size_t n = strlen(d);

	if (!n || n > MYC_RING_DOMAIN_MAX || d[0] == '.')
		return false;
	return strspn(d, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789._-") == n;
}

const char *myc_bus_ring_domain(const struct myc_bus *bus)
{
	return bus && bus->ring ? bus->ring->domain : NULL;
}

int bus_ring_new(struct myc_bus *bus, const struct myc_bus_opts *o)
{
	struct bus_ring *br;
	const char *domain = NULL;
	uint32_t flags = 0;

	if (o && o->sz >= offsetof(struct myc_bus_opts, ring_domain) + sizeof(char *))
		domain = o->ring_domain;
	if (o && o->sz >= offsetof(struct myc_bus_opts, ring_flags) + sizeof(uint32_t))
		flags = o->ring_flags;
	if (!domain)
		return flags ? -EINVAL : 0;
	if (!ring_domain_ok(domain) || (flags & ~MYC_BUS_RING_KNOWN))
		return -EINVAL;
	br = calloc(1, sizeof(*br));
	if (!br)
		return -ENOMEM;
	strcpy(br->domain, domain);
	br->flags = flags;
	pthread_mutex_init(&br->lock, NULL);
	pthread_mutex_init(&br->rx_lock, NULL);
	bus->ring = br;
	return 0;
}

void bus_ring_stop(struct myc_bus *bus)
{
	struct bus_ring *br = bus->ring;
	struct ring_topic *rt;

	if (!br)
		return;
	atomic_store_explicit(&br->stop, 1, memory_order_release);
	for (rt = br->topics; rt; rt = rt->next) {
		if (!rt->cons)
			continue;
		pthread_join(rt->thread, NULL);
		myc_ring_free(rt->cons);
		rt->cons = NULL;
		myc_pub_free(rt->inject);
		rt->inject = NULL;
	}
}

void bus_ring_free(struct myc_bus *bus)
{
	struct bus_ring *br = bus->ring;
	struct ring_topic *rt, *rn;

	if (!br)
		return;
	for (rt = br->topics; rt; rt = rn) {
		rn = rt->next;
		free(rt);
	}
	pthread_mutex_destroy(&br->lock);
	pthread_mutex_destroy(&br->rx_lock);
	free(br);
	bus->ring = NULL;
}
