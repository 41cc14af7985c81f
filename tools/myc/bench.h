/* SPDX-License-Identifier: MIT */
/*
 * myc bench: shared measurement helpers.  A benchmark group (inproc, shm,
 * unix, tcp, ...) registers with MYC_BENCH() and reports each scenario
 * through bench_report(), which prints a table row or, with --json, one JSON
 * object per line:
 *   {"name":..., "size":..., "p50_ns":..., "p99_ns":..., "p999_ns":...,
 *    "max_ns":..., "msgs_per_s":...}
 * Baselines (raw-spin, raw-futex, raw-unix, raw-tcp) are reported the same
 * way in the same run, so results are ratios measured side by side.  With
 * --rounds N the groups run N times in turn and each scenario is reported
 * once at the end, with the median of each figure over the rounds and a
 * "rounds" member.
 */
#ifndef MYC_TOOL_BENCH_H
#define MYC_TOOL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_opts {
	bool json;
	uint64_t msgs;		/* latency samples per scenario, after warm-up */
	uint64_t warmup;	/* messages discarded before measuring */
	uint64_t tput_msgs;	/* messages per throughput run */
	int cpu_a, cpu_b;	/* cores to pin the two sides to */
	unsigned int rounds;	/* runs of every group, alternated */
	const char *only;	/* run only the scenarios it selects
				 * (bench_selected()): comma-separated items,
				 * each part of a name or "=NAME", a name */
};

struct bench_group {
	const char *name;	/* "inproc", "shm", ... */
	const char *summary;
	int (*run)(const struct bench_opts *opts);
};

#define MYC_BENCH(id, ...)						\
	static const struct bench_group myc_bench_##id			\
	__attribute__((used, section("myc_bench"), aligned(8))) = { __VA_ARGS__ }

/* A set of latency samples in nanoseconds. */
struct bench_samples {
	uint64_t *ns;
	size_t n, cap;
};

int bench_samples_init(struct bench_samples *s, size_t cap);
void bench_samples_free(struct bench_samples *s);
static inline void bench_samples_add(struct bench_samples *s, uint64_t ns)
{
	if (s->n < s->cap)
		s->ns[s->n++] = ns;
}

struct bench_result {
	const char *name;	/* scenario, e.g. "inproc", "raw-spin" */
	uint32_t size;		/* message payload bytes */
	uint64_t p50_ns, p99_ns, p999_ns, max_ns;	/* 0 when not measured */
	double msgs_per_s;	/* 0 when not measured */
	const char *extra;	/* optional extra JSON members, e.g.
				 * "\"syscalls_per_msg\":0.0" */
};

/* Sort @s and fill the percentile fields of @r. */
void bench_percentiles(struct bench_samples *s, struct bench_result *r);
/* Print one result (table row or JSON line). */
void bench_report(const struct bench_opts *o, const struct bench_result *r);
/* Does --only select scenario @name? */
bool bench_selected(const struct bench_opts *o, const char *name);

/* Pin the calling thread to @cpu (ignored if < 0).  Returns 0 or -errno. */
int bench_pin(int cpu);
/* Monotonic clock in ns (CLOCK_MONOTONIC; comparable across processes). */
uint64_t bench_now_ns(void);

static inline void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif
