// SPDX-License-Identifier: MIT
/*
 * Description: myc_pub_sendv publishes bursts.  Every subscriber (queued
 * and inline) gets each message of a burst once, in order, with its own
 * size and bytes, consecutive seq numbers and the burst's one timestamp.
 * Lossless: a burst that does not fit publishes what fits and says how
 * many; a full queue before the first message is back-pressure, a timeout
 * or a wait like myc_pub_claim.  Lossy: received + lost = published.
 * Several publishers and subscribers in threads, solo or not, directed
 * publishers, no subscribers at all, and arguments refused before
 * anything is published; every buffer goes back to the pool.
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define MAX 256

struct seen {
	uint32_t n;
	uint32_t size[48];
	uint64_t seq[48], ts[48];
	unsigned char first[48], last[48];
};

static void note(struct seen *s, const struct myc_msg *m)
{
	const unsigned char *d = myc_msg_data(m);
	size_t len = myc_msg_size(m);

	assert_true(s->n < 48);
	s->size[s->n] = (uint32_t)len;
	s->seq[s->n] = myc_msg_hdr(m)->seq;
	s->ts[s->n] = myc_msg_hdr(m)->ts_ns;
	s->first[s->n] = len ? d[0] : 0;
	s->last[s->n] = len ? d[len - 1] : 0;
	s->n++;
}

static void inline_cb(const struct myc_msg *m, void *ctx)
{
	note(ctx, m);
}

/* Message i of the bursts below: i * 9 % (MAX + 1) bytes, all equal to i. */
static size_t msg_len(uint32_t i)
{
	return i * 9 % (MAX + 1);
}

static void fill(unsigned char (*buf)[MAX], struct myc_iov *iov, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		memset(buf[i], (int)i, MAX);
		iov[i] = (struct myc_iov){ .base = msg_len(i) ? buf[i] : NULL,
					   .len = msg_len(i) };
	}
}

/* Every buffer of topic 1 is back in its pool. */
static void check_pool(struct myc_bus *bus)
{
	struct myc_topic_stats st = { .sz = sizeof(st) };

	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_true(st.bufs_total > 0);
	assert_int_equal(st.bufs_free, st.bufs_total);
}

static void check_seen(const struct seen *s, uint32_t n, uint64_t seq0)
{
	assert_int_equal(s->n, n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(s->size[i], msg_len(i));
		assert_int_equal(s->seq[i], seq0 + i);
		if (msg_len(i)) {
			assert_int_equal(s->first[i], i);
			assert_int_equal(s->last[i], i);
		}
	}
}

/* 40 messages of mixed sizes (0 to MAX) in one call: three rounds of up to
 * 16 inside.  Two queued subscribers and an inline one see the same. */
static void burst_reaches_everyone(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct seen q[2] = { 0 }, inl = { 0 };
	struct myc_sub_opts io = { .sz = sizeof(io), .cb = inline_cb, .ctx = &inl,
				   .flags = MYC_SUB_F_INLINE };
	unsigned char buf[40][MAX];
	struct myc_iov iov[40];
	struct myc_sub *sub[2];
	struct myc_sub *isub;
	struct myc_pub *pub;
	struct myc_msg *m;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSLESS, 64, MAX), 0);
	for (int i = 0; i < 2; i++)
		assert_non_null(sub[i] = myc_sub_new(bus, 1, NULL));
	assert_non_null(isub = myc_sub_new(bus, 1, &io));
	assert_non_null(pub = myc_pub_new(bus, 1, NULL));
	fill(buf, iov, 40);
	assert_int_equal(myc_pub_sendv(pub, iov, 40), 40);
	for (int i = 0; i < 2; i++) {
		while (myc_sub_recv(sub[i], &m, 0) == 0) {
			note(&q[i], m);
			myc_sub_release(sub[i], m);
		}
		check_seen(&q[i], 40, 1);
	}
	check_seen(&inl, 40, 1);
	/* A round's messages share one timestamp (rounds of 2 or more). */
	for (uint32_t i = 1; i < 40; i++)
		assert_true(q[0].ts[i] >= q[0].ts[i - 1]);
	assert_true(q[0].ts[0] > 0);
	assert_int_equal(q[0].ts[1], q[0].ts[0]);
	/* Single sends go on numbering after the burst. */
	assert_int_equal(bt_send_u64(pub, 7), 0);
	assert_int_equal(myc_sub_recv(sub[0], &m, 0), 0);
	assert_int_equal(myc_msg_hdr(m)->seq, 41);
	myc_msg_release(m);
	assert_int_equal(myc_pub_sendv(pub, iov, 0), 0);
	myc_pub_free(pub);
	myc_sub_free(isub);
	for (int i = 0; i < 2; i++)
		myc_sub_free(sub[i]);
	check_pool(bus);
	myc_bus_free(bus);
}

/* Lossless, depth 8, timeout 0: 20 messages publish 8, then nothing fits. */
static void lossless_burst_publishes_what_fits(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_topic_stats st = { .sz = sizeof(st) };
	unsigned char buf[20][MAX];
	struct myc_iov iov[20];
	struct myc_sub *sub;
	struct myc_pub *pub;
	struct seen s = { 0 };
	struct myc_msg *m;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSLESS, 8, MAX), 0);
	assert_non_null(sub = myc_sub_new(bus, 1, NULL));
	assert_non_null(pub = myc_pub_new(bus, 1, NULL));	/* timeout 0 */
	fill(buf, iov, 20);
	assert_int_equal(myc_pub_sendv(pub, iov, 20), 8);
	assert_int_equal(myc_pub_sendv(pub, iov + 8, 12), -MYC_E_BACK_PRESSURED);
	/* Three taken: three more fit, from where the first call stopped. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(myc_sub_recv(sub, &m, 0), 0);
		note(&s, m);
		myc_sub_release(sub, m);
	}
	assert_int_equal(myc_pub_sendv(pub, iov + 8, 12), 3);
	while (myc_sub_recv(sub, &m, 0) == 0) {
		note(&s, m);
		myc_sub_release(sub, m);
	}
	check_seen(&s, 11, 1);
	assert_int_equal(myc_sub_lost(sub), 0);
	check_pool(bus);
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.published, 11);
	myc_pub_free(pub);
	myc_sub_free(sub);
	myc_bus_free(bus);
}

/* Lossy, depth 8: a burst of 40 keeps the newest 8 and counts 32 lost. */
static void lossy_burst_drops_oldest(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	unsigned char buf[40][MAX];
	struct myc_iov iov[40];
	struct myc_sub *sub;
	struct myc_pub *pub;
	struct myc_msg *m;
	uint64_t seq = 33;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSY, 8, MAX), 0);
	assert_non_null(sub = myc_sub_new(bus, 1, NULL));
	assert_non_null(pub = myc_pub_new(bus, 1, NULL));
	fill(buf, iov, 40);
	assert_int_equal(myc_pub_sendv(pub, iov, 40), 40);
	assert_int_equal(myc_sub_lost(sub), 32);
	while (myc_sub_recv(sub, &m, 0) == 0) {
		assert_int_equal(myc_msg_hdr(m)->seq, seq);
		assert_int_equal(myc_msg_size(m), msg_len((uint32_t)seq - 1));
		seq++;
		myc_msg_release(m);
	}
	assert_int_equal(seq, 41);
	myc_pub_free(pub);
	myc_sub_free(sub);
	check_pool(bus);
	myc_bus_free(bus);
}

/* Arguments are checked before anything is published. */
static void bad_arguments_publish_nothing(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_topic_stats st = { .sz = sizeof(st) };
	unsigned char big[MAX + 1] = { 0 }, buf[4][MAX];
	struct myc_iov iov[4];
	struct myc_sub *sub;
	struct myc_pub *pub;
	struct myc_msg *m;
	void *claim;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSLESS, 8, MAX), 0);
	assert_non_null(sub = myc_sub_new(bus, 1, NULL));
	assert_non_null(pub = myc_pub_new(bus, 1, NULL));
	fill(buf, iov, 4);
	assert_int_equal(myc_pub_sendv(NULL, iov, 4), -EINVAL);
	assert_int_equal(myc_pub_sendv(pub, NULL, 4), -EINVAL);
	assert_int_equal(myc_pub_sendv(NULL, NULL, 0), -EINVAL);
	assert_int_equal(myc_pub_sendv(pub, NULL, 0), 0);
	iov[2] = (struct myc_iov){ .base = big, .len = sizeof(big) };
	assert_int_equal(myc_pub_sendv(pub, iov, 4), -EMSGSIZE);
	iov[2] = (struct myc_iov){ .base = NULL, .len = 3 };
	assert_int_equal(myc_pub_sendv(pub, iov, 4), -EINVAL);
	fill(buf, iov, 4);
	assert_int_equal(myc_pub_claim(pub, 8, &claim), 0);
	assert_int_equal(myc_pub_sendv(pub, iov, 4), -EBUSY);
	myc_pub_abort(pub, claim);
	assert_int_equal(myc_sub_recv(sub, &m, 0), -EAGAIN);
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.published, 0);
	/* And it still works. */
	assert_int_equal(myc_pub_sendv(pub, iov, 4), 4);
	myc_pub_free(pub);
	myc_sub_free(sub);
	myc_bus_free(bus);
}

/* No subscriber: numbered and counted, nothing held. */
static void no_subscribers(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_topic_stats st = { .sz = sizeof(st) };
	unsigned char buf[20][MAX];
	struct myc_iov iov[20];
	struct myc_pub *pub;
	struct myc_sub *sub;
	struct myc_msg *m;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSLESS, 8, MAX), 0);
	assert_non_null(pub = myc_pub_new(bus, 1, NULL));
	fill(buf, iov, 20);
	assert_int_equal(myc_pub_sendv(pub, iov, 20), 20);
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.published, 20);
	assert_int_equal(st.bufs_free, st.bufs_total);
	assert_non_null(sub = myc_sub_new(bus, 1, NULL));
	assert_int_equal(bt_send_u64(pub, 1), 0);
	assert_int_equal(myc_sub_recv(sub, &m, 0), 0);
	assert_int_equal(myc_msg_hdr(m)->seq, 21);
	myc_msg_release(m);
	myc_pub_free(pub);
	myc_sub_free(sub);
	myc_bus_free(bus);
}

/* A directed publisher's burst reaches its service's subscribers only. */
static void directed_burst(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_sub_opts ro = { .sz = sizeof(ro), .service = "risk" };
	unsigned char buf[20][MAX];
	struct myc_iov iov[20];
	struct myc_sub *risk, *other;
	struct myc_pub *pub;
	struct seen s = { 0 };
	struct myc_msg *m;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSLESS, 64, MAX), 0);
	assert_non_null(risk = myc_sub_new(bus, 1, &ro));
	assert_non_null(other = myc_sub_new(bus, 1, NULL));
	assert_non_null(pub = myc_pub_new_to(bus, 1, "risk", NULL));
	fill(buf, iov, 20);
	assert_int_equal(myc_pub_sendv(pub, iov, 20), 20);
	while (myc_sub_recv(risk, &m, 0) == 0) {
		note(&s, m);
		myc_msg_release(m);
	}
	check_seen(&s, 20, 1);
	assert_int_equal(myc_sub_recv(other, &m, 0), -EAGAIN);
	myc_pub_free(pub);
	myc_sub_free(risk);
	myc_sub_free(other);
	myc_bus_free(bus);
}

/* Full before the first message: -ETIMEDOUT after timeout_ms, and with
 * timeout -1 a wait that ends when the consumer takes one. */
struct taker {
	struct myc_sub *sub;
	int took;
};

static void *take_later(void *arg)
{
	struct taker *t = arg;
	struct timespec ts = { 0, 30 * 1000 * 1000 };
	struct myc_msg *m;

	nanosleep(&ts, NULL);
	if (myc_sub_recv(t->sub, &m, 0) == 0) {
		myc_msg_release(m);
		t->took = 1;
	}
	return NULL;
}

static void full_before_first_waits(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_pub_opts to = { .sz = sizeof(to), .timeout_ms = 20 };
	struct myc_pub_opts forever = { .sz = sizeof(forever), .timeout_ms = -1 };
	unsigned char buf[8][MAX];
	struct myc_iov iov[8];
	struct myc_pub *pub, *pub2;
	struct taker t = { 0 };
	pthread_t th;

	assert_non_null(bus);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSLESS, 4, MAX), 0);
	assert_non_null(t.sub = myc_sub_new(bus, 1, NULL));
	assert_non_null(pub = myc_pub_new(bus, 1, &to));
	assert_non_null(pub2 = myc_pub_new(bus, 1, &forever));
	fill(buf, iov, 8);
	assert_int_equal(myc_pub_sendv(pub, iov, 8), 4);
	assert_int_equal(myc_pub_sendv(pub, iov, 8), -ETIMEDOUT);
	assert_int_equal(pthread_create(&th, NULL, take_later, &t), 0);
	/* Blocks until the taker makes room, then publishes what fits. */
	assert_int_equal(myc_pub_sendv(pub2, iov, 8), 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(t.took, 1);
	myc_pub_free(pub);
	myc_pub_free(pub2);
	myc_sub_free(t.sub);
	myc_bus_free(bus);
}

/* Threads: bursts of 1 to 16 (and 1 to 40: rounds split a call) from
 * several publishers to several subscribers, and a solo publisher. */
static void lossless_streams(void **state)
{
	bt_stream_check(MYC_LOSSLESS, 16, 3, 2, 20000, 0x1, 16);
	bt_stream_check(MYC_LOSSLESS, 32, 2, 2, 20000, 0x2, 40);
	bt_stream_check(MYC_LOSSLESS, 64, 1, 1, 50000, 0x1, 16);
}

static void lossy_streams(void **state)
{
	bt_stream_check(MYC_LOSSY, 8, 3, 2, 20000, 0x1, 16);
	bt_stream_check(MYC_LOSSY, 64, 1, 1, 50000, 0x1, 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_reaches_everyone),
		cmocka_unit_test(lossless_burst_publishes_what_fits),
		cmocka_unit_test(lossy_burst_drops_oldest),
		cmocka_unit_test(bad_arguments_publish_nothing),
		cmocka_unit_test(no_subscribers),
		cmocka_unit_test(directed_burst),
		cmocka_unit_test(full_before_first_waits),
		cmocka_unit_test(lossless_streams),
		cmocka_unit_test(lossy_streams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
