// SPDX-License-Identifier: MIT
/*
 * Description: the ring data path makes no syscall per message when the
 * consumer spins (producer and consumer alike), and at most one per
 * wake-up on each side when the consumer sleeps, in the mode in use
 * (userspace: futex; kernel: MYC_IOC_WAIT/WAKE).  Asserted on libmyc's own
 * count of data-path calls (myc_ring_info().handle_syscalls); where the
 * kernel lets us (root, tracefs: the VM), every real syscall of producer
 * and consumer is also counted with a perf counter on the
 * raw_syscalls:sys_enter tracepoint and printed ("# syscalls ..." lines,
 * the numbers in docs/PERFORMANCE.md), all of them and all but
 * clock_gettime (which stays in the vDSO only with a TSC clocksource; the
 * guest's clocksource is printed too).  Counts, never times.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

#define N_SPIN		5000u	/* back-to-back messages, spinning consumer */
#define N_SLEEP		200u	/* messages each sent to a sleeping consumer */
#define SPIN_FOREVER	4000000000u	/* spin_ns: never sleeps in the test */
#define RT_STR_(x)	#x
#define RT_STR(x)	RT_STR_(x)

static const char *name;
static struct rt_sync ready;
static int go[2], res[2];

struct result {
	bool producer;		/* who sent it: the two finish in any order */
	long long real;		/* syscalls counted by perf, -1: unavailable */
	long long noclk;	/* the same without clock_gettime */
	unsigned long long lib;	/* libmyc data-path calls (handle_syscalls) */
};

/* Two counters of this process's syscalls (sys_enter) in one group: all,
 * and all but clock_gettime.  fd[0] -1: unavailable. */
struct counter {
	int fd[2];
};

static void sys_counter(struct counter *c)
{
	static const char *const ids[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	struct perf_event_attr a;
	unsigned int i;
	long long id = -1;
	FILE *f;

	for (i = 0; i < 2 && id < 0; i++) {
		f = fopen(ids[i], "r");
		if (!f)
			continue;
		if (fscanf(f, "%lld", &id) != 1)
			id = -1;
		fclose(f);
	}
	c->fd[0] = c->fd[1] = -1;
	if (id < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = (unsigned long long)id;
	a.disabled = 1;
	c->fd[0] = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (c->fd[0] < 0)
		return;
	c->fd[1] = (int)syscall(SYS_perf_event_open, &a, 0, -1, c->fd[0], 0);
	if (c->fd[1] < 0 || ioctl(c->fd[1], PERF_EVENT_IOC_SET_FILTER,
				  "id != " RT_STR(SYS_clock_gettime))) {
		close(c->fd[0]);
		c->fd[0] = -1;
	}
}

static void count_start(struct counter *c)
{
	if (c->fd[0] >= 0)
		ioctl(c->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

/* Stop counting; add what was counted (minus the stopping ioctl itself,
 * whose entry both count) to the result. */
static void count_stop(struct counter *c, struct result *out)
{
	long long v[2] = { 0, 0 };
	int i;

	if (c->fd[0] < 0)
		return;
	ioctl(c->fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	for (i = 0; i < 2; i++)
		RT_EQ(read(c->fd[i], &v[i], sizeof(v[i])), sizeof(v[i]));
	RT_EQ(ioctl(c->fd[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP), 0);
	out->real += v[0] - 1;
	out->noclk += v[1] - 1;
}

static unsigned long long lib_calls(struct myc_ring *r)
{
	struct myc_ring_info info = { .sz = sizeof(info) };

	RT_EQ(myc_ring_info(r, &info), 0);
	return info.handle_syscalls;
}

static void wait_go(void)
{
	char b;

	RT_EQ(read(go[0], &b, 1), 1);
}

static void send_result(struct result *out)
{
	RT_EQ(write(res[1], out, sizeof(*out)), sizeof(*out));
}

static int consumer(void *arg)
{
	uint32_t n = (uint32_t)(uintptr_t)arg;
	struct myc_ring_opts o = {
		.sz = sizeof(o), .spin_ns = n == N_SPIN ? SPIN_FOREVER : 0,
	};
	struct myc_ring *c = myc_ring_open(name, MYC_RING_CONSUMER, &o);
	struct result out = { 0 };
	struct myc_frame_hdr h;
	struct counter ctr;
	uint64_t v, i;

	RT_CHECK(c);
	sys_counter(&ctr);
	out.real = out.noclk = ctr.fd[0] < 0 ? -1 : 0;
	rt_sync_post(&ready);
	wait_go();
	count_start(&ctr);
	for (i = 0; i < n; i++) {
		RT_EQ(myc_ring_recv(c, &h, &v, sizeof(v), -1), sizeof(v));
		RT_EQ(v, i);
	}
	count_stop(&ctr, &out);
	out.lib = lib_calls(c);
	send_result(&out);
	myc_ring_free(c);
	return 0;
}

/* Sleeping case: send each message only once the consumer sleeps. */
static void until_asleep(struct myc_ring *p)
{
	struct myc_ring_info info = { .sz = sizeof(info) };
	int k;

	for (k = 0; k < 100000; k++) {
		RT_EQ(myc_ring_info(p, &info), 0);
		if (info.waiters)
			return;
		usleep(200);
	}
	RT_CHECK(!"consumer never went to sleep");
}

static int producer(void *arg)
{
	uint32_t n = (uint32_t)(uintptr_t)arg;
	struct myc_ring *p = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	struct result out = { .producer = true };
	struct counter ctr;
	uint64_t i;

	RT_CHECK(p);
	sys_counter(&ctr);
	out.real = out.noclk = ctr.fd[0] < 0 ? -1 : 0;
	rt_sync_post(&ready);
	wait_go();
	if (n == N_SPIN)
		count_start(&ctr);
	for (i = 0; i < n; i++) {
		if (n != N_SPIN) {
			until_asleep(p);
			count_start(&ctr);
		}
		RT_EQ(myc_ring_send(p, 1, &i, sizeof(i), -1), 0);
		if (n != N_SPIN)
			count_stop(&ctr, &out);
	}
	if (n == N_SPIN)
		count_stop(&ctr, &out);
	out.lib = lib_calls(p);
	send_result(&out);
	myc_ring_free(p);
	return 0;
}

static void run(uint32_t n, const char *what, const char *per)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .capacity = 1 << 20 };
	struct result rc, rp;
	struct myc_ring *keep;
	pid_t cp, pp;

	keep = myc_ring_open(name, MYC_RING_CREATE | MYC_RING_EXCL, &o);
	RT_CHECK(keep);
	RT_EQ(pipe(go), 0);
	RT_EQ(pipe(res), 0);
	cp = rt_spawn(consumer, (void *)(uintptr_t)n);
	RT_EQ(rt_sync_wait(&ready, 30000), 0);
	pp = rt_spawn(producer, (void *)(uintptr_t)n);
	RT_EQ(rt_sync_wait(&ready, 30000), 0);
	RT_EQ(write(go[1], "gg", 2), 2);
	/* Either may finish first (the producer still counts its calls
	 * after the consumer took the last message). */
	RT_EQ(read(res[0], &rp, sizeof(rp)), sizeof(rp));
	RT_EQ(read(res[0], &rc, sizeof(rc)), sizeof(rc));
	if (!rp.producer) {
		struct result t = rp;

		rp = rc;
		rc = t;
	}
	RT_CHECK(rp.producer && !rc.producer);
	RT_EQ(rt_wait(pp), 0);
	RT_EQ(rt_wait(cp), 0);
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
	myc_ring_free(keep);

	printf("# syscalls mode=%s %s: %u messages; producer %lld all, %lld "
	       "without clock_gettime, %llu libmyc; consumer %lld all, %lld "
	       "without clock_gettime, %llu libmyc (%s)\n",
	       rt_kernel_mode() ? "kernel" : "user", what, n, rp.real, rp.noclk,
	       rp.lib, rc.real, rc.noclk, rc.lib, per);
	if (n == N_SPIN) {
		/* Spinning: nothing to wake, nobody sleeps. */
		RT_EQ(rp.lib, 0);
		RT_EQ(rc.lib, 0);
	} else {
		/* One wake per message (someone was asleep each time); the
		 * consumer sleeps once per wake-up, plus at most a retry
		 * when the value moved under it.  In userspace mode the
		 * first sleep also counts the consumer as a sleeper, with
		 * one membarrier(). */
		RT_CHECK(rp.lib <= n);
		RT_CHECK(rc.lib <= 2ull * n + (rt_kernel_mode() ? 0 : 1));
	}
}

int main(void)
{
	FILE *f;
	char cs[64] = "?";

	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "r");
	if (f) {
		if (!fgets(cs, sizeof(cs), f))
			strcpy(cs, "?");
		cs[strcspn(cs, "\n")] = 0;
		fclose(f);
	}
	printf("# clocksource %s\n", cs);
	name = rt_name("syscalls");
	rt_sync_init(&ready);
	run(N_SPIN, "spinning", "per message = count / messages");
	run(N_SLEEP, "sleeping", "one wake-up per message");
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
