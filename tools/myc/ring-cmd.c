// SPDX-License-Identifier: MIT
/*
 * myc stat: list the rings on this host with their producers, consumers,
 * positions, lag and overruns, in the mode libmyc uses (MYC_MODE): "user"
 * (pure userspace rings under /dev/shm) or "kernel" (/dev/mycelium rings,
 * listed from the module's debugfs file, counters from MYC_IOC_INFO and
 * the shared pages).  myc gc: remove userspace rings whose users have all
 * died.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "cmd.h"

struct stat_ctx {
	bool json;
	int n;
	const char *mode;	/* "user" or "kernel" */
};

static const char *mode_name(int mode)
{
	return mode == MYC_RING_MODE_KERNEL ? "kernel" : "user";
}

static int stat_one(const char *name, void *arg)
{
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct stat_ctx *sc = arg;
	struct myc_ring *r;
	uint32_t j;

	r = myc_ring_open(name, 0, NULL);
	if (!r) {
		if (sc->json)
			printf("{\"ring\":\"%s\",\"mode\":\"%s\",\"error\":\"%s\"}\n",
			       name, sc->mode, myc_strerror(errno));
		else
			printf("%-24s %s\n", name, myc_strerror(errno));
		return 0;
	}
	if (myc_ring_info(r, &info)) {
		myc_ring_free(r);
		return 0;
	}
	sc->n++;
	if (sc->json)
		printf("{\"ring\":\"%s\",\"mode\":\"%s\",\"policy\":\"%s\","
		       "\"capacity\":%llu,\"producers\":%u,\"consumers\":%u,"
		       "\"head_pos\":%llu,\"head_seq\":%llu,\"waiters\":%u,"
		       "\"sleepers\":%u,\"wakeups\":%llu,\"recovered\":%llu,"
		       "\"reclaimed\":%llu,\"waits\":%llu,\"peer_deaths\":%llu}\n",
		       name, mode_name((int)info.mode),
		       info.policy == MYC_LOSSLESS ? "lossless" : "lossy",
		       (unsigned long long)info.capacity, info.producers,
		       info.consumers, (unsigned long long)info.head_pos,
		       (unsigned long long)info.head_seq, info.waiters,
		       info.sleepers, (unsigned long long)info.wakeups,
		       (unsigned long long)info.recovered,
		       (unsigned long long)info.reclaimed,
		       (unsigned long long)info.waits,
		       (unsigned long long)info.peer_deaths);
	else
		printf("%-24s %-6s %-8s cap %-9llu prod %-3u cons %-3u pos %-12llu "
		       "frames %-10llu waiters %u sleepers %u wakeups %llu "
		       "recovered %llu reclaimed %llu\n",
		       name, mode_name((int)info.mode),
		       info.policy == MYC_LOSSLESS ? "lossless" : "lossy",
		       (unsigned long long)info.capacity, info.producers,
		       info.consumers, (unsigned long long)info.head_pos,
		       (unsigned long long)(info.head_seq - 1), info.waiters,
		       info.sleepers, (unsigned long long)info.wakeups,
		       (unsigned long long)info.recovered,
		       (unsigned long long)info.reclaimed);
	for (j = 0;; j++) {
		struct myc_ring_cons_info ci = { .sz = sizeof(ci) };
		int err = myc_ring_cons_info(r, j, &ci);

		if (err == -ERANGE || err == -EINVAL)
			break;
		if (err)
			continue;
		if (sc->json)
			printf("{\"ring\":\"%s\",\"consumer\":%u,\"pid\":%u,"
			       "\"cursor\":%llu,\"lag\":%llu,\"delivered\":%llu,"
			       "\"lost\":%llu,\"overruns\":%llu}\n", name, j,
			       ci.pid, (unsigned long long)ci.cursor,
			       (unsigned long long)ci.lag,
			       (unsigned long long)ci.delivered,
			       (unsigned long long)ci.lost,
			       (unsigned long long)ci.overruns);
		else
			printf("  consumer %-3u pid %-7u cursor %-12llu lag %-9llu "
			       "delivered %-10llu lost %-8llu overruns %llu\n", j,
			       ci.pid, (unsigned long long)ci.cursor,
			       (unsigned long long)ci.lag,
			       (unsigned long long)ci.delivered,
			       (unsigned long long)ci.lost,
			       (unsigned long long)ci.overruns);
	}
	myc_ring_free(r);
	return 0;
}

static int stat_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct stat_ctx sc = { 0 };
	int c, watch = 0, i, err, mode;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			sc.json = true;
			break;
		case 'w':
			watch = atoi(optarg);
			if (watch <= 0)
				return myc_usage("stat");
			break;
		default:
			return myc_usage("stat");
		}
	}
	mode = myc_ring_mode();
	if (mode < 0) {
		fprintf(stderr, "myc stat: MYC_MODE=%s: %s\n", getenv("MYC_MODE"),
			mode == -ENODEV ? "no /dev/mycelium (is the mycelium "
			"module loaded?)" : myc_strerror(mode));
		return MYC_EXIT_FAIL;
	}
	sc.mode = mode_name(mode);
	for (;;) {
		sc.n = 0;
		if (optind < argc) {
			for (i = optind; i < argc; i++)
				stat_one(argv[i], &sc);
		} else {
			err = myc_ring_list(stat_one, &sc);
			if (err < 0) {
				fprintf(stderr, "myc stat: %s%s\n", myc_strerror(err),
					mode == MYC_RING_MODE_KERNEL ? " (listing kernel "
					"rings needs root and debugfs)" : "");
				return MYC_EXIT_FAIL;
			}
		}
		if (!sc.json && !sc.n && optind >= argc)
			printf("no rings (mode %s, %s)\n", sc.mode,
			       mode == MYC_RING_MODE_KERNEL ? "/dev/mycelium" :
			       "/dev/shm");
		if (!watch)
			return MYC_EXIT_OK;
		fflush(stdout);
		sleep((unsigned int)watch);
		printf("\n");
	}
}

static int gc_main(int argc, char **argv)
{
	int n;

	if (argc > 1)
		return myc_usage("gc");
	n = myc_ring_gc();
	if (n < 0) {
		fprintf(stderr, "myc gc: %s\n", myc_strerror(n));
		return MYC_EXIT_FAIL;
	}
	printf("removed %d dead ring%s\n", n, n == 1 ? "" : "s");
	return MYC_EXIT_OK;
}

MYC_COMMAND(stat, .name = "stat",
	    .summary = "list rings: producers, consumers, positions, lag, overruns",
	    .usage = "[--json] [--watch SECONDS] [RING...]", .run = stat_main);
MYC_COMMAND(gc, .name = "gc",
	    .summary = "remove rings whose users have all died",
	    .usage = "", .run = gc_main);
