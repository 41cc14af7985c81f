// SPDX-License-Identifier: MIT
/* myc bench: option parsing, statistics and reporting shared by all groups. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "cmd.h"

extern const struct bench_group __start_myc_bench[] __attribute__((weak));
extern const struct bench_group __stop_myc_bench[] __attribute__((weak));

int bench_samples_init(struct bench_samples *s, size_t cap)
{
	s->ns = calloc(cap ? cap : 1, sizeof(*s->ns));
	s->n = 0;
	s->cap = cap;
	return s->ns ? 0 : -ENOMEM;
}

void bench_samples_free(struct bench_samples *s)
{
	free(s->ns);
	s->ns = NULL;
	s->n = s->cap = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const struct bench_samples *s, double p)
{
	size_t i;

	if (!s->n)
		return 0;
	i = (size_t)(p * (double)(s->n - 1) + 0.5);
	return s->ns[i < s->n ? i : s->n - 1];
}

void bench_percentiles(struct bench_samples *s, struct bench_result *r)
{
	qsort(s->ns, s->n, sizeof(*s->ns), cmp_u64);
	r->p50_ns = pct(s, 0.50);
	r->p99_ns = pct(s, 0.99);
	r->p999_ns = pct(s, 0.999);
	r->max_ns = s->n ? s->ns[s->n - 1] : 0;
}

/*
 * --rounds: every report of a scenario (name and size) is kept, and after
 * the last round one line per scenario gives the median of each figure
 * over the rounds that reported it (of an even count, the mean of the
 * middle two), the extra members of its last round and "rounds": their
 * number.  On this kind of machine a tail figure moves by whole
 * microseconds from one run to the next; the median of alternated rounds
 * is the figure docs/PERFORMANCE.md compares.
 */
#define FIG_N	5	/* p50, p99, p99.9, max, msgs/s */

/* One table row or JSON line: the figures in whole ns, or, for the
 * medians of @rounds rounds (> 0), to a tenth, with "rounds". */
static void print_row(const struct bench_opts *o, const char *name,
		      uint32_t size, const double fig[FIG_N],
		      unsigned int rounds, const char *extra)
{
	int d = rounds ? 1 : 0;
	char rs[32] = "";

	if (o->json) {
		if (rounds)
			snprintf(rs, sizeof(rs), ",\"rounds\":%u", rounds);
		printf("{\"name\":\"%s\",\"size\":%u,\"p50_ns\":%.*f,"
		       "\"p99_ns\":%.*f,\"p999_ns\":%.*f,\"max_ns\":%.*f,"
		       "\"msgs_per_s\":%.0f%s%s%s}\n",
		       name, size, d, fig[0], d, fig[1], d, fig[2], d, fig[3],
		       fig[4], rs, extra && *extra ? "," : "",
		       extra ? extra : "");
	} else {
		if (rounds)
			snprintf(rs, sizeof(rs), "  rounds %u", rounds);
		printf("%-18s %6u %9.*f %9.*f %9.*f %10.*f %14.0f%s%s%s\n",
		       name, size, d, fig[0], d, fig[1], d, fig[2], d, fig[3],
		       fig[4], rs, extra && *extra ? "  " : "",
		       extra ? extra : "");
	}
	fflush(stdout);
}

struct kept {
	char name[64];
	uint32_t size;
	char extra[256];
	unsigned int n;
	double *fig[FIG_N];	/* [figure][round] */
};

static void figures(const struct bench_result *r, double v[FIG_N])
{
	v[0] = (double)r->p50_ns;
	v[1] = (double)r->p99_ns;
	v[2] = (double)r->p999_ns;
	v[3] = (double)r->max_ns;
	v[4] = r->msgs_per_s;
}

static struct kept *kept;
static size_t nkept;

static struct kept *kept_find(const struct bench_result *r, unsigned int rounds)
{
	struct kept *k;
	size_t i;
	int f;

	for (i = 0; i < nkept; i++)
		if (kept[i].size == r->size && !strcmp(kept[i].name, r->name))
			return &kept[i];
	k = realloc(kept, (nkept + 1) * sizeof(*kept));
	if (!k)
		return NULL;
	kept = k;
	k = &kept[nkept];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", r->name);
	k->size = r->size;
	for (f = 0; f < FIG_N; f++) {
		k->fig[f] = calloc(rounds, sizeof(double));
		if (!k->fig[f]) {
			while (f--)
				free(k->fig[f]);
			return NULL;
		}
	}
	nkept++;
	return k;
}

static void keep(const struct bench_opts *o, const struct bench_result *r)
{
	struct kept *k = kept_find(r, o->rounds);
	double v[FIG_N];
	int f;

	figures(r, v);
	if (!k) {
		fprintf(stderr, "myc bench: out of memory: %s not kept\n", r->name);
		return;
	}
	/* More reports than rounds (a group that reports one scenario twice
	 * per round): the later ones are dropped. */
	if (k->n == o->rounds)
		return;
	for (f = 0; f < FIG_N; f++)
		k->fig[f][k->n] = v[f];
	k->n++;
	snprintf(k->extra, sizeof(k->extra), "%s", r->extra ? r->extra : "");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_kept(const struct bench_opts *o)
{
	size_t i;
	int f;

	for (i = 0; i < nkept; i++) {
		struct kept *k = &kept[i];
		double m[FIG_N];

		for (f = 0; f < FIG_N; f++)
			m[f] = median(k->fig[f], k->n);
		print_row(o, k->name, k->size, m, k->n, k->extra);
		for (f = 0; f < FIG_N; f++)
			free(k->fig[f]);
	}
	free(kept);
	kept = NULL;
	nkept = 0;
	fflush(stdout);
}

void bench_report(const struct bench_opts *o, const struct bench_result *r)
{
	double v[FIG_N];

	if (o->rounds > 1) {
		keep(o, r);
		return;
	}
	figures(r, v);
	print_row(o, r->name, r->size, v, 0, r->extra);
}

/* Scenarios --only let through (a selection that runs nothing is an
 * error, not an empty table). */
static unsigned int bench_nselected;

/* Does the --only item [@item, @item + @len) select @name?  NAME: the
 * scenarios whose name contains NAME; =NAME: the scenario named NAME. */
static bool item_selects(const char *item, size_t len, const char *name)
{
	if (item[0] == '=')
		return strlen(name) == len - 1 && !strncmp(name, item + 1, len - 1);
	return len && memmem(name, strlen(name), item, len);
}

/* --only ITEM[,ITEM...]: the scenarios any item selects. */
bool bench_selected(const struct bench_opts *o, const char *name)
{
	const char *p = o->only;
	bool yes = false;

	if (!p)
		return true;
	for (;;) {
		size_t len = strcspn(p, ",");

		yes = yes || item_selects(p, len, name);
		if (!p[len])
			break;
		p += len + 1;
	}
	bench_nselected += yes;
	return yes;
}

int bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char bench_usage[] =
	"[--json] [--msgs N] [--warmup N] [--tput-msgs N] [--cpus A,B] "
	"[--only [=]NAME[,...]] [--rounds N] GROUP...\n"
	"  GROUP: all, or one of the groups listed by 'myc bench --list'\n"
	"  --only NAME[,NAME...]: scenarios whose name contains a NAME\n"
	"              (=NAME: exactly)\n"
	"  --rounds N: run the groups N times in turn (at most 1000) and report\n"
	"              the median of each figure over the rounds";

static int bench_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "msgs", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "tput-msgs", required_argument, NULL, 't' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bench_opts o = {
		.msgs = 200000, .warmup = 20000, .tput_msgs = 10000000,
		.cpu_a = 0, .cpu_b = 1, .rounds = 1,
	};
	const struct bench_group *g;
	unsigned int r;
	int c, ret = 0, i;
	char *end;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'n':
		case 'w':
		case 'r':
		case 't': {
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || !v) {
				fprintf(stderr, "myc bench: bad count '%s'\n", optarg);
				return MYC_EXIT_USAGE;
			}
			if (c == 'r' && v > 1000) {
				fprintf(stderr, "myc bench: --rounds %s: at most 1000\n",
					optarg);
				return MYC_EXIT_USAGE;
			}
			if (c == 'r')
				o.rounds = (unsigned int)v;
			else if (c == 'n')
				o.msgs = v;
			else if (c == 'w')
				o.warmup = v;
			else
				o.tput_msgs = v;
			break;
		}
		case 'c':
			if (sscanf(optarg, "%d,%d", &o.cpu_a, &o.cpu_b) != 2 ||
			    o.cpu_a < -1 || o.cpu_b < -1) {
				fprintf(stderr, "myc bench: --cpus wants A,B (or -1,-1 to not pin)\n");
				return MYC_EXIT_USAGE;
			}
			break;
		case 'o':
			o.only = optarg;
			break;
		case 'l':
			for (g = __start_myc_bench; g < __stop_myc_bench; g++)
				printf("%-10s %s\n", g->name, g->summary);
			return MYC_EXIT_OK;
		default:
			return myc_usage("bench");
		}
	}
	if (optind >= argc)
		return myc_usage("bench");
	for (i = optind; i < argc; i++) {
		bool all = !strcmp(argv[i], "all"), found = all;

		for (g = __start_myc_bench; g < __stop_myc_bench; g++)
			if (all || !strcmp(g->name, argv[i]))
				found = true;
		if (!found) {
			fprintf(stderr, "myc bench: unknown group '%s' (see --list)\n",
				argv[i]);
			return MYC_EXIT_USAGE;
		}
	}
	if (!o.json)
		printf("%-18s %6s %9s %9s %9s %10s %14s\n", "scenario", "size",
		       "p50_ns", "p99_ns", "p999_ns", "max_ns", "msgs_per_s");
	for (r = 0; r < o.rounds; r++) {
		for (i = optind; i < argc; i++) {
			bool all = !strcmp(argv[i], "all");

			for (g = __start_myc_bench; g < __stop_myc_bench; g++) {
				if (!all && strcmp(g->name, argv[i]))
					continue;
				c = g->run(&o);
				if (c) {
					fprintf(stderr, "myc bench %s: failed: %s\n",
						g->name, strerror(c < 0 ? -c : c));
					ret = MYC_EXIT_FAIL;
				}
			}
		}
	}
	if (o.rounds > 1)
		print_kept(&o);
	if (o.only && !bench_nselected) {
		fprintf(stderr, "myc bench: --only '%s' matches no scenario of the "
			"groups given\n", o.only);
		ret = MYC_EXIT_USAGE;
	}
	return ret;
}

MYC_COMMAND(bench, .name = "bench",
	    .summary = "measure latency percentiles and throughput against raw baselines",
	    .usage = bench_usage, .run = bench_main);
