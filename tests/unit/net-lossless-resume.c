// SPDX-License-Identifier: MIT
/*
 * Description: a lossless stream survives forced disconnects with nothing
 * lost or duplicated.  The receiving process resets its connection several
 * times while frames are in flight (unread bytes in its socket are thrown
 * away); each time it redials, reports how many frames it got, and the
 * sender replays the rest from its replay buffer, flagged
 * MYC_FRAME_F_REPLAY.  The receiver ends with every frame exactly once, in
 * order, and the sender never reports a loss.
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "nettest.h"

#define N	60000u
#define RESETS	5

struct arg {
	const char *addr;
};

static int receiver(void *p)
{
	struct arg *a = p;
	struct tn *t = tn_new("receiver", NULL);
	struct myc_link *l;
	struct tn_rx want = { .type = 1 };
	int i;

	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, 1, MYC_LOSSLESS) == 0);
	l = myc_net_connect(t->net, a->addr);
	TN_CHECK(l);
	for (i = 1; i <= RESETS; i++) {
		want.n = (uint64_t)i * N / (RESETS + 1);
		TN_CHECK(tn_until(t, tn_cond_rx, &want));
		TN_CHECK(myc_link_reset(l) == 0);
		TN_CHECK(!myc_link_up(l));
	}
	want.n = N;
	TN_CHECK(tn_until(t, tn_cond_rx, &want));
	tn_run_for(t, 100);	/* nothing more may arrive */
	TN_CHECK(t->rx[1] == N && t->last_seq[1] == N);
	TN_CHECK(t->dups[1] == 0 && t->skips[1] == 0 && t->corrupt == 0);
	TN_CHECK(t->lost == 0);
	TN_CHECK(t->ups == RESETS + 1 && t->resumed == RESETS + 1);
	tn_put("replayed", t->replayed);
	tn_free(t);
	return 0;
}

static void nothing_lost_or_duplicated_across_resets(void **state)
{
	struct tn *t = tn_new("sender", NULL);
	struct tn_want w = { .type = 1 };
	struct myc_link_stats st;
	struct arg a;
	uint64_t seq, replayed = 0;
	pid_t pid;

	assert_non_null(t);
	assert_int_equal(myc_net_listen(t->net, tn_unix_addr("resume")), 0);
	a.addr = myc_net_listen_addr(t->net);
	pid = tn_spawn(receiver, &a);
	w.link = tn_await_link(t, "receiver", 1);
	assert_non_null(w.link);
	for (seq = 1; seq <= N; seq++) {
		assert_int_equal(tn_publish_wait(t, 1, seq, 100), 1);
		if (!(seq % 64))
			myc_net_poll(t->net, 0);
	}
	assert_int_equal(tn_serve(t, pid), 0);
	myc_link_stats(w.link, &st);
	assert_int_equal(st.tx_frames, N);
	assert_int_equal(st.tx_dropped, 0);
	assert_int_equal(st.connects, RESETS + 1);
	/* what the sender says it replayed is what the receiver saw flagged */
	assert_true(tn_get("replayed", &replayed));
	assert_int_equal(st.tx_replayed, replayed);
	assert_int_equal(t->lost, 0);
	tn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_lost_or_duplicated_across_resets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
