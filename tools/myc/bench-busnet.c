// SPDX-License-Identifier: MIT
/*
 * myc bench unix | tcp, bus scenarios (run by bench-net.c after the raw
 * baselines and the myc_net scenarios of the same size, same run): two
 * processes, each with a bus, joined by the bus's net bridge
 * (myc_bus_net_listen / myc_bus_net_connect), pinned to two cores.
 *
 *   bus-unix / bus-tcp    ping-pong: myc_pub_send on bus A -> net bridge
 *                         -> myc_sub_recv on bus B, which publishes the
 *                         echo back the same way; latency = round trip / 2
 *                         (publish -> deliver one way, both bridges'
 *                         threads included)
 *   bus-*-tput            a lossless topic streamed from a publisher on
 *                         bus A to a subscriber on bus B, messages/s from
 *                         the first publish to the subscriber's last
 *                         message (its CLOCK_MONOTONIC reading)
 *
 * The child process is forked before either bus exists (a bus has
 * threads, which fork does not copy) and learns the listen address
 * through a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-busnet.h"
#include "bench.h"
#include "myc.h"

enum { B_PING = 11, B_PONG, B_STREAM };

#define STOP_VALUE	UINT64_MAX	/* ping payload: stop echoing */
#define RECV_MS		5000
#define WAIT_ROUNDS	4000		/* x 5 ms: peer interest */
#define DEPTH		4096u

static struct myc_bus *bb_bus(const char *name)
{
	struct myc_bus_opts bo = { .sz = sizeof(bo), .name = name };
	struct myc_topic_opts to = { .sz = sizeof(to), .policy = MYC_LOSSLESS,
				     .depth = DEPTH, .max_size = 1024 };
	struct myc_bus *bus = myc_bus_new(&bo);

	if (!bus)
		return NULL;
	if (myc_bus_topic(bus, B_PING, &to) || myc_bus_topic(bus, B_PONG, &to) ||
	    myc_bus_topic(bus, B_STREAM, &to)) {
		myc_bus_free(bus);
		return NULL;
	}
	return bus;
}

/* Until @peer subscribed @type (false after WAIT_ROUNDS). */
static bool wait_wants(struct myc_bus *bus, const char *peer, uint16_t type)
{
	for (int i = 0; i < WAIT_ROUNDS; i++) {
		if (myc_bus_net_peer_wants(bus, peer, type) == 1)
			return true;
		usleep(5000);
	}
	return false;
}

static uint64_t first_u64(const struct myc_msg *m)
{
	uint64_t v = 0;

	memcpy(&v, myc_msg_data(m), sizeof(v));
	return v;
}

/* The echo side: dial, echo pings until told to stop, count the stream,
 * report when its last message arrived, stay until the parent is done. */
static int child(const struct bench_opts *o, int addr_fd, int end_fd, int done_fd,
		 uint64_t tput)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	static unsigned char buf[1024];
	struct myc_sub *ping, *stream;
	struct myc_pub *pong;
	struct myc_bus *bus;
	struct myc_msg *m;
	uint64_t got = 0, end;
	char addr[128] = { 0 };
	int rc = 1;

	bench_pin(o->cpu_b);
	if (read(addr_fd, addr, sizeof(addr) - 1) <= 0)
		return 1;
	bus = bb_bus("bench-bus-echo");
	if (!bus)
		return 1;
	ping = myc_sub_new(bus, B_PING, NULL);
	stream = myc_sub_new(bus, B_STREAM, NULL);
	pong = myc_pub_new(bus, B_PONG, &po);
	if (!ping || !stream || !pong || myc_bus_net_connect(bus, addr) ||
	    !wait_wants(bus, "bench-bus-main", B_PONG))
		goto out;
	for (;;) {
		size_t n;

		if (myc_sub_recv(ping, &m, RECV_MS))
			goto out;
		if (first_u64(m) == STOP_VALUE) {
			myc_sub_release(ping, m);
			break;
		}
		n = myc_msg_size(m);
		memcpy(buf, myc_msg_data(m), n);
		myc_sub_release(ping, m);
		if (myc_pub_send(pong, buf, n))
			goto out;
	}
	while (got < tput) {
		if (myc_sub_recv(stream, &m, RECV_MS))
			goto out;
		myc_sub_release(stream, m);
		got++;
	}
	end = bench_now_ns();
	if (write(end_fd, &end, sizeof(end)) != sizeof(end))
		goto out;
	/* The parent closes its end when it is done with us. */
	(void)!read(done_fd, &end, sizeof(end));
	rc = 0;
out:
	myc_pub_free(pong);
	myc_sub_free(ping);
	myc_sub_free(stream);
	myc_bus_free(bus);
	return rc;
}

int bench_bus_net(const struct bench_opts *o, bool tcp, uint32_t size)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	static unsigned char payload[1024];
	uint64_t lat = o->warmup + o->msgs, tput = o->tput_msgs, i, start, end = 0;
	const char *kind = tcp ? "tcp" : "unix";
	struct myc_pub *ping = NULL, *stream = NULL;
	struct myc_sub *pong = NULL;
	struct myc_bus *bus = NULL;
	struct bench_samples smp;
	struct myc_msg *m;
	int afd[2], efd[2], dfd[2], st, err = -EIO;
	char addr[128], name[32];
	pid_t pid;

	if (pipe(afd) || pipe(efd) || pipe(dfd) || bench_samples_init(&smp, o->msgs))
		return -ENOMEM;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(dfd[1]);	/* so that the parent's close is seen */
		_exit(child(o, afd[0], efd[1], dfd[0], tput));
	}
	close(dfd[0]);
	bench_pin(o->cpu_a);
	bus = bb_bus("bench-bus-main");
	if (!bus)
		goto out;
	pong = myc_sub_new(bus, B_PONG, NULL);
	ping = myc_pub_new(bus, B_PING, &po);
	stream = myc_pub_new(bus, B_STREAM, &po);
	if (tcp)
		snprintf(addr, sizeof(addr), "tcp:127.0.0.1:0");
	else
		snprintf(addr, sizeof(addr), "unix:@myc-bench-bus-%d", getpid());
	if (!pong || !ping || !stream || myc_bus_net_listen(bus, addr) ||
	    myc_bus_net_addr(bus, addr, sizeof(addr)) ||
	    write(afd[1], addr, strlen(addr)) != (ssize_t)strlen(addr) ||
	    !wait_wants(bus, "bench-bus-echo", B_PING) ||
	    !wait_wants(bus, "bench-bus-echo", B_STREAM))
		goto out;

	for (i = 0; i < lat; i++) {
		uint64_t t0 = bench_now_ns();

		memcpy(payload, &i, sizeof(i));
		if (myc_pub_send(ping, payload, size) || myc_sub_recv(pong, &m, RECV_MS))
			goto out;
		if (i >= o->warmup)
			bench_samples_add(&smp, (bench_now_ns() - t0) / 2);
		myc_sub_release(pong, m);
	}
	{
		struct bench_result r = { .size = size };

		snprintf(name, sizeof(name), "bus-%s", kind);
		r.name = name;
		bench_percentiles(&smp, &r);
		if (bench_selected(o, name))
			bench_report(o, &r);
	}
	i = STOP_VALUE;
	memcpy(payload, &i, sizeof(i));
	if (myc_pub_send(ping, payload, size))
		goto out;
	memset(payload, 0, sizeof(payload));
	start = bench_now_ns();
	for (i = 0; i < tput; i++)
		if (myc_pub_send(stream, payload, size))
			goto out;
	if (read(efd[0], &end, sizeof(end)) != sizeof(end))
		goto out;
	{
		struct bench_result t = { .size = size };

		snprintf(name, sizeof(name), "bus-%s-tput", kind);
		t.name = name;
		t.msgs_per_s = (double)tput * 1e9 / (double)(end - start);
		if (bench_selected(o, name))
			bench_report(o, &t);
	}
	err = 0;
out:
	close(dfd[1]);		/* the child may go */
	if (err)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (!err && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		err = -EIO;
	myc_pub_free(ping);
	myc_pub_free(stream);
	myc_sub_free(pong);
	myc_bus_free(bus);
	close(afd[0]);
	close(afd[1]);
	close(efd[0]);
	close(efd[1]);
	bench_samples_free(&smp);
	return err;
}
