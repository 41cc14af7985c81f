// SPDX-License-Identifier: MIT
/*
 * myc bench shm: shared-memory rings between two processes pinned to two
 * cores, against same-run baselines.
 *
 *   raw-spin    cross-process cache-line ping-pong over shared memory
 *   raw-spin-96 the same with a 96-byte record (two lines) each way
 *               (both move through RAW_PAIRS places during the run, below)
 *   shm         ring ping-pong, consumers spinning          (64 B, 1 KiB)
 *   raw-futex   cross-process futex ping-pong (wake every time)
 *   shm-sleep   ring ping-pong, consumers sleep at once     (64 B, 1 KiB)
 *   shm-tput    1 producer -> 1 consumer, 64 B, lossless, msgs/s
 *   shm-2x2     2 producers -> 2 consumers (each gets all), msgs/s
 *
 * Latency is half the round trip measured by process A (A -> B on one ring,
 * B -> A on another), so baselines and rings are measured the same way.
 * "syscalls_per_msg" counts the futex calls both sides made per message
 * (myc_ring_info().handle_syscalls), zero while consumers spin.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "myc.h"
#include "bench.h"

#define LINE	128

/*
 * The raw handoffs' places.  What one cache line's handoff costs depends on
 * where the line is: measured here, the same ping-pong took 136 to 160 ns
 * (p50) depending on the line pair used, repeatably, while a ring's records
 * pass over all lines.  So the raw ping-pongs move to the next of
 * RAW_PAIRS places every total/RAW_PAIRS messages, and their figures do not
 * hang on where one mapping happened to land (docs/PERFORMANCE.md,
 * "Session 15").  Each place: one record per direction, each on its own
 * pair of lines; raw-spin uses the first word of each as ping and pong.
 */
#define RAW_PAIRS	16

struct raw_place {
	uint64_t ab[16] __attribute__((aligned(LINE)));
	uint64_t ba[16] __attribute__((aligned(LINE)));
};

/* Shared between the benchmark's processes (anonymous shared mapping). */
struct shared {
	struct raw_place place[RAW_PAIRS];
	uint64_t ping __attribute__((aligned(LINE)));	/* children ready */
	uint32_t fping __attribute__((aligned(LINE)));
	uint32_t fpong __attribute__((aligned(LINE)));
	uint64_t child_syscalls __attribute__((aligned(LINE)));
	uint64_t t_first[2], t_last[2];
	int child_err;
};

static struct shared *sh;
static char ring_a[64], ring_b[64];

/* Producer options: MYC_BENCH_NO_TS=1 in the environment drops the frame
 * timestamp (MYC_RING_O_NO_TIMESTAMP) to show what the clock read costs.
 * MYC_BENCH_LOSSLESS=1 makes the ping-pong rings (shm, shm-sleep)
 * lossless instead of lossy (the lossy reader's lap check is the only
 * difference on that path; docs/PERFORMANCE.md "Write bound"). */
static const struct myc_ring_opts *prod_opts(void)
{
	static struct myc_ring_opts ro = { .sz = sizeof(ro) };

	ro.flags = getenv("MYC_BENCH_NO_TS") ? MYC_RING_O_NO_TIMESTAMP : 0;
	return &ro;
}

static long futex(uint32_t *u, int op, uint32_t v)
{
	return syscall(SYS_futex, u, op, v, NULL, NULL, 0);
}

static pid_t spawn(int cpu, int (*fn)(const struct bench_opts *, void *),
		   const struct bench_opts *o, void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		bench_pin(cpu);
		_exit(fn(o, arg) ? 1 : 0);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -ECHILD;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

static uint64_t total(const struct bench_opts *o)
{
	return o->warmup + o->msgs;
}

/* The place of raw message @i (1 .. total). */
static struct raw_place *place_of(const struct bench_opts *o, uint64_t i)
{
	return &sh->place[(i - 1) * RAW_PAIRS / total(o)];
}

/* ------------------------------------------------------------------------ */

static int raw_spin_b(const struct bench_opts *o, void *arg)
{
	struct raw_place *pl;
	uint64_t i;

	for (i = 1; i <= total(o); i++) {
		pl = place_of(o, i);
		while (__atomic_load_n(&pl->ab[0], __ATOMIC_ACQUIRE) != i)
			bench_relax();
		__atomic_store_n(&pl->ba[0], i, __ATOMIC_RELEASE);
	}
	return 0;
}

static int raw_spin(const struct bench_opts *o, struct bench_samples *s)
{
	struct raw_place *pl;
	uint64_t i, t0;
	pid_t pid;

	memset(sh->place, 0, sizeof(sh->place));
	pid = spawn(o->cpu_b, raw_spin_b, o, NULL);
	for (i = 1; i <= total(o); i++) {
		pl = place_of(o, i);
		t0 = bench_now_ns();
		__atomic_store_n(&pl->ab[0], i, __ATOMIC_RELEASE);
		while (__atomic_load_n(&pl->ba[0], __ATOMIC_ACQUIRE) != i)
			bench_relax();
		if (i > o->warmup)
			bench_samples_add(s, (bench_now_ns() - t0) / 2);
	}
	return reap(pid);
}

/*
 * raw-spin-96: like raw-spin, but each side writes a 96-byte record (the
 * span of a 64-byte frame: two cache lines) and the reader copies it after
 * seeing its flag word, the least a ring hop of such a frame must move.
 */
static void rec_put(uint64_t *rec, uint64_t i)
{
	int k;

	for (k = 1; k < 12; k++)
		rec[k] = i + (uint64_t)k;
	__atomic_store_n(&rec[0], i, __ATOMIC_RELEASE);
}

static uint64_t rec_get(uint64_t *rec, uint64_t i)
{
	uint64_t sum = 0;
	int k;

	while (__atomic_load_n(&rec[0], __ATOMIC_ACQUIRE) != i)
		bench_relax();
	for (k = 1; k < 12; k++)
		sum += __atomic_load_n(&rec[k], __ATOMIC_RELAXED);
	return sum;
}

static int raw_spin96_b(const struct bench_opts *o, void *arg)
{
	struct raw_place *pl;
	uint64_t i;

	for (i = 1; i <= total(o); i++) {
		pl = place_of(o, i);
		rec_get(pl->ab, i);
		rec_put(pl->ba, i);
	}
	return 0;
}

static int raw_spin96(const struct bench_opts *o, struct bench_samples *s)
{
	struct raw_place *pl;
	uint64_t i, t0;
	pid_t pid;

	memset(sh->place, 0, sizeof(sh->place));
	pid = spawn(o->cpu_b, raw_spin96_b, o, NULL);
	for (i = 1; i <= total(o); i++) {
		pl = place_of(o, i);
		t0 = bench_now_ns();
		rec_put(pl->ab, i);
		rec_get(pl->ba, i);
		if (i > o->warmup)
			bench_samples_add(s, (bench_now_ns() - t0) / 2);
	}
	return reap(pid);
}

static int raw_futex_b(const struct bench_opts *o, void *arg)
{
	uint32_t i;

	for (i = 1; i <= (uint32_t)total(o); i++) {
		while (__atomic_load_n(&sh->fping, __ATOMIC_ACQUIRE) != i)
			futex(&sh->fping, FUTEX_WAIT, i - 1);
		__atomic_store_n(&sh->fpong, i, __ATOMIC_RELEASE);
		futex(&sh->fpong, FUTEX_WAKE, INT_MAX);
	}
	return 0;
}

static int raw_futex(const struct bench_opts *o, struct bench_samples *s)
{
	uint64_t t0;
	uint32_t i;
	pid_t pid;

	sh->fping = sh->fpong = 0;
	pid = spawn(o->cpu_b, raw_futex_b, o, NULL);
	for (i = 1; i <= (uint32_t)total(o); i++) {
		t0 = bench_now_ns();
		__atomic_store_n(&sh->fping, i, __ATOMIC_RELEASE);
		futex(&sh->fping, FUTEX_WAKE, INT_MAX);
		while (__atomic_load_n(&sh->fpong, __ATOMIC_ACQUIRE) != i)
			futex(&sh->fpong, FUTEX_WAIT, i - 1);
		if (i > o->warmup)
			bench_samples_add(s, (bench_now_ns() - t0) / 2);
	}
	return reap(pid);
}

/* ------------------------------------------------------------------------ */

struct pp {
	uint32_t size;
	uint32_t spin_ns;
};

static uint64_t syscalls_of(struct myc_ring *r)
{
	struct myc_ring_info info = { .sz = sizeof(info) };

	return myc_ring_info(r, &info) ? 0 : info.handle_syscalls;
}

/* B: echo every frame from ring A back on ring B. */
static int ring_pp_b(const struct bench_opts *o, void *arg)
{
	const struct pp *pp = arg;
	struct myc_ring_opts ro = { .sz = sizeof(ro), .spin_ns = pp->spin_ns };
	struct myc_ring *in = myc_ring_open(ring_a, MYC_RING_CONSUMER, &ro);
	struct myc_ring *out = myc_ring_open(ring_b, MYC_RING_PRODUCER,
					     prod_opts());
	unsigned char buf[1024];
	struct myc_frame_hdr h;
	uint64_t i;
	int n = 0;

	if (!in || !out) {
		sh->child_err = errno;
		__atomic_store_n(&sh->ping, 1, __ATOMIC_RELEASE);
		return 1;
	}
	__atomic_store_n(&sh->ping, 1, __ATOMIC_RELEASE);	/* ready */
	for (i = 0; i < total(o); i++) {
		n = myc_ring_recv(in, &h, buf, sizeof(buf), -1);
		if (n < 0 || myc_ring_send(out, h.type, buf, (size_t)n, -1))
			break;
	}
	sh->child_syscalls = syscalls_of(in) + syscalls_of(out);
	myc_ring_free(in);
	myc_ring_free(out);
	return n < 0 ? 1 : 0;
}

static int ring_pp(const struct bench_opts *o, const struct pp *pp,
		   struct bench_samples *s, double *sys_per_msg)
{
	struct myc_ring_opts ro = { .sz = sizeof(ro), .spin_ns = pp->spin_ns };
	struct myc_ring_opts po = *prod_opts();
	struct myc_ring *out, *in;
	unsigned char buf[1024];
	struct myc_frame_hdr h;
	uint64_t i, t0, mine;
	pid_t pid;
	int err = 0;

	memset(buf, 0x5a, sizeof(buf));
	if (getenv("MYC_BENCH_LOSSLESS"))
		ro.policy = po.policy = MYC_LOSSLESS;
	out = myc_ring_open(ring_a, MYC_RING_PRODUCER | MYC_RING_CREATE |
			    MYC_RING_EXCL, &po);
	in = myc_ring_open(ring_b, MYC_RING_CONSUMER | MYC_RING_CREATE |
			   MYC_RING_EXCL, &ro);
	if (!out || !in) {
		err = -errno;
		goto out;
	}
	sh->ping = 0;
	pid = spawn(o->cpu_b, ring_pp_b, o, (void *)pp);
	while (!__atomic_load_n(&sh->ping, __ATOMIC_ACQUIRE))
		bench_relax();
	for (i = 0; i < total(o) && !err; i++) {
		t0 = bench_now_ns();
		err = myc_ring_send(out, 1, buf, pp->size, -1);
		if (!err && myc_ring_recv(in, &h, buf, sizeof(buf), 5000) < 0)
			err = -ETIMEDOUT;
		if (i >= o->warmup)
			bench_samples_add(s, (bench_now_ns() - t0) / 2);
	}
	mine = syscalls_of(in) + syscalls_of(out);
	if (err)
		kill(pid, SIGKILL);
	if (reap(pid) && !err)
		err = -EIO;
	*sys_per_msg = (double)(mine + sh->child_syscalls) / (double)(2 * total(o));
out:
	myc_ring_free(out);
	myc_ring_free(in);
	return err;
}

/* ------------------------------------------------------------------------ */

struct tp {
	uint64_t msgs;		/* per producer */
	int nprod;
	int idx;
};

static int tput_consumer(const struct bench_opts *o, void *arg)
{
	const struct tp *tp = arg;
	struct myc_ring_opts ro = { .sz = sizeof(ro), .spin_ns = 100000000 };
	struct myc_ring *c = myc_ring_open(ring_a, MYC_RING_CONSUMER, &ro);
	uint64_t n = tp->msgs * (uint64_t)tp->nprod, i;
	struct myc_frame_hdr h;
	const void *p;
	int rc = 0;

	if (!c)
		return 1;
	__atomic_add_fetch(&sh->ping, 1, __ATOMIC_SEQ_CST);	/* ready */
	for (i = 0; i < n; i++) {
		/* zero-copy read: the payload is looked at in place */
		rc = myc_ring_peek(c, &h, &p, 10000);
		if (rc < 0)
			break;
		if (i == 0)
			sh->t_first[tp->idx] = bench_now_ns();
		rc = myc_ring_release(c);
		if (rc)
			break;
	}
	sh->t_last[tp->idx] = bench_now_ns();
	myc_ring_free(c);
	return rc < 0 ? 1 : 0;
}

static int tput_producer(const struct bench_opts *o, void *arg)
{
	const struct tp *tp = arg;
	struct myc_ring *p = myc_ring_open(ring_a, MYC_RING_PRODUCER,
					   prod_opts());
	unsigned char buf[64] = { 1 };
	uint64_t i;

	if (!p)
		return 1;
	for (i = 0; i < tp->msgs; i++)
		if (myc_ring_send(p, 1, buf, sizeof(buf), -1))
			return 1;
	myc_ring_free(p);
	return 0;
}

static int tput(const struct bench_opts *o, int n, double *rate)
{
	struct myc_ring_opts ro = {
		.sz = sizeof(ro), .policy = MYC_LOSSLESS, .capacity = 1u << 20,
	};
	struct tp tp[2];
	struct myc_ring *keep;
	pid_t cons[2], prod[2];
	uint64_t first = UINT64_MAX, last = 0;
	int i, err = 0;

	keep = myc_ring_open(ring_a, MYC_RING_CREATE | MYC_RING_EXCL, &ro);
	if (!keep)
		return -errno;
	sh->ping = 0;
	for (i = 0; i < n; i++) {
		tp[i] = (struct tp){ .msgs = o->tput_msgs / (uint64_t)n,
				     .nprod = n, .idx = i };
		cons[i] = spawn(n == 1 ? o->cpu_b : -1, tput_consumer, o, &tp[i]);
	}
	while (__atomic_load_n(&sh->ping, __ATOMIC_ACQUIRE) != (uint64_t)n)
		bench_relax();
	for (i = 0; i < n; i++)
		prod[i] = spawn(n == 1 ? o->cpu_a : -1, tput_producer, o, &tp[i]);
	for (i = 0; i < n; i++)
		err = reap(prod[i]) ? -EIO : err;
	for (i = 0; i < n; i++) {
		err = reap(cons[i]) ? -EIO : err;
		if (sh->t_first[i] < first)
			first = sh->t_first[i];
		if (sh->t_last[i] > last)
			last = sh->t_last[i];
	}
	myc_ring_free(keep);
	*rate = last > first ? (double)(tp[0].msgs * (uint64_t)n) * 1e9 /
		(double)(last - first) : 0;
	return err;
}

/*
 * shm-send: what one producer can do at most, with no other core involved.
 * One process holds a producer and a consumer handle of a 1 MiB lossless
 * ring and alternates 1000 myc_ring_send() of 64 bytes with 1000
 * myc_ring_peek() + myc_ring_release(); each batch gives one sample, the
 * send cost per message (peek + release in the extra member).
 */
#define SEND_BATCH	1000u

static int send_cost(const struct bench_opts *o, struct bench_samples *s,
		     uint64_t *peek_ns)
{
	struct myc_ring_opts ro = {
		.sz = sizeof(ro), .policy = MYC_LOSSLESS, .capacity = 1u << 20,
	};
	uint64_t batches = o->tput_msgs / SEND_BATCH, b, t0, t1, t2;
	struct bench_samples ps = { 0 };
	unsigned char buf[64] = { 1 };
	struct myc_ring *c, *p = NULL;
	struct myc_frame_hdr h;
	const void *pl;
	unsigned int i;
	int err;

	if (batches > s->cap)
		batches = s->cap;
	err = bench_samples_init(&ps, batches);
	if (err)
		return err;
	c = myc_ring_open(ring_a, MYC_RING_CONSUMER | MYC_RING_CREATE |
			  MYC_RING_EXCL, &ro);
	if (c)
		p = myc_ring_open(ring_a, MYC_RING_PRODUCER, prod_opts());
	if (!p) {
		err = -errno;
		goto out;
	}
	for (b = 0; b < batches + 10; b++) {	/* 10 batches of warm-up */
		t0 = bench_now_ns();
		for (i = 0; i < SEND_BATCH; i++)
			if ((err = myc_ring_send(p, 1, buf, sizeof(buf), 0)))
				goto out;
		t1 = bench_now_ns();
		for (i = 0; i < SEND_BATCH; i++) {
			err = myc_ring_peek(c, &h, &pl, 0);
			if (err < 0 || (err = myc_ring_release(c)))
				goto out;
		}
		t2 = bench_now_ns();
		if (b < 10)
			continue;
		bench_samples_add(s, (t1 - t0) / SEND_BATCH);
		bench_samples_add(&ps, (t2 - t1) / SEND_BATCH);
	}
	{
		struct bench_result r = { 0 };

		bench_percentiles(&ps, &r);
		*peek_ns = r.p50_ns;
	}
out:
	myc_ring_free(p);
	myc_ring_free(c);
	bench_samples_free(&ps);
	return err;
}

/* ------------------------------------------------------------------------ */

static int report_lat(const struct bench_opts *o, const char *name,
		      uint32_t size, struct bench_samples *s, const char *extra)
{
	struct bench_result r = { .name = name, .size = size, .extra = extra };

	bench_percentiles(s, &r);
	bench_report(o, &r);
	s->n = 0;
	return 0;
}

static int bench_shm(const struct bench_opts *o)
{
	static const uint32_t sizes[] = { 64, 1024 };
	struct bench_samples s;
	char extra[64];
	double spm = 0, rate = 0;
	unsigned int k;
	int err = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -errno;
	snprintf(ring_a, sizeof(ring_a), "bench-%d-a", (int)getpid());
	snprintf(ring_b, sizeof(ring_b), "bench-%d-b", (int)getpid());
	err = bench_samples_init(&s, o->msgs);
	if (err)
		goto out;
	bench_pin(o->cpu_a);
	if (bench_selected(o, "raw-spin")) {
		err = raw_spin(o, &s);
		if (err)
			goto out;
		report_lat(o, "raw-spin", 8, &s, NULL);
	}
	if (bench_selected(o, "raw-spin-96")) {
		err = raw_spin96(o, &s);
		if (err)
			goto out;
		report_lat(o, "raw-spin-96", 96, &s, NULL);
	}
	/* Each ping-pong right after its baseline, the spinning ones first:
	 * measured right after the sleeping ones, the spinning ring's p99.9
	 * was 30 ns higher (docs/PERFORMANCE.md, "Session 15"). */
	for (k = 0; k < 2; k++) {
		const char *name = k ? "shm-sleep" : "shm";
		unsigned int i;

		if (k && bench_selected(o, "raw-futex")) {
			err = raw_futex(o, &s);
			if (err)
				goto out;
			report_lat(o, "raw-futex", 4, &s, NULL);
		}
		if (!bench_selected(o, name))
			continue;
		for (i = 0; i < 2; i++) {
			struct pp pp = { .size = sizes[i],
					 .spin_ns = k ? 0 : 1000000000u };

			err = ring_pp(o, &pp, &s, &spm);
			if (err)
				goto out;
			snprintf(extra, sizeof(extra), "\"syscalls_per_msg\":%.3f", spm);
			report_lat(o, name, sizes[i], &s, extra);
		}
	}
	if (bench_selected(o, "shm-tput")) {
		err = tput(o, 1, &rate);
		if (err)
			goto out;
		bench_report(o, &(struct bench_result){ .name = "shm-tput",
			     .size = 64, .msgs_per_s = rate });
	}
	if (bench_selected(o, "shm-send")) {
		uint64_t peek_ns = 0;

		err = send_cost(o, &s, &peek_ns);
		if (err)
			goto out;
		snprintf(extra, sizeof(extra), "\"peek_release_ns\":%llu",
			 (unsigned long long)peek_ns);
		report_lat(o, "shm-send", 64, &s, extra);
	}
	if (bench_selected(o, "shm-2x2")) {
		err = tput(o, 2, &rate);
		if (err)
			goto out;
		bench_report(o, &(struct bench_result){ .name = "shm-2x2",
			     .size = 64, .msgs_per_s = rate });
	}
out:
	bench_samples_free(&s);
	munmap(sh, sizeof(*sh));
	return err;
}

MYC_BENCH(shm, .name = "shm",
	  .summary = "shared-memory rings between two pinned processes vs raw-spin/raw-futex",
	  .run = bench_shm);
