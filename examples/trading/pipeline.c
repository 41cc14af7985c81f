// SPDX-License-Identifier: MIT
/*
 * The in-process trading pipeline: feed -> strategy -> risk -> execution,
 * each stage a thread on one bus, plus an inline "blotter" that counts
 * fills and rejects synchronously on the publishing thread.  Runs for a
 * few seconds and prints per-stage counts and the end-to-end latency
 * (quote published by the feed -> order received by execution).
 *
 * This is the --inproc variant; without it main() runs the multi-process
 * pipeline of procs.c.
 *
 * usage: trading-pipeline [--inproc] [--seconds N] [--rate QUOTES_PER_S]
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgs.h"
#include "stages.h"

struct stage_thread {
	pthread_t th;
	struct stage_ctl ctl;
	int (*run)(struct stage_thread *s);
	void *stats;
	const struct feed_cfg *cfg;
};

static int run_feed(struct stage_thread *s) { return feed_run(&s->ctl, s->cfg, s->stats); }
static int run_strategy(struct stage_thread *s) { return strategy_run(&s->ctl, s->stats); }
static int run_risk(struct stage_thread *s) { return risk_run(&s->ctl, s->stats); }
static int run_execution(struct stage_thread *s) { return execution_run(&s->ctl, s->stats); }

static void *stage_main(void *arg)
{
	struct stage_thread *s = arg;

	s->ctl.err = s->run(s);
	return NULL;
}

struct blotter { uint64_t fills, rejects; };

static void on_fill(const struct myc_msg *m, void *ctx)
{
	((struct blotter *)ctx)->fills++;
}

static void on_reject(const struct myc_msg *m, void *ctx)
{
	((struct blotter *)ctx)->rejects++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const uint64_t *v, uint64_t n, double p)
{
	return n ? v[(uint64_t)(p * (double)(n - 1) + 0.5)] : 0;
}

int main(int argc, char **argv)
{
	struct feed_cfg cfg = { .rate = 200000, .seconds = 3 };
	struct feed_stats fs = { 0 };
	struct strategy_stats ss = { 0 };
	struct risk_stats rs = { 0 };
	struct exec_stats es = { 0 };
	struct blotter fills = { 0 }, rejects = { 0 };
	struct myc_sub *fsub, *rsub;
	struct stage_thread st[4];
	struct myc_bus *bus;
	int err = 0;

	bool inproc = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			cfg.seconds = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			cfg.rate = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--inproc"))
			inproc = true;
		else if ((!strcmp(argv[i], "--stage") || !strcmp(argv[i], "--domain")) &&
			 i + 1 < argc)
			i++;	/* a stage process (procs.c) */
		else {
			fprintf(stderr, "usage: %s [--inproc] [--seconds N] [--rate QUOTES_PER_S]\n",
				argv[0]);
			return 2;
		}
	}
	if (!cfg.seconds || !cfg.rate) {
		fprintf(stderr, "trading-pipeline: --seconds and --rate must be positive\n");
		return 2;
	}
	if (!inproc)
		return procs_main(argc, argv, &cfg);
	bus = myc_bus_new(&(struct myc_bus_opts){ .sz = sizeof(struct myc_bus_opts),
						  .name = "trading" });
	if (!bus || (err = trading_topics(bus))) {
		fprintf(stderr, "trading-pipeline: bus: %s\n", myc_strerror(bus ? err : -errno));
		return 1;
	}
	es.cap = (uint64_t)cfg.rate * cfg.seconds;
	es.lat_ns = calloc(es.cap, sizeof(*es.lat_ns));
	fsub = myc_sub_new(bus, MSG_FILL, &(struct myc_sub_opts){
		.sz = sizeof(struct myc_sub_opts), .cb = on_fill, .ctx = &fills,
		.flags = MYC_SUB_F_INLINE });
	rsub = myc_sub_new(bus, MSG_REJECT, &(struct myc_sub_opts){
		.sz = sizeof(struct myc_sub_opts), .cb = on_reject, .ctx = &rejects,
		.flags = MYC_SUB_F_INLINE });
	if (!es.lat_ns || !fsub || !rsub) {
		fprintf(stderr, "trading-pipeline: setup: %s\n", strerror(errno));
		return 1;
	}

	/* Downstream first, so nothing is published before its reader is
	 * subscribed; stop upstream first, so each stage drains its input. */
	st[0] = (struct stage_thread){ .run = run_execution, .stats = &es };
	st[1] = (struct stage_thread){ .run = run_risk, .stats = &rs };
	st[2] = (struct stage_thread){ .run = run_strategy, .stats = &ss };
	st[3] = (struct stage_thread){ .run = run_feed, .stats = &fs, .cfg = &cfg };
	for (int i = 0; i < 4; i++) {
		st[i].ctl.bus = bus;
		if (pthread_create(&st[i].th, NULL, stage_main, &st[i])) {
			fprintf(stderr, "trading-pipeline: cannot start a stage\n");
			return 1;
		}
		/* Give each stage time to subscribe before its upstream runs. */
		while (i < 3) {
			struct myc_topic_stats ts = { .sz = sizeof(ts) };
			static const uint16_t in[] = { MSG_ORDER, MSG_SIGNAL, MSG_QUOTE };

			if (myc_bus_topic_stats(bus, in[i], &ts) == 0 && ts.subs)
				break;
			nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
		}
	}
	printf("trading pipeline: feed -> strategy -> risk -> execution, one in-process bus\n");
	printf("running %u s at %u quotes/s ...\n", cfg.seconds, cfg.rate);
	fflush(stdout);
	for (int i = 3; i >= 0; i--) {
		/* The feed stops by itself after cfg.seconds. */
		if (i < 3)
			atomic_store(&st[i].ctl.stop, 1);
		pthread_join(st[i].th, NULL);
		if (st[i].ctl.err && !err)
			err = st[i].ctl.err;
	}

	printf("\n%-10s %s\n", "stage", "counts");
	printf("%-10s quotes published %llu (claim failures %llu)\n", "feed",
	       (unsigned long long)fs.quotes, (unsigned long long)fs.failed);
	printf("%-10s quotes seen %llu, lost to overflow %llu, signals %llu\n", "strategy",
	       (unsigned long long)ss.quotes, (unsigned long long)ss.lost,
	       (unsigned long long)ss.signals);
	printf("%-10s signals %llu -> orders %llu, rejects %llu\n", "risk",
	       (unsigned long long)rs.signals, (unsigned long long)rs.orders,
	       (unsigned long long)rs.rejects);
	printf("%-10s orders %llu -> fills %llu\n", "execution",
	       (unsigned long long)es.orders, (unsigned long long)es.fills);
	printf("%-10s fills %llu, rejects %llu (inline subscribers)\n", "blotter",
	       (unsigned long long)fills.fills, (unsigned long long)rejects.rejects);

	qsort(es.lat_ns, es.nlat, sizeof(*es.lat_ns), cmp_u64);
	printf("\nend-to-end latency, quote published -> order at execution "
	       "(3 hops, %llu orders):\n", (unsigned long long)es.nlat);
	printf("  p50 %llu ns  p99 %llu ns  p99.9 %llu ns  max %llu ns\n",
	       (unsigned long long)pct(es.lat_ns, es.nlat, 0.50),
	       (unsigned long long)pct(es.lat_ns, es.nlat, 0.99),
	       (unsigned long long)pct(es.lat_ns, es.nlat, 0.999),
	       (unsigned long long)(es.nlat ? es.lat_ns[es.nlat - 1] : 0));

	/* The counts must add up: every stage accounts for its input. */
	if (!err && (ss.quotes + ss.lost != fs.quotes || rs.signals != ss.signals ||
		     rs.orders + rs.rejects != rs.signals || es.orders != rs.orders ||
		     fills.fills != es.fills || rejects.rejects != rs.rejects)) {
		fprintf(stderr, "trading-pipeline: counts do not add up\n");
		err = -EPROTO;
	}
	myc_sub_free(fsub);
	myc_sub_free(rsub);
	myc_bus_free(bus);
	free(es.lat_ns);
	if (err) {
		fprintf(stderr, "trading-pipeline: %s\n", myc_strerror(err));
		return 1;
	}
	return 0;
}
