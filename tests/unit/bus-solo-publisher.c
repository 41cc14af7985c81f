// SPDX-License-Identifier: MIT
/*
 * Description: the solo publisher (docs/api.md, "Solo publisher"): a
 * topic's only publisher claims and commits without locked instructions
 * (myc_topic_stats.solo), a second publisher takes that away and freeing
 * it gives it back; consumers that sleep on a futex or wait on their fd
 * between bursts of a solo publisher are woken for every message; a second
 * publisher created while the first streams (one message per call, or
 * bursts through myc_pub_sendv) from another thread, from
 * inside the first one's open claim, or from an inline callback of its
 * commit neither deadlocks nor loses, duplicates or reorders a message.
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define T 7

static uint32_t solo_of(struct myc_bus *bus)
{
	struct myc_topic_stats st = { .sz = sizeof(st) };

	assert_int_equal(myc_bus_topic_stats(bus, T, &st), 0);
	return st.solo;
}

static void stats_follow_publishers(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_pub *p1, *p2;
	struct myc_sub *s;
	uint64_t v;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, T, MYC_LOSSLESS, 16, 8), 0);
	assert_non_null(s = myc_sub_new(bus, T, NULL));
	assert_int_equal(solo_of(bus), 0);
	assert_non_null(p1 = myc_pub_new(bus, T, NULL));
	assert_int_equal(solo_of(bus), 1);
	assert_non_null(p2 = myc_pub_new(bus, T, NULL));
	assert_int_equal(solo_of(bus), 0);
	assert_int_equal(bt_send_u64(p1, 1), 0);
	assert_int_equal(bt_send_u64(p2, 2), 0);
	myc_pub_free(p1);
	assert_int_equal(solo_of(bus), 1);
	assert_int_equal(bt_send_u64(p2, 3), 0);
	for (uint64_t i = 1; i <= 3; i++) {
		assert_int_equal(bt_recv_u64(s, &v, 0), 0);
		assert_int_equal(v, i);
	}
	myc_pub_free(p2);
	assert_int_equal(solo_of(bus), 0);
	myc_sub_free(s);
	myc_bus_free(bus);
}

/* ---- consumers that sleep between bursts ------------------------------- */

#define BURSTS 400
#define BURST 5

struct waiter {
	struct myc_sub *sub;
	int use_fd;
	uint64_t got, bad;
	_Atomic int idle;	/* the consumer found nothing (it is about to wait) */
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	uint64_t want = 0;

	while (want < (uint64_t)BURSTS * BURST) {
		struct myc_msg *m;
		uint64_t v;
		int r;

		if (w->use_fd) {
			struct pollfd pfd = { .fd = myc_sub_fd(w->sub), .events = POLLIN };

			r = myc_sub_recv(w->sub, &m, 0);
			if (r == -EAGAIN) {
				atomic_store(&w->idle, 1);
				/* A lost wake-up shows as a 5 s stall, then a
				 * short count. */
				if (poll(&pfd, 1, 5000) != 1)
					break;
				continue;
			}
		} else {
			r = myc_sub_recv(w->sub, &m, 0);
			if (r == -EAGAIN) {
				atomic_store(&w->idle, 1);
				r = myc_sub_recv(w->sub, &m, 5000);
			}
		}
		if (r)
			break;
		memcpy(&v, myc_msg_data(m), sizeof(v));
		w->bad += v != want;
		want++;
		myc_msg_release(m);
	}
	w->got = want;
	return NULL;
}

static void sleepers_woken(int use_fd)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	/* spin_ns 0: every wait is a sleep (futex or fd). */
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = 0 };
	/* Blocking: a slow consumer (sanitizers) may fall a queue behind. */
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct waiter w = { .use_fd = use_fd };
	struct myc_pub *p;
	pthread_t th;
	uint64_t v = 0;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, T, MYC_LOSSLESS, 64, 8), 0);
	assert_non_null(w.sub = myc_sub_new(bus, T, &so));
	if (use_fd)
		assert_true(myc_sub_fd(w.sub) >= 0);
	assert_non_null(p = myc_pub_new(bus, T, &po));
	assert_int_equal(solo_of(bus), 1);
	assert_int_equal(pthread_create(&th, NULL, waiter_main, &w), 0);
	for (int b = 0; b < BURSTS; b++) {
		/* Let the consumer run dry and go to wait first, most times. */
		for (int k = 0; k < 1000 && !atomic_load(&w.idle); k++)
			sched_yield();
		atomic_store(&w.idle, 0);
		for (int i = 0; i < BURST; i++)
			assert_int_equal(bt_send_u64(p, v++), 0);
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.got, (uint64_t)BURSTS * BURST);
	assert_int_equal(w.bad, 0);
	myc_pub_free(p);
	myc_sub_free(w.sub);
	myc_bus_free(bus);
}

static void futex_sleepers_woken(void **state)
{
	sleepers_woken(0);
}

static void fd_waiters_woken(void **state)
{
	sleepers_woken(1);
}

/* ---- a second publisher arrives ---------------------------------------- */

#define N 20000

/*
 * Two streams: publisher src1's values 0 << 32 | i and everyone else's
 * (one second publisher, or a series of them) 1 << 32 | i, i counting up
 * per stream.  Receive @want messages, each stream in order and complete.
 */
struct counts {
	struct myc_sub *sub;
	uint32_t src1;
	uint64_t want;
	uint64_t next[2];	/* next value expected from each stream */
	uint64_t bad, total;
};

static void *counter_main(void *arg)
{
	struct counts *c = arg;

	while (c->total < c->want) {
		const struct myc_frame_hdr *h;
		struct myc_msg *m;
		uint64_t v;
		int k;

		if (myc_sub_recv(c->sub, &m, 5000))
			break;
		h = myc_msg_hdr(m);
		memcpy(&v, myc_msg_data(m), sizeof(v));
		k = h->src != c->src1;
		c->bad += v != ((uint64_t)k << 32 | c->next[k]);
		c->next[k]++;
		c->total++;
		myc_msg_release(m);
	}
	return NULL;
}

static void check_counts(struct counts *c, uint64_t n0, uint64_t n1)
{
	assert_int_equal(c->total, n0 + n1);
	assert_int_equal(c->next[0], n0);
	assert_int_equal(c->next[1], n1);
	assert_int_equal(c->bad, 0);
}

struct env {
	struct myc_bus *bus;
	struct myc_pub *p1, *p2;
	struct counts c;
	pthread_t counter;
};

/* A small lossless queue, so publishers keep meeting back-pressure. */
static void env_up(struct env *e)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };

	memset(e, 0, sizeof(*e));
	assert_non_null(e->bus = myc_bus_new(NULL));
	assert_int_equal(bt_topic(e->bus, T, MYC_LOSSLESS, 8, 8), 0);
	assert_non_null(e->c.sub = myc_sub_new(e->bus, T, NULL));
	assert_non_null(e->p1 = myc_pub_new(e->bus, T, &po));
	e->c.src1 = myc_pub_id(e->p1);
	e->c.want = 2 * N;
	assert_int_equal(solo_of(e->bus), 1);
}

static void env_down(struct env *e)
{
	check_counts(&e->c, N, N);
	myc_pub_free(e->p1);
	myc_pub_free(e->p2);
	myc_sub_free(e->c.sub);
	myc_bus_free(e->bus);
}

static struct myc_pub *second_pub(struct env *e)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_pub *p = myc_pub_new(e->bus, T, &po);

	assert_non_null(p);
	return p;
}

/* Another thread creates the second publisher while p1 streams. */
struct sender {
	struct myc_pub *pub;
	uint64_t id, from, to;
	uint32_t burst;		/* > 0: myc_pub_sendv() of up to burst */
	_Atomic uint64_t *progress;
	int fails;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;

	for (uint64_t i = s->from; i < s->to;) {
		uint64_t want = s->burst ? 1 + i % s->burst : 1;
		int got;

		if (want > s->to - i)
			want = s->to - i;
		/* One message: the claim/commit path (myc_pub_send). */
		if (!s->burst)
			got = bt_send_u64(s->pub, s->id << 32 | i) ?: 1;
		else
			got = bt_sendv_u64(s->pub, s->id, i, (uint32_t)want);
		if (got <= 0) {
			s->fails++;
			break;
		}
		i += (uint64_t)got;
		if (s->progress)
			atomic_store(s->progress, i);
	}
	return NULL;
}

/*
 * Revoke p1's solo again and again while it streams from another thread
 * (inside claims, or waiting for room in one): a second publisher comes,
 * sends a few messages and goes (giving solo back), ROUNDS times.  A
 * revoke that did not wait for p1's claim would let p1's plain updates of
 * the reservation and queue position race the newcomer's locked ones.
 */
#define ROUNDS 300
#define PER_ROUND (2 * N / ROUNDS / 2)

static void streaming_with_revokes(uint32_t burst)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct counts c = { 0 };
	_Atomic uint64_t progress = 0;
	pthread_t th1, counter;
	struct myc_pub *p1;
	struct myc_bus *bus;
	struct sender s1;
	uint64_t v = 0;

	assert_non_null(bus = myc_bus_new(NULL));
	assert_int_equal(bt_topic(bus, T, MYC_LOSSLESS, 8, 8), 0);
	assert_non_null(c.sub = myc_sub_new(bus, T, NULL));
	assert_non_null(p1 = myc_pub_new(bus, T, &po));
	c.src1 = myc_pub_id(p1);
	c.want = N + (uint64_t)ROUNDS * PER_ROUND;
	assert_int_equal(pthread_create(&counter, NULL, counter_main, &c), 0);
	s1 = (struct sender){ .pub = p1, .id = 0, .from = 0, .to = N,
			      .burst = burst, .progress = &progress };
	assert_int_equal(pthread_create(&th1, NULL, sender_main, &s1), 0);
	for (int r = 0; r < ROUNDS; r++) {
		struct myc_pub *p2;

		/* Spread the rounds over p1's stream. */
		while (atomic_load(&progress) < (uint64_t)r * (N / ROUNDS) &&
		       atomic_load(&progress) < N)
			sched_yield();
		assert_non_null(p2 = myc_pub_new(bus, T, &po));
		assert_int_equal(solo_of(bus), 0);
		for (int i = 0; i < PER_ROUND; i++)
			assert_int_equal(bt_send_u64(p2, 1ull << 32 | v++), 0);
		myc_pub_free(p2);
	}
	assert_int_equal(pthread_join(th1, NULL), 0);
	assert_int_equal(pthread_join(counter, NULL), 0);
	assert_int_equal(s1.fails, 0);
	check_counts(&c, N, (uint64_t)ROUNDS * PER_ROUND);
	assert_int_equal(solo_of(bus), 1);
	myc_pub_free(p1);
	myc_sub_free(c.sub);
	myc_bus_free(bus);
}

static void second_publisher_while_streaming(void **state)
{
	streaming_with_revokes(0);
}

/* The same with p1 publishing bursts (myc_pub_sendv(): a window per
 * round of up to 16 messages). */
static void second_publisher_while_bursting(void **state)
{
	streaming_with_revokes(16);
}

/* The thread holding p1's open solo claim creates p2 itself. */
static void second_publisher_inside_claim(void **state)
{
	struct sender s2;
	struct env e;
	pthread_t th2;
	void *buf;
	uint64_t v = 0;

	env_up(&e);
	assert_int_equal(myc_pub_claim(e.p1, 8, &buf), 0);
	e.p2 = second_pub(&e);		/* must not wait for our own claim */
	assert_int_equal(solo_of(e.bus), 0);
	assert_int_equal(pthread_create(&e.counter, NULL, counter_main, &e.c), 0);
	/* p2 streams from another thread while our claim is still open. */
	s2 = (struct sender){ .pub = e.p2, .id = 1, .from = 0, .to = N };
	assert_int_equal(pthread_create(&th2, NULL, sender_main, &s2), 0);
	memcpy(buf, &v, sizeof(v));
	assert_int_equal(myc_pub_commit(e.p1, buf), 0);
	for (v = 1; v < N; v++)
		assert_int_equal(bt_send_u64(e.p1, v), 0);
	assert_int_equal(pthread_join(th2, NULL), 0);
	assert_int_equal(pthread_join(e.counter, NULL), 0);
	assert_int_equal(s2.fails, 0);
	env_down(&e);
}

/* An inline subscriber's callback, run by p1's commit, creates p2. */
struct cb_ctx {
	struct env *e;
	struct myc_pub *made;
};

static void make_pub_cb(const struct myc_msg *m, void *ctx)
{
	struct cb_ctx *c = ctx;

	if (!c->made) {
		c->made = second_pub(c->e);
	}
}

static void second_publisher_from_callback(void **state)
{
	struct myc_sub_opts so = { .sz = sizeof(so), .flags = MYC_SUB_F_INLINE };
	struct cb_ctx cc;
	struct myc_sub *inl;
	struct sender s2;
	struct env e;
	pthread_t th2;

	env_up(&e);
	cc = (struct cb_ctx){ .e = &e };
	so.cb = make_pub_cb;
	so.ctx = &cc;
	assert_non_null(inl = myc_sub_new(e.bus, T, &so));
	assert_int_equal(bt_send_u64(e.p1, 0), 0);	/* its callback makes p2 */
	assert_non_null(e.p2 = cc.made);
	assert_int_equal(solo_of(e.bus), 0);
	myc_sub_free(inl);
	assert_int_equal(pthread_create(&e.counter, NULL, counter_main, &e.c), 0);
	s2 = (struct sender){ .pub = e.p2, .id = 1, .from = 0, .to = N };
	assert_int_equal(pthread_create(&th2, NULL, sender_main, &s2), 0);
	for (uint64_t v = 1; v < N; v++)
		assert_int_equal(bt_send_u64(e.p1, v), 0);
	assert_int_equal(pthread_join(th2, NULL), 0);
	assert_int_equal(pthread_join(e.counter, NULL), 0);
	assert_int_equal(s2.fails, 0);
	env_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stats_follow_publishers),
		cmocka_unit_test(futex_sleepers_woken),
		cmocka_unit_test(fd_waiters_woken),
		cmocka_unit_test(second_publisher_while_streaming),
		cmocka_unit_test(second_publisher_while_bursting),
		cmocka_unit_test(second_publisher_inside_claim),
		cmocka_unit_test(second_publisher_from_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
