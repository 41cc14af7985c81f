/* SPDX-License-Identifier: MIT */
/*
 * Cache hints shared by the bus and the rings.  All of them are hints: no
 * fault, no ordering, and CPUs without the instruction run it as a no-op.
 */
#ifndef MYC_CPU_H
#define MYC_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPU_LINE	64u

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* Ask for the cache line at @p in a writable (exclusive) state ahead of
 * the stores to it. */
static inline void prefetch_w(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	/* PREFETCHW by hand: GCC emits it for __builtin_prefetch(p, 1) only
	 * with -mprfchw, and a plain read prefetch instead; the line then
	 * arrives shared and the store still waits for ownership. */
	__asm__ __volatile__("prefetchw (%0)" : : "r"(p));
#else
	__builtin_prefetch(p, 1, 3);
#endif
}

/*
 * Push the lines of [@p, @p + @len) out of this core's private caches into
 * the shared last-level cache (CLDEMOTE), for another core about to read
 * them: its read then hits the shared cache instead of snooping this core.
 * Only worth it when the reader is waiting; a stream's next write to the
 * same line would have to fetch it back.
 */
static inline void cpu_demote(const void *p, size_t len)
{
#if defined(__x86_64__)
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(CPU_LINE - 1);

	for (; a < (uintptr_t)p + len; a += CPU_LINE)
		__asm__ __volatile__("cldemote (%0)" : : "r"(a) : "memory");
#else
	(void)p;
	(void)len;
#endif
}

/*
 * When to demote: a message committed DEMOTE_GAP_NS or more after the
 * producer's previous one is most likely awaited by a spinning consumer,
 * whose reads of its lines then hit the shared cache.  Back-to-back
 * messages (a stream) are not demoted: the consumer is behind and takes
 * them anyway, and the producer would fetch a demoted line back for its
 * next write.  @last_ts is the producer's own; messages without a
 * timestamp (0) are never due.
 */
#define DEMOTE_GAP_NS	250

static inline bool demote_due(uint64_t *last_ts, uint64_t ts_ns)
{
	uint64_t gap = ts_ns - *last_ts;

	*last_ts = ts_ns;
	return ts_ns && gap >= DEMOTE_GAP_NS;
}

/*
 * Consumer pacing.  A consumer that keeps up with a fast stream catches up
 * after every message and then polls the very line the producer writes
 * next, so each message costs the producer a cache-line round trip
 * (docs/PERFORMANCE.md, "Demoting committed lines, mapping every page,
 * consumer back-off").  While the messages' publish times are on average
 * less than a limit apart (rings: STREAM_GAP_NS, a stream of over 10 M
 * msgs/s; no ping-pong between two cores is that fast), a consumer that
 * found nothing new pauses a number of times between polls (the caller's
 * choice: 64 pauses are about 0.7 us here), so the producer writes a run
 * of messages undisturbed and the consumer then takes them in one go.
 * Messages without a timestamp (0) never count as a stream.
 */
#define STREAM_GAP_NS	100

struct stream_pace {
	uint64_t last_ts;	/* ts_ns of the last message taken */
	int64_t gap;		/* average ns between them */
	bool on;		/* in a fast stream: back off */
};

/* A message published at @ts_ns was taken; a stream is one whose
 * messages are less than @limit_ns apart on average. */
static inline void stream_pace_msg(struct stream_pace *p, uint64_t ts_ns,
				   int64_t limit_ns)
{
	uint64_t gap = ts_ns - p->last_ts;

	/* Average over about the last 8; a clock step back (the difference
	 * wraps) counts as a long gap. */
	if (gap > 1000000 || !ts_ns)
		gap = 1000000;
	p->gap += ((int64_t)gap - p->gap) / 8;
	p->on = p->gap < limit_ns;
	p->last_ts = ts_ns;
}

/* Nothing new yet: the pause between two polls, @backoff more pauses in
 * a stream. */
static inline void stream_pace_poll(const struct stream_pace *p,
				    int backoff)
{
	cpu_relax();
	if (p->on)
		for (int k = 0; k < backoff; k++)
			cpu_relax();
}

#endif
