// SPDX-License-Identifier: MIT
/*
 * Description: interest-based forwarding across hosts.  h1 publishes two
 * types; h2 subscribes to one of them, h3 to neither (only to the end
 * marker).  h1 queues each frame only for the host that asked for its type,
 * so h3 receives no data frame at all and h2 only its type: the counts on
 * both ends of each link agree and nobody sees an unwanted frame.  Skips
 * (77) without root or ip(8).
 * Timeout: 120
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nettest.h"
#include "netns.h"

#define PORT	7001
#define T_A	1
#define T_B	2
#define T_END	3
#define N	400u

static const struct myc_net_opts opts = {
	.sz = sizeof(opts), .hb_interval_ms = 100, .hb_timeout_ms = 2000,
};

static int pub(void *arg)
{
	struct myc_link *l[2] = { 0 };
	struct myc_link_stats s2, s3;
	uint64_t seq, x;
	struct tn *t;

	TN_CHECK(netns_enter(1) == 0);
	t = tn_new("h1", &opts);
	TN_CHECK(t);
	TN_CHECK(myc_net_listen(t->net, "tcp:0.0.0.0:7001") == 0);
	l[0] = tn_await_link(t, "h2", T_END);
	l[1] = tn_await_link(t, "h3", T_END);
	TN_CHECK(l[0] && l[1]);
	TN_CHECK(myc_link_peer_wants(l[0], T_A) && !myc_link_peer_wants(l[0], T_B));
	TN_CHECK(!myc_link_peer_wants(l[1], T_A) && !myc_link_peer_wants(l[1], T_B));
	for (seq = 1; seq <= N; seq++) {
		TN_CHECK(tn_publish_wait(t, T_A, seq, 100) == 1);	/* h2 only */
		TN_CHECK(tn_publish_wait(t, T_B, seq, 100) == 0);	/* nobody */
	}
	TN_CHECK(tn_publish_wait(t, T_END, N, 8) == 2);
	while (!tn_get("done", &x))
		myc_net_poll(t->net, 10);
	myc_link_stats(l[0], &s2);
	myc_link_stats(l[1], &s3);
	TN_CHECK(s2.tx_frames == N + 1 && s3.tx_frames == 1);
	tn_free(t);
	return 0;
}

static int sub(void *arg)
{
	int h = *(int *)arg;
	struct tn_rx end = { .type = T_END, .n = 1 };
	struct myc_link_stats st;
	struct myc_link *l;
	struct tn *t;

	TN_CHECK(netns_enter(h) == 0);
	t = tn_new(h == 2 ? "h2" : "h3", &opts);
	TN_CHECK(t);
	if (h == 2)
		TN_CHECK(myc_net_subscribe(t->net, T_A, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_subscribe(t->net, T_END, MYC_LOSSLESS) == 0);
	l = myc_net_connect(t->net, netns_addr(1, h, PORT));
	TN_CHECK(l);
	TN_CHECK(tn_until(t, tn_cond_rx, &end));
	tn_run_for(t, 100);
	myc_link_stats(l, &st);
	TN_CHECK(st.rx_unwanted == 0 && t->rx[T_B] == 0);
	if (h == 2) {
		TN_CHECK(t->rx[T_A] == N && st.rx_frames == N + 1);
		TN_CHECK(t->dups[T_A] == 0 && t->skips[T_A] == 0);
	} else {
		TN_CHECK(t->rx[T_A] == 0 && st.rx_frames == 1);
	}
	TN_CHECK(t->corrupt == 0);
	tn_free(t);
	return 0;
}

int main(void)
{
	int two = 2, three = 3, r, s1, s2, s3;
	pid_t p1, p2, p3;

	r = netns_setup();
	if (r)
		return r;
	p1 = tn_spawn(pub, NULL);
	p2 = tn_spawn(sub, &two);
	p3 = tn_spawn(sub, &three);
	s2 = tn_wait(p2);
	s3 = tn_wait(p3);
	tn_put("done", 1);
	s1 = tn_wait(p1);
	netns_cleanup();
	if (s1 || s2 || s3) {
		fprintf(stderr, "children: h1 %d h2 %d h3 %d\n", s1, s2, s3);
		return 1;
	}
	return 0;
}
