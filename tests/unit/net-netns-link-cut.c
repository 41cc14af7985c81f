// SPDX-License-Identifier: MIT
/*
 * Description: three hosts (network namespaces joined by veth links); h1
 * publishes a lossless and a lossy type to h2 and h3 over TCP.  The h1-h2
 * link is cut (ip link set down) mid-stream and later restored: both ends
 * find the dead connection by heartbeat, h2 redials with back-off once the
 * link is back and resumes.  h2 ends with every lossless frame exactly once
 * and in order; its lossy frames plus the loss it counted equal what was
 * published, with a non-zero loss that h1 also counted; h3, whose link
 * stayed up, receives everything.  Skips (77) without root or ip(8).
 * Timeout: 120
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nettest.h"
#include "netns.h"

#define PORT	7000
#define T_LOSSLESS 1
#define T_LOSSY	2
#define T_END	3

static const struct myc_net_opts opts = {
	.sz = sizeof(opts), .hb_interval_ms = 100, .hb_timeout_ms = 2000,
	.backoff_min_ms = 50, .backoff_max_ms = 400,
};

static bool drained(struct tn *t, void *links)
{
	struct myc_link **l = links;
	struct myc_link_stats a, b;

	myc_link_stats(l[0], &a);
	myc_link_stats(l[1], &b);
	return myc_link_up(l[0]) && myc_link_up(l[1]) && !a.tx_pending &&
	       !b.tx_pending;
}

static int pub(void *arg)
{
	struct tn *t;
	struct myc_link *l[2] = { 0 };
	struct myc_link_stats st;
	uint64_t seq = 0, x, back_at = 0;
	bool restored = false;

	TN_CHECK(netns_enter(1) == 0);
	t = tn_new("h1", &opts);
	TN_CHECK(t);
	TN_CHECK(myc_net_listen(t->net, "tcp:0.0.0.0:7000") == 0);
	l[0] = tn_await_link(t, "h2", T_END);
	l[1] = tn_await_link(t, "h3", T_END);
	TN_CHECK(l[0] && l[1]);
	for (;;) {
		seq++;
		TN_CHECK(tn_publish_wait(t, T_LOSSLESS, seq, 64) == 2);
		/* a lossy frame for a link that is down is dropped (counted) */
		TN_CHECK(tn_publish(t, T_LOSSY, seq, 64) >= 1);
		myc_net_poll(t->net, 1);
		if (seq == 300)
			tn_put("started", seq);
		if (t->downs)
			tn_put("saw-down", 1);
		if (!restored && tn_get("restored", &x))
			restored = true;
		/* keep going after h2 is back so its lossy loss shows as a
		 * hole before later frames */
		if (restored && !back_at && myc_link_up(l[0]))
			back_at = seq;
		if (back_at && seq > back_at + 300)
			break;
	}
	TN_CHECK(tn_until(t, drained, l));
	TN_CHECK(tn_publish_wait(t, T_END, seq, 8) == 2);
	myc_link_stats(l[0], &st);
	tn_put("h1-dropped-h2", st.tx_dropped);
	if (getenv("MYC_TEST_VERBOSE"))
		fprintf(stderr, "h1->h2: frames %llu dropped %llu writes %llu connects %llu\n",
			(unsigned long long)st.tx_frames, (unsigned long long)st.tx_dropped,
			(unsigned long long)st.tx_writes, (unsigned long long)st.connects);
	while (!tn_get("done", &x))
		myc_net_poll(t->net, 10);
	tn_free(t);
	return 0;
}

static int sub(void *arg)
{
	int h = *(int *)arg;
	char key[32];
	struct myc_link_stats st;
	struct myc_link *l;
	struct tn_rx end = { .type = T_END, .n = 1 };
	struct tn *t;
	uint64_t n;

	TN_CHECK(netns_enter(h) == 0);
	t = tn_new(h == 2 ? "h2" : "h3", &opts);
	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, T_LOSSLESS, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_subscribe(t->net, T_LOSSY, MYC_LOSSY) == 0);
	TN_CHECK(myc_net_subscribe(t->net, T_END, MYC_LOSSLESS) == 0);
	l = myc_net_connect(t->net, netns_addr(1, h, PORT));
	TN_CHECK(l);
	TN_CHECK(tn_until(t, tn_cond_rx, &end));
	n = t->last_seq[T_END];
	myc_link_stats(l, &st);
	TN_CHECK(t->rx[T_LOSSLESS] == n && t->last_seq[T_LOSSLESS] == n);
	TN_CHECK(t->dups[T_LOSSLESS] == 0 && t->skips[T_LOSSLESS] == 0);
	TN_CHECK(t->lost == 0 && t->corrupt == 0);
	/*
	 * Lossy: a receiver counts holes from the first frame it got (what
	 * was dropped before that, e.g. when an early connection died, it
	 * cannot know about; then skips says so too).
	 */
	TN_CHECK(t->dups[T_LOSSY] == 0);
	TN_CHECK(t->rx[T_LOSSY] + st.rx_gap + t->first_seq[T_LOSSY] - 1 == n);
	TN_CHECK(st.rx_gap + t->first_seq[T_LOSSY] - 1 == t->skips[T_LOSSY]);
	snprintf(key, sizeof(key), "h%d-gap", h);
	tn_put(key, st.rx_gap);
	snprintf(key, sizeof(key), "h%d-ups", h);
	tn_put(key, (uint64_t)t->ups);
	tn_free(t);
	return 0;
}

int main(void)
{
	int two = 2, three = 3, r, st_pub, st2, st3;
	uint64_t gap2 = 0, gap3 = 0, ups2 = 0, dropped = 0;
	pid_t p1, p2, p3;

	r = netns_setup();
	if (r)
		return r;
	p1 = tn_spawn(pub, NULL);
	p2 = tn_spawn(sub, &two);
	p3 = tn_spawn(sub, &three);
	r = 1;
	if (!tn_wait_key("started"))
		goto out;
	if (netns_link("12", false))
		goto out;
	if (!tn_wait_key("saw-down"))
		goto out;
	if (netns_link("12", true))
		goto out;
	tn_put("restored", 1);
	st2 = tn_wait(p2);
	st3 = tn_wait(p3);
	tn_put("done", 1);
	st_pub = tn_wait(p1);
	p1 = p2 = p3 = 0;
	if (st_pub || st2 || st3) {
		fprintf(stderr, "children: h1 %d h2 %d h3 %d\n", st_pub, st2, st3);
		goto out;
	}
	tn_get("h2-gap", &gap2);
	tn_get("h3-gap", &gap3);
	tn_get("h2-ups", &ups2);
	tn_get("h1-dropped-h2", &dropped);
	fprintf(stderr, "h2: gap %llu ups %llu, h1 dropped for h2 %llu; h3 gap %llu\n",
		(unsigned long long)gap2, (unsigned long long)ups2,
		(unsigned long long)dropped, (unsigned long long)gap3);
	/* the cut cost lossy frames, all counted; lossless lost nothing */
	if (gap2 == 0 || dropped == 0 || dropped > gap2 || ups2 < 2)
		goto out;
	r = 0;
out:
	if (r) {
		fprintf(stderr, "net-netns-link-cut: FAIL\n");
		tn_put("done", 1);
		for (pid_t *p = (pid_t[]){ p1, p2, p3, 0 }; *p; p++) {
			kill(*p, SIGKILL);
			tn_wait(*p);
		}
	}
	netns_cleanup();
	return r;
}
