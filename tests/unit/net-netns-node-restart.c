// SPDX-License-Identifier: MIT
/*
 * Description: three hosts; the publisher on h1 is killed (SIGKILL) while
 * streaming to subscribers on h2 and h3, then a new publisher process starts
 * on h1.  Both subscribers see the connection die, redial with back-off
 * until the new process listens, and receive its stream completely and in
 * order; what they got from the first process has no duplicates or holes
 * up to the kill.  The new process holds nothing for them, so no loss is
 * reported for the new stream.  Skips (77) without root or ip(8).
 * Timeout: 120
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nettest.h"
#include "netns.h"

#define PORT	7000
#define T_GEN1	1
#define T_GEN2	4
#define T_END	5
#define GEN2_N	500u

static const struct myc_net_opts opts = {
	.sz = sizeof(opts), .hb_interval_ms = 100, .hb_timeout_ms = 2000,
	.backoff_min_ms = 50, .backoff_max_ms = 400,
};

static int pub(void *arg)
{
	int gen = *(int *)arg;
	struct myc_link *l[2] = { 0 };
	uint64_t seq, x;
	struct tn *t;

	TN_CHECK(netns_enter(1) == 0);
	t = tn_new("h1", &opts);
	TN_CHECK(t);
	TN_CHECK(myc_net_listen(t->net, "tcp:0.0.0.0:7000") == 0);
	l[0] = tn_await_link(t, "h2", T_END);
	l[1] = tn_await_link(t, "h3", T_END);
	TN_CHECK(l[0] && l[1]);
	if (gen == 1) {
		for (seq = 1;; seq++) {	/* until killed */
			TN_CHECK(tn_publish_wait(t, T_GEN1, seq, 64) == 2);
			myc_net_poll(t->net, 1);
			if (seq == 300)
				tn_put("started", seq);
		}
	}
	for (seq = 1; seq <= GEN2_N; seq++)
		TN_CHECK(tn_publish_wait(t, T_GEN2, seq, 64) == 2);
	TN_CHECK(tn_publish_wait(t, T_END, 1, 8) == 2);
	while (!tn_get("done", &x))
		myc_net_poll(t->net, 10);
	tn_free(t);
	return 0;
}

static int sub(void *arg)
{
	int h = *(int *)arg;
	struct tn_rx end = { .type = T_END, .n = 1 };
	struct tn *t;

	TN_CHECK(netns_enter(h) == 0);
	t = tn_new(h == 2 ? "h2" : "h3", &opts);
	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, T_GEN1, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_subscribe(t->net, T_GEN2, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_subscribe(t->net, T_END, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_connect(t->net, netns_addr(1, h, PORT)));
	TN_CHECK(tn_until(t, tn_cond_rx, &end));
	TN_CHECK(t->ups == 2 && t->downs >= 1);
	TN_CHECK(t->rx[T_GEN1] >= 300 && t->rx[T_GEN1] == t->last_seq[T_GEN1]);
	TN_CHECK(t->dups[T_GEN1] == 0 && t->skips[T_GEN1] == 0);
	TN_CHECK(t->rx[T_GEN2] == GEN2_N && t->last_seq[T_GEN2] == GEN2_N);
	TN_CHECK(t->dups[T_GEN2] == 0 && t->skips[T_GEN2] == 0);
	TN_CHECK(t->lost == 0 && t->corrupt == 0);
	tn_free(t);
	return 0;
}

int main(void)
{
	int one = 1, two = 2, three = 3, r, s1, s2, s3;
	pid_t p1, p2, p3;

	r = netns_setup();
	if (r)
		return r;
	p1 = tn_spawn(pub, &one);
	p2 = tn_spawn(sub, &two);
	p3 = tn_spawn(sub, &three);
	r = 1;
	if (!tn_wait_key("started")) {
		kill(p1, SIGKILL);
		tn_wait(p1);
		goto out;
	}
	kill(p1, SIGKILL);
	s1 = tn_wait(p1);
	if (s1 != 128 + SIGKILL)
		goto out;
	p1 = tn_spawn(pub, &two);	/* generation 2 */
	s2 = tn_wait(p2);
	s3 = tn_wait(p3);
	p2 = p3 = 0;
	tn_put("done", 1);
	s1 = tn_wait(p1);
	if (s1 || s2 || s3) {
		fprintf(stderr, "children: h1 %d h2 %d h3 %d\n", s1, s2, s3);
		goto out_reaped;
	}
	r = 0;
	goto out_reaped;
out:
	tn_put("done", 1);
	for (pid_t *p = (pid_t[]){ p2, p3, 0 }; *p; p++) {
		kill(*p, SIGKILL);
		tn_wait(*p);
	}
out_reaped:
	netns_cleanup();
	return r;
}
