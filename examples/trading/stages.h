/* SPDX-License-Identifier: MIT */
/*
 * The pipeline stages.  Each stage only talks to the bus it is given, so
 * the same code runs as a thread on one in-process bus (pipeline.c) or,
 * later, as its own process on a shared-memory or socket transport.
 *
 * A stage runs until its ctl->stop is set and its input is drained.
 */
#ifndef MYC_EXAMPLE_TRADING_STAGES_H
#define MYC_EXAMPLE_TRADING_STAGES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "myc.h"

#define NINSTRUMENTS	8
#define STAGE_POLL_MS	50	/* recv timeout between stop checks */
#define STAGE_SPIN_NS	20000	/* consumers spin this long, then sleep */

struct stage_ctl {
	struct myc_bus *bus;
	_Atomic int stop;
	/* Across processes, a stage told to stop may still have input on
	 * its way through a ring: it keeps receiving until it has seen
	 * (received + lost) this many messages; 0 = stop once drained. */
	_Atomic uint64_t expect;
	_Atomic int abort;	/* stop at once (Ctrl-C) */
	uint64_t seen;		/* messages stage_next returned */
	int err;		/* first error, negative */
};

struct feed_cfg {
	uint32_t rate;		/* quotes per second */
	uint32_t seconds;
};

struct feed_stats { uint64_t quotes, failed; };
struct strategy_stats { uint64_t quotes, lost, signals; };
struct risk_stats { uint64_t signals, orders, rejects; };
struct exec_stats {
	uint64_t orders, fills;
	uint64_t *lat_ns;	/* end-to-end latency per order */
	uint64_t nlat, cap;
};

/* Declare the topics (policy, depth, size) every stage agrees on. */
int trading_topics(struct myc_bus *bus);

int feed_run(struct stage_ctl *ctl, const struct feed_cfg *cfg, struct feed_stats *st);
int strategy_run(struct stage_ctl *ctl, struct strategy_stats *st);
int risk_run(struct stage_ctl *ctl, struct risk_stats *st);
int execution_run(struct stage_ctl *ctl, struct exec_stats *st);

/* The multi-process pipeline (procs.c): parent, or one stage with --stage. */
int procs_main(int argc, char **argv, const struct feed_cfg *cfg);

/* Receive-loop helper: 1 = got @m, 0 = stop now, <0 = error. */
int stage_next(struct stage_ctl *ctl, struct myc_sub *sub, struct myc_msg **m);
/* Publish @size bytes of @data, waiting (lossless) as needed. */
int stage_send(struct myc_pub *pub, const void *data, size_t size);

#endif
