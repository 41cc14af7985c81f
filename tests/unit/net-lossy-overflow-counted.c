// SPDX-License-Identifier: MIT
/*
 * Description: on a lossy type a reader that stops reading never blocks the
 * publisher: its bounded send queue drops the oldest frames, and the loss is
 * counted exactly on both sides.  The child stops polling while the parent
 * floods; afterwards the child's received frames plus the gaps it counted
 * in the sequence numbers equal what was published, and the parent's drop
 * count equals the child's gap count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "nettest.h"

#define N 200000u

static const struct myc_net_opts slow_hb = {
	.sz = sizeof(slow_hb), .hb_interval_ms = 200, .hb_timeout_ms = 20000,
	.lossy_bytes = 128 * 1024,
};

struct arg {
	const char *addr;
};

static bool got_end(struct tn *t, void *arg)
{
	return t->last_seq[1] == N + 1;
}

static int slow(void *p)
{
	struct arg *a = p;
	struct tn *t = tn_new("slow", &slow_hb);
	struct tn_rx first = { .type = 1, .n = 1 };
	struct myc_link_stats st;
	struct myc_link *l;
	uint64_t flag;

	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, 1, MYC_LOSSY) == 0);
	l = myc_net_connect(t->net, a->addr);
	TN_CHECK(l);
	TN_CHECK(tn_until(t, tn_cond_rx, &first));
	/* stop reading until the parent has flooded us */
	while (!tn_get("flooded", &flag))
		usleep(10000);
	TN_CHECK(tn_until(t, got_end, NULL));
	myc_link_stats(l, &st);
	TN_CHECK(st.rx_gap > 0);
	TN_CHECK(st.rx_gap == t->skips[1]);
	TN_CHECK(t->rx[1] + st.rx_gap == N + 1);
	TN_CHECK(t->dups[1] == 0 && t->corrupt == 0 && t->downs == 0);
	tn_put("gap", st.rx_gap);
	tn_free(t);
	return 0;
}

static bool drained(struct tn *t, void *link)
{
	struct myc_link_stats st;

	myc_link_stats(link, &st);
	return st.tx_pending == 0;
}

static void loss_counted_exactly(void **state)
{
	struct tn *t = tn_new("pub", &slow_hb);
	struct tn_want w = { .type = 1 };
	struct myc_link_stats st;
	struct arg a;
	uint64_t seq, gap = 0;
	pid_t pid;

	assert_non_null(t);
	assert_int_equal(myc_net_listen(t->net, tn_unix_addr("lossy")), 0);
	a.addr = myc_net_listen_addr(t->net);
	pid = tn_spawn(slow, &a);
	w.link = tn_await_link(t, "slow", 1);
	assert_non_null(w.link);
	for (seq = 1; seq <= N; seq++) {
		/* lossy never pushes back: always queued on the one link */
		assert_int_equal(tn_publish(t, 1, seq, 64), 1);
		if (!(seq % 256))
			myc_net_poll(t->net, 0);
	}
	tn_put("flooded", 1);
	assert_true(tn_until(t, drained, w.link));
	assert_int_equal(tn_publish(t, 1, N + 1, 64), 1);
	assert_int_equal(tn_serve(t, pid), 0);
	assert_true(tn_get("gap", &gap));
	myc_link_stats(w.link, &st);
	assert_true(st.tx_dropped > 0);
	assert_int_equal(st.tx_dropped, gap);
	assert_int_equal(st.tx_backpressured, 0);
	tn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loss_counted_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
