// SPDX-License-Identifier: MIT
/* Helpers for the bus-over-net tests (busnet.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "net.h"
#include "bus-test.h"
#include "busnet.h"
#include "nettest.h"
#include "ringtest.h"

struct myc_bus *bn_bus(const char *node, uint32_t policy, uint32_t depth)
{
	struct myc_bus_opts o = { .sz = sizeof(o), .name = node };
	struct myc_bus *bus = myc_bus_new(&o);

	RT_CHECK(bus);
	RT_EQ(bt_topic(bus, BN_TYPE, policy, depth, 64), 0);
	return bus;
}

static void nap(void)
{
	nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
}

bool bn_wait_peer(struct myc_bus *bus, const char *peer, uint16_t type)
{
	for (int waited = 0; waited < BN_WAIT_MS; waited += 5, nap()) {
		struct myc_link_stats st;

		if (type) {
			if (myc_bus_net_peer_wants(bus, peer, type) == 1)
				return true;
		} else if (!bus_net_link_stats(bus, peer, &st) && st.connects &&
			   myc_bus_net_peer_wants(bus, peer, 0) >= 0) {
			return true;
		}
	}
	return false;
}

struct take {
	uint64_t next, n;
	int bad;	/* first bad line */
};

static int check_msg(struct take *tk, const struct myc_msg *m)
{
	const struct myc_frame_hdr *h = myc_msg_hdr(m);
	uint64_t v;

	TN_CHECK(myc_msg_size(m) == sizeof(v));
	memcpy(&v, myc_msg_data(m), sizeof(v));
	TN_CHECK(h->type == BN_TYPE);
	TN_CHECK(h->src != 0);
	if (v != tk->next)
		fprintf(stderr, "got %llu, want %llu\n", (unsigned long long)v,
			(unsigned long long)tk->next);
	TN_CHECK(v == tk->next);
	tk->next++;
	return 0;
}

static void take_cb(const struct myc_msg *m, void *ctx)
{
	struct take *tk = ctx;
	int r = check_msg(tk, m);

	if (r && !tk->bad)
		tk->bad = r;
}

/* The callback subscriber's state (its ctx, set by the child). */
static struct take cb_take;

int bn_take(struct myc_sub *sub, enum bn_mode mode, uint64_t n)
{
	struct take own = { .n = n }, *tk = mode == BN_CALLBACK ? &cb_take : &own;
	struct myc_msg *m;
	int ep = -1, r;

	if (mode == BN_EPOLL) {
		struct epoll_event ev = { .events = EPOLLIN };

		ep = epoll_create1(EPOLL_CLOEXEC);
		TN_CHECK(ep >= 0);
		TN_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, myc_sub_fd(sub), &ev) == 0);
	}
	while (tk->next < n && !tk->bad) {
		switch (mode) {
		case BN_RECV:
			TN_CHECK(myc_sub_recv(sub, &m, BN_WAIT_MS) == 0);
			r = check_msg(tk, m);
			myc_msg_release(m);
			if (r)
				return r;
			break;
		case BN_CALLBACK:
			TN_CHECK(myc_sub_dispatch(sub, 64, BN_WAIT_MS) > 0);
			break;
		case BN_EPOLL: {
			struct epoll_event ev;

			TN_CHECK(epoll_wait(ep, &ev, 1, BN_WAIT_MS) == 1);
			/* Drain: the fd polls again only after -EAGAIN. */
			while ((r = myc_sub_recv(sub, &m, 0)) == 0) {
				int c = check_msg(tk, m);

				myc_msg_release(m);
				if (c)
					return c;
			}
			TN_CHECK(r == -EAGAIN);
			break;
		}
		}
	}
	if (ep >= 0)
		close(ep);
	if (tk->bad)
		return tk->bad;
	/* Nothing more than was sent, and nothing lost. */
	TN_CHECK(myc_sub_recv(sub, &m, 200) == -ETIMEDOUT ||
		 myc_sub_recv(sub, &m, 0) == -EAGAIN);
	TN_CHECK(myc_sub_lost(sub) == 0);
	return 0;
}

struct child_arg {
	int addr_pipe[2];	/* parent -> child: the address to dial */
	enum bn_mode mode;
	uint32_t policy;
	uint64_t n;
};

static int child(void *arg)
{
	struct child_arg *a = arg;
	struct myc_sub_opts so = { .sz = sizeof(so) };
	struct myc_bus *bus;
	struct myc_sub *sub;
	char addr[128] = { 0 };
	int r;

	close(a->addr_pipe[1]);
	TN_CHECK(read(a->addr_pipe[0], addr, sizeof(addr) - 1) > 0);
	bus = bn_bus("bn-sub", a->policy, 256);
	if (a->mode == BN_CALLBACK) {
		so.cb = take_cb;
		so.ctx = &cb_take;
	}
	sub = myc_sub_new(bus, BN_TYPE, &so);
	TN_CHECK(sub);
	TN_CHECK(myc_bus_net_connect(bus, addr) == 0);
	r = bn_take(sub, a->mode, a->n);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return r;
}

int bn_stream(const char *listen_addr, enum bn_mode mode, uint32_t policy,
	      uint64_t n, uint64_t reset_every)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct child_arg a = { .mode = mode, .policy = policy, .n = n };
	struct myc_bus *bus;
	struct myc_pub *pub;
	char addr[128];
	uint64_t i;
	pid_t c;
	int r;

	/* Fork before the bus has threads. */
	RT_EQ(pipe(a.addr_pipe), 0);
	if (mode == BN_CALLBACK)
		cb_take.n = n;
	c = rt_spawn(child, &a);
	close(a.addr_pipe[0]);
	bus = bn_bus("bn-pub", policy, 256);
	pub = myc_pub_new(bus, BN_TYPE, &po);
	RT_CHECK(pub);
	RT_EQ(myc_bus_net_listen(bus, listen_addr), 0);
	RT_EQ(myc_bus_net_addr(bus, addr, sizeof(addr)), 0);
	RT_CHECK(write(a.addr_pipe[1], addr, strlen(addr)) == (ssize_t)strlen(addr));
	close(a.addr_pipe[1]);
	RT_CHECK(bn_wait_peer(bus, "bn-sub", BN_TYPE));
	for (i = 0; i < n; i++) {
		RT_EQ(bt_send_u64(pub, i), 0);
		if (reset_every && i && i % reset_every == 0) {
			r = myc_bus_net_reset(bus, "bn-sub");
			/* Not connected right now is fine: it is coming back. */
			RT_CHECK(r == 0 || r == -ENOTCONN);
		}
	}
	r = rt_wait(c);
	if (reset_every && n > reset_every) {
		struct myc_link_stats st;

		/* The resets happened (the stream went over several
		 * connections). */
		RT_EQ(bus_net_link_stats(bus, "bn-sub", &st), 0);
		RT_CHECK(st.disconnects >= 1 && st.connects >= 2);
	}
	myc_pub_free(pub);
	myc_bus_free(bus);
	return r;
}
