/* SPDX-License-Identifier: MIT */
/*
 * Cache hints shared by the bus and the rings.  All of them are hints: no
 * fault, no ordering, and CPUs without the instruction run it as a no-op.
 */
#ifndef MYC_CPU_H
#define MYC_CPU_H

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

#endif
