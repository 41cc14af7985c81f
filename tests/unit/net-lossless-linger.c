// SPDX-License-Identifier: MIT
/*
 * Description: a lossless subscriber that stays away longer than the
 * linger time no longer holds its publisher: the publisher releases the
 * frames it kept for it (counted as dropped) and its subscriptions, so
 * publishing stops queueing for it instead of back-pressuring forever.  When
 * the same subscriber process comes back, the resume tells it exactly how
 * many frames it lost: its received frames plus that number equal what was
 * published, the holes in the sequence are exactly that number, and the
 * stream continues with no duplicate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <cmocka.h>

#include "nettest.h"

#define A	1000u	/* before the subscriber freezes */
#define B	500u	/* while it is away */
#define C	200u	/* after it is back */

static const struct myc_net_opts opts = {
	.sz = sizeof(opts), .hb_interval_ms = 50, .hb_timeout_ms = 400,
	.linger_ms = 300, .backoff_min_ms = 10, .backoff_max_ms = 100,
};

struct arg {
	const char *addr;
};

static bool got_last(struct tn *t, void *arg)
{
	return t->last_seq[1] == A + B + C;
}

static int sub(void *p)
{
	struct arg *a = p;
	struct tn *t = tn_new("sub", &opts);

	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, 1, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_connect(t->net, a->addr));
	TN_CHECK(tn_until(t, got_last, NULL));
	/* at least the first connection and the resume; a loaded machine may
	 * add reconnects (heartbeat timeouts), which must not change the counts */
	TN_CHECK(t->lost > 0 && t->resumed >= 2);
	TN_CHECK(t->rx[1] + t->lost == A + B + C);
	TN_CHECK(t->skips[1] == t->lost && t->dups[1] == 0);
	TN_CHECK(t->corrupt == 0);
	tn_put("lost", t->lost);
	tn_free(t);
	return 0;
}

/* The subscriber acknowledged everything sent so far: it has phase A. */
static bool all_acked(struct tn *t, void *link)
{
	struct myc_link_stats st;

	myc_link_stats(link, &st);
	return st.tx_retained == 0 && st.tx_pending == 0;
}

static bool released(struct tn *t, void *link)
{
	return !myc_link_peer_wants(link, 1);
}

static void released_after_linger_and_loss_reported(void **state)
{
	struct tn *t = tn_new("pub", &opts);
	struct myc_link_stats st;
	struct myc_link *l;
	struct arg a;
	uint64_t seq, lost = 0;
	int one = 1;
	pid_t pid;

	assert_non_null(t);
	assert_int_equal(myc_net_listen(t->net, tn_unix_addr("linger")), 0);
	a.addr = myc_net_listen_addr(t->net);
	pid = tn_spawn(sub, &a);
	l = tn_await_link(t, "sub", 1);
	assert_non_null(l);
	for (seq = 1; seq <= A; seq++)
		assert_int_equal(tn_publish_wait(t, 1, seq, 64), 1);
	/* stop it only once it has phase A: stopped before its handshake
	 * completed, it would come back as a new peer with nothing to resume */
	assert_true(tn_until(t, all_acked, l));
	assert_int_equal(kill(pid, SIGSTOP), 0);
	assert_true(tn_until(t, tn_cond_downs, &one));
	/* held for the absent peer while the linger time runs */
	for (; seq <= A + B; seq++)
		assert_int_equal(tn_publish(t, 1, seq, 64), 1);
	assert_true(tn_until(t, released, l));
	myc_link_stats(l, &st);
	assert_true(st.tx_dropped >= B);
	assert_int_equal(st.tx_retained, 0);
	assert_int_equal(tn_publish(t, 1, A + B + 1000, 64), 0);	/* nobody */
	assert_int_equal(kill(pid, SIGCONT), 0);
	l = tn_await_link(t, "sub", 1);
	assert_non_null(l);
	for (; seq <= A + B + C; seq++)
		assert_int_equal(tn_publish_wait(t, 1, seq, 64), 1);
	assert_int_equal(tn_serve(t, pid), 0);
	assert_true(tn_get("lost", &lost));
	myc_link_stats(l, &st);
	assert_true(lost >= B && st.tx_dropped >= lost);
	tn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(released_after_linger_and_loss_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
