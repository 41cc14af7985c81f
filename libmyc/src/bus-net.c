// SPDX-License-Identifier: MIT
/*
 * The net bridge: a bus that listens or dials (myc_bus_net_listen/connect,
 * docs/api.md "Across hosts") carries its topics over the Unix/TCP
 * transport of net.h, the same way bus-ring.c carries them over rings.
 *
 *   publisher thread                     bus net thread
 *   claim: lossless: lock, room?  ----.  poll(net fd, kick fd)
 *   commit: myc_net_publish, unlock   |  lock: myc_net_poll(0), flush,
 *           kick (eventfd, once) -----'        take received frames; unlock
 *                                        bus_inject each (local fan-out)
 *
 * A myc_net is single-threaded, so one mutex (bus_net.lock) covers every
 * call into it.  The per-bus thread sleeps in poll(2) on the net's epoll
 * fd and an eventfd publishers kick after queueing, so a committed frame
 * is written at once (and frames committed while the thread is busy go
 * out together, several per write).
 *
 * Outbound: a lossless claim takes the lock and keeps it until commit or
 * abort once every peer subscribed to the type has room
 * (myc_net_room()), so the commit never fails and nothing else takes the
 * room between.  A lossy publish never waits; full peer queues drop their
 * oldest (counted per link).  Only links whose peer subscribed the type
 * get the frame (interest in net.c).
 *
 * Inbound: the first local subscriber of a topic subscribes the net to
 * the type (myc_net_subscribe, announced to every peer).  Frames are
 * copied out inside myc_net_poll and injected after the lock is dropped,
 * so a slow local subscriber of a lossless topic stalls only this thread
 * (the socket is not read meanwhile: TCP back-pressure reaches the
 * sender).  bus_inject fans out locally (and, on a gateway, to the ring
 * bridge), never back to the net, so a frame is never sent back where it
 * came from.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "net.h"

#define NET_POLL_MS	50	/* thread: timers and stop-flag period */
#define ROOM_WAIT_NS	1000000	/* lossless claim: recheck period */
#define PEND_RETRY_MS	1	/* frames pending: retry injecting */
#define PEND_MIN	4096u	/* frames a topic may hold before the
				 * thread stops reading (x4 its depth) */

struct net_topic {
	struct myc_bridge br;		/* br.ctx = this */
	struct bus_net *owner;
	struct myc_topic *t;
	uint16_t type;
	bool subscribed;		/* under owner->lock */
	struct myc_pub *inject;		/* set before subscribed */
	struct net_topic *next;		/* owner's list, under owner->lock */
	/* Received, not yet taken by the local subscribers (net thread
	 * only: filled in on_frame, drained by deliver_topic). */
	struct rx_frame *pend, **pend_tail;
	uint32_t npend;
};

/* A received frame waiting for injection. */
struct rx_frame {
	struct rx_frame *next;
	struct net_topic *nt;
	struct myc_frame_hdr h;
	unsigned char data[];
};

struct bus_net {
	struct myc_bus *bus;
	pthread_mutex_t lock;		/* the net, topics, rx list */
	struct myc_net *net;
	struct net_topic *topics;
	uint32_t npend;			/* frames pending over all topics */
	int kick_fd;			/* eventfd */
	_Atomic int kicked;		/* a kick is pending */
	_Atomic int recheck;		/* a topic may have lost its last sub */
	_Atomic int stop;
	bool thread_on;
	pthread_t thread;
	/* Last handshake failure (on_event, under lock): myc_bus_net_error. */
	int hs_err;
	char hs_text[320];
};

/* Marks a publisher that holds owner->lock between claim and commit. */
#define HOLDS_LOCK	((void *)1)

static void kick(struct bus_net *bn)
{
	uint64_t one = 1;

	if (!atomic_exchange_explicit(&bn->kicked, 1, memory_order_acq_rel))
		(void)!write(bn->kick_fd, &one, sizeof(one));
}

/* ---- outbound ----------------------------------------------------------- */

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int nb_claim(struct myc_bridge *br, void **priv, uint32_t len,
		    int timeout_ms)
{
	struct net_topic *nt = br->ctx;
	struct bus_net *bn = nt->owner;
	uint64_t deadline = timeout_ms > 0 ?
		mono_now() + (uint64_t)timeout_ms * 1000000u : 0;
	int r;

	if (nt->t->policy != MYC_LOSSLESS)
		return 0;
	for (;;) {
		pthread_mutex_lock(&bn->lock);
		r = myc_net_room(bn->net, nt->type, len);
		if (!r) {
			*priv = HOLDS_LOCK;	/* unlocked by commit/abort */
			return 0;
		}
		pthread_mutex_unlock(&bn->lock);
		if (r != -MYC_E_BACK_PRESSURED)
			return r;
		if (timeout_ms == 0)
			return r;
		if (timeout_ms > 0 && mono_now() >= deadline)
			return -ETIMEDOUT;
		/* The net thread writes and reads acknowledgements. */
		kick(bn);
		nanosleep(&(struct timespec){ .tv_nsec = ROOM_WAIT_NS }, NULL);
	}
}

static void nb_commit(struct myc_bridge *br, void **priv,
		      const struct myc_frame_hdr *f)
{
	struct net_topic *nt = br->ctx;
	struct bus_net *bn = nt->owner;

	if (*priv != HOLDS_LOCK)
		pthread_mutex_lock(&bn->lock);
	/* Links down or lossy queues full are counted in the link stats. */
	(void)myc_net_publish(bn->net, f, f + 1, f->len - MYC_FRAME_HDR_SIZE);
	pthread_mutex_unlock(&bn->lock);
	*priv = NULL;
	kick(bn);
}

static void nb_abort(struct myc_bridge *br, void **priv)
{
	struct net_topic *nt = br->ctx;

	if (*priv == HOLDS_LOCK)
		pthread_mutex_unlock(&nt->owner->lock);
	*priv = NULL;
}

static void nb_pub_free(struct myc_bridge *br, void **priv)
{
	(void)br;
	*priv = NULL;
}

static const struct myc_bridge_ops net_bridge_ops = {
	.claim = nb_claim,
	.commit = nb_commit,
	.abort = nb_abort,
	.pub_free = nb_pub_free,
};

/* ---- inbound ------------------------------------------------------------ */

static void on_frame(struct myc_net *net, struct myc_link *link,
		     const struct myc_frame_hdr *hdr, const void *payload,
		     const void *frame, uint32_t span, void *ctx)
{
	struct bus_net *bn = ctx;
	uint32_t size = hdr->len - MYC_FRAME_HDR_SIZE;
	struct net_topic *nt;
	struct rx_frame *rf;

	(void)net; (void)link; (void)frame; (void)span;
	for (nt = bn->topics; nt; nt = nt->next)
		if (nt->type == hdr->type)
			break;
	/* Only subscribed types arrive; a frame larger than the local topic
	 * allows is not ours to deliver. */
	if (!nt || !nt->subscribed || size > nt->t->max_size)
		return;
	rf = malloc(sizeof(*rf) + size);
	if (!rf)
		return;	/* the local subscribers' queues cannot take it either */
	rf->next = NULL;
	rf->nt = nt;
	rf->h = *hdr;
	memcpy(rf->data, payload, size);
	*nt->pend_tail = rf;
	nt->pend_tail = &rf->next;
	nt->npend++;
	bn->npend++;
}

/* Hand @nt's pending frames to its local subscribers, in order, until one
 * does not fit (a full lossless queue: retried later, never dropped).
 * True if the topic holds so many that the thread should stop reading. */
static bool deliver_topic(struct bus_net *bn, struct net_topic *nt)
{
	struct rx_frame *rf;
	uint32_t cap = nt->t->depth * 4 > PEND_MIN ? nt->t->depth * 4 : PEND_MIN;

	while ((rf = nt->pend)) {
		int r = bus_inject(nt->inject, &rf->h, rf->data);

		if (r == -ETIMEDOUT || r == -MYC_E_BACK_PRESSURED)
			break;
		nt->pend = rf->next;
		if (!nt->pend)
			nt->pend_tail = &nt->pend;
		nt->npend--;
		bn->npend--;
		free(rf);
	}
	return nt->npend >= cap;
}

/* Handshake failures are kept for myc_bus_net_error() (the library never
 * prints).  Runs inside myc_net_poll, under bn->lock. */
static void on_event(struct myc_net *net, struct myc_link *link,
		     const struct myc_net_event *ev, void *ctx)
{
	struct bus_net *bn = ctx;

	(void)net; (void)link;
	if (ev->kind == MYC_NET_EV_REJECTED) {
		bn->hs_err = ev->err;
		/* The text says "rejected by peer: <its reason>". */
		if (ev->peer[0])
			snprintf(bn->hs_text, sizeof(bn->hs_text), "peer '%s': %s",
				 ev->peer, ev->text);
		else
			snprintf(bn->hs_text, sizeof(bn->hs_text), "%s", ev->text);
	} else if (ev->kind == MYC_NET_EV_REFUSED) {
		bn->hs_err = ev->err;
		snprintf(bn->hs_text, sizeof(bn->hs_text), "we refused peer '%s': %s",
			 ev->peer, ev->text);
	}
}

/*
 * The loop.  Frames for a topic whose local subscribers are full (lossless)
 * wait in the topic's pending list while the other topics and links go on;
 * only when one topic holds PEND_MIN (or 4 x depth) frames does the thread
 * stop reading sockets (it still writes), so the peers' lossless queues
 * fill and their publishers back-pressure instead of this process growing
 * without bound.
 */
/*
 * Withdraw interest in the types that no local subscriber wants any more
 * (net thread, bn->lock held).  myc_sub_free() only flags it: it may run
 * inside an inline callback of a publisher that holds bn->lock.  A
 * subscriber made meanwhile counts in t->nsubs before its
 * bus_net_topic_used() takes the lock, so either we see it and keep the
 * subscription, or it subscribes again after us.  A gateway's interest is
 * its own (myc_gateway_poll).
 */
static void withdraw_unused(struct bus_net *bn)
{
	if (bn->bus->gateway)
		return;
	for (struct net_topic *nt = bn->topics; nt; nt = nt->next)
		if (nt->subscribed &&
		    !atomic_load_explicit(&nt->t->nsubs, memory_order_acquire) &&
		    !myc_net_unsubscribe(bn->net, nt->t->type))
			nt->subscribed = false;
}

void bus_net_sub_gone(struct myc_bus *bus)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);

	if (!bn)
		return;
	atomic_store_explicit(&bn->recheck, 1, memory_order_release);
	kick(bn);
}

static void *net_main(void *arg)
{
	struct bus_net *bn = arg;
	struct net_topic *nt, *list;
	bool stalled = false;
	uint64_t v;

	while (!atomic_load_explicit(&bn->stop, memory_order_acquire)) {
		struct pollfd p[2] = {
			{ .fd = bn->kick_fd, .events = POLLIN },
			{ .fd = myc_net_fd(bn->net), .events = POLLIN },
		};

		if (poll(p, stalled ? 1 : 2, bn->npend ? PEND_RETRY_MS : NET_POLL_MS) > 0 &&
		    p[0].revents) {
			(void)!read(bn->kick_fd, &v, sizeof(v));
			/* Frames queued before this point are flushed below;
			 * later ones kick again. */
			atomic_store_explicit(&bn->kicked, 0, memory_order_release);
		}
		pthread_mutex_lock(&bn->lock);
		if (atomic_exchange_explicit(&bn->recheck, 0, memory_order_acq_rel))
			withdraw_unused(bn);	/* UNSUBSCRIBE flushed below */
		if (!stalled)
			myc_net_poll(bn->net, 0);
		myc_net_flush(bn->net);
		list = bn->topics;	/* entries are only ever prepended */
		pthread_mutex_unlock(&bn->lock);
		stalled = false;
		for (nt = list; nt && bn->npend; nt = nt->next)
			if (nt->pend && deliver_topic(bn, nt))
				stalled = true;
	}
	return NULL;
}

/* ---- setup and teardown ------------------------------------------------- */

static struct net_topic *topic_net(struct bus_net *bn, struct myc_topic *t,
				   int *err)
{
	struct net_topic *nt;

	pthread_mutex_lock(&bn->lock);
	for (nt = bn->topics; nt; nt = nt->next)
		if (nt->t == t)
			goto out;
	nt = calloc(1, sizeof(*nt));
	if (!nt) {
		*err = -ENOMEM;
		goto out;
	}
	nt->owner = bn;
	nt->t = t;
	nt->type = t->type;
	nt->br.ops = &net_bridge_ops;
	nt->br.ctx = nt;
	nt->pend_tail = &nt->pend;
	*err = bus_bridge_add(t, &nt->br);
	if (*err) {
		free(nt);
		nt = NULL;
		goto out;
	}
	nt->next = bn->topics;
	bn->topics = nt;
out:
	pthread_mutex_unlock(&bn->lock);
	return nt;
}

int bus_net_topic_used(struct myc_bus *bus, struct myc_topic *t, bool sub)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);
	/* Never waits: a full local queue leaves the frame pending. */
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = 0 };
	struct myc_pub *inj;
	struct net_topic *nt;
	int err = 0;

	nt = topic_net(bn, t, &err);
	if (!nt || !sub)
		return err;
	pthread_mutex_lock(&bn->lock);
	if (nt->subscribed) {
		pthread_mutex_unlock(&bn->lock);
		return 0;
	}
	pthread_mutex_unlock(&bn->lock);
	/* Outside the net lock: myc_pub_new takes the bus lock. */
	inj = myc_pub_new(bus, t->type, &po);
	if (!inj)
		return -errno;
	pthread_mutex_lock(&bn->lock);
	if (!nt->subscribed && !nt->inject) {
		inj->origin = &nt->br;
		nt->inject = inj;
		inj = NULL;
	}
	if (!nt->subscribed) {
		err = myc_net_subscribe(bn->net, t->type, t->policy);
		if (!err)
			nt->subscribed = true;
	}
	pthread_mutex_unlock(&bn->lock);
	kick(bn);	/* SUBSCRIBE goes out now */
	myc_pub_free(inj);
	return err;
}

/* ---- gateway (bus-gateway.c) -------------------------------------------- */

static struct net_topic *net_topic_find(struct bus_net *bn, struct myc_topic *t)
{
	struct net_topic *nt;

	for (nt = bn->topics; nt; nt = nt->next)
		if (nt->t == t)
			return nt;
	return NULL;
}

/* The inject publisher stays (a later subscribe reuses it); frames still
 * arriving for the type are dropped in on_frame. */
int bus_net_topic_unsubscribe(struct myc_bus *bus, struct myc_topic *t)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);
	struct net_topic *nt;
	int err = 0;

	if (!bn)
		return -ENOENT;
	pthread_mutex_lock(&bn->lock);
	nt = net_topic_find(bn, t);
	if (nt && nt->subscribed) {
		err = myc_net_unsubscribe(bn->net, t->type);
		if (!err)
			nt->subscribed = false;
	}
	pthread_mutex_unlock(&bn->lock);
	kick(bn);	/* UNSUBSCRIBE goes out now */
	return err;
}

bool bus_net_topic_subscribed(struct myc_bus *bus, struct myc_topic *t)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);
	struct net_topic *nt;
	bool on;

	if (!bn)
		return false;
	pthread_mutex_lock(&bn->lock);
	nt = net_topic_find(bn, t);
	on = nt && nt->subscribed;
	pthread_mutex_unlock(&bn->lock);
	return on;
}

bool bus_net_peers_want(struct myc_bus *bus, uint16_t type)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);
	bool want;

	if (!bn)
		return false;
	pthread_mutex_lock(&bn->lock);
	want = myc_net_wanted(bn->net, type);
	pthread_mutex_unlock(&bn->lock);
	return want;
}

/* Bridge the topics that exist already (those made before the net). */
static int bridge_existing(struct myc_bus *bus)
{
	struct myc_topic *t, **v;
	bool *sub;
	size_t n = 0, i;
	int err = 0;

	pthread_mutex_lock(&bus->lock);
	for (t = bus->topics; t; t = t->next)
		n++;
	v = calloc(n + 1, sizeof(*v));
	sub = calloc(n + 1, sizeof(*sub));
	if (!v || !sub) {
		pthread_mutex_unlock(&bus->lock);
		free(v);
		free(sub);
		return -ENOMEM;
	}
	for (i = 0, t = bus->topics; t; t = t->next, i++) {
		v[i] = t;
		sub[i] = t->sublist != NULL;
	}
	pthread_mutex_unlock(&bus->lock);
	for (i = 0; i < n && !err; i++)
		err = bus_net_topic_used(bus, v[i], sub[i]);
	free(v);
	free(sub);
	return err;
}

static bool node_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n <= MYC_NET_NAME_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789._-") == n;
}

/* The bus's net, made (and its thread started) on first use. */
static int bus_net_get(struct myc_bus *bus, struct bus_net **out)
{
	struct bus_net *bn;
	struct myc_net_opts no = { .sz = sizeof(no) };
	int err;

	pthread_mutex_lock(&bus->lock);
	bn = atomic_load_explicit(&bus->net, memory_order_relaxed);
	if (bn) {
		pthread_mutex_unlock(&bus->lock);
		*out = bn;
		return 0;
	}
	if (!node_ok(bus->name)) {
		pthread_mutex_unlock(&bus->lock);
		return -EINVAL;	/* the bus name is the node name */
	}
	bn = calloc(1, sizeof(*bn));
	if (!bn) {
		pthread_mutex_unlock(&bus->lock);
		return -ENOMEM;
	}
	bn->bus = bus;
	pthread_mutex_init(&bn->lock, NULL);
	bn->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	no.node = bus->name;
	no.digest = bus->has_digest ? bus->digest : NULL;
	no.on_event = on_event;
	no.on_frame = on_frame;
	no.ctx = bn;
	bn->net = bn->kick_fd >= 0 ? myc_net_new(&no) : NULL;
	if (!bn->net) {
		err = -errno;
		goto fail;
	}
	err = -pthread_create(&bn->thread, NULL, net_main, bn);
	if (err)
		goto fail;
	bn->thread_on = true;
	/* release: pairs with the acquire in myc_sub_new()/myc_pub_new(). */
	atomic_store_explicit(&bus->net, bn, memory_order_release);
	pthread_mutex_unlock(&bus->lock);
	err = bridge_existing(bus);
	*out = bn;
	return err;
fail:
	pthread_mutex_unlock(&bus->lock);
	myc_net_free(bn->net);
	if (bn->kick_fd >= 0)
		close(bn->kick_fd);
	pthread_mutex_destroy(&bn->lock);
	free(bn);
	return err ? err : -ENOMEM;
}

int myc_bus_net_listen(struct myc_bus *bus, const char *addr)
{
	struct bus_net *bn;
	int err;

	if (!bus || !addr)
		return -EINVAL;
	err = bus_net_get(bus, &bn);
	if (err)
		return err;
	pthread_mutex_lock(&bn->lock);
	err = myc_net_listen(bn->net, addr);
	pthread_mutex_unlock(&bn->lock);
	kick(bn);
	return err;
}

int myc_bus_net_connect(struct myc_bus *bus, const char *addr)
{
	struct bus_net *bn;
	struct myc_link *l;
	int err;

	if (!bus || !addr)
		return -EINVAL;
	err = bus_net_get(bus, &bn);
	if (err)
		return err;
	pthread_mutex_lock(&bn->lock);
	l = myc_net_connect(bn->net, addr);
	err = l ? 0 : -errno;
	pthread_mutex_unlock(&bn->lock);
	kick(bn);
	return err;
}

/* The bus's net, locked, or NULL when it never listened nor connected. */
static struct bus_net *net_lock(struct myc_bus *bus)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);

	if (bn)
		pthread_mutex_lock(&bn->lock);
	return bn;
}

int myc_bus_net_addr(struct myc_bus *bus, char *buf, size_t len)
{
	struct bus_net *bn;
	const char *a;
	int err = 0;

	if (!bus || !buf || !len)
		return -EINVAL;
	bn = net_lock(bus);
	if (!bn)
		return -ENOENT;
	a = myc_net_listen_addr(bn->net);
	if (!a)
		err = -ENOENT;
	else if (strlen(a) >= len)
		err = -ENAMETOOLONG;
	else
		strcpy(buf, a);
	pthread_mutex_unlock(&bn->lock);
	return err;
}

int myc_bus_net_peer_wants(struct myc_bus *bus, const char *peer, uint16_t type)
{
	struct bus_net *bn;
	struct myc_link *l;
	int r;

	if (!bus || !peer)
		return -EINVAL;
	bn = net_lock(bus);
	if (!bn)
		return -ENOENT;
	l = myc_net_link(bn->net, peer);
	r = !l ? -ENOENT : myc_link_up(l) && myc_link_peer_wants(l, type);
	pthread_mutex_unlock(&bn->lock);
	return r;
}

int myc_bus_net_reset(struct myc_bus *bus, const char *peer)
{
	struct bus_net *bn;
	struct myc_link *l;
	int r;

	if (!bus || !peer)
		return -EINVAL;
	bn = net_lock(bus);
	if (!bn)
		return -ENOENT;
	l = myc_net_link(bn->net, peer);
	r = l ? myc_link_reset(l) : -ENOENT;
	pthread_mutex_unlock(&bn->lock);
	kick(bn);
	return r;
}

int myc_bus_net_error(struct myc_bus *bus, char *buf, size_t len)
{
	struct bus_net *bn;
	int err;

	if (!bus || !buf || !len)
		return -EINVAL;
	bn = net_lock(bus);
	if (!bn)
		return -ENOENT;
	err = bn->hs_err;
	snprintf(buf, len, "%s", err ? bn->hs_text : "");
	pthread_mutex_unlock(&bn->lock);
	return err;
}

void bus_net_stop(struct myc_bus *bus)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);
	struct net_topic *nt;
	struct rx_frame *rf;

	if (!bn)
		return;
	atomic_store_explicit(&bn->stop, 1, memory_order_release);
	if (bn->thread_on) {
		kick(bn);
		pthread_join(bn->thread, NULL);
		bn->thread_on = false;
	}
	/* Last writes of what is queued (never blocks). */
	myc_net_flush(bn->net);
	for (nt = bn->topics; nt; nt = nt->next) {
		while ((rf = nt->pend)) {
			nt->pend = rf->next;
			free(rf);
		}
		myc_pub_free(nt->inject);
		nt->inject = NULL;
	}
}

void bus_net_free(struct myc_bus *bus)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);
	struct net_topic *nt, *nn;

	if (!bn)
		return;
	myc_net_free(bn->net);
	for (nt = bn->topics; nt; nt = nn) {
		nn = nt->next;
		free(nt);
	}
	close(bn->kick_fd);
	pthread_mutex_destroy(&bn->lock);
	free(bn);
	atomic_store_explicit(&bus->net, NULL, memory_order_relaxed);
}

int bus_net_link_stats(struct myc_bus *bus, const char *peer,
		       struct myc_link_stats *st)
{
	struct bus_net *bn = atomic_load_explicit(&bus->net, memory_order_acquire);
	struct myc_link *l;

	if (!bn)
		return -ENOENT;
	pthread_mutex_lock(&bn->lock);
	l = myc_net_link(bn->net, peer);
	if (l)
		myc_link_stats(l, st);
	pthread_mutex_unlock(&bn->lock);
	return l ? 0 : -ENOENT;
}
