// SPDX-License-Identifier: MIT
/*
 * The in-process bus: topics, publishers, subscribers and messages
 * (layout and protocol in bus.h; user documentation in docs/api.md).
 *
 * Hot paths (claim, commit, recv, release) take no lock, allocate nothing
 * and make no system call unless a peer announced that it sleeps.  Creating
 * and freeing publishers and subscribers takes the bus mutex and may
 * allocate or wait for an RCU grace period.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"

/* ---- small helpers ------------------------------------------------------ */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Absolute CLOCK_MONOTONIC deadline for @timeout_ms (< 0: none). */
static uint64_t deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? UINT64_MAX : mono_ns() + (uint64_t)timeout_ms * 1000000ull;
}

/* Sleep while *@addr == @val, until @deadline; returns -ETIMEDOUT or 0. */
static int futex_wait_until(_Atomic uint32_t *addr, uint32_t val, uint64_t deadline)
{
	struct timespec ts, *tsp = NULL;
	long r;

	if (deadline != UINT64_MAX) {
		if (mono_ns() >= deadline)
			return -ETIMEDOUT;
		ts.tv_sec = (time_t)(deadline / 1000000000ull);
		ts.tv_nsec = (long)(deadline % 1000000000ull);
		tsp = &ts;
	}
	r = syscall(SYS_futex, addr, FUTEX_WAIT_BITSET_PRIVATE, val, tsp, NULL,
		    FUTEX_BITSET_MATCH_ANY);
	if (r < 0 && errno == ETIMEDOUT)
		return -ETIMEDOUT;
	return 0;
}

static void futex_wake_all(_Atomic uint32_t *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Check that the bytes of an option struct past what we know are zero. */
static bool opts_ok(const void *opts, size_t known)
{
	size_t sz = *(const size_t *)opts;
	const unsigned char *p = opts;

	if (sz < sizeof(size_t))
		return false;
	for (size_t i = known; i < sz; i++)
		if (p[i])
			return false;
	return true;
}

#define OPT(o, field, def)						\
	((o) && (o)->sz >= offsetof(__typeof__(*(o)), field) + sizeof((o)->field) \
	 && (o)->field ? (o)->field : (def))

static bool type_ok(uint16_t type)
{
	return type != MYC_TYPE_INVALID && type <= MYC_TYPE_USER_MAX;
}

/* ---- bus ---------------------------------------------------------------- */

struct myc_bus *myc_bus_new(const struct myc_bus_opts *opts)
{
	struct myc_bus *bus;
	const char *name;
	int err;

	if (opts && !opts_ok(opts, sizeof(*opts))) {
		errno = EINVAL;
		return NULL;
	}
	bus = calloc(1, sizeof(*bus));
	if (!bus)
		return NULL;
	name = OPT(opts, name, "bus");
	bus->name = strdup(name);
	if (!bus->name || pthread_mutex_init(&bus->lock, NULL)) {
		free(bus->name);
		free(bus);
		errno = ENOMEM;
		return NULL;
	}
	bus->next_pub_id = 1;
	if (OPT(opts, schema_digest, NULL)) {
		memcpy(bus->digest, opts->schema_digest, sizeof(bus->digest));
		bus->has_digest = true;
	}
	err = bus_ring_new(bus, opts);
	if (err) {
		pthread_mutex_destroy(&bus->lock);
		free(bus->name);
		free(bus);
		errno = -err;
		return NULL;
	}
	return bus;
}

static void sub_reclaim(struct myc_sub *sub, bool locked);
static inline void sub_sleep_fence(struct myc_sub *s);
static void sub_rel_flush(struct myc_sub *s);
static void topic_free(struct myc_topic *t);

void myc_bus_free(struct myc_bus *bus)
{
	struct myc_topic *t, *tn;

	if (!bus)
		return;
	/* Bridge threads inject into topics: stop them first. */
	bus_ring_stop(bus);
	bus_net_stop(bus);
	/* No publisher may be inside a claim now (documented), so what was
	 * retired can go without a grace period. */
	while (bus->retired_bridges) {
		struct myc_bridges *a = bus->retired_bridges;

		bus->retired_bridges = a->retired_next;
		free(a);
	}
	while (bus->retired_arrays) {
		struct myc_subs *a = bus->retired_arrays;

		bus->retired_arrays = a->retired_next;
		free(a);
	}
	while (bus->retired_subs) {
		struct myc_sub *s = bus->retired_subs;

		bus->retired_subs = s->retired_next;
		sub_reclaim(s, true);
	}
	for (t = bus->topics; t; t = tn) {
		tn = t->next;
		topic_free(t);
	}
	bus_ring_free(bus);
	bus_net_free(bus);
	pthread_mutex_destroy(&bus->lock);
	bus_services_free(bus);
	free(bus->name);
	free(bus);
}

/* ---- topics ------------------------------------------------------------- */

static struct myc_topic *topic_find(struct myc_bus *bus, uint16_t type)
{
	struct myc_topic *t;

	for (t = bus->topics; t; t = t->next)
		if (t->type == type)
			return t;
	return NULL;
}

static int topic_settings(const struct myc_topic_opts *o, uint32_t *policy,
			  uint32_t *depth, uint32_t *max_size)
{
	if (o && !opts_ok(o, sizeof(*o)))
		return -EINVAL;
	*policy = OPT(o, policy, MYC_LOSSY);
	*depth = OPT(o, depth, MYC_TOPIC_DEPTH_DEFAULT);
	*max_size = OPT(o, max_size, MYC_TOPIC_SIZE_DEFAULT);
	if (*policy > MYC_LOSSLESS || *depth < 2 || *depth > MYC_TOPIC_DEPTH_MAX ||
	    (*depth & (*depth - 1)) || *max_size > MYC_PAYLOAD_MAX)
		return -EINVAL;
	return 0;
}

/* Find or create topic @type; called with the bus lock held. */
static struct myc_topic *topic_get(struct myc_bus *bus, uint16_t type,
				   const struct myc_topic_opts *o, int *err)
{
	struct myc_topic *t = topic_find(bus, type);
	uint32_t policy, depth, max_size;
	struct myc_subs *subs;

	*err = topic_settings(o, &policy, &depth, &max_size);
	if (*err)
		return NULL;
	if (t) {
		if (o && (t->policy != policy || t->depth != depth ||
			  t->max_size != max_size)) {
			*err = -EBUSY;
			return NULL;
		}
		return t;
	}
	if (posix_memalign((void **)&t, MYC_CACHELINE, sizeof(*t))) {
		*err = -ENOMEM;
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	subs = calloc(1, sizeof(*subs));
	if (!subs) {
		free(t);
		*err = -ENOMEM;
		return NULL;
	}
	t->type = type;
	t->policy = policy;
	t->depth = depth;
	t->max_size = max_size;
	t->bus = bus;
	t->pool.stride = (MYC_BUF_META + MYC_FRAME_HDR_SIZE + max_size +
			  MYC_CACHELINE - 1) & ~(MYC_CACHELINE - 1u);
	if (t->pool.stride < MYC_BUF_MIN_STRIDE)
		t->pool.stride = (MYC_BUF_MIN_STRIDE + MYC_CACHELINE - 1) &
				 ~(MYC_CACHELINE - 1u);
	atomic_init(&t->pool.head, MYC_BUF_NONE);
	atomic_init(&t->subs, subs);
	t->next = bus->topics;
	bus->topics = t;
	return t;
}

int myc_bus_topic(struct myc_bus *bus, uint16_t type, const struct myc_topic_opts *opts)
{
	int err;

	if (!bus || !type_ok(type))
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	/* An explicit declaration with no options means the defaults. */
	if (!opts) {
		static const struct myc_topic_opts defaults = { .sz = sizeof(defaults) };

		opts = &defaults;
	}
	topic_get(bus, type, opts, &err);
	pthread_mutex_unlock(&bus->lock);
	return err;
}

/*
 * Grow the pool so it holds at least pool.need buffers.  Called with the
 * bus lock held, before the new publisher or subscriber becomes visible.
 */
static int pool_grow(struct myc_topic *t)
{
	struct myc_pool *p = &t->pool;

	while (p->total < p->need) {
		uint32_t n = p->need - p->total;
		char *base;

		/* Grow geometrically so churn does not fill the directory. */
		if (n < p->total / 2)
			n = p->total / 2;
		if (n < MYC_BUF_GROW_MIN)
			n = MYC_BUF_GROW_MIN;
		if (n > MYC_POOL_CHUNK_MAX)
			n = MYC_POOL_CHUNK_MAX;
		if (p->nchunks == MYC_POOL_CHUNKS)
			return -ENOSPC;
		if (posix_memalign((void **)&base, MYC_CACHELINE, (size_t)n * p->stride))
			return -ENOMEM;
		memset(base, 0, (size_t)n * p->stride);
		/* The chunk pointer is visible before any of its buffers is
		 * pushed; the release CAS of the push publishes both. */
		atomic_store_explicit(&p->chunk[p->nchunks], base, memory_order_relaxed);
		/* Push in chains of MYC_PUB_CACHE, as publishers take them. */
		for (uint32_t i = 0; i < n; i += MYC_PUB_CACHE) {
			uint32_t len = n - i < MYC_PUB_CACHE ? n - i : MYC_PUB_CACHE;
			struct myc_buf *h = (struct myc_buf *)(base + (size_t)i * p->stride);

			for (uint32_t j = 0; j < len; j++) {
				struct myc_buf *b = (struct myc_buf *)(base + (size_t)(i + j) *
								       p->stride);

				b->idx = p->nchunks << MYC_POOL_CHUNK_SHIFT | (i + j);
				b->topic = t;
				myc_chain_list(h)[j] = b->idx;
			}
			myc_pool_put_chain(p, h, len);
		}
		p->nchunks++;
		p->total += n;
	}
	return 0;
}

static uint32_t pool_free_count(struct myc_pool *p)
{
	uint64_t h = atomic_load_explicit(&p->head, memory_order_acquire);
	uint32_t idx = (uint32_t)h, n = 0;

	/* A walk over the chains, not a counter, so the hot path pays
	 * nothing for stats. */
	while (idx != MYC_BUF_NONE && n <= p->total) {
		struct myc_buf *b = myc_pool_buf(p, idx);

		n += atomic_load_explicit(&b->chain_n, memory_order_relaxed);
		idx = atomic_load_explicit(&b->chain_next, memory_order_relaxed);
	}
	return n;
}

int myc_bus_topic_stats(struct myc_bus *bus, uint16_t type, struct myc_topic_stats *st)
{
	struct myc_topic *t;
	struct myc_pub *p;
	size_t sz;

	if (!bus || !st || st->sz < sizeof(size_t))
		return -EINVAL;
	sz = st->sz;
	pthread_mutex_lock(&bus->lock);
	t = topic_find(bus, type);
	if (!t) {
		pthread_mutex_unlock(&bus->lock);
		return -ENOENT;
	}
	{
		struct myc_topic_stats s = { .sz = sz };

		s.pubs = t->npubs;
		s.subs = atomic_load_explicit(&t->subs, memory_order_acquire)->n;
		s.bufs_total = t->pool.total;
		s.bufs_free = pool_free_count(&t->pool);
		s.published = t->retired;
		/* REVOKING is set only inside solo_settle(), under the lock. */
		s.solo = atomic_load_explicit(&t->solo, memory_order_relaxed) != 0;
		for (p = t->pubs; p; p = p->next) {
			s.published += atomic_load_explicit(&p->seq, memory_order_relaxed);
			/* A publisher's prefetched spare is not in use. */
			s.bufs_free += !!atomic_load_explicit(&p->spare, memory_order_relaxed) +
				       atomic_load_explicit(&p->ncache, memory_order_relaxed);
		}
		/* So are the buffers in consumers' release caches. */
		for (struct myc_sub *q = t->sublist; q; q = q->next)
			s.bufs_free += atomic_load_explicit(&q->nrel, memory_order_relaxed);
		memcpy(st, &s, sz < sizeof(s) ? sz : sizeof(s));
	}
	pthread_mutex_unlock(&bus->lock);
	return 0;
}

/* ---- subscriber arrays (copy-on-write, RCU) ----------------------------- */

/*
 * Free what was unlinked so far, after a grace period: no publisher can
 * still hold a snapshot that points at it.  Skipped when the caller itself
 * is inside a read-side section (an inline callback, or between claim and
 * commit): waiting would wait for ourselves, so the next call does it.
 */
static void bus_reclaim(struct myc_bus *bus)
{
	struct myc_subs *a, *an;
	struct myc_sub *s, *sn;

	if (urcu_bp_read_ongoing())
		return;
	pthread_mutex_lock(&bus->lock);
	a = bus->retired_arrays;
	s = bus->retired_subs;
	bus->retired_arrays = NULL;
	bus->retired_subs = NULL;
	pthread_mutex_unlock(&bus->lock);
	if (!a && !s)
		return;
	urcu_bp_synchronize_rcu();
	/* Pairs with myc_read_unlock(): every reader that could see these
	 * has left its section. */
	myc_tsan_acquire(&bus->tsan_gp);
	for (; a; a = an) {
		an = a->retired_next;
		free(a);
	}
	for (; s; s = sn) {
		sn = s->retired_next;
		sub_reclaim(s, false);
	}
}

/* Replace the array with @a (bus lock held); the old one is retired and
 * freed after a grace period. */
static void subs_replace(struct myc_topic *t, struct myc_subs *a)
{
	struct myc_subs *old = atomic_load_explicit(&t->subs, memory_order_relaxed);

	/* release: pairs with the acquire in pub_snapshot(); readers see the
	 * array contents and every subscriber's initialised fields. */
	atomic_store_explicit(&t->subs, a, memory_order_release);
	old->retired_next = t->bus->retired_arrays;
	t->bus->retired_arrays = old;
}

static struct myc_subs *subs_copy(const struct myc_subs *old, struct myc_sub *add,
				  const struct myc_sub *del)
{
	struct myc_subs *a = calloc(1, sizeof(*a) + (old->n + 1) * sizeof(a->s[0]));
	uint32_t i;

	if (!a)
		return NULL;
	/* Queued subscribers first, then inline ones. */
	for (i = 0; i < old->nq; i++)
		if (old->s[i] != del)
			a->s[a->n++] = old->s[i];
	if (add && !(add->flags & MYC_SUB_F_INLINE))
		a->s[a->n++] = add;
	a->nq = a->n;
	for (i = old->nq; i < old->n; i++)
		if (old->s[i] != del)
			a->s[a->n++] = old->s[i];
	if (add && (add->flags & MYC_SUB_F_INLINE))
		a->s[a->n++] = add;
	return a;
}

/* ---- subscribers -------------------------------------------------------- */

struct myc_sub *myc_sub_new(struct myc_bus *bus, uint16_t type, const struct myc_sub_opts *o)
{
	struct myc_topic *t;
	struct myc_sub *sub;
	struct myc_subs *a;
	uint32_t flags, held;
	int err;

	if (!bus || !type_ok(type) || (o && !opts_ok(o, sizeof(*o)))) {
		errno = EINVAL;
		return NULL;
	}
	flags = OPT(o, flags, 0);
	held = OPT(o, max_held, MYC_SUB_HELD_DEFAULT);
	if ((flags & ~MYC_SUB_F_KNOWN) || ((flags & MYC_SUB_F_INLINE) && !OPT(o, cb, NULL))) {
		errno = EINVAL;
		return NULL;
	}
	if (posix_memalign((void **)&sub, MYC_CACHELINE, sizeof(*sub))) {
		errno = ENOMEM;
		return NULL;
	}
	memset(sub, 0, sizeof(*sub));
	sub->cb = OPT(o, cb, NULL);
	sub->ctx = OPT(o, ctx, NULL);
	sub->flags = flags;
	sub->spin_ns = OPT(o, spin_ns, MYC_SUB_SPIN_DEFAULT);
	sub->efd = -1;

	pthread_mutex_lock(&bus->lock);
	sub->svc = bus->self_svc;
	if (OPT(o, service, NULL)) {
		err = bus_service_id(bus, o->service);
		if (err < 0)
			goto fail;
		sub->svc = (uint32_t)err;
	}
	t = topic_get(bus, type, NULL, &err);
	if (!t)
		goto fail;
	sub->topic = t;
	if (!(flags & MYC_SUB_F_INLINE)) {
		/* Tiny queues (depth < 8) get one line per cell instead. */
		size_t ncells = t->depth < 2 * MYC_CELLS_PER_LINE ?
				t->depth * MYC_CELLS_PER_LINE : t->depth;

		if (posix_memalign((void **)&sub->cells, MYC_CACHELINE,
				   ncells * sizeof(*sub->cells))) {
			sub->cells = NULL;
			err = -ENOMEM;
			goto fail;
		}
		memset(sub->cells, 0, ncells * sizeof(*sub->cells));
		sub->mask = t->depth - 1;
		sub->cshift = 2;
		if (t->policy == MYC_LOSSLESS) {
			/* Dense (myc_q_cell()). */
			sub->lmask = sub->mask;
			sub->lshift = 63;
			sub->cshift = 0;
		} else if (t->depth >= 2 * MYC_CELLS_PER_LINE) {
			sub->lmask = t->depth / MYC_CELLS_PER_LINE - 1;
			sub->lshift = (uint32_t)__builtin_ctz(t->depth / MYC_CELLS_PER_LINE);
		} else {
			sub->lmask = sub->mask;	/* cell i at i * 4 */
			sub->lshift = 63;
		}
		for (uint32_t i = 0; i < t->depth; i++)
			atomic_init(&myc_q_cell(sub, i)->seq, i);
		/* Its release cache holds up to a batch of free buffers. */
		sub->need = t->depth + held + MYC_SUB_REL_BATCH;
	} else {
		sub->need = held;
	}
	t->pool.need += sub->need;
	err = pool_grow(t);
	if (err)
		goto fail_need;
	a = subs_copy(atomic_load_explicit(&t->subs, memory_order_relaxed), sub, NULL);
	if (!a) {
		err = -ENOMEM;
		goto fail_need;
	}
	sub->next = t->sublist;
	t->sublist = sub;
	/* release: pairs with the acquire in withdraw_unused() (bus-net.c). */
	atomic_fetch_add_explicit(&t->nsubs, 1, memory_order_release);
	subs_replace(t, a);
	pthread_mutex_unlock(&bus->lock);
	bus_reclaim(bus);
	if (bus->ring) {
		/* Receive what other processes publish (bus-ring.c). */
		err = bus_ring_topic_used(bus, t, true);
		if (err) {
			myc_sub_free(sub);
			errno = -err;
			return NULL;
		}
	}
	if (atomic_load_explicit(&bus->net, memory_order_acquire)) {
		/* Tell the net's peers we want this type (bus-net.c). */
		err = bus_net_topic_used(bus, t, true);
		if (err) {
			myc_sub_free(sub);
			errno = -err;
			return NULL;
		}
	}
	return sub;

fail_need:
	t->pool.need -= sub->need;
fail:
	pthread_mutex_unlock(&bus->lock);
	free(sub->cells);
	free(sub);
	errno = -err;
	return NULL;
}

/* Wake lossless publishers waiting for room (a slot or a subscriber went). */
static void credit_wake(struct myc_topic *t)
{
	/* seq_cst: pairs with the store of 1 in pub_wait_room(), which then
	 * re-reads the consumer positions.  The exchange makes one waker
	 * pay the system call per sleep, not one per freed slot. */
	if (atomic_load_explicit(&t->pub_sleep, memory_order_seq_cst) &&
	    atomic_exchange_explicit(&t->pub_sleep, 0, memory_order_seq_cst))
		futex_wake_all(&t->pub_sleep);
}

/* Drop what is still queued and free @sub; after a grace period. */
static void sub_reclaim(struct myc_sub *sub, bool locked)
{
	struct myc_topic *t = sub->topic;
	struct myc_bus *bus = t->bus;
	struct myc_buf *b;

	if (sub->cells) {
		sub_rel_flush(sub);
		while ((b = myc_q_pop(sub)))
			myc_buf_put(b);
	}
	if (sub->efd >= 0)
		close(sub->efd);
	if (!locked)
		pthread_mutex_lock(&bus->lock);
	t->pool.need -= sub->need;
	if (!locked)
		pthread_mutex_unlock(&bus->lock);
	free(sub->cells);
	free(sub);
	credit_wake(t);
}

/* Unlink @sub from its topic (bus lock held); 0 or -ENOMEM. */
static int sub_unlink(struct myc_sub *sub)
{
	struct myc_topic *t = sub->topic;
	struct myc_sub **pp;
	struct myc_subs *a;

	a = subs_copy(atomic_load_explicit(&t->subs, memory_order_relaxed), NULL, sub);
	if (!a)
		return -ENOMEM;
	for (pp = &t->sublist; *pp; pp = &(*pp)->next)
		if (*pp == sub) {
			*pp = sub->next;
			atomic_fetch_sub_explicit(&t->nsubs, 1, memory_order_release);
			break;
		}
	subs_replace(t, a);
	return 0;
}

void myc_sub_free(struct myc_sub *sub)
{
	struct myc_topic *t;
	struct myc_bus *bus;

	if (!sub)
		return;
	t = sub->topic;
	bus = t->bus;
	if (sub->cells)
		sub_rel_flush(sub);
	pthread_mutex_lock(&bus->lock);
	while (sub_unlink(sub)) {
		/* Out of memory for a 1-smaller array: rare; retry. */
		pthread_mutex_unlock(&bus->lock);
		usleep(1000);
		pthread_mutex_lock(&bus->lock);
	}
	sub->retired_next = bus->retired_subs;
	bus->retired_subs = sub;
	pthread_mutex_unlock(&bus->lock);
	/* From here another thread's bus_reclaim() may free @sub.  Lossless
	 * publishers may be waiting for room in it: they can retry now. */
	credit_wake(t);
	if (!atomic_load_explicit(&t->nsubs, memory_order_relaxed))
		bus_net_sub_gone(bus);	/* peers may stop sending the type */
	bus_reclaim(bus);
}

uint64_t myc_sub_lost(const struct myc_sub *sub)
{
	if (!sub)
		return 0;
	return atomic_load_explicit(&((struct myc_sub *)sub)->lost, memory_order_relaxed);
}

/* Slow part of a publish: a consumer announced it sleeps (wake bits). */
static void __attribute__((noinline)) sub_wake(struct myc_sub *s)
{
	uint32_t w = atomic_exchange_explicit(&s->wake, 0, memory_order_seq_cst);

	if (w & MYC_WAKE_FUTEX)
		syscall(SYS_futex, &s->wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	if (w & MYC_WAKE_FD) {
		uint64_t one = 1;

		/* Cannot fail short of a counter overflow (2^64 - 1). */
		if (write(s->efd, &one, sizeof(one)) < 0)
			(void)0;
	}
}

/*
 * Release cache.  The consumer knows who releases, so the buffers it was
 * the last holder of go back to the pool in chains: one CAS on the shared
 * pool head per MYC_SUB_REL_BATCH messages instead of one per message.
 * Only the consuming thread touches the cache (threading rules); the
 * subscriber's pool share counts MYC_SUB_REL_BATCH buffers for it, so a
 * cached buffer is never one a publisher needs.
 */
static void sub_rel_flush(struct myc_sub *s)
{
	if (!atomic_load_explicit(&s->nrel, memory_order_relaxed))
		return;
	myc_pool_put_chain(&s->topic->pool, s->rel_first,
			   atomic_load_explicit(&s->nrel, memory_order_relaxed));
	atomic_store_explicit(&s->nrel, 0, memory_order_relaxed);
}

static inline void sub_release(struct myc_sub *s, struct myc_buf *b)
{
	uint32_t n;

	/* A message of another topic belongs to another pool. */
	if (myc_unlikely(b->topic != s->topic || !s->cells)) {
		myc_buf_put(b);
		return;
	}
	if (!myc_buf_unref(b))
		return;
	/* The first buffer of a batch heads its chain and lists the rest:
	 * the others' lines are not written. */
	n = atomic_load_explicit(&s->nrel, memory_order_relaxed);
	if (!n)
		s->rel_first = b;
	myc_chain_list(s->rel_first)[n] = b->idx;
	atomic_store_explicit(&s->nrel, n + 1, memory_order_relaxed);
	if (n + 1 == MYC_SUB_REL_BATCH)
		sub_rel_flush(s);
}

void myc_sub_release(struct myc_sub *sub, struct myc_msg *msg)
{
	if (!msg)
		return;
	if (!sub)
		myc_buf_put((struct myc_buf *)msg);
	else
		sub_release(sub, (struct myc_buf *)msg);
}

/* Take the next message (NULL if none is filled in yet). */
static inline struct myc_buf *sub_take(struct myc_sub *s)
{
	struct myc_buf *b;

	if (s->topic->policy == MYC_LOSSY)
		return myc_q_pop(s);
	b = myc_q_pop_single(s);
	/* A slot came free: wake publishers sleeping for room.  A plain load
	 * sees a sleeper soon enough while messages keep coming; the fenced
	 * check in sub_wake_publishers() covers the last one. */
	if (b && myc_unlikely(atomic_load_explicit(&s->topic->pub_sleep,
						   memory_order_relaxed)))
		credit_wake(s->topic);
	return b;
}

/*
 * The consumer is about to sleep or return empty-handed.  Lossless: the
 * fence orders our earlier ->deq stores before the load of the sleep word;
 * pairs with pub_wait_room(), which stores the word (seq_cst) and then
 * re-reads ->deq: either it sees our room or we see it asleep.
 */
static void sub_wake_publishers(struct myc_sub *s)
{
	if (s->topic->policy != MYC_LOSSLESS)
		return;
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&s->topic->pub_sleep, memory_order_relaxed))
		credit_wake(s->topic);
}

/*
 * Nothing is queued: arm the eventfd (if any) so the next publish makes it
 * readable.  Returns true if a message arrived meanwhile.
 */
static bool sub_arm_fd(struct myc_sub *s)
{
	uint64_t v;

	if (s->efd < 0 || (atomic_load_explicit(&s->wake, memory_order_relaxed) & MYC_WAKE_FD))
		return false;	/* no fd, or still armed: nothing was written */
	/* A publisher disarmed it and wrote: consume that readiness. */
	if (read(s->efd, &v, sizeof(v)) < 0)
		(void)0;	/* EAGAIN: the write has not landed yet */
	/* seq_cst RMW then seq_cst load of ->enq: pairs with myc_q_push(). */
	atomic_fetch_or_explicit(&s->wake, MYC_WAKE_FD, memory_order_seq_cst);
	sub_sleep_fence(s);
	return myc_q_pending(s);
}

/* Wait until something is pending or @deadline passes. */
#define MYC_SPIN_QUICK	16	/* polls before reading the clock */
/*
 * A subscriber backs off between polls (cpu.h, stream_pace) while its
 * messages were published less than this far apart on average (5 M
 * msgs/s): in a stream, each poll of the cell line the publisher writes
 * next costs the publisher a round trip of that line, and its next locked
 * instruction waits for it.
 */
#define BUS_STREAM_GAP_NS	200
#define BUS_STREAM_BACKOFF	64	/* pauses per poll in a stream */

static int __attribute__((noinline)) sub_wait(struct myc_sub *s, uint64_t deadline)
{
	uint64_t spin_end;
	uint32_t i;

	/* The next message is often a few hundred nanoseconds away: look
	 * for it before paying for the clock and the fence. */
	for (i = 0; i < MYC_SPIN_QUICK; i++) {
		if (myc_q_ready(s))
			return 0;
		stream_pace_poll(&s->pace, BUS_STREAM_BACKOFF);
	}
	sub_wake_publishers(s);
	spin_end = mono_ns() + s->spin_ns;
	if (spin_end > deadline)
		spin_end = deadline;
	i = 0;
	/* Spin on the cell the next message lands in (the only line a
	 * publish hands over), not on the publisher's ->enq line. */
	while (!myc_q_ready(s)) {
		if ((++i & 63) == 0 && mono_ns() >= spin_end)
			goto sleep;
		stream_pace_poll(&s->pace, BUS_STREAM_BACKOFF);
	}
	return 0;
sleep:
	/* Idle: give the cached buffers back, so a sleeping consumer holds
	 * none (while spinning it may: its pool share counts them). */
	sub_rel_flush(s);
	for (;;) {
		uint32_t w;
		int r;

		/* Announce the sleep, then look again (Dekker pairing with
		 * myc_q_push() + the wake-bit load in commit). */
		w = atomic_fetch_or_explicit(&s->wake, MYC_WAKE_FUTEX, memory_order_seq_cst) |
		    MYC_WAKE_FUTEX;
		sub_sleep_fence(s);
		if (myc_q_pending(s))
			r = 0;
		else
			r = futex_wait_until(&s->wake, w, deadline);
		atomic_fetch_and_explicit(&s->wake, ~MYC_WAKE_FUTEX, memory_order_relaxed);
		if (myc_q_pending(s))
			return 0;
		if (r == -ETIMEDOUT || mono_ns() >= deadline)
			return -ETIMEDOUT;
	}
}

int myc_sub_recv(struct myc_sub *sub, struct myc_msg **msg, int timeout_ms)
{
	uint64_t deadline = 0;
	struct myc_buf *b;

	if (!sub || !msg || !sub->cells)
		return -EINVAL;
	for (;;) {
		b = sub_take(sub);
		if (myc_likely(b)) {
			stream_pace_msg(&sub->pace, b->hdr.ts_ns, BUS_STREAM_GAP_NS);
			*msg = (struct myc_msg *)b;
			return 0;
		}
		if (timeout_ms == 0) {
			/* Giving up for now: give the cached buffers back,
			 * so an idle consumer holds none. */
			sub_rel_flush(sub);
			/* Nothing filled in.  With an fd, a publisher may be
			 * between claiming a position and filling it: wait
			 * for it (a few instructions), so an armed fd cannot
			 * miss that message.  Without one, the next call
			 * takes it once its publisher is done, and we leave
			 * ->enq, the line publishers advance on every
			 * message, alone. */
			if (sub->efd >= 0 && (myc_q_pending(sub) || sub_arm_fd(sub))) {
				cpu_relax();
				continue;
			}
			sub_wake_publishers(sub);
			return -EAGAIN;
		}
		if (!deadline)
			deadline = deadline_of(timeout_ms);
		if (sub_wait(sub, deadline))
			return -ETIMEDOUT;
	}
}

int myc_sub_dispatch(struct myc_sub *sub, int max, int timeout_ms)
{
	struct myc_msg *m;
	int n = 0, r = 0;

	if (!sub || !sub->cb || !sub->cells || max <= 0)
		return -EINVAL;
	while (n < max) {
		r = myc_sub_recv(sub, &m, n ? 0 : timeout_ms);
		if (r)
			break;
		sub->cb(m, sub->ctx);
		sub_release(sub, (struct myc_buf *)m);
		n++;
	}
	if (r && r != -EAGAIN && r != -ETIMEDOUT)
		return r;
	return n;
}

int myc_sub_fd(struct myc_sub *sub)
{
	if (!sub || !sub->cells)
		return -EINVAL;
	if (sub->efd < 0) {
		int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

		if (fd < 0)
			return -errno;
		sub->efd = fd;
		/* Start disarmed-and-readable if anything waits, else armed. */
		if (myc_q_pending(sub)) {
			uint64_t one = 1;

			if (write(fd, &one, sizeof(one)) < 0)
				(void)0;
		} else if (sub_arm_fd(sub)) {
			uint64_t one = 1;

			if (write(fd, &one, sizeof(one)) < 0)
				(void)0;
		}
	}
	return sub->efd;
}

/* ---- messages ----------------------------------------------------------- */

const struct myc_frame_hdr *myc_msg_hdr(const struct myc_msg *msg)
{
	return msg ? &((const struct myc_buf *)msg)->hdr : NULL;
}

const void *myc_msg_data(const struct myc_msg *msg)
{
	return msg ? ((const struct myc_buf *)msg)->data : NULL;
}

size_t myc_msg_size(const struct myc_msg *msg)
{
	return msg ? ((const struct myc_buf *)msg)->hdr.len - MYC_FRAME_HDR_SIZE : 0;
}

struct myc_msg *myc_msg_retain(const struct myc_msg *msg)
{
	struct myc_buf *b = (struct myc_buf *)msg;

	if (b)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return (struct myc_msg *)b;
}

void myc_msg_release(struct myc_msg *msg)
{
	if (msg)
		myc_buf_put((struct myc_buf *)msg);
}

/* ---- publishers --------------------------------------------------------- */

/* ---- solo publisher ----------------------------------------------------- */

/*
 * Solo publisher.  Most topics have one publisher.  Its updates of the
 * lossless reservation (->resv) and the queue position (->enq) then have no
 * other writer, so plain stores do instead of locked instructions: two
 * fewer per message and subscriber, each of which waited for the
 * publisher's earlier stores to lines still on their way from the
 * consumer's cache (docs/PERFORMANCE.md, "Session 4").
 *
 * t->solo names that publisher (set under the bus lock when a topic is left
 * with exactly one publisher).  The plain updates happen in short windows,
 * the reservation in claim and the pushes in commit, which contain no user
 * code and nothing that blocks: a window sets t->solo_busy, then reads
 * t->solo again, and is solo only if it still names the publisher.  A
 * second publisher revokes (solo_settle(), under the bus lock): t->solo |=
 * MYC_SOLO_REVOKING, one membarrier(), wait until t->solo_busy is 0 (a
 * window lasts nanoseconds), t->solo = 0.  The membarrier() stands for
 * the fence the window leaves out between its store and its load: either
 * the revoker sees the window busy and waits for it, or the window sees
 * REVOKING and uses the locked instructions.
 *
 * The same missing fence matters to consumers: a publisher's push and its
 * read of the subscriber's wake word are the publisher's half of a Dekker
 * pairing (myc_q_push()).  So a solo window pushes with a plain ->enq
 * store only while t->solo_enq is set, that is while no subscriber of the
 * topic has slept since solo was granted (spinning consumers, the case
 * that needs the speed).  A subscriber about to sleep for the first time
 * clears it (sub_sleep_fence()) the way a revoke does: store, membarrier(),
 * wait for a window in progress; from then on the pushes use the locked
 * RMW and the usual handshake holds, with no system call per sleep.  The
 * reservation stays plain: nobody but publishers reads ->resv.
 *
 * Without MEMBARRIER_CMD_PRIVATE_EXPEDITED (kernels before 4.14, seccomp)
 * no topic ever gets a solo publisher.
 */
static bool solo_supported(void)
{
	static _Atomic int state;	/* 0 unknown, 1 yes, -1 no */
	int st = atomic_load_explicit(&state, memory_order_acquire);

	if (!st) {
		st = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
			     0, 0) ? -1 : 1;
		atomic_store_explicit(&state, st, memory_order_release);
	}
	return st > 0;
}

static void solo_membarrier(void)
{
	/* Registered in solo_supported() before any topic went solo.  In
	 * case a kernel drops the registration of a forked child: register
	 * again, or fall back to the slow global barrier (no registration,
	 * same guarantee). */
	if (!syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
		return;
	if (!syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) &&
	    !syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
		return;
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		abort();	/* no barrier: the handshake would be unsound */
}

/* Open a window: true if @pub may update ->resv/->enq with plain stores
 * until solo_leave(). */
static inline bool solo_enter(struct myc_pub *pub, struct myc_topic *t)
{
	if (atomic_load_explicit(&t->solo, memory_order_relaxed) != (uintptr_t)pub)
		return false;
	atomic_store_explicit(&t->solo_busy, 1, memory_order_relaxed);
	/* No fence (a revoker's membarrier() is it), but keep the compiler
	 * from moving the store below the load.  acquire: pairs with the
	 * release that granted solo (solo_settle()), so the earlier
	 * publishers' locked updates happen before our plain ones. */
	atomic_signal_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&t->solo, memory_order_acquire) == (uintptr_t)pub)
		return true;
	atomic_store_explicit(&t->solo_busy, 0, memory_order_release);
	return false;
}

/* Close it: release the plain updates to a revoker. */
static inline void solo_leave(struct myc_topic *t, bool solo)
{
	if (solo)
		atomic_store_explicit(&t->solo_busy, 0, memory_order_release);
}

/* Wait until no solo window is open (acquire: pairs with solo_leave(); the
 * window's plain updates happen before everything after). */
static void solo_quiesce(struct myc_topic *t)
{
	unsigned int spins = 0;

	while (atomic_load_explicit(&t->solo_busy, memory_order_acquire)) {
		if (++spins < 1000)
			cpu_relax();
		else
			sched_yield();	/* its thread was preempted */
	}
}

/*
 * A subscriber announced that it sleeps (its wake-bit RMW, a full barrier)
 * and is about to look for messages a last time.  If solo pushes are plain
 * (see above), end that first: then a push that came before is visible to
 * the look, and every later one is a locked RMW whose wake-bit read sees
 * the announcement.  A window that read solo_enq as 1 after our RMW was
 * visible reads our wake bit too (its wake load comes after that read).
 */
static inline void sub_sleep_fence(struct myc_sub *s)
{
	struct myc_topic *t = s->topic;

	if (myc_likely(!atomic_load_explicit(&t->solo_enq, memory_order_seq_cst)))
		return;
	atomic_store_explicit(&t->solo_enq, 0, memory_order_seq_cst);
	solo_membarrier();
	solo_quiesce(t);
}

/* Open a window for the pushes of a commit: true if they may be plain
 * (solo, and no subscriber slept since the grant).  acquire on solo_enq:
 * the wake-bit loads after the pushes come after it (sub_sleep_fence()). */
static inline bool solo_push_enter(struct myc_pub *pub, struct myc_topic *t)
{
	if (!atomic_load_explicit(&t->solo_enq, memory_order_relaxed) ||
	    !solo_enter(pub, t))
		return false;
	if (atomic_load_explicit(&t->solo_enq, memory_order_acquire))
		return true;
	solo_leave(t, true);
	return false;
}

/* No solo publisher (bus lock held, no window open). */
static void solo_clear(struct myc_topic *t)
{
	atomic_store_explicit(&t->solo_enq, 0, memory_order_relaxed);
	atomic_store_explicit(&t->solo, 0, memory_order_release);
}

/*
 * Under the bus lock, after the topic's publishers changed: take solo away
 * from a topic with more than one publisher, grant it to a lone one.
 */
static void solo_settle(struct myc_topic *t)
{
	uintptr_t s = atomic_load_explicit(&t->solo, memory_order_relaxed);

	if (s && t->npubs != 1) {
		atomic_store_explicit(&t->solo, s | MYC_SOLO_REVOKING,
				      memory_order_seq_cst);
		solo_membarrier();
		solo_quiesce(t);
		solo_clear(t);
		s = 0;
	}
	if (!s && t->npubs == 1 && solo_supported()) {
		atomic_store_explicit(&t->solo_enq, 1, memory_order_relaxed);
		/* release: pairs with the acquire in solo_enter(). */
		atomic_store_explicit(&t->solo, (uintptr_t)t->pubs, memory_order_release);
	}
}

static struct myc_pub *pub_new(struct myc_bus *bus, uint16_t type,
			       const struct myc_pub_opts *o, const char *to)
{
	struct myc_topic *t;
	struct myc_pub *pub;
	int err;

	if (!bus || !type_ok(type) || (o && !opts_ok(o, sizeof(*o))) ||
	    (o && o->sz >= offsetof(struct myc_pub_opts, timeout_ms) + sizeof(int) &&
	     o->timeout_ms < -1)) {
		errno = EINVAL;
		return NULL;
	}
	pub = calloc(1, sizeof(*pub));
	if (!pub)
		return NULL;
	pub->timeout_ms = OPT(o, timeout_ms, 0);
	ring_clock_init(&pub->clock);
	pub->spin_ns = OPT(o, spin_ns, MYC_SUB_SPIN_DEFAULT);
	pthread_mutex_lock(&bus->lock);
	if (to) {
		err = bus_service_id(bus, to);
		if (err < 0)
			goto fail;
		pub->to = (uint32_t)err;
	}
	t = topic_get(bus, type, NULL, &err);
	if (!t)
		goto fail;
	t->pool.need += MYC_PUB_BUFS;
	err = pool_grow(t);
	if (err) {
		t->pool.need -= MYC_PUB_BUFS;
		goto fail;
	}
	pub->topic = t;
	pub->id = bus->next_pub_id++;
	pub->next = t->pubs;
	t->pubs = pub;
	t->npubs++;
	solo_settle(t);
	pthread_mutex_unlock(&bus->lock);
	if (bus->ring)
		bus_ring_topic_used(bus, t, false);
	if (atomic_load_explicit(&bus->net, memory_order_acquire))
		bus_net_topic_used(bus, t, false);
	return pub;
fail:
	pthread_mutex_unlock(&bus->lock);
	free(pub);
	errno = -err;
	return NULL;
}

struct myc_pub *myc_pub_new(struct myc_bus *bus, uint16_t type, const struct myc_pub_opts *o)
{
	return pub_new(bus, type, o, OPT(o, to, NULL));
}

struct myc_pub *myc_pub_new_to(struct myc_bus *bus, uint16_t type, const char *service,
			       const struct myc_pub_opts *o)
{
	if (!service) {
		errno = EINVAL;
		return NULL;
	}
	return pub_new(bus, type, o, service);
}

/* Next free buffer for @pub: from its cache, refilled from the pool. */
static inline struct myc_buf *pub_take(struct myc_pub *pub)
{
	struct myc_pool *p = &pub->topic->pool;
	uint32_t n = atomic_load_explicit(&pub->ncache, memory_order_relaxed);

	if (!n) {
		n = myc_pool_take(p, pub->cidx, MYC_PUB_CACHE);
		if (!n)
			return NULL;
		pub->cpos = 0;
	}
	atomic_store_explicit(&pub->ncache, n - 1, memory_order_relaxed);
	return myc_pool_buf(p, pub->cidx[pub->cpos++]);
}

/* The buffer a claim takes: the prefetched spare, else the next one from
 * the cache (NULL: the pool is dry). */
static inline struct myc_buf *pub_next(struct myc_pub *pub)
{
	struct myc_buf *b = atomic_load_explicit(&pub->spare, memory_order_relaxed);

	if (myc_likely(b)) {
		atomic_store_explicit(&pub->spare, NULL, memory_order_relaxed);
		return b;
	}
	return pub_take(pub);
}

/* Give the cache back to the pool as one chain (slow path). */
static void pub_cache_return(struct myc_pub *pub)
{
	struct myc_pool *p = &pub->topic->pool;
	uint32_t n = atomic_load_explicit(&pub->ncache, memory_order_relaxed);
	struct myc_buf *h;

	if (!n)
		return;
	h = myc_pool_buf(p, pub->cidx[pub->cpos]);
	memmove(myc_chain_list(h), &pub->cidx[pub->cpos], n * sizeof(uint32_t));
	myc_pool_put_chain(p, h, n);
	atomic_store_explicit(&pub->ncache, 0, memory_order_relaxed);
}

void myc_pub_free(struct myc_pub *pub)
{
	struct myc_topic *t;
	struct myc_pub **pp;

	if (!pub)
		return;
	t = pub->topic;
	if (pub->claim)
		myc_pub_abort(pub, pub->claim->data);
	bridges_pub_free(pub);
	pthread_mutex_lock(&t->bus->lock);
	for (pp = &t->pubs; *pp; pp = &(*pp)->next)
		if (*pp == pub) {
			*pp = pub->next;
			break;
		}
	t->npubs--;
	/* Its windows are over (its thread is here): no wait.  Then grant a
	 * publisher left alone. */
	if (atomic_load_explicit(&t->solo, memory_order_relaxed) == (uintptr_t)pub)
		solo_clear(t);
	solo_settle(t);
	t->retired += atomic_load_explicit(&pub->seq, memory_order_relaxed);
	t->pool.need -= MYC_PUB_BUFS;
	if (pub->spare)
		myc_pool_put(&t->pool, pub->spare);
	pub_cache_return(pub);
	pthread_mutex_unlock(&t->bus->lock);
	free(pub);
}

uint32_t myc_pub_id(const struct myc_pub *pub)
{
	return pub ? pub->id : 0;
}

/* Does a message of a publisher directed to @to (0: undirected) go to @s?
 * Undirected publishers pass 0 and the test folds into one branch. */
static inline bool sub_wanted(const struct myc_sub *s, uint32_t to)
{
	return myc_likely(!to) || s->svc == to;
}

/* Undo @m lossless reservations in each of the first @n queued
 * subscribers. */
static void unreserve(struct myc_subs *a, uint32_t n, uint32_t to, uint32_t m,
		      bool solo)
{
	for (uint32_t i = 0; i < n; i++) {
		struct myc_sub *s = a->s[i];

		if (!sub_wanted(s, to))
			continue;
		myc_pub_add(&s->resv, -(uint64_t)m, solo);
	}
	/* Another publisher may be waiting for the room we held. */
	if (n)
		credit_wake(a->s[0]->topic);
}

/* Reserve one queue slot in @s; false if it is full. */
static inline bool reserve_one(struct myc_sub *s, uint64_t depth, bool solo)
{
	uint64_t r = myc_pub_add(&s->resv, 1, solo) + 1, d;

	/* acquire/release on the cache too: whoever pushes into a cell this
	 * room covers must happen after the consumer read its old content
	 * (myc_q_push(): the consumer no longer frees cells of lossless
	 * queues; the chain is consumer -> ->deq -> publisher -> ->deq_cache
	 * -> publisher, then the ->enq RMW chain or, solo, program order). */
	d = atomic_load_explicit(&s->deq_cache, memory_order_acquire);

	if (myc_likely(r - d <= depth))
		return true;
	/* Looks full: look at the consumer's real position (acquire pairs
	 * with the release ->deq store in myc_q_pop_single(); seq_cst for
	 * the Dekker pairing in pub_wait_room()/sub_wake_publishers()). */
	d = atomic_load_explicit(&s->deq, memory_order_seq_cst);
	atomic_store_explicit(&s->deq_cache, d, memory_order_release);
	if (r - d <= depth)
		return true;
	myc_pub_add(&s->resv, (uint64_t)-1, solo);
	return false;
}

/* Reserve a slot in every queued subscriber the message goes to; false if
 * one is full. */
static inline bool reserve(struct myc_subs *a, uint64_t depth, uint32_t to, bool solo)
{
	for (uint32_t i = 0; i < a->nq; i++) {
		if (!sub_wanted(a->s[i], to))
			continue;
		if (myc_unlikely(!reserve_one(a->s[i], depth, solo))) {
			unreserve(a, i, to, 1, solo);
			return false;
		}
	}
	return true;
}

/* Give back the reservations of a claim that will not be committed. */
static void unreserve_all(struct myc_pub *pub, struct myc_subs *a)
{
	bool solo = solo_enter(pub, pub->topic);

	unreserve(a, a->nq, pub->to, 1, solo);
	solo_leave(pub->topic, solo);
}

/* One claim attempt; returns 0, -MYC_E_BACK_PRESSURED or -MYC_E_NO_BUFS. */
static inline int claim_once(struct myc_pub *pub, struct myc_topic *t)
{
	struct myc_subs *a;
	struct myc_buf *b;

	urcu_bp_read_lock();
	/* acquire: pairs with the release in subs_replace(). */
	a = atomic_load_explicit(&t->subs, memory_order_acquire);
	if (t->policy == MYC_LOSSLESS) {
		bool solo = solo_enter(pub, t);
		bool ok = reserve(a, t->depth, pub->to, solo);

		solo_leave(t, solo);
		if (!ok) {
			myc_read_unlock(t->bus);
			return -MYC_E_BACK_PRESSURED;
		}
	}
	b = pub_next(pub);
	if (myc_unlikely(!b)) {
		if (t->policy == MYC_LOSSLESS)
			unreserve_all(pub, a);
		myc_read_unlock(t->bus);
		return -MYC_E_NO_BUFS;
	}
	/* The read-side section stays open until commit/abort, so @a and
	 * every subscriber in it outlive the claim. */
	pub->snap = a;
	pub->claim = b;
	return 0;
}

/* Lossless and full: spin, then sleep on the topic's credit futex. */
#define MYC_ROOM_BACKOFF	16	/* pauses between retries */

static int __attribute__((noinline)) pub_wait_room(struct myc_pub *pub, struct myc_topic *t)
{
	uint64_t deadline = deadline_of(pub->timeout_ms);
	int r;

	for (;;) {
		uint64_t spin_end = mono_ns() + pub->spin_ns;
		uint32_t i = 0;

		if (spin_end > deadline)
			spin_end = deadline;
		do {
			r = claim_once(pub, t);
			if (r != -MYC_E_BACK_PRESSURED)
				return r;
			/* Back off: every retry reads the consumers' ->deq
			 * lines and RMWs ->resv, stealing lines the consumer
			 * writes per message; letting room build up a little
			 * makes the consumer faster and the retry succeed. */
			for (uint32_t k = 0; k < MYC_ROOM_BACKOFF; k++)
				cpu_relax();
		} while ((++i & 15) || mono_ns() < spin_end);

		/* Announce the sleep, then retry: a consumer freeing a slot
		 * after our retry read its position sees the flag (seq_cst
		 * pairs with credit_wake() after the ->deq store in
		 * myc_q_pop_single()), clears it and wakes us; if it cleared
		 * it first, the futex value no longer matches. */
		atomic_store_explicit(&t->pub_sleep, 1, memory_order_seq_cst);
		r = claim_once(pub, t);
		if (r != -MYC_E_BACK_PRESSURED)
			return r;
		if (futex_wait_until(&t->pub_sleep, 1, deadline) == -ETIMEDOUT)
			return -ETIMEDOUT;
		/* Woken (or spurious): spin again before the next sleep. */
	}
}

/* myc_pub_claim() once its arguments are checked; a lossless queue that
 * is full is waited for only if @wait. */
static int pub_claim(struct myc_pub *pub, size_t size, void **buf, bool wait)
{
	struct myc_topic *t = pub->topic;
	int r;

	r = claim_once(pub, t);
	if (myc_unlikely(r == -MYC_E_BACK_PRESSURED && pub->timeout_ms && wait))
		r = pub_wait_room(pub, t);
	if (myc_unlikely(r))
		return r;
	/* Still inside the read-side section opened by the claim.  A directed
	 * publish stays in this process: frames on a bridge carry no target
	 * service, so they would reach every remote subscriber. */
	if (myc_unlikely(atomic_load_explicit(&t->bridges, memory_order_acquire)) &&
	    !pub->to) {
		r = bridges_claim(pub, t, (uint32_t)size);
		if (r) {
			myc_pub_abort(pub, pub->claim->data);
			return r;
		}
	}
	pub->size = (uint32_t)size;
	*buf = pub->claim->data;
	return 0;
}

int myc_pub_claim(struct myc_pub *pub, size_t size, void **buf)
{
	if (!pub || !buf)
		return -EINVAL;
	if (pub->claim)
		return -EBUSY;
	if (size > pub->topic->max_size)
		return -EMSGSIZE;
	return pub_claim(pub, size, buf, true);
}

void myc_pub_abort(struct myc_pub *pub, void *buf)
{
	struct myc_buf *b;

	if (!pub || !pub->claim || buf != pub->claim->data)
		return;
	b = pub->claim;
	if (pub->topic->policy == MYC_LOSSLESS)
		unreserve_all(pub, pub->snap);
	if (myc_unlikely(pub->bsnap))
		bridges_abort(pub);
	pub->claim = NULL;
	if (!atomic_load_explicit(&pub->spare, memory_order_relaxed))
		atomic_store_explicit(&pub->spare, b, memory_order_relaxed);
	else
		myc_pool_put(&pub->topic->pool, b);
	myc_read_unlock(pub->topic->bus);
}

/*
 * The queue of @s is full (lossy only: a lossless push always has the
 * room its claim reserved): drop its oldest message, counting it, and
 * retry.
 */
static void __attribute__((noinline)) push_full(struct myc_sub *s, struct myc_buf *b,
						bool solo)
{
	do {
		struct myc_buf *old = myc_q_pop(s);

		if (old) {
			myc_buf_put(old);
			atomic_fetch_add_explicit(&s->lost, 1, memory_order_relaxed);
		} else {
			/* The consumer took the oldest but has not freed its
			 * cell yet: it is two stores away. */
			cpu_relax();
		}
	} while (!myc_q_push(s, b, solo));
}

/*
 * After a commit, off the next message's critical path: take the next
 * buffer and pull its lines and the next queue cells into our cache, so
 * the next claim + fill + commit hit only local lines.
 */
#define MYC_PREFETCH_SUBS	4

/* A buffer's first two lines (meta + header, and the payload or a chain
 * head's list), for writing. */
static inline void prefetch_buf_w(struct myc_buf *b)
{
	prefetch_w(b);
	prefetch_w((char *)b + MYC_CACHELINE);
}

static inline void pub_prepare(struct myc_pub *pub, struct myc_subs *a)
{
	struct myc_buf *b = atomic_load_explicit(&pub->spare, memory_order_relaxed);

	if (!b) {
		b = pub_take(pub);
		atomic_store_explicit(&pub->spare, b, memory_order_relaxed);
	}
	if (b)
		prefetch_buf_w(b);
	/* And the one after it, or, when the cache is about to run dry, the
	 * chain head the refill reads (both lines: meta and list), a buffer
	 * the consumer released last. */
	if (atomic_load_explicit(&pub->ncache, memory_order_relaxed)) {
		prefetch_buf_w(myc_pool_buf(&pub->topic->pool, pub->cidx[pub->cpos]));
	} else {
		struct myc_pool *p = &pub->topic->pool;
		uint32_t idx = (uint32_t)atomic_load_explicit(&p->head, memory_order_relaxed);

		if (idx != MYC_BUF_NONE)
			prefetch_buf_w(myc_pool_buf(p, idx));
	}
	/* @a may be retired once we left the read-side section: only the
	 * first few queued subscribers, and only while still inside. */
	for (uint32_t i = 0; i < a->nq && i < MYC_PREFETCH_SUBS; i++) {
		struct myc_sub *s = a->s[i];

		/* A read prefetch: a caught-up consumer polls this very
		 * cell, and taking it exclusive now would only make its
		 * next poll pull it back before our store. */
		__builtin_prefetch(myc_q_cell(s, atomic_load_explicit(&s->enq,
					memory_order_relaxed)), 0, 3);
	}
}

/*
 * Fan-out of a directed publisher (slow path, off the undirected one):
 * only subscribers tagged with service pub->to get the message, so the
 * reference count is theirs alone.
 */
static void __attribute__((noinline)) commit_to(struct myc_pub *pub, struct myc_buf *b,
						struct myc_subs *a)
{
	uint32_t i, refs = 0, inl = 0;
	bool solo;

	for (i = 0; i < a->n; i++)
		if (a->s[i]->svc == pub->to)
			i < a->nq ? refs++ : inl++;
	/* Ours while inline callbacks run, as in myc_pub_commit(). */
	refs += !!inl;
	if (!refs) {
		myc_pool_put(&pub->topic->pool, b);
		return;
	}
	atomic_store_explicit(&b->refs, refs, memory_order_relaxed);
	solo = solo_push_enter(pub, pub->topic);
	for (i = 0; i < a->nq; i++) {
		struct myc_sub *s = a->s[i];

		if (s->svc != pub->to)
			continue;
		if (!myc_q_push(s, b, solo))
			push_full(s, b, solo);
		/* seq_cst: pairs as in myc_pub_commit(). */
		if (atomic_load_explicit(&s->wake, memory_order_seq_cst))
			sub_wake(s);
	}
	solo_leave(pub->topic, solo);
	for (; i < a->n; i++)
		if (a->s[i]->svc == pub->to)
			a->s[i]->cb((const struct myc_msg *)b, a->s[i]->ctx);
	if (inl)
		myc_buf_put(b);
}

/*
 * A message due for a demote (demote_due(), cpu.h): move its buffer's
 * lines and the queue cells it was pushed to out of our private caches
 * into the shared one, where the waiting consumer's reads hit.
 */
/* After the pushes: hints only, so @b may already be another's. */
static inline void demote(void *b, uint32_t len, struct myc_subs *a)
{
	cpu_demote(b, len);
	for (uint32_t i = 0; i < a->nq && i < MYC_PREFETCH_SUBS; i++) {
		struct myc_sub *s = a->s[i];

		cpu_demote(myc_q_cell(s, atomic_load_explicit(&s->enq,
				memory_order_relaxed) - 1), sizeof(struct myc_cell));
	}
}

/*
 * Push @bs[0..@k) into every queued subscriber's queue (a lossless topic's
 * claim reserved the room), waking those that sleep.
 */
static inline void push_all(struct myc_pub *pub, struct myc_topic *t,
			    struct myc_subs *a, struct myc_buf *const *bs, uint32_t k)
{
	bool solo = solo_push_enter(pub, t);

	for (uint32_t i = 0; i < a->nq; i++) {
		struct myc_sub *s = a->s[i];

		if (t->policy == MYC_LOSSLESS) {
			myc_q_push_n(s, bs, k, solo);
		} else {
			for (uint32_t j = 0; j < k; j++)
				if (myc_unlikely(!myc_q_push(s, bs[j], solo)))
					push_full(s, bs[j], solo);
		}
		/* seq_cst load after the seq_cst RMW on ->enq: pairs with the
		 * consumer's wake-bit RMW in sub_wait()/sub_arm_fd() (plain
		 * pushes end first: sub_sleep_fence()). */
		if (myc_unlikely(atomic_load_explicit(&s->wake, memory_order_seq_cst)))
			sub_wake(s);
	}
	solo_leave(t, solo);
}

/*
 * Hand the finished frame in @b to every subscriber in @a, then to the
 * bridges the claim saw (pub->bsnap), and leave the read-side section
 * opened by the claim.
 */
static inline void fanout(struct myc_pub *pub, struct myc_topic *t,
			  struct myc_buf *b, struct myc_subs *a)
{
	uint32_t i, extra, len;

	/* One reference per queued subscriber, plus ours while inline
	 * callbacks and bridges run. */
	extra = a->n > a->nq || pub->bsnap;
	if (myc_unlikely(a->nq + extra == 0)) {
		myc_pool_put(&t->pool, b);
		goto out;
	}
	atomic_store_explicit(&b->refs, a->nq + extra, memory_order_relaxed);
	/* Decided before the pushes, while the buffer is still ours. */
	len = demote_due(&pub->last_ts, b->hdr.ts_ns) ? b->hdr.len : 0;
	push_all(pub, t, a, &b, 1);
	if (len)
		demote(&b->hdr, len, a);
	for (i = a->nq; i < a->n; i++)
		a->s[i]->cb((const struct myc_msg *)b, a->s[i]->ctx);
	if (myc_unlikely(pub->bsnap))
		bridges_commit(pub, &b->hdr);
	if (extra)
		myc_buf_put(b);
out:
	pub_prepare(pub, a);
	myc_read_unlock(t->bus);
}

/* Write the frame header of a message of @len bytes (header included)
 * and zero the alignment padding, so the bytes are a valid wire frame. */
static inline void pub_frame(struct myc_pub *pub, struct myc_buf *b, uint32_t len,
			     uint64_t seq, uint64_t ts)
{
	b->hdr = (struct myc_frame_hdr){
		.len = len, .type = pub->topic->type, .seq = seq,
		.ts_ns = ts, .src = pub->id,
	};
	if (len & 7)
		memset((char *)&b->hdr + len, 0, myc_frame_span(len) - len);
}

int myc_pub_commit(struct myc_pub *pub, void *buf)
{
	struct myc_topic *t;
	struct myc_buf *b;
	uint32_t len;
	uint64_t seq;

	if (!pub || !pub->claim || buf != pub->claim->data)
		return -EINVAL;
	t = pub->topic;
	b = pub->claim;
	pub->claim = NULL;

	len = MYC_FRAME_HDR_SIZE + pub->size;
	seq = atomic_load_explicit(&pub->seq, memory_order_relaxed) + 1;
	atomic_store_explicit(&pub->seq, seq, memory_order_relaxed);
	pub_frame(pub, b, len, seq, ring_clock_now(&pub->clock));
	if (myc_unlikely(pub->to)) {
		commit_to(pub, b, pub->snap);
		pub_prepare(pub, pub->snap);
		myc_read_unlock(t->bus);
		return 0;
	}
	fanout(pub, t, b, pub->snap);
	return 0;
}

int myc_pub_send(struct myc_pub *pub, const void *data, size_t size)
{
	void *buf;
	int r;

	if (size && !data)
		return -EINVAL;
	r = myc_pub_claim(pub, size, &buf);
	if (r)
		return r;
	if (size)
		memcpy(buf, data, size);
	return myc_pub_commit(pub, buf);
}

/* ---- batches: myc_pub_sendv() ------------------------------------------ */

/*
 * A batch is published in rounds of up to MYC_PUB_CACHE messages, each
 * round one read-side section: one reservation per queued subscriber for
 * the whole round, one queue-position update per subscriber, one wake-up
 * check and one timestamp.  A message costs its copy, its header and its
 * queue cell.  A round takes the publisher's spare and cache, refilled
 * only while it holds at most the spare, so the publisher never holds
 * more than its MYC_PUB_BUFS share of the pool.
 */

/* Buffers @pub can hand out now within its share: the spare and the
 * cache, refilled first if it is empty. */
static uint32_t pub_avail(struct myc_pub *pub)
{
	uint32_t spare = !!atomic_load_explicit(&pub->spare, memory_order_relaxed);
	uint32_t n = atomic_load_explicit(&pub->ncache, memory_order_relaxed);

	if (!n) {
		n = myc_pool_take(&pub->topic->pool, pub->cidx, MYC_PUB_CACHE);
		pub->cpos = 0;
		atomic_store_explicit(&pub->ncache, n, memory_order_relaxed);
	}
	return spare + n;
}

/* Take @n of the buffers pub_avail() counted, the spare first. */
static void pub_take_n(struct myc_pub *pub, struct myc_buf **bs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		bs[i] = pub_next(pub);
}

/*
 * Reserve the same number of slots, at most @n, in every queued subscriber
 * (undirected): as many as the fullest has room for.  Returns it (0: one
 * is full).  A subscriber with less room than asked gives back the excess,
 * and so do the ones before it.
 */
static uint32_t reserve_n(struct myc_subs *a, uint64_t depth, uint32_t n, bool solo)
{
	uint32_t k = n;

	for (uint32_t i = 0; i < a->nq && k; i++) {
		struct myc_sub *s = a->s[i];
		uint64_t r = myc_pub_add(&s->resv, k, solo) + k, d, over;

		/* Orders as in reserve_one(). */
		d = atomic_load_explicit(&s->deq_cache, memory_order_acquire);
		if (myc_likely(r - d <= depth))
			continue;
		d = atomic_load_explicit(&s->deq, memory_order_seq_cst);
		atomic_store_explicit(&s->deq_cache, d, memory_order_release);
		if (r - d <= depth)
			continue;
		over = r - d - depth;
		if (over > k)
			over = k;
		myc_pub_add(&s->resv, -over, solo);
		unreserve(a, i, 0, (uint32_t)over, solo);
		k -= (uint32_t)over;
	}
	return k;
}

/*
 * Fill @bs[0..@k) with @msgs and publish them to the subscribers in @a
 * (fanout() for a round), then leave the read-side section.
 */
static void commit_n(struct myc_pub *pub, struct myc_topic *t, struct myc_subs *a,
		     struct myc_buf **bs, const struct myc_iov *msgs, uint32_t k)
{
	uint64_t seq = atomic_load_explicit(&pub->seq, memory_order_relaxed);
	uint64_t ts = ring_clock_now(&pub->clock);
	/* Ours while inline callbacks run, as in fanout(). */
	uint32_t extra = a->n > a->nq, i, j;

	for (j = 0; j < k; j++) {
		struct myc_buf *b = bs[j];

		if (msgs[j].len)
			memcpy(b->data, msgs[j].base, msgs[j].len);
		pub_frame(pub, b, MYC_FRAME_HDR_SIZE + (uint32_t)msgs[j].len, ++seq, ts);
		atomic_store_explicit(&b->refs, a->nq + extra, memory_order_relaxed);
	}
	atomic_store_explicit(&pub->seq, seq, memory_order_relaxed);
	pub->last_ts = ts;
	push_all(pub, t, a, bs, k);
	for (j = 0; extra && j < k; j++) {
		for (i = a->nq; i < a->n; i++)
			a->s[i]->cb((const struct myc_msg *)bs[j], a->s[i]->ctx);
		myc_buf_put(bs[j]);
	}
	pub_prepare(pub, a);
	myc_read_unlock(t->bus);
}

/*
 * One round of up to @n (<= MYC_PUB_CACHE) messages.  Returns how many
 * were published; 0 if the topic has bridges (the caller sends one by
 * one: a bridge reserves room per frame); -MYC_E_BACK_PRESSURED or
 * -MYC_E_NO_BUFS if none was.
 */
static int send_round(struct myc_pub *pub, struct myc_topic *t,
		      const struct myc_iov *msgs, uint32_t n)
{
	struct myc_buf *bs[MYC_PUB_CACHE];
	struct myc_subs *a;
	uint32_t k;
	bool solo;

	urcu_bp_read_lock();
	if (myc_unlikely(atomic_load_explicit(&t->bridges, memory_order_acquire))) {
		myc_read_unlock(t->bus);
		return 0;
	}
	/* acquire: pairs with the release in subs_replace(). */
	a = atomic_load_explicit(&t->subs, memory_order_acquire);
	if (!a->n) {
		/* Nobody to deliver to: numbered all the same (fanout()). */
		atomic_store_explicit(&pub->seq, atomic_load_explicit(&pub->seq,
				      memory_order_relaxed) + n, memory_order_relaxed);
		myc_read_unlock(t->bus);
		return (int)n;
	}
	k = pub_avail(pub);
	if (!k) {
		myc_read_unlock(t->bus);
		return -MYC_E_NO_BUFS;
	}
	if (k > n)
		k = n;
	if (t->policy == MYC_LOSSLESS) {
		solo = solo_enter(pub, t);
		k = reserve_n(a, t->depth, k, solo);
		solo_leave(t, solo);
		if (!k) {
			myc_read_unlock(t->bus);
			return -MYC_E_BACK_PRESSURED;
		}
	}
	pub_take_n(pub, bs, k);
	commit_n(pub, t, a, bs, msgs, k);
	return (int)k;
}

/* One message as myc_pub_send() does it, waiting for room only if @wait. */
static int send_one(struct myc_pub *pub, const struct myc_iov *m, bool wait)
{
	void *buf;
	int r = pub_claim(pub, m->len, &buf, wait);

	if (r)
		return r;
	if (m->len)
		memcpy(buf, m->base, m->len);
	return myc_pub_commit(pub, buf);
}

int myc_pub_sendv(struct myc_pub *pub, const struct myc_iov *msgs, size_t n)
{
	size_t done = 0;
	bool single;

	if (!pub || (n && !msgs) || n > INT_MAX)
		return -EINVAL;
	if (pub->claim)
		return -EBUSY;
	for (size_t i = 0; i < n; i++) {
		if (msgs[i].len > pub->topic->max_size)
			return -EMSGSIZE;
		if (msgs[i].len && !msgs[i].base)
			return -EINVAL;
	}
	/* Directed publishers and topics with bridges: one by one. */
	single = pub->to;
	while (done < n) {
		uint32_t m = n - done < MYC_PUB_CACHE ? (uint32_t)(n - done) : MYC_PUB_CACHE;
		int r = 0;

		if (myc_likely(!single))
			r = send_round(pub, pub->topic, msgs + done, m);
		single = !r;
		/* Full before the first message: wait as myc_pub_claim()
		 * does, on the single path (which knows how). */
		if (!r || (r == -MYC_E_BACK_PRESSURED && !done && pub->timeout_ms))
			r = send_one(pub, &msgs[done], !done) ?: 1;
		if (r < 0)
			return done ? (int)done : r;
		done += (size_t)r;
	}
	return (int)done;
}

int bus_inject(struct myc_pub *pub, const struct myc_frame_hdr *hdr,
	       const void *payload)
{
	struct myc_topic *t = pub->topic;
	uint32_t size = hdr->len - MYC_FRAME_HDR_SIZE;
	struct myc_buf *b;
	uint64_t seq;
	int r;

	if (hdr->len < MYC_FRAME_HDR_SIZE || size > t->max_size)
		return -EMSGSIZE;
	r = claim_once(pub, t);
	if (r == -MYC_E_BACK_PRESSURED && pub->timeout_ms)
		r = pub_wait_room(pub, t);
	if (r)
		return r;
	if (myc_unlikely(t->bus->gateway && pub->origin) &&
	    atomic_load_explicit(&t->bridges, memory_order_acquire)) {
		/* Gateway: on to the other bridges (bus.h, bus_inject). */
		r = bridges_claim(pub, t, size);
		if (r) {
			myc_pub_abort(pub, pub->claim->data);
			return r;
		}
	}
	b = pub->claim;
	pub->claim = NULL;
	/* The original header: subscribers see the sender's seq, ts, src. */
	b->hdr = *hdr;
	memcpy(b->data, payload, size);
	memset((char *)&b->hdr + hdr->len, 0, myc_frame_span(hdr->len) - hdr->len);
	seq = atomic_fetch_add_explicit(&pub->seq, 1, memory_order_relaxed) + 1;
	if (myc_unlikely(pub->bsnap)) {
		b->hdr.seq = seq;
		b->hdr.src = pub->id;
	}
	fanout(pub, t, b, pub->snap);
	return 0;
}

/* ---- teardown ----------------------------------------------------------- */

static void topic_free(struct myc_topic *t)
{
	struct myc_sub *s, *sn;
	struct myc_pub *p, *pn;

	for (p = t->pubs; p; p = pn) {
		pn = p->next;
		if (!p->claim)
			bridges_pub_free(p);
		/* An open claim holds a pool buffer and a read-side section
		 * of another thread; the pool goes away below anyway. */
		free(p);
	}
	for (s = t->sublist; s; s = sn) {
		sn = s->next;
		sub_reclaim(s, true);
	}
	free(atomic_load_explicit(&t->subs, memory_order_relaxed));
	free(atomic_load_explicit(&t->bridges, memory_order_relaxed));
	for (uint32_t i = 0; i < t->pool.nchunks; i++)
		free(atomic_load_explicit(&t->pool.chunk[i], memory_order_relaxed));
	free(t);
}
