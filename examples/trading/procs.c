// SPDX-License-Identifier: MIT
/*
 * The multi-process trading pipeline ("make demo"): feed, strategy, risk
 * and execution each run as their own process (this binary re-executed
 * with --stage NAME), each on its own bus; the buses share the ring
 * domain "demo-<pid>", so every topic crosses processes on shared-memory
 * rings in pure userspace mode.  The parent (the "blotter") subscribes to
 * fills and rejects with inline callbacks, which run on its bus's ring
 * receive thread.
 *
 *   feed --quote(lossy)--> strategy --signal--> risk --order--> execution
 *                                                 \--reject--> blotter
 *                                        execution --fill----> blotter
 *
 * Start order: downstream first, each stage reports "subscribed" on a
 * pipe before its upstream starts.  Stop order: upstream first; each stage
 * is told how many messages its upstream published and stops once it has
 * received (or lost, for quotes) that many, so nothing still in a ring is
 * cut off.  Every stage writes a report (counts, latency percentiles) on a
 * pipe; the parent prints them and checks that the counts add up.  Ctrl-C
 * (SIGINT/SIGTERM) stops every stage; each frees its bus, so the rings
 * leave /dev/shm with their last process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "msgs.h"
#include "stages.h"

enum { ST_EXEC, ST_RISK, ST_STRATEGY, ST_FEED, NSTAGES };
static const char *const stage_names[NSTAGES] = {
	"execution", "risk", "strategy", "feed",
};

/* What a stage process sends its parent when it is done. */
struct stage_report {
	int32_t err;
	uint32_t resv;
	uint64_t c[4];		/* stage counters, see print_reports() */
	uint64_t nlat, p50, p99, p999, max;
};

static struct stage_ctl *volatile sig_ctl;

static void on_signal(int sig)
{
	struct stage_ctl *ctl = sig_ctl;

	(void)sig;
	if (ctl) {
		atomic_store(&ctl->abort, 1);
		atomic_store(&ctl->stop, 1);
	}
}

/* Signals go to the main thread only: block them in the threads the bus
 * and the stage start (they inherit the mask), unblock them here after. */
static void main_thread_signals(bool unblock)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(unblock ? SIG_UNBLOCK : SIG_BLOCK, &set, NULL);
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

static struct myc_bus *demo_bus(const char *name, const char *domain)
{
	struct myc_bus_opts o = {
		.sz = sizeof(o), .name = name, .ring_domain = domain,
	};
	struct myc_bus *bus = myc_bus_new(&o);

	if (bus && trading_topics(bus)) {
		myc_bus_free(bus);
		return NULL;
	}
	return bus;
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- one stage process -------------------------------------------------- */

struct stage_args {
	struct stage_ctl ctl;
	int stage;
	struct feed_cfg cfg;
	struct feed_stats fs;
	struct strategy_stats ss;
	struct risk_stats rs;
	struct exec_stats es;
	int ready_fd;
};

static void *stage_thread(void *arg)
{
	struct stage_args *a = arg;

	switch (a->stage) {
	case ST_FEED:
		a->ctl.err = feed_run(&a->ctl, &a->cfg, &a->fs);
		break;
	case ST_STRATEGY:
		a->ctl.err = strategy_run(&a->ctl, &a->ss);
		break;
	case ST_RISK:
		a->ctl.err = risk_run(&a->ctl, &a->rs);
		break;
	default:
		a->ctl.err = execution_run(&a->ctl, &a->es);
		break;
	}
	return NULL;
}

/*
 * usage (by the parent): --stage NAME --domain D --seconds N --rate R
 * Reads its stop order (the expected input count, 8 bytes) on stdin and
 * writes "subscribed" (1 byte) then its report on stdout.
 */
static int stage_main(int stage, const char *domain, const struct feed_cfg *cfg)
{
	static const uint16_t input[NSTAGES] = { MSG_ORDER, MSG_SIGNAL, MSG_QUOTE, 0 };
	struct stage_args a = { .stage = stage, .cfg = *cfg };
	struct stage_report rep = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	pthread_t th;
	uint64_t expect;
	ssize_t n;

	sig_ctl = &a.ctl;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	main_thread_signals(false);
	a.ctl.bus = demo_bus(stage_names[stage], domain);
	if (!a.ctl.bus)
		return 1;
	if (stage == ST_EXEC) {
		a.es.cap = (uint64_t)cfg->rate * cfg->seconds;
		a.es.lat_ns = calloc(a.es.cap ? a.es.cap : 1, sizeof(uint64_t));
		if (!a.es.lat_ns)
			return 1;
	}
	if (pthread_create(&th, NULL, stage_thread, &a))
		return 1;
	main_thread_signals(true);
	/* Subscribed (ring consumer attached) before upstream starts. */
	while (input[stage]) {
		struct myc_topic_stats ts = { .sz = sizeof(ts) };

		if (myc_bus_topic_stats(a.ctl.bus, input[stage], &ts) == 0 && ts.subs > 0)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	if (write_all(1, "r", 1))
		atomic_store(&a.ctl.abort, 1);
	if (stage != ST_FEED) {
		/* The stop order: how many inputs the upstream published. */
		struct pollfd pfd = { .fd = 0, .events = POLLIN };

		/* Poll, not a blocking read: a signal may land on another
		 * thread and would not interrupt it. */
		n = -1;
		while (!atomic_load(&a.ctl.abort)) {
			if (poll(&pfd, 1, STAGE_POLL_MS) > 0) {
				n = read(0, &expect, sizeof(expect));
				break;
			}
		}
		if (n == sizeof(expect)) {
			atomic_store(&a.ctl.expect, expect);
		} else {
			atomic_store(&a.ctl.abort, 1);
		}
		atomic_store(&a.ctl.stop, 1);
	}
	pthread_join(th, NULL);
	rep.err = a.ctl.err;
	switch (stage) {
	case ST_FEED:
		rep.c[0] = a.fs.quotes;
		rep.c[1] = a.fs.failed;
		break;
	case ST_STRATEGY:
		rep.c[0] = a.ss.quotes;
		rep.c[1] = a.ss.lost;
		rep.c[2] = a.ss.signals;
		break;
	case ST_RISK:
		rep.c[0] = a.rs.signals;
		rep.c[1] = a.rs.orders;
		rep.c[2] = a.rs.rejects;
		break;
	default:
		rep.c[0] = a.es.orders;
		rep.c[1] = a.es.fills;
		qsort(a.es.lat_ns, a.es.nlat, sizeof(uint64_t), cmp_u64);
		rep.nlat = a.es.nlat;
		rep.p50 = pct(a.es.lat_ns, a.es.nlat, 0.50);
		rep.p99 = pct(a.es.lat_ns, a.es.nlat, 0.99);
		rep.p999 = pct(a.es.lat_ns, a.es.nlat, 0.999);
		rep.max = a.es.nlat ? a.es.lat_ns[a.es.nlat - 1] : 0;
		break;
	}
	sig_ctl = NULL;
	myc_bus_free(a.ctl.bus);
	free(a.es.lat_ns);
	if (atomic_load(&a.ctl.abort))
		return 3;
	return write_all(1, &rep, sizeof(rep)) || rep.err ? 1 : 0;
}

/* ---- the parent --------------------------------------------------------- */

struct child {
	pid_t pid;
	int in, out;		/* its stdin (we write), its stdout (we read) */
	struct stage_report rep;
	bool have_rep;
};

static struct child kids[NSTAGES];
static volatile sig_atomic_t interrupted;

static void on_parent_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int spawn(struct child *c, const char *self, int stage, const char *domain,
		 const struct feed_cfg *cfg)
{
	char secs[16], rate[16];
	int pin[2], pout[2];

	snprintf(secs, sizeof(secs), "%u", cfg->seconds);
	snprintf(rate, sizeof(rate), "%u", cfg->rate);
	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		execl(self, "trading-pipeline", "--stage", stage_names[stage], "--domain", domain,
		      "--seconds", secs, "--rate", rate, (char *)NULL);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	c->in = pin[1];
	c->out = pout[0];
	return 0;
}

/* Read exactly @n bytes from @fd, giving up on Ctrl-C or EOF. */
static int read_all(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r <= 0)
			return -1;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

static int reap(struct child *c)
{
	int st;

	if (c->pid <= 0)
		return 0;
	while (waitpid(c->pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	c->pid = 0;
	close(c->in);
	close(c->out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct blotter { _Atomic uint64_t fills, rejects; };

static void on_fill(const struct myc_msg *m, void *ctx)
{
	atomic_fetch_add(&((struct blotter *)ctx)->fills, 1);
}

static void on_reject(const struct myc_msg *m, void *ctx)
{
	atomic_fetch_add(&((struct blotter *)ctx)->rejects, 1);
}

static void print_reports(const struct blotter *b)
{
	const uint64_t *f = kids[ST_FEED].rep.c, *s = kids[ST_STRATEGY].rep.c;
	const uint64_t *r = kids[ST_RISK].rep.c, *e = kids[ST_EXEC].rep.c;
	const struct stage_report *x = &kids[ST_EXEC].rep;

	printf("\n%-10s %s\n", "process", "counts");
	printf("%-10s quotes published %llu (claim failures %llu)\n", "feed",
	       (unsigned long long)f[0], (unsigned long long)f[1]);
	printf("%-10s quotes seen %llu, lost to overflow %llu, signals %llu\n",
	       "strategy", (unsigned long long)s[0], (unsigned long long)s[1],
	       (unsigned long long)s[2]);
	printf("%-10s signals %llu -> orders %llu, rejects %llu\n", "risk",
	       (unsigned long long)r[0], (unsigned long long)r[1],
	       (unsigned long long)r[2]);
	printf("%-10s orders %llu -> fills %llu\n", "execution",
	       (unsigned long long)e[0], (unsigned long long)e[1]);
	printf("%-10s fills %llu, rejects %llu (inline subscribers, parent process)\n",
	       "blotter", (unsigned long long)atomic_load(&b->fills),
	       (unsigned long long)atomic_load(&b->rejects));
	printf("\nend-to-end latency, quote published -> order at execution "
	       "(3 process hops over rings, %llu orders):\n",
	       (unsigned long long)x->nlat);
	printf("  p50 %llu ns  p99 %llu ns  p99.9 %llu ns  max %llu ns\n",
	       (unsigned long long)x->p50, (unsigned long long)x->p99,
	       (unsigned long long)x->p999, (unsigned long long)x->max);
}

static bool counts_add_up(const struct blotter *b)
{
	const uint64_t *f = kids[ST_FEED].rep.c, *s = kids[ST_STRATEGY].rep.c;
	const uint64_t *r = kids[ST_RISK].rep.c, *e = kids[ST_EXEC].rep.c;

	return s[0] + s[1] == f[0] && r[0] == s[2] && r[1] + r[2] == r[0] &&
	       e[0] == r[1] && atomic_load(&b->fills) == e[1] &&
	       atomic_load(&b->rejects) == r[2];
}

/* Wait (up to ~5 s) until the blotter saw what execution and risk sent. */
static void blotter_settle(const struct blotter *b)
{
	for (int i = 0; i < 500 && !interrupted; i++) {
		if (atomic_load(&b->fills) >= kids[ST_EXEC].rep.c[1] &&
		    atomic_load(&b->rejects) >= kids[ST_RISK].rep.c[2])
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
}

static int parent_main(const char *self, const struct feed_cfg *cfg)
{
	struct sigaction sa = { .sa_handler = on_parent_signal };
	struct blotter b = { 0 };
	struct myc_sub *fsub = NULL, *rsub = NULL;
	struct myc_bus *bus;
	char domain[32];
	int err = 0, i;
	char c;

	snprintf(domain, sizeof(domain), "demo-%d", (int)getpid());
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	main_thread_signals(false);
	bus = demo_bus("blotter", domain);
	if (bus) {
		fsub = myc_sub_new(bus, MSG_FILL, &(struct myc_sub_opts){
			.sz = sizeof(struct myc_sub_opts), .cb = on_fill, .ctx = &b,
			.flags = MYC_SUB_F_INLINE });
		rsub = myc_sub_new(bus, MSG_REJECT, &(struct myc_sub_opts){
			.sz = sizeof(struct myc_sub_opts), .cb = on_reject, .ctx = &b,
			.flags = MYC_SUB_F_INLINE });
	}
	main_thread_signals(true);
	if (!bus || !fsub || !rsub) {
		fprintf(stderr, "trading-pipeline: bus: %s\n", myc_strerror(-errno));
		myc_bus_free(bus);
		return 1;
	}
	printf("trading pipeline: feed -> strategy -> risk -> execution, "
	       "4 processes on shared-memory rings (domain %s)\n", domain);
	printf("running %u s at %u quotes/s ...\n", cfg->seconds, cfg->rate);
	fflush(stdout);

	/* Downstream first: each reports it subscribed before the next. */
	for (i = 0; i < NSTAGES && !interrupted; i++) {
		err = spawn(&kids[i], self, i, domain, cfg);
		if (err || read_all(kids[i].out, &c, 1)) {
			err = err ? err : -EPIPE;
			break;
		}
	}
	/* Upstream first: each gets its stop order, the count to expect. */
	for (i = NSTAGES - 1; i >= 0 && !err && !interrupted; i--) {
		uint64_t expect;

		if (i != ST_FEED) {
			/* quotes, signals, orders published upstream */
			expect = i == ST_STRATEGY ? kids[ST_FEED].rep.c[0] :
				 i == ST_RISK ? kids[ST_STRATEGY].rep.c[2] :
				 kids[ST_RISK].rep.c[1];
			if (write_all(kids[i].in, &expect, sizeof(expect))) {
				err = -EPIPE;
				break;
			}
		}
		if (read_all(kids[i].out, &kids[i].rep, sizeof(kids[i].rep))) {
			err = -EPIPE;
			break;
		}
		kids[i].have_rep = true;
		if (kids[i].rep.err)
			err = kids[i].rep.err;
		if (reap(&kids[i]))
			err = err ? err : -ECHILD;
	}
	/* Ctrl-C or a failure: stop whoever is left, then wait for them. */
	for (i = 0; i < NSTAGES; i++)
		if (kids[i].pid > 0)
			kill(kids[i].pid, SIGTERM);
	for (i = 0; i < NSTAGES; i++)
		reap(&kids[i]);
	if (!err && !interrupted) {
		blotter_settle(&b);
		print_reports(&b);
		if (!counts_add_up(&b)) {
			fprintf(stderr, "trading-pipeline: counts do not add up\n");
			err = -EPROTO;
		}
	}
	myc_sub_free(fsub);
	myc_sub_free(rsub);
	myc_bus_free(bus);
	if (interrupted) {
		fprintf(stderr, "trading-pipeline: interrupted\n");
		return 130;
	}
	if (err) {
		fprintf(stderr, "trading-pipeline: %s\n", myc_strerror(err));
		return 1;
	}
	return 0;
}

int procs_main(int argc, char **argv, const struct feed_cfg *cfg)
{
	const char *stage = NULL, *domain = NULL;

	for (int i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--stage"))
			stage = argv[++i];
		else if (!strcmp(argv[i], "--domain"))
			domain = argv[++i];
	}
	if (!stage)
		return parent_main("/proc/self/exe", cfg);
	for (int s = 0; s < NSTAGES; s++)
		if (!strcmp(stage, stage_names[s]) && domain)
			return stage_main(s, domain, cfg);
	fprintf(stderr, "trading-pipeline: bad --stage/--domain\n");
	return 2;
}
