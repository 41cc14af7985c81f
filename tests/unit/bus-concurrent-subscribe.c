// SPDX-License-Identifier: MIT
/*
 * Description: subscribers come and go (from two threads) while two
 * publisher threads publish and a steady subscriber consumes.  Publishing
 * never fails, the steady subscriber accounts for every message (lossless:
 * receives all in order per publisher even though blocked publishers wait
 * on short-lived subscribers that are then freed; lossy: received + lost
 * equals published), short-lived subscribers see ordered streams, and
 * every buffer returns to the pool.
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <stdbool.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define NPUB 2
#define N 20000
#define CHURN 150

struct env {
	struct myc_bus *bus;
	_Atomic int done;
	uint64_t bad;
};

/* Check @v continues publisher (v >> 32)'s stream; returns false if not. */
static bool in_order(uint64_t *next, uint64_t v)
{
	uint64_t p = v >> 32, i = v & 0xffffffffu;

	if (p >= NPUB || i < next[p])
		return false;
	next[p] = i + 1;
	return true;
}

static void *churn_thread(void *arg)
{
	struct env *e = arg;
	struct myc_sub_opts so = { .sz = sizeof(so), .max_held = 2 };

	for (int k = 0; k < CHURN; k++) {
		struct myc_sub *s = myc_sub_new(e->bus, 1, &so);
		uint64_t next[NPUB] = { 0 }, v;

		if (!s) {
			e->bad++;
			continue;
		}
		/* Take a few, leave the rest queued for myc_sub_free. */
		for (int j = 0; j < k % 4; j++)
			if (bt_recv_u64(s, &v, 0) == 0 && !in_order(next, v))
				e->bad++;
		myc_sub_free(s);
	}
	return NULL;
}

struct steady {
	struct myc_sub *sub;
	uint64_t got, bad;
};

static void *steady_thread(void *arg)
{
	struct steady *c = arg;
	uint64_t next[NPUB] = { 0 }, v;

	while (c->got + myc_sub_lost(c->sub) < (uint64_t)NPUB * N) {
		if (bt_recv_u64(c->sub, &v, 100))
			continue;
		if (!in_order(next, v))
			c->bad++;
		c->got++;
	}
	return NULL;
}

static void run(uint32_t policy)
{
	struct env e = { 0 };
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1, .spin_ns = 1000 };
	struct myc_topic_stats st = { .sz = sizeof(st) };
	struct steady sd = { 0 };
	struct bt_pub_ctx pc[NPUB];
	pthread_t pt[NPUB], ct[2], stt;

	assert_non_null(e.bus = myc_bus_new(NULL));
	assert_int_equal(bt_topic(e.bus, 1, policy, 32, 8), 0);
	assert_non_null(sd.sub = myc_sub_new(e.bus, 1, NULL));
	for (int i = 0; i < NPUB; i++) {
		pc[i] = (struct bt_pub_ctx){ .id = (uint64_t)i, .n = N };
		assert_non_null(pc[i].pub = myc_pub_new(e.bus, 1, &po));
	}
	assert_int_equal(pthread_create(&stt, NULL, steady_thread, &sd), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&ct[i], NULL, churn_thread, &e), 0);
	for (int i = 0; i < NPUB; i++)
		assert_int_equal(pthread_create(&pt[i], NULL, bt_pub_thread, &pc[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(ct[i], NULL), 0);
	for (int i = 0; i < NPUB; i++) {
		assert_int_equal(pthread_join(pt[i], NULL), 0);
		assert_int_equal(pc[i].fails, 0);
	}
	assert_int_equal(pthread_join(stt, NULL), 0);
	assert_int_equal(e.bad, 0);
	assert_int_equal(sd.bad, 0);
	assert_int_equal(sd.got + myc_sub_lost(sd.sub), (uint64_t)NPUB * N);
	if (policy == MYC_LOSSLESS)
		assert_int_equal(myc_sub_lost(sd.sub), 0);
	assert_int_equal(myc_bus_topic_stats(e.bus, 1, &st), 0);
	assert_int_equal(st.subs, 1);
	assert_int_equal(st.published, (uint64_t)NPUB * N);
	assert_int_equal(st.bufs_free, st.bufs_total);
	for (int i = 0; i < NPUB; i++)
		myc_pub_free(pc[i].pub);
	myc_sub_free(sd.sub);
	myc_bus_free(e.bus);
}

static void churn_while_publishing_lossless(void **state)
{
	run(MYC_LOSSLESS);
}

static void churn_while_publishing_lossy(void **state)
{
	run(MYC_LOSSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(churn_while_publishing_lossless),
		cmocka_unit_test(churn_while_publishing_lossy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
