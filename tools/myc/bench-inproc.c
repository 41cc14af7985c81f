// SPDX-License-Identifier: MIT
/*
 * myc bench inproc: publish-to-deliver latency and throughput of the
 * in-process bus between two threads pinned to two cores, next to the raw
 * baseline measured the same way in the same run:
 *
 *   raw-spin     a 64-byte message handed over through a cache-line-padded
 *                sequence flag (the physical limit of a cross-core handoff)
 *   inproc       myc_pub_claim/commit -> myc_sub_recv (spinning consumer),
 *                64 B and 1 KiB payloads, lossy topic (the default)
 *   inproc-lossless  the same, 64 B, on a lossless topic
 *   raw-ring-tput  64 B messages streamed through a plain SPSC ring (the
 *                throughput baseline), messages/s
 *   raw-ring-tput-frame  the same stream carrying 96-byte frames (header
 *                stamped with a TSC read per message + 64 B payload)
 *   inproc-tput  64 B messages streamed as fast as the consumer takes them
 *                (lossless topic, so nothing is dropped), messages/s;
 *                the consumer pulls with myc_sub_recv + myc_sub_release
 *                (buffers go back to the pool in batches)
 *   inproc-tput-msgrel  the same releasing with myc_msg_release (one
 *                pool push per message)
 *   inproc-tput-cb  the same with a callback subscriber and
 *                myc_sub_dispatch
 *   inproc-tput-batch  inproc-tput with the publisher sending bursts of 16
 *                through myc_pub_sendv
 *
 * Latency: the sender waits until the receiver has acknowledged the
 * previous message (so the pipe is idle), stamps bench_now_ns() into the
 * message, fills the rest and publishes; the receiver reads the stamp, takes
 * bench_now_ns() (the message is in hand: delivered) and only then cleans
 * up (releases it) and acknowledges.  Both sides
 * of both scenarios use the same clock and the same harness.
 */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "myc.h"

#define CACHELINE	64
#define BENCH_TYPE	1
#define SPIN_FOREVER	UINT32_MAX	/* consumer never sleeps */

struct lat_ops;

/* State shared by the sender and receiver of one scenario. */
struct lat_run {
	const struct lat_ops *ops;
	const struct bench_opts *o;
	uint32_t size;
	uint64_t total;				/* warm-up + measured */
	struct bench_samples samples;
	_Atomic uint64_t ack __attribute__((aligned(CACHELINE)));
	/* raw-spin */
	_Atomic uint64_t flag __attribute__((aligned(CACHELINE)));
	unsigned char msg[CACHELINE] __attribute__((aligned(CACHELINE)));
	/* inproc */
	struct myc_bus *bus;
	struct myc_pub *pub;
	struct myc_sub *sub;
	int err;
};

struct lat_ops {
	/* Publish message @i stamped with @t0 (a @r->size byte payload). */
	int (*send)(struct lat_run *r, uint64_t i, uint64_t t0);
	/* Wait for message @i, read it, set *@t1 to the time it was in
	 * hand (before any clean-up such as releasing it); return its stamp. */
	uint64_t (*recv)(struct lat_run *r, uint64_t i, uint64_t *t1);
};

static const unsigned char fill[1024] = { 1 };

/* ---- raw-spin ----------------------------------------------------------- */

static int raw_send(struct lat_run *r, uint64_t i, uint64_t t0)
{
	memcpy(r->msg + 8, fill, sizeof(r->msg) - 8);
	memcpy(r->msg, &t0, 8);
	/* release: the message bytes before the flag; pairs with raw_recv. */
	atomic_store_explicit(&r->flag, i + 1, memory_order_release);
	return 0;
}

static uint64_t raw_recv(struct lat_run *r, uint64_t i, uint64_t *t1)
{
	unsigned char copy[CACHELINE];
	uint64_t t0;

	while (atomic_load_explicit(&r->flag, memory_order_acquire) != i + 1)
		bench_relax();
	memcpy(copy, r->msg, sizeof(copy));
	memcpy(&t0, copy, 8);
	*t1 = bench_now_ns();
	return t0;
}

static const struct lat_ops raw_ops = { raw_send, raw_recv };

/* ---- inproc ------------------------------------------------------------- */

static int bus_send(struct lat_run *r, uint64_t i, uint64_t t0)
{
	void *buf;
	int err = myc_pub_claim(r->pub, r->size, &buf);

	if (err)
		return err;
	memcpy((char *)buf + 8, fill, r->size - 8);
	memcpy(buf, &t0, 8);
	return myc_pub_commit(r->pub, buf);
}

static uint64_t bus_recv(struct lat_run *r, uint64_t i, uint64_t *t1)
{
	struct myc_msg *m;
	uint64_t t0 = 0;

	if (myc_sub_recv(r->sub, &m, -1) == 0) {
		memcpy(&t0, myc_msg_data(m), 8);
		*t1 = bench_now_ns();
		myc_msg_release(m);
	} else {
		*t1 = bench_now_ns();
	}
	return t0;
}

static const struct lat_ops bus_ops = { bus_send, bus_recv };

/* ---- harness ------------------------------------------------------------ */

static void *lat_receiver(void *arg)
{
	struct lat_run *r = arg;

	bench_pin(r->o->cpu_b);
	for (uint64_t i = 0; i < r->total; i++) {
		uint64_t t1, t0 = r->ops->recv(r, i, &t1);

		if (i >= r->o->warmup)
			bench_samples_add(&r->samples, t1 - t0);
		/* release: pairs with the acquire in lat_run_one(). */
		atomic_store_explicit(&r->ack, i + 1, memory_order_release);
	}
	return NULL;
}

static int lat_run_one(struct lat_run *r, const char *name)
{
	struct bench_result res = { .name = name, .size = r->size };
	pthread_t th;
	int err;

	r->total = r->o->warmup + r->o->msgs;
	err = bench_samples_init(&r->samples, r->o->msgs);
	if (err)
		return err;
	err = -pthread_create(&th, NULL, lat_receiver, r);
	if (err)
		goto out;
	bench_pin(r->o->cpu_a);
	for (uint64_t i = 0; i < r->total && !err; i++) {
		/* Wait until the previous message was taken: idle pipe. */
		while (atomic_load_explicit(&r->ack, memory_order_acquire) != i)
			bench_relax();
		err = r->ops->send(r, i, bench_now_ns());
	}
	if (err)
		pthread_cancel(th);
	pthread_join(th, NULL);
	if (!err) {
		bench_percentiles(&r->samples, &res);
		bench_report(r->o, &res);
	}
out:
	bench_samples_free(&r->samples);
	return err;
}

static int bus_setup(struct lat_run *r, uint32_t policy, uint32_t max_size,
		     myc_msg_fn cb, void *ctx)
{
	struct myc_topic_opts to = { .sz = sizeof(to), .policy = policy,
				     .depth = 1024, .max_size = max_size };
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1,
				   .spin_ns = SPIN_FOREVER };
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = SPIN_FOREVER,
				   .cb = cb, .ctx = ctx };
	int err;

	r->bus = myc_bus_new(&(struct myc_bus_opts){ .sz = sizeof(struct myc_bus_opts),
						     .name = "bench" });
	if (!r->bus)
		return -errno;
	err = myc_bus_topic(r->bus, BENCH_TYPE, &to);
	if (err)
		return err;
	r->sub = myc_sub_new(r->bus, BENCH_TYPE, &so);
	r->pub = myc_pub_new(r->bus, BENCH_TYPE, &po);
	return r->sub && r->pub ? 0 : -errno;
}

static void bus_teardown(struct lat_run *r)
{
	myc_pub_free(r->pub);
	myc_sub_free(r->sub);
	myc_bus_free(r->bus);
}

static struct lat_run *lat_new(const struct bench_opts *o, const struct lat_ops *ops,
			       uint32_t size)
{
	struct lat_run *r;

	if (posix_memalign((void **)&r, CACHELINE, sizeof(*r)))
		return NULL;
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->ops = ops;
	r->size = size;
	return r;
}

static int run_raw(const struct bench_opts *o)
{
	struct lat_run *r = lat_new(o, &raw_ops, 64);
	int err;

	if (!r)
		return -ENOMEM;
	err = lat_run_one(r, "raw-spin");
	free(r);
	return err;
}

static int run_bus_latency(const struct bench_opts *o, uint32_t size, uint32_t policy)
{
	struct lat_run *r = lat_new(o, &bus_ops, size);
	int err;

	if (!r)
		return -ENOMEM;
	err = bus_setup(r, policy, size, NULL, NULL);
	if (!err)
		err = lat_run_one(r, policy == MYC_LOSSY ? "inproc" : "inproc-lossless");
	bus_teardown(r);
	free(r);
	return err;
}

/* ---- throughput --------------------------------------------------------- */

enum tput_mode {
	TPUT_SUB_RELEASE,	/* recv + myc_sub_release */
	TPUT_MSG_RELEASE,	/* recv + myc_msg_release */
	TPUT_DISPATCH,		/* callback subscriber + myc_sub_dispatch */
	TPUT_BATCH,		/* myc_pub_sendv bursts; recv + myc_sub_release */
};

static const char *const tput_names[] = {
	[TPUT_SUB_RELEASE] = "inproc-tput",
	[TPUT_MSG_RELEASE] = "inproc-tput-msgrel",
	[TPUT_DISPATCH] = "inproc-tput-cb",
	[TPUT_BATCH] = "inproc-tput-batch",
};

/*
 * The consumer's count sits on its own line: the publisher reads ->n and
 * ->r on every message, and a count written next to them would bounce that
 * line between the two cores, a cost neither the bus nor the baseline has.
 */
struct tput {
	struct lat_run *r;
	uint64_t n;
	enum tput_mode mode;
	uint64_t got __attribute__((aligned(CACHELINE)));
	uint64_t end_ns;
};

static void tput_count(const struct myc_msg *m, void *ctx)
{
	((struct tput *)ctx)->got++;
}

static void *tput_receiver(void *arg)
{
	struct tput *t = arg;
	struct myc_sub *sub = t->r->sub;
	uint64_t got = 0, n = t->n;
	struct myc_msg *m;

	bench_pin(t->r->o->cpu_b);
	if (t->mode == TPUT_DISPATCH) {
		/* The callback counts into t->got. */
		while (t->got < n)
			if (myc_sub_dispatch(sub, 256, -1) < 0)
				break;
		t->end_ns = bench_now_ns();
		return NULL;
	}
	for (; got < n; got++) {
		if (myc_sub_recv(sub, &m, -1))
			break;
		if (t->mode != TPUT_MSG_RELEASE)
			myc_sub_release(sub, m);
		else
			myc_msg_release(m);
	}
	t->got = got;
	t->end_ns = bench_now_ns();
	return NULL;
}

/* TPUT_BATCH's sender: @n messages in bursts of TPUT_BURST, each message
 * 64 bytes starting with its index (as bus_send()). */
#define TPUT_BURST	16

static int batch_send(struct lat_run *r, uint64_t n)
{
	unsigned char msg[TPUT_BURST][64];
	struct myc_iov iov[TPUT_BURST];

	for (int k = 0; k < TPUT_BURST; k++) {
		memcpy(msg[k], fill, sizeof(msg[k]));
		iov[k] = (struct myc_iov){ .base = msg[k], .len = sizeof(msg[k]) };
	}
	for (uint64_t i = 0; i < n;) {
		size_t want = n - i < TPUT_BURST ? n - i : TPUT_BURST;
		int got;

		for (size_t k = 0; k < want; k++) {
			uint64_t idx = i + k;

			memcpy(msg[k], &idx, sizeof(idx));
		}
		/* Waits for room (timeout -1) before the first message of a
		 * call, never after it: a call may publish fewer. */
		got = myc_pub_sendv(r->pub, iov, want);
		if (got < 0)
			return got;
		i += (uint64_t)got;	/* a short burst: the rest goes next */
	}
	return 0;
}

static int run_bus_tput(const struct bench_opts *o, enum tput_mode mode)
{
	struct lat_run *r = lat_new(o, &bus_ops, 64);
	struct bench_result res = { .name = tput_names[mode], .size = 64 };
	struct tput t = { .r = r, .n = o->tput_msgs, .mode = mode };
	uint64_t start;
	pthread_t th;
	int err;

	if (!r)
		return -ENOMEM;
	err = bus_setup(r, MYC_LOSSLESS, 64, mode == TPUT_DISPATCH ? tput_count : NULL, &t);
	if (err)
		goto out;
	err = -pthread_create(&th, NULL, tput_receiver, &t);
	if (err)
		goto out;
	bench_pin(o->cpu_a);
	start = bench_now_ns();
	if (mode == TPUT_BATCH)
		err = batch_send(r, t.n);
	else
		for (uint64_t i = 0; i < t.n && !err; i++)
			err = bus_send(r, i, i);
	if (err)
		pthread_cancel(th);
	pthread_join(th, NULL);
	if (!err) {
		res.msgs_per_s = (double)t.got * 1e9 / (double)(t.end_ns - start);
		bench_report(o, &res);
	}
out:
	bus_teardown(r);
	free(r);
	return err;
}

/*
 * Throughput baseline: a single-producer single-consumer ring of 1024
 * 64-byte slots with cached head/tail, no allocation, no reference counts,
 * no timestamps: the most a plain cross-core stream moves on this machine.
 */
#define RING_SLOTS 1024

/* What both raw baselines' threads share: the run's length and its end. */
struct raw_stream {
	const struct bench_opts *o;
	uint64_t n, end_ns;	/* end_ns: when the receiver took the last */
};

/*
 * Time a raw stream: @recv on a second thread (it pins itself to cpu_b and
 * stamps st->end_ns after the last message), @send on this one, pinned to
 * cpu_a; reports messages/s under @name.
 */
static int raw_stream_run(const struct bench_opts *o, const char *name, void *q,
			  struct raw_stream *st, void *(*recv)(void *), void (*send)(void *))
{
	struct bench_result res = { .name = name, .size = 64 };
	uint64_t start;
	pthread_t th;
	int err;

	st->o = o;
	st->n = o->tput_msgs;
	err = -pthread_create(&th, NULL, recv, q);
	if (err)
		return err;
	bench_pin(o->cpu_a);
	start = bench_now_ns();
	send(q);
	pthread_join(th, NULL);
	res.msgs_per_s = (double)st->n * 1e9 / (double)(st->end_ns - start);
	bench_report(o, &res);
	return 0;
}

struct raw_ring {
	_Atomic uint64_t head __attribute__((aligned(CACHELINE)));
	_Atomic uint64_t tail __attribute__((aligned(CACHELINE)));
	unsigned char slot[RING_SLOTS][CACHELINE] __attribute__((aligned(CACHELINE)));
	struct raw_stream st;
};

static void *ring_receiver(void *arg)
{
	struct raw_ring *q = arg;
	unsigned char copy[CACHELINE];
	uint64_t t = 0, h = 0;

	bench_pin(q->st.o->cpu_b);
	while (t < q->st.n) {
		if (t == h) {
			/* acquire: pairs with the release of head below. */
			h = atomic_load_explicit(&q->head, memory_order_acquire);
			if (t == h) {
				bench_relax();
				continue;
			}
		}
		memcpy(copy, q->slot[t % RING_SLOTS], sizeof(copy));
		__asm__ __volatile__("" : : "r"(copy) : "memory");
		/* release: the slot was read before the producer reuses it. */
		atomic_store_explicit(&q->tail, ++t, memory_order_release);
	}
	q->st.end_ns = bench_now_ns();
	return NULL;
}

static void ring_sender(void *arg)
{
	struct raw_ring *q = arg;
	uint64_t h = 0, tc = 0;

	for (uint64_t i = 0; i < q->st.n; i++) {
		while (h - tc >= RING_SLOTS)
			tc = atomic_load_explicit(&q->tail, memory_order_acquire);
		memcpy(q->slot[h % RING_SLOTS], fill, CACHELINE);
		/* release: the slot bytes before the new head. */
		atomic_store_explicit(&q->head, ++h, memory_order_release);
	}
}

static int run_raw_tput(const struct bench_opts *o)
{
	struct raw_ring *q;
	int err;

	if (posix_memalign((void **)&q, CACHELINE, sizeof(*q)))
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	err = raw_stream_run(o, "raw-ring-tput", q, &q->st, ring_receiver, ring_sender);
	free(q);
	return err;
}

/*
 * Second throughput baseline, raw-ring-tput-frame: the same stream
 * carrying what a bus frame of a 64-byte message carries, a 32-byte header
 * stamped per message (a raw TSC read: less than the bus does to turn it
 * into CLOCK_REALTIME ns) plus the payload, in 128-byte slots.  Each slot has its own sequence word (free at pos, full
 * at pos + 1), so the consumer waits on the slot it reads next and the
 * producer on the slot it writes next: no shared index line.
 */
/* The cheapest per-message time read: the raw TSC where there is one (the
 * bus reads it too, and converts it to ns), else the frame clock. */
static inline uint64_t frame_clock(void)
{
#if defined(__x86_64__)
	return __builtin_ia32_rdtsc();
#else
	return myc_now_ns();
#endif
}

struct frame_slot {
	_Atomic uint64_t seq;
	unsigned char frame[MYC_FRAME_HDR_SIZE + 64];
} __attribute__((aligned(2 * CACHELINE)));

struct frame_ring {
	struct frame_slot slot[RING_SLOTS];
	struct raw_stream st;
};

static void *frame_receiver(void *arg)
{
	struct frame_ring *q = arg;
	unsigned char copy[MYC_FRAME_HDR_SIZE + 64];

	bench_pin(q->st.o->cpu_b);
	for (uint64_t t = 0; t < q->st.n; t++) {
		struct frame_slot *s = &q->slot[t % RING_SLOTS];

		/* acquire: pairs with the producer's release of seq. */
		while (atomic_load_explicit(&s->seq, memory_order_acquire) != t + 1)
			bench_relax();
		memcpy(copy, s->frame, sizeof(copy));
		__asm__ __volatile__("" : : "r"(copy) : "memory");
		/* release: read before the producer reuses the slot. */
		atomic_store_explicit(&s->seq, t + RING_SLOTS, memory_order_release);
	}
	q->st.end_ns = bench_now_ns();
	return NULL;
}

static void frame_sender(void *arg)
{
	struct frame_ring *q = arg;

	for (uint64_t h = 0; h < q->st.n; h++) {
		struct frame_slot *s = &q->slot[h % RING_SLOTS];
		struct myc_frame_hdr hdr = {
			.len = MYC_FRAME_HDR_SIZE + 64, .type = 1, .seq = h + 1,
			.src = 1,
		};

		while (atomic_load_explicit(&s->seq, memory_order_acquire) != h)
			bench_relax();
		hdr.ts_ns = frame_clock();
		memcpy(s->frame, &hdr, sizeof(hdr));
		memcpy(s->frame + MYC_FRAME_HDR_SIZE, fill, 64);
		/* release: the frame before its sequence word. */
		atomic_store_explicit(&s->seq, h + 1, memory_order_release);
	}
}

static int run_frame_tput(const struct bench_opts *o)
{
	struct frame_ring *q;
	int err;

	if (posix_memalign((void **)&q, 2 * CACHELINE, sizeof(*q)))
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	for (uint64_t i = 0; i < RING_SLOTS; i++)
		atomic_init(&q->slot[i].seq, i);
	err = raw_stream_run(o, "raw-ring-tput-frame", q, &q->st, frame_receiver,
			     frame_sender);
	free(q);
	return err;
}

static int inproc_run(const struct bench_opts *o)
{
	int err = 0;

	if (bench_selected(o, "raw-spin"))
		err = run_raw(o);
	if (!err && bench_selected(o, "inproc"))
		err = run_bus_latency(o, 64, MYC_LOSSY);
	if (!err && bench_selected(o, "inproc"))
		err = run_bus_latency(o, 1024, MYC_LOSSY);
	if (!err && bench_selected(o, "inproc-lossless"))
		err = run_bus_latency(o, 64, MYC_LOSSLESS);
	if (!err && bench_selected(o, "raw-ring-tput"))
		err = run_raw_tput(o);
	if (!err && bench_selected(o, "raw-ring-tput-frame"))
		err = run_frame_tput(o);
	for (int m = TPUT_SUB_RELEASE; m <= TPUT_BATCH && !err; m++)
		if (bench_selected(o, tput_names[m]))
			err = run_bus_tput(o, m);
	return err;
}

MYC_BENCH(inproc, .name = "inproc",
	  .summary = "in-process bus: latency (64 B, 1 KiB) and throughput vs raw-spin",
	  .run = inproc_run);
