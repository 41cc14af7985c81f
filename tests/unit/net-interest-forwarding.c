// SPDX-License-Identifier: MIT
/*
 * Description: only types a peer subscribed to cross the wire.  A child
 * subscribes to two of four types; the parent publishes all four and queues
 * only the two (publish reports 0 links for the others); the child receives
 * exactly those and never sees a frame it did not ask for.  Then the child
 * changes its subscriptions (drops one, adds two); the parent learns it
 * through UNSUBSCRIBE/SUBSCRIBE and forwards by the new set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "nettest.h"

#define PER 100u

struct arg {
	const char *addr;
};

static bool got_both(struct tn *t, void *types)
{
	const uint16_t *ty = types;

	return t->rx[ty[0]] >= PER && t->rx[ty[1]] >= PER;
}

static int sub(void *p)
{
	struct arg *a = p;
	struct tn *t = tn_new("sub", NULL);
	struct myc_link_stats st;
	struct myc_link *l;
	uint16_t phase1[2] = { 1, 3 }, phase2[2] = { 2, 4 };

	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, 1, MYC_LOSSY) == 0);
	TN_CHECK(myc_net_subscribe(t->net, 3, MYC_LOSSLESS) == 0);
	/* the policy of a type is fixed once chosen */
	TN_CHECK(myc_net_subscribe(t->net, 3, MYC_LOSSY) == -EBUSY);
	TN_CHECK(myc_net_subscribe(t->net, 0xff00, MYC_LOSSY) == -EINVAL);
	TN_CHECK(myc_net_subscribe(t->net, 0, MYC_LOSSY) == -EINVAL);
	l = myc_net_connect(t->net, a->addr);
	TN_CHECK(l);
	TN_CHECK(tn_until(t, got_both, phase1));
	tn_run_for(t, 100);
	TN_CHECK(t->rx[1] == PER && t->rx[3] == PER);
	TN_CHECK(t->rx[2] == 0 && t->rx[4] == 0);
	myc_link_stats(l, &st);
	TN_CHECK(st.rx_unwanted == 0 && st.rx_frames == 2 * PER);

	TN_CHECK(myc_net_unsubscribe(t->net, 3) == 0);
	TN_CHECK(myc_net_subscribe(t->net, 2, MYC_LOSSY) == 0);
	TN_CHECK(myc_net_subscribe(t->net, 4, MYC_LOSSLESS) == 0);
	TN_CHECK(tn_until(t, got_both, phase2));
	tn_run_for(t, 100);
	TN_CHECK(t->rx[1] == 2 * PER && t->rx[2] == PER && t->rx[3] == PER &&
		 t->rx[4] == PER);
	myc_link_stats(l, &st);
	TN_CHECK(st.rx_unwanted == 0 && st.rx_frames == 5 * PER);
	TN_CHECK(t->corrupt == 0 && t->downs == 0);
	tn_free(t);
	return 0;
}

static bool phase2_interest(struct tn *t, void *link)
{
	return myc_link_peer_wants(link, 1) && myc_link_peer_wants(link, 2) &&
	       !myc_link_peer_wants(link, 3) && myc_link_peer_wants(link, 4);
}

static void publish_all(struct tn *t, uint64_t from, const int want[5])
{
	uint64_t seq;
	uint16_t ty;

	for (seq = from; seq < from + PER; seq++)
		for (ty = 1; ty <= 4; ty++)
			assert_int_equal(tn_publish_wait(t, ty, seq, 48), want[ty]);
}

static void only_subscribed_types_cross(void **state)
{
	static const int want1[5] = { 0, 1, 0, 1, 0 }, want2[5] = { 0, 1, 1, 0, 1 };
	struct tn *t = tn_new("pub", NULL);
	struct tn_want w = { .type = 3 };
	struct myc_link_stats st;
	struct arg a;
	pid_t pid;

	assert_non_null(t);
	assert_int_equal(myc_net_listen(t->net, "tcp:127.0.0.1:0"), 0);
	a.addr = myc_net_listen_addr(t->net);
	pid = tn_spawn(sub, &a);
	w.link = tn_await_link(t, "sub", 3);
	assert_non_null(w.link);
	assert_true(myc_link_peer_wants(w.link, 1));
	publish_all(t, 1, want1);
	assert_true(tn_until(t, phase2_interest, w.link));
	publish_all(t, PER + 1, want2);
	assert_int_equal(tn_serve(t, pid), 0);
	myc_link_stats(w.link, &st);
	assert_int_equal(st.tx_frames, 5 * PER);
	assert_int_equal(st.tx_dropped, 0);
	tn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_subscribed_types_cross),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
