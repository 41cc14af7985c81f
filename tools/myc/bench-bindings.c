// SPDX-License-Identifier: MIT
/*
 * myc bench bindings: one-way latency over the bus's ring bridge between
 * two processes, publisher and subscriber each written in C, Python or
 * OCaml, all in the same run:
 *
 *   bind-c-c     C publish -> C subscribe (the baseline)
 *   bind-py-c    Python publish -> C subscribe
 *   bind-c-py    C publish -> Python subscribe
 *   bind-ml-c    OCaml publish -> C subscribe
 *   bind-c-ml    C publish -> OCaml subscribe
 *
 * The publisher writes CLOCK_MONOTONIC (ns) into the first 8 bytes of the
 * 64-byte payload just before its publish call, in its own language; the
 * subscriber reads the clock just after its receive call returned and
 * reports now - that stamp.  So a binding's cost on either side is inside
 * the figure, and "overhead_ns" (extra member) is its p50 minus bind-c-c's,
 * paired round by round (oneway_run: the scenarios run interleaved in
 * BB_ROUNDS rounds, the median of the per-round differences is reported).
 * Messages are paced (one every 200 us) so the figure is latency, not
 * queueing; so a scenario takes msgs x 200 us, and at most BB_MAX_MSGS
 * samples (+ warm-up at most a tenth of that) are taken whatever --msgs says.
 *
 * The other languages' sides are programs named by the environment (both
 * take "pub DOMAIN N READY" / "sub DOMAIN N READY", see
 * tools/myc/bench_bindings.py); scripts/bench-bindings.sh builds and sets
 * them:
 *   MYC_BENCH_PY     shell command prefix, e.g. "python3 .../bench_bindings.py"
 *   MYC_BENCH_OCAML  likewise for the OCaml program
 * Scenarios whose variable is unset are skipped with a note on stderr.
 *
 * The one-way figures include two thread wake-ups (ring receive thread,
 * then subscriber), microseconds each on a loaded VM, which drown a
 * sub-microsecond binding cost.  So the per-call cost is also measured
 * without any wake-up:
 *
 *   bind-loop-c / -py / -ml   publish one 64-byte message and receive it
 *                             on the same thread, in-process bus, N times
 *
 * reported as msgs_per_s with extra "ns_per_msg" and "overhead_ns" (minus
 * the C loop's): the binding's cost of one publish plus one receive.  The
 * burst calls likewise:
 *
 *   bind-burst-c / -py / -ml  publish BB_BURST 64-byte messages with one
 *                             call (myc_pub_sendv(), Python's
 *                             publish_many(), OCaml's send_many), then
 *                             receive them one by one; per message, minus
 *                             the C burst's ("burst" role)
 *
 * Those publish and receive bytes; with a generated message class:
 *
 *   bind-loop-py-msg          the same loop publishing a trading.yaml Quote
 *                             instance (pack: every field checked) and
 *                             receiving a decoded Quote (unpack: checked),
 *                             when MYC_BENCH_PY_GEN names the directory of
 *                             the generated trading.py ("loop-msg" role)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "myc.h"
#include "bench.h"

#define BB_TYPE		0x7e01
#define BB_SIZE		64
#define BB_GAP_NS	200000
#define BB_MAX_MSGS	50000

/* Every side declares the topic the same way (a ring's creator wins). */
static struct myc_bus *bb_bus(const char *dom)
{
	struct myc_bus_opts o = { .sz = sizeof(o), .name = "bench-bind",
				  .ring_domain = dom };
	struct myc_topic_opts t = { .sz = sizeof(t), .policy = MYC_LOSSLESS,
				    .depth = 1024, .max_size = BB_SIZE };
	struct myc_bus *bus = myc_bus_new(&o);

	if (bus && myc_bus_topic(bus, BB_TYPE, &t)) {
		myc_bus_free(bus);
		return NULL;
	}
	return bus;
}

static int c_pub(const char *dom, uint64_t n)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = 10000 };
	struct myc_bus *bus = bb_bus(dom);
	struct myc_pub *pub = bus ? myc_pub_new(bus, BB_TYPE, &po) : NULL;
	uint64_t buf[BB_SIZE / 8] = { 0 }, next;
	int r = pub ? 0 : -1;

	next = bench_now_ns();
	for (uint64_t i = 0; !r && i < n; i++) {
		/* sleep, not spin: the subscriber process has two threads
		 * (ring receive thread, subscriber) for the other core */
		struct timespec ts = { .tv_sec = next / 1000000000ull,
				       .tv_nsec = next % 1000000000ull };

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		next += BB_GAP_NS;
		buf[1] = i;
		buf[0] = bench_now_ns();
		r = myc_pub_send(pub, buf, sizeof(buf));
	}
	myc_pub_free(pub);
	myc_bus_free(bus);
	return r;
}

/* Prints one latency (ns) per line on stdout, like the other languages. */
static int c_sub(const char *dom, uint64_t n, const char *ready)
{
	struct myc_sub_opts so = { .sz = sizeof(so) };
	struct myc_bus *bus = bb_bus(dom);
	struct myc_sub *sub = bus ? myc_sub_new(bus, BB_TYPE, &so) : NULL;
	FILE *f = fopen(ready, "w");
	int r = sub && f && !fclose(f) ? 0 : -1;

	for (uint64_t i = 0; !r && i < n; i++) {
		struct myc_msg *m;
		uint64_t now, ts;

		r = myc_sub_recv(sub, &m, 10000);
		if (r)
			break;
		now = bench_now_ns();
		memcpy(&ts, myc_msg_data(m), sizeof(ts));
		myc_msg_release(m);
		printf("%llu\n", (unsigned long long)(now - ts));
	}
	fflush(stdout);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return r;
}

/* Start one side: the C code in a child, or "CMD ROLE DOMAIN N READY". */
static pid_t side(const char *cmd, const char *role, const char *dom, uint64_t n,
		  const char *ready, int out_fd, int cpu)
{
	char line[4096];
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	/* Not pinned: the subscriber's two threads must not share a core. */
	(void)cpu;
	if (out_fd >= 0)
		dup2(out_fd, 1);
	if (!cmd)
		_exit(!strcmp(role, "pub") ? !!c_pub(dom, n) : !!c_sub(dom, n, ready));
	snprintf(line, sizeof(line), "exec %s %s %s %llu %s", cmd, role, dom,
		 (unsigned long long)n, ready);
	execl("/bin/sh", "sh", "-c", line, (char *)NULL);
	_exit(127);
}

/*
 * One round of one scenario: @n messages of which the first @warm are
 * discarded; the rest are appended to @pool and this round's p50 is
 * returned in @p50.  0 or -errno.
 */
static int scenario_round(const char *name, const char *pub_cmd, const char *sub_cmd,
			  uint64_t warm, uint64_t n, struct bench_samples *pool,
			  uint64_t *p50)
{
	char dom[64], ready[128];
	uint64_t v, got = 0;
	struct bench_samples s;
	struct bench_result r = { 0 };
	int fds[2], st, bad = 0;
	pid_t sp, pp;
	FILE *in;

	snprintf(dom, sizeof(dom), "bbind-%d", (int)getpid());
	snprintf(ready, sizeof(ready), "/tmp/myc-bbind-%d.ready", (int)getpid());
	unlink(ready);
	if (bench_samples_init(&s, n - warm))
		return -ENOMEM;
	if (pipe(fds)) {
		bench_samples_free(&s);
		return -errno;
	}
	sp = side(sub_cmd, "sub", dom, n, ready, fds[1], -1);
	close(fds[1]);
	if (sp < 0) {
		close(fds[0]);
		bench_samples_free(&s);
		return -errno;
	}
	for (int i = 0; i < 3000 && access(ready, F_OK); i++)
		usleep(10000);
	pp = side(pub_cmd, "pub", dom, n, ready, -1, -1);
	if (pp < 0)
		kill(sp, SIGTERM);	/* never waitpid(-1): it would reap any child */
	in = fdopen(fds[0], "r");
	while (in && fscanf(in, "%llu", (unsigned long long *)&v) == 1)
		if (got++ >= warm) {
			bench_samples_add(&s, v);
			bench_samples_add(pool, v);
		}
	if (in)
		fclose(in);
	if (pp < 0 || waitpid(pp, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		bad = 1;
	if (waitpid(sp, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		bad = 1;
	unlink(ready);
	if (bad || got != n) {
		fprintf(stderr, "bench bindings: %s failed (%llu of %llu messages)\n", name,
			(unsigned long long)got, (unsigned long long)n);
		bench_samples_free(&s);
		return -EIO;
	}
	bench_percentiles(&s, &r);
	*p50 = r.p50_ns;
	bench_samples_free(&s);
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

#define BB_ROUNDS	5
#define BB_SCENARIOS	5

static const struct {
	const char *name;
	int pub, sub;	/* 0 = C, 1 = Python, 2 = OCaml */
} bb_sc[BB_SCENARIOS] = {
	{ "bind-c-c", 0, 0 },		/* the baseline: first, always run */
	{ "bind-py-c", 1, 0 }, { "bind-c-py", 0, 1 },
	{ "bind-ml-c", 2, 0 }, { "bind-c-ml", 0, 2 },
};

/*
 * The one-way scenarios, interleaved: BB_ROUNDS rounds, each running every
 * selected scenario back to back on msgs / BB_ROUNDS messages (fresh
 * processes, warm-up each round).  The load of this shared machine drifts
 * over seconds, moving every p50 by microseconds; scenarios of one round
 * see nearly the same load, so "overhead_ns" is the median over rounds of
 * the round's p50 minus bind-c-c's p50 of the same round (paired), with
 * the smallest and largest in "overhead_min_ns"/"overhead_max_ns".  The
 * percentiles are over the samples of all rounds.
 */
static int oneway_run(const struct bench_opts *o, const char *const cmd[3])
{
	uint64_t msgs = o->msgs < BB_MAX_MSGS ? o->msgs : BB_MAX_MSGS;
	uint64_t warm = o->warmup < BB_MAX_MSGS / 10 ? o->warmup : BB_MAX_MSGS / 10;
	uint64_t per = msgs / BB_ROUNDS ? msgs / BB_ROUNDS : 1, rwarm, p50[BB_SCENARIOS];
	struct bench_samples pool[BB_SCENARIOS];
	long long diff[BB_SCENARIOS][BB_ROUNDS];
	bool on[BB_SCENARIOS];
	int err = 0, r;

	/* every round starts new processes: each gets its share of warm-up */
	rwarm = warm / BB_ROUNDS ? warm / BB_ROUNDS : (warm ? 1 : 0);
	for (int i = 0; i < BB_SCENARIOS; i++) {
		int lang = bb_sc[i].pub ? bb_sc[i].pub : bb_sc[i].sub;

		on[i] = !i || bench_selected(o, bb_sc[i].name);
		if (on[i] && lang && !cmd[lang]) {
			fprintf(stderr, "bench bindings: %s skipped (%s not set; "
				"scripts/bench-bindings.sh sets it)\n", bb_sc[i].name,
				lang == 1 ? "MYC_BENCH_PY" : "MYC_BENCH_OCAML");
			on[i] = false;
		}
		if (bench_samples_init(&pool[i], per * BB_ROUNDS)) {
			while (i--)
				bench_samples_free(&pool[i]);
			return -ENOMEM;
		}
	}
	for (int round = 0; round < BB_ROUNDS && !err; round++)
		for (int i = 0; i < BB_SCENARIOS && !err; i++) {
			if (!on[i])
				continue;
			r = scenario_round(bb_sc[i].name, cmd[bb_sc[i].pub], cmd[bb_sc[i].sub],
					   rwarm, rwarm + per, &pool[i], &p50[i]);
			if (r && !i) {
				err = r;	/* no baseline, no overheads */
			} else if (r) {
				on[i] = false;
				fprintf(stderr, "bench bindings: %s dropped\n", bb_sc[i].name);
			}
			diff[i][round] = (long long)p50[i] - (long long)p50[0];
		}
	for (int i = 0; i < BB_SCENARIOS && !err; i++) {
		struct bench_result res = { .name = bb_sc[i].name, .size = BB_SIZE };
		char extra[160];

		if (!on[i])
			continue;
		bench_percentiles(&pool[i], &res);
		if (i) {
			qsort(diff[i], BB_ROUNDS, sizeof(diff[i][0]), cmp_ll);
			snprintf(extra, sizeof(extra), "\"overhead_ns\":%lld,"
				 "\"overhead_min_ns\":%lld,\"overhead_max_ns\":%lld,\"rounds\":%d",
				 diff[i][BB_ROUNDS / 2], diff[i][0], diff[i][BB_ROUNDS - 1],
				 BB_ROUNDS);
			res.extra = extra;
		}
		bench_report(o, &res);
	}
	for (int i = 0; i < BB_SCENARIOS; i++)
		bench_samples_free(&pool[i]);
	return err;
}

/* Messages per call in the bind-burst scenarios. */
#define BB_BURST	16

/* The C side of bind-loop-c (@burst 1: myc_pub_send()) and bind-burst-c
 * (myc_pub_sendv() of @burst messages); @n is a multiple of @burst.
 * Returns the ns taken, 0 if any message was not received. */
static uint64_t c_loop(uint64_t n, unsigned int burst)
{
	struct myc_topic_opts t = { .sz = sizeof(t), .depth = 1024, .max_size = BB_SIZE };
	struct myc_bus_opts bo = { .sz = sizeof(bo), .name = "bench-loop-c" };
	struct myc_bus *bus = myc_bus_new(&bo);
	struct myc_pub *pub = NULL;
	struct myc_sub *sub = NULL;
	uint64_t buf[BB_SIZE / 8] = { 0 }, t0, dt = 0, got = 0;
	struct myc_iov iov[BB_BURST];
	struct myc_msg *m;

	for (unsigned int k = 0; k < BB_BURST; k++)
		iov[k] = (struct myc_iov){ buf, sizeof(buf) };

	if (bus && !myc_bus_topic(bus, BB_TYPE, &t)) {
		pub = myc_pub_new(bus, BB_TYPE, NULL);
		sub = myc_sub_new(bus, BB_TYPE, NULL);
	}
	if (pub && sub) {
		t0 = bench_now_ns();
		for (uint64_t i = 0; i < n; i += burst) {
			if (burst == 1)
				myc_pub_send(pub, buf, sizeof(buf));
			else
				myc_pub_sendv(pub, iov, burst);
			for (unsigned int k = 0; k < burst; k++)
				if (!myc_sub_recv(sub, &m, 0)) {
					myc_msg_release(m);
					got++;
				}
		}
		dt = got == n ? bench_now_ns() - t0 : 0;
	}
	myc_sub_free(sub);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return dt;
}

/* "CMD ROLE - N -": the program prints its total ns. */
static uint64_t cmd_loop(const char *cmd, const char *role, uint64_t n)
{
	unsigned long long v = 0;
	char line[4096];
	FILE *f;

	snprintf(line, sizeof(line), "exec %s %s - %llu -", cmd, role,
		 (unsigned long long)n);
	fflush(NULL);
	f = popen(line, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	return pclose(f) ? 0 : v;
}

static void loop_report(const struct bench_opts *o, const char *name, uint64_t n,
			uint64_t ns, uint64_t base_ns)
{
	struct bench_result r = { .name = name, .size = BB_SIZE };
	char extra[96];
	double per = (double)ns / n;

	r.msgs_per_s = per > 0 ? 1e9 / per : 0;
	if (base_ns)
		snprintf(extra, sizeof(extra), "\"ns_per_msg\":%.1f,\"overhead_ns\":%.1f", per,
			 per - (double)base_ns / n);
	else
		snprintf(extra, sizeof(extra), "\"ns_per_msg\":%.1f", per);
	r.extra = extra;
	bench_report(o, &r);
}

/* One kind of loop (@role "loop" or "burst") in C, then in the other
 * languages, each reported against the C one (the baseline, reported
 * whenever any of the kind is selected). */
static int loop_kind(const struct bench_opts *o, const char *const cmd[3],
		     const char *role, const char *const names[3],
		     unsigned int burst)
{
	/* whole bursts: counts rounded up (--msgs is at least 1) */
	uint64_t n = (o->msgs + burst - 1) / burst * burst, base, ns;
	bool sel[3], any;
	int err = 0;

	any = sel[0] = bench_selected(o, names[0]);
	for (int l = 1; l < 3; l++)
		any |= sel[l] = cmd[l] && bench_selected(o, names[l]);
	if (!any)
		return 0;
	/* warm up (page faults, interpreter start-up excluded: timed inside) */
	c_loop((o->warmup + burst - 1) / burst * burst, burst);
	base = c_loop(n, burst);
	if (!base)
		return -EIO;
	loop_report(o, names[0], n, base, 0);
	for (int l = 1; l < 3; l++) {
		if (!sel[l])
			continue;
		ns = cmd_loop(cmd[l], role, n);
		if (!ns) {
			fprintf(stderr, "bench bindings: %s failed\n", names[l]);
			err = -EIO;
			continue;
		}
		loop_report(o, names[l], n, ns, base);
	}
	return err;
}

static int loops_run(const struct bench_opts *o, const char *const cmd[3])
{
	static const char *const loops[3] = { "bind-loop-c", "bind-loop-py", "bind-loop-ml" };
	static const char *const bursts[3] = { "bind-burst-c", "bind-burst-py", "bind-burst-ml" };
	uint64_t base, ns;
	int err, e;

	err = loop_kind(o, cmd, "loop", loops, 1);
	e = loop_kind(o, cmd, "burst", bursts, BB_BURST);
	if (e)
		err = e;
	if (cmd[1] && getenv("MYC_BENCH_PY_GEN") && bench_selected(o, "bind-loop-py-msg")) {
		base = c_loop(o->msgs, 1);
		ns = base ? cmd_loop(cmd[1], "loop-msg", o->msgs) : 0;
		if (ns)
			loop_report(o, "bind-loop-py-msg", o->msgs, ns, base);
		else
			err = -EIO;
	}
	return err;
}

static int bindings_run(const struct bench_opts *o)
{
	const char *py = getenv("MYC_BENCH_PY"), *ml = getenv("MYC_BENCH_OCAML");
	const char *cmd[3] = { NULL, py && *py ? py : NULL, ml && *ml ? ml : NULL };
	int r, err;

	err = oneway_run(o, cmd);
	r = loops_run(o, cmd);
	return err ? err : r;
}

MYC_BENCH(bindings, .name = "bindings",
	  .summary = "C/Python/OCaml publish -> subscribe over the ring bridge, one-way",
	  .run = bindings_run);
