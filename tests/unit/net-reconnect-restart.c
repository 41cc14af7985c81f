// SPDX-License-Identifier: MIT
/*
 * Description: a dialled link reconnects by itself after the peer process
 * exits and a new one starts on the same address (back-off retries while
 * nothing listens).  Frames published for the old peer after its last
 * acknowledgement are not silently dropped nor handed to the new process as
 * if they were its own: the new peer is told exactly how many were lost,
 * and receives everything published after it subscribed, once and in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "nettest.h"

/*
 * The dialler asks for an ack every lossless_bytes / 4 = 32 KiB, i.e. every
 * 512 frames of 64 bytes (32-byte payloads): M frames are acked at once.
 */
#define M	1024u
#define D	100u	/* published while no peer runs */
#define E	500u	/* published to the restarted peer */

struct arg {
	const char *addr;
	int generation;
};

static int service(void *p)
{
	struct arg *a = p;
	struct tn *t = tn_new("svc", NULL);
	struct tn_rx want = { .type = 1 };

	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, 1, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_listen(t->net, a->addr) == 0);
	if (a->generation == 1) {
		want.n = M;
		TN_CHECK(tn_until(t, tn_cond_rx, &want));
		TN_CHECK(t->rx[1] == M && t->skips[1] == 0 && t->dups[1] == 0);
		tn_free(t);	/* exits: the dialler sees the peer go away */
		return 0;
	}
	want.n = E;
	TN_CHECK(tn_until(t, tn_cond_rx, &want));
	tn_run_for(t, 50);
	TN_CHECK(t->resumed == 1 && t->lost == D);
	TN_CHECK(t->rx[1] == E && t->skips[1] == M + D && t->dups[1] == 0);
	TN_CHECK(t->replayed == 0 && t->corrupt == 0);
	tn_free(t);
	return 0;
}

static void redial_after_peer_restart(void **state)
{
	struct myc_net_opts o = { .sz = sizeof(o), .lossless_bytes = 128 * 1024 };
	struct tn *t = tn_new("dialer", &o);
	struct arg a = { .addr = tn_unix_addr("restart") };
	struct tn_want w = { .type = 1 };
	struct myc_link_stats st;
	uint64_t seq = 0;
	int one = 1;
	pid_t pid;

	assert_non_null(t);
	/* dial first: nothing listens yet, the link keeps retrying */
	w.link = myc_net_connect(t->net, a.addr);
	assert_non_null(w.link);
	tn_run_for(t, 50);
	assert_false(myc_link_up(w.link));

	a.generation = 1;
	pid = tn_spawn(service, &a);
	assert_true(tn_until(t, tn_cond_wants, &w));
	while (seq < M)
		assert_int_equal(tn_publish_wait(t, 1, ++seq, 32), 1);
	assert_true(tn_until(t, tn_cond_downs, &one));
	assert_int_equal(tn_wait(pid), 0);
	while (seq < M + D)
		assert_int_equal(tn_publish_wait(t, 1, ++seq, 32), 1);

	a.generation = 2;
	pid = tn_spawn(service, &a);
	assert_true(tn_until(t, tn_cond_wants, &w));
	while (seq < M + D + E)
		assert_int_equal(tn_publish_wait(t, 1, ++seq, 32), 1);
	assert_int_equal(tn_serve(t, pid), 0);
	myc_link_stats(w.link, &st);
	assert_int_equal(st.connects, 2);
	assert_int_equal(t->ups, 2);
	assert_string_equal(myc_link_name(w.link), "svc");
	tn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redial_after_peer_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
