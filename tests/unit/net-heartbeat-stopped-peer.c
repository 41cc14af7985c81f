// SPDX-License-Identifier: MIT
/*
 * Description: heartbeats find a peer that stops reading.  Of two lossless
 * subscribers, one is frozen with SIGSTOP mid-stream: its bounded queue
 * fills, publishing reports -MYC_E_BACK_PRESSURED (nothing is queued twice
 * on retry), and the publisher declares the frozen peer dead with
 * -ETIMEDOUT while the other peer stays connected.  After SIGCONT the frozen
 * peer finds its connection gone, redials and resumes: both subscribers end
 * with every frame exactly once, in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <cmocka.h>

#include "nettest.h"

#define N	30000u
#define STOP_AT	2000u

static const struct myc_net_opts fast_hb = {
	.sz = sizeof(fast_hb), .hb_interval_ms = 50, .hb_timeout_ms = 500,
	.lossless_bytes = 128 * 1024,
};

struct arg {
	const char *addr;
	const char *name;
};

static int subscriber(void *p)
{
	struct arg *a = p;
	struct tn *t = tn_new(a->name, &fast_hb);
	struct tn_rx all = { .type = 1, .n = N };

	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, 1, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_connect(t->net, a->addr));
	TN_CHECK(tn_until(t, tn_cond_rx, &all));
	tn_run_for(t, 100);
	TN_CHECK(t->rx[1] == N && t->dups[1] == 0 && t->skips[1] == 0);
	TN_CHECK(t->corrupt == 0 && t->lost == 0);
	tn_free(t);
	return 0;
}

/* The link in @arg has seen its peer go (the child exited: its EOF may
 * still be unread when tn_serve() reaps it). */
static bool link_down(struct tn *t, void *arg)
{
	struct myc_link_stats st;

	myc_link_stats(arg, &st);
	return st.disconnects >= 1;
}

static void stopped_reader_detected(void **state)
{
	struct tn *t = tn_new("pub", &fast_hb);
	struct arg fa = { .name = "frozen" }, ha = { .name = "healthy" };
	struct tn_want fw = { .type = 1 }, hw = { .type = 1 };
	struct myc_link_stats fst, hst;
	pid_t frozen, healthy;
	uint64_t seq;
	bool bp_seen = false, continued = false;

	assert_non_null(t);
	assert_int_equal(myc_net_listen(t->net, tn_unix_addr("stop")), 0);
	fa.addr = ha.addr = myc_net_listen_addr(t->net);
	frozen = tn_spawn(subscriber, &fa);
	healthy = tn_spawn(subscriber, &ha);
	fw.link = tn_await_link(t, "frozen", 1);
	hw.link = tn_await_link(t, "healthy", 1);
	assert_true(fw.link && hw.link);
	for (seq = 1; seq <= N; seq++) {
		int r;

		if (seq == STOP_AT)
			assert_int_equal(kill(frozen, SIGSTOP), 0);
		while ((r = tn_publish(t, 1, seq, 64)) == -MYC_E_BACK_PRESSURED) {
			bp_seen = true;
			myc_net_poll(t->net, 5);
			if (t->downs && !continued) {
				/* declared dead: wake it; it redials, resumes */
				assert_int_equal(kill(frozen, SIGCONT), 0);
				continued = true;
			}
		}
		assert_true(r == 1 || r == 2);
		if (!(seq % 64))
			myc_net_poll(t->net, 0);
	}
	if (!continued)
		kill(frozen, SIGCONT);
	assert_true(bp_seen && continued);
	assert_int_equal(tn_serve(t, healthy), 0);
	assert_int_equal(tn_serve(t, frozen), 0);
	assert_true(tn_until(t, link_down, hw.link));
	myc_link_stats(fw.link, &fst);
	myc_link_stats(hw.link, &hst);
	assert_true(fst.tx_backpressured > 0);
	assert_true(fst.disconnects >= 1);
	assert_int_equal(hst.disconnects, 1);	/* only its final exit */
	assert_int_equal(fst.tx_frames, N);
	assert_int_equal(hst.tx_frames, N);
	/* the first failure was the frozen peer, named, found by heartbeat */
	assert_int_equal(t->first_err, -ETIMEDOUT);
	assert_string_equal(t->first_peer, "frozen");
	tn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stopped_reader_detected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
