// SPDX-License-Identifier: MIT
/*
 * myc bench unix | tcp: the socket transport (libmyc/src/net.c) between two
 * processes pinned to two cores, next to a raw socket measured the same way
 * in the same run:
 *
 *   raw-unix / raw-tcp    ping-pong of a frame-sized message (32-byte header
 *                         + payload) with blocking read()/write() on a
 *                         connected socket (TCP_NODELAY for TCP)
 *   unix / tcp            ping-pong through myc_net: publish + flush, the
 *                         peer's callback publishes the echo, the sender
 *                         waits in myc_net_poll()
 *   raw-*-tput            one write() per message, streamed (what a naive
 *                         sender gets), messages/s
 *   unix-spin / tcp-spin  the same with spin_us = 50 on both sides (poll
 *                         without sleeping first; burns the two cores)
 *   unix-tput / tcp-tput  lossless topic streamed through myc_net (queued,
 *                         batched writes; back-pressure = poll), messages/s;
 *                         extra "frames_per_write" shows the batching
 *   bus-unix / bus-tcp, bus-*-tput  the same through two buses and their
 *                         net bridges (bench-busnet.c)
 *
 * Latency of every ping-pong scenario is round trip / 2, measured with
 * bench_now_ns() around one exchange, after a warm-up; 64 B and 1 KiB.
 * Throughput: from the first send to the receiver's last message (the
 * receiver's clock reading, same CLOCK_MONOTONIC), 64 B and 1 KiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-busnet.h"
#include "bench.h"
#include "myc.h"
#include "net.h"

enum { T_PING = 1, T_PONG, T_STREAM };

struct net_bench {
	const struct bench_opts *o;
	bool tcp;
	uint32_t spin_us;	/* myc_net spin before sleeping (0 = block) */
	const char *name;	/* "unix" or "tcp" */
	char addr[128];
};

/* ---- raw socket baselines ---------------------------------------------- */

static int raw_listen(struct net_bench *b, int *port)
{
	int fd, one = 1;

	if (b->tcp) {
		struct sockaddr_in in = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(in);

		fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof(in)) ||
		    listen(fd, 1) || getsockname(fd, (struct sockaddr *)&in, &len))
			return -errno;
		*port = ntohs(in.sin_port);
	} else {
		struct sockaddr_un un = { .sun_family = AF_UNIX };

		snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1,
			 "myc-bench-raw-%d", getpid());
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof(un)) ||
		    listen(fd, 1))
			return -errno;
		*port = 0;
	}
	return fd;
}

static int raw_dial(struct net_bench *b, pid_t parent, int port)
{
	int fd, one = 1;

	if (b->tcp) {
		struct sockaddr_in in = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
					  .sin_port = htons((uint16_t)port) };

		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&in, sizeof(in)))
			return -1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	} else {
		struct sockaddr_un un = { .sun_family = AF_UNIX };

		snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1,
			 "myc-bench-raw-%d", parent);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof(un)))
			return -1;
	}
	return fd;
}

static int full_io(int fd, void *buf, size_t n, bool wr)
{
	char *p = buf;

	while (n) {
		ssize_t r = wr ? write(fd, p, n) : read(fd, p, n);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Child: echo @span-byte messages (latency) or swallow @total bytes and
 * report the time the last one arrived (throughput). */
static int raw_child(struct net_bench *b, pid_t parent, int port, uint32_t span,
		     uint64_t lat_msgs, uint64_t tput_bytes, int pipefd)
{
	static char buf[1 << 16];
	uint64_t i, got = 0, end;
	int fd = raw_dial(b, parent, port);

	bench_pin(b->o->cpu_b);
	if (fd < 0)
		return 1;
	for (i = 0; i < lat_msgs; i++)
		if (full_io(fd, buf, span, false) || full_io(fd, buf, span, true))
			return 1;
	while (got < tput_bytes) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r <= 0)
			return 1;
		got += (uint64_t)r;
	}
	end = bench_now_ns();
	if (write(pipefd, &end, sizeof(end)) != sizeof(end))
		return 1;
	return 0;
}

static int raw_run(struct net_bench *b, uint32_t size)
{
	const struct bench_opts *o = b->o;
	uint32_t span = myc_frame_span(MYC_FRAME_HDR_SIZE + size);
	uint64_t lat = o->warmup + o->msgs, tput = o->tput_msgs / 4, i, start, end;
	struct bench_samples s;
	struct bench_result r = { .size = size };
	char name[32], buf[2048] = { 0 };
	int lfd, fd, port = 0, pfd[2], st, err = 0;
	pid_t pid, me = getpid();

	lfd = raw_listen(b, &port);
	if (lfd < 0)
		return lfd;
	if (pipe(pfd) || bench_samples_init(&s, o->msgs)) {
		close(lfd);
		return -ENOMEM;
	}
	pid = fork();
	if (!pid)
		_exit(raw_child(b, me, port, span, lat, tput * span, pfd[1]));
	bench_pin(o->cpu_a);
	fd = accept(lfd, NULL, NULL);
	if (fd >= 0 && b->tcp) {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	for (i = 0; fd >= 0 && i < lat; i++) {
		uint64_t t0 = bench_now_ns();

		if (full_io(fd, buf, span, true) || full_io(fd, buf, span, false)) {
			err = -EIO;
			break;
		}
		if (i >= o->warmup)
			bench_samples_add(&s, (bench_now_ns() - t0) / 2);
	}
	snprintf(name, sizeof(name), "raw-%s", b->name);
	r.name = name;
	bench_percentiles(&s, &r);
	if (!err && bench_selected(o, name))
		bench_report(o, &r);
	start = bench_now_ns();
	for (i = 0; fd >= 0 && !err && i < tput; i++)
		if (full_io(fd, buf, span, true))
			err = -EIO;
	if (!err && read(pfd[0], &end, sizeof(end)) == sizeof(end)) {
		struct bench_result t = { .size = size };

		snprintf(name, sizeof(name), "raw-%s-tput", b->name);
		t.name = name;
		t.msgs_per_s = (double)tput * 1e9 / (double)(end - start);
		if (bench_selected(o, name))
			bench_report(o, &t);
	}
	if (fd >= 0)
		close(fd);
	close(lfd);
	close(pfd[0]);
	close(pfd[1]);
	if (err)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	bench_samples_free(&s);
	return err ? err : (fd < 0 ? -errno : 0);
}

/* ---- through myc_net ----------------------------------------------------- */

struct side {
	struct myc_net *net;
	uint64_t got, want;
	uint64_t end_ns;
	bool pong, stop;
};

static void on_frame(struct myc_net *net, struct myc_link *link,
		     const struct myc_frame_hdr *h, const void *payload,
		     const void *frame, uint32_t span, void *ctx)
{
	struct side *s = ctx;

	switch (h->type) {
	case T_PING: {		/* echo */
		struct myc_frame_hdr e = *h;

		e.type = T_PONG;
		e.flags = 0;
		myc_net_publish(net, &e, payload, h->len - MYC_FRAME_HDR_SIZE);
		if (!h->seq)
			s->stop = true;
		return;
	}
	case T_PONG:
		s->pong = true;
		return;
	case T_STREAM:
		if (++s->got == s->want)
			s->end_ns = bench_now_ns();
		return;
	}
}

static struct myc_net *bench_net(const char *node, struct side *s,
				 uint32_t spin_us)
{
	struct myc_net_opts opts = {
		.sz = sizeof(opts), .node = node, .on_frame = on_frame, .ctx = s,
		.hb_interval_ms = 1000, .spin_us = spin_us,
	};

	return myc_net_new(&opts);
}

static int net_child(struct net_bench *b, struct myc_net *parent_net,
		     uint64_t stream, int pipefd)
{
	struct side s = { .want = stream };
	struct myc_link *l;

	/* the parent's sockets stay the parent's: drop our copies */
	myc_net_free(parent_net);
	bench_pin(b->o->cpu_b);
	s.net = bench_net("bench-echo", &s, b->spin_us);
	if (!s.net || myc_net_subscribe(s.net, T_PING, MYC_LOSSLESS) ||
	    myc_net_subscribe(s.net, T_STREAM, MYC_LOSSLESS))
		return 1;
	l = myc_net_connect(s.net, b->addr);
	if (!l)
		return 1;
	while (!s.stop)
		if (myc_net_poll(s.net, -1) < 0)
			return 1;
	while (s.got < s.want)
		if (myc_net_poll(s.net, -1) < 0)
			return 1;
	if (write(pipefd, &s.end_ns, sizeof(s.end_ns)) != sizeof(s.end_ns))
		return 1;
	/* stay until the parent has read everything it wants */
	while (myc_net_poll(s.net, 100) >= 0 && myc_link_up(l))
		;
	myc_net_free(s.net);
	return 0;
}

static int net_run(struct net_bench *b, uint32_t size)
{
	const struct bench_opts *o = b->o;
	uint64_t lat = o->warmup + o->msgs, i, start, end;
	uint64_t tput = b->spin_us ? 0 : o->tput_msgs;	/* spin: latency only */
	static char payload[2048];
	struct side s = { 0 };
	struct bench_samples smp;
	struct bench_result r = { .size = size };
	struct myc_link_stats st, st0;
	struct myc_link *l = NULL;
	struct myc_frame_hdr h = { .type = T_PING };
	char name[32], extra[64];
	int pfd[2], status, err = 0;
	pid_t pid;

	s.net = bench_net("bench-main", &s, b->spin_us);
	if (!s.net)
		return -errno;
	if (myc_net_subscribe(s.net, T_PONG, MYC_LOSSLESS) ||
	    myc_net_listen(s.net, b->tcp ? "tcp:127.0.0.1:0" : b->addr) ||
	    pipe2(pfd, O_NONBLOCK) || bench_samples_init(&smp, o->msgs)) {
		myc_net_free(s.net);
		return -EIO;
	}
	snprintf(b->addr, sizeof(b->addr), "%s", myc_net_listen_addr(s.net));
	pid = fork();
	if (!pid)
		_exit(net_child(b, s.net, tput, pfd[1]));
	bench_pin(o->cpu_a);
	while (!l || !myc_link_peer_wants(l, T_STREAM)) {
		myc_net_poll(s.net, 10);
		l = myc_net_link(s.net, "bench-echo");
	}
	for (i = 0; i < lat && !err; i++) {
		uint64_t t0 = bench_now_ns();

		h.seq = i + 1;
		s.pong = false;
		if (myc_net_publish(s.net, &h, payload, size) != 1) {
			err = -EIO;
			break;
		}
		myc_net_flush(s.net);
		while (!s.pong)
			if (myc_net_poll(s.net, -1) < 0 || !myc_link_up(l)) {
				err = -EIO;
				break;
			}
		if (i >= o->warmup)
			bench_samples_add(&smp, (bench_now_ns() - t0) / 2);
	}
	snprintf(name, sizeof(name), "%s%s", b->name, b->spin_us ? "-spin" : "");
	r.name = name;
	bench_percentiles(&smp, &r);
	if (!err && bench_selected(o, name))
		bench_report(o, &r);
	h.seq = 0;		/* stop echoing; stream next */
	myc_net_publish(s.net, &h, payload, size);
	myc_net_flush(s.net);
	myc_link_stats(l, &st0);	/* batching is counted from here */
	h.type = T_STREAM;
	start = bench_now_ns();
	for (i = 1; i <= tput && !err; i++) {
		int n;

		h.seq = i;
		while ((n = myc_net_publish(s.net, &h, payload, size)) ==
		       -MYC_E_BACK_PRESSURED)
			myc_net_poll(s.net, 1);
		if (n != 1)
			err = -EIO;
	}
	myc_net_flush(s.net);
	while (!err) {
		ssize_t n;

		myc_net_poll(s.net, 1);
		n = read(pfd[0], &end, sizeof(end));
		if (n == sizeof(end))
			break;
	}
	myc_link_stats(l, &st);
	if (!err && tput) {
		struct bench_result t = { .size = size };

		snprintf(name, sizeof(name), "%s-tput", b->name);
		uint64_t writes = st.tx_writes - st0.tx_writes;

		snprintf(extra, sizeof(extra), "\"frames_per_write\":%.1f",
			 (double)(st.tx_frames - st0.tx_frames) /
			 (double)(writes ? writes : 1));
		t.name = name;
		t.extra = extra;
		t.msgs_per_s = (double)tput * 1e9 / (double)(end - start);
		if (bench_selected(o, name))
			bench_report(o, &t);
	}
	myc_net_free(s.net);
	close(pfd[0]);
	close(pfd[1]);
	if (err)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	bench_samples_free(&smp);
	return err;
}

static int run_group(const struct bench_opts *o, bool tcp)
{
	static const uint32_t sizes[] = { 64, 1024 };
	struct net_bench b = { .o = o, .tcp = tcp, .name = tcp ? "tcp" : "unix" };
	unsigned i;
	int err;

	for (i = 0; i < 2; i++) {
		snprintf(b.addr, sizeof(b.addr), "unix:@myc-bench-%d", getpid());
		err = raw_run(&b, sizes[i]);
		if (!err)
			err = net_run(&b, sizes[i]);
		if (!err) {
			b.spin_us = 50;
			err = net_run(&b, sizes[i]);
			b.spin_us = 0;
		}
		if (!err)
			err = bench_bus_net(o, tcp, sizes[i]);
		if (err)
			return err;
	}
	return 0;
}

static int run_unix(const struct bench_opts *o)
{
	return run_group(o, false);
}

static int run_tcp(const struct bench_opts *o)
{
	return run_group(o, true);
}

MYC_BENCH(unix, .name = "unix",
	  .summary = "Unix socket transport: latency (64 B, 1 KiB) and throughput vs raw-unix",
	  .run = run_unix);
MYC_BENCH(tcp, .name = "tcp",
	  .summary = "TCP loopback transport: latency (64 B, 1 KiB) and throughput vs raw-tcp",
	  .run = run_tcp);
