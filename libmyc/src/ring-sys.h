/* SPDX-License-Identifier: MIT */
/*
 * Ring internals shared by the ring implementation files: atomics on shared
 * memory, the 16-byte CAS, futex and OFD-lock helpers.  Shared memory is
 * accessed only through these helpers so every access to it is visibly an
 * atomic one (and says its ordering).
 */
#ifndef MYC_RING_SYS_H
#define MYC_RING_SYS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define ld_acq(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ld_rlx(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define st_rel(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define st_rlx(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define st_sc(p, v)	__atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

/*
 * Compare-and-swap the 16-byte pair at @p (16-byte aligned): if it holds
 * {*lo, *hi} store {nlo, nhi} and return true; else load the current pair
 * into {*lo, *hi} and return false.  Full barrier either way (lock prefix),
 * so it orders everything before it against everything after it.
 */
static inline bool cas16(void *p, uint64_t *lo, uint64_t *hi,
			 uint64_t nlo, uint64_t nhi)
{
#if defined(__x86_64__)
	bool ok;

	__asm__ __volatile__("lock cmpxchg16b %1"
			     : "=@ccz"(ok), "+m"(*(volatile unsigned __int128 *)p),
			       "+a"(*lo), "+d"(*hi)
			     : "b"(nlo), "c"(nhi)
			     : "memory");
	return ok;
#else
	unsigned __int128 e = ((unsigned __int128)*hi << 64) | *lo;
	unsigned __int128 n = ((unsigned __int128)nhi << 64) | nlo;
	bool ok = __atomic_compare_exchange_n((unsigned __int128 *)p, &e, n,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST);

	*lo = (uint64_t)e;
	*hi = (uint64_t)(e >> 64);
	return ok;
#endif
}

/*
 * Store the 16-byte pair {lo, hi} at @p (16-byte aligned) as one atomic
 * store, plain (no barrier; on x86 stores are not reordered with earlier
 * stores, so it is a release).  Only where ring_store16_atomic() says the
 * CPU makes an aligned 16-byte store atomic.
 */
static inline void ring_store16(void *p, uint64_t lo, uint64_t hi)
{
#if defined(__x86_64__)
	typedef long long v2di __attribute__((vector_size(16)));
	v2di v = { (long long)lo, (long long)hi };

	/* MOVDQA by hand, so the compiler can neither split the store nor
	 * pick an instruction the atomicity rule does not name. */
	__asm__ __volatile__("movdqa %1, %0"
			     : "=m"(*(volatile v2di *)p) : "x"(v) : "memory");
#else
	(void)p; (void)lo; (void)hi;
	__builtin_trap();
#endif
}

/* Does an aligned MOVDQA store happen atomically on this CPU?  Intel and
 * AMD guarantee it for CPUs that enumerate AVX (CPUID.01H:ECX.AVX); we do
 * not rely on it anywhere else. */
bool ring_store16_atomic(void);

/* membarrier(2) across processes: register this process for expedited
 * global barriers (0 or -errno), and issue one (expedited if available,
 * else the slow global one; 0 or -errno). */
int ring_membarrier_register(void);
int ring_membarrier(void);

/* Shared (not PRIVATE) futex: the word lives in memory mapped by several
 * processes. */
int ring_futex_wait(uint32_t *uaddr, uint32_t val, int64_t timeout_ns);
int ring_futex_wake(uint32_t *uaddr);

/* OFD locks on single bytes (see MYC_RING_LOCK_* in the uapi header). */
int ring_lock(int fd, uint64_t off, bool write);	/* 0, -EAGAIN, -errno */
int ring_unlock(int fd, uint64_t off);
/* Is anyone (another open file description) holding byte @off?  1 yes,
 * 0 no, -errno. */
int ring_lock_held(int fd, uint64_t off);

uint64_t ring_mono_ns(void);

/*
 * The producer's frame timestamp clock: CLOCK_REALTIME nanoseconds
 * (docs/frame-format.md), read from the TSC where the kernel itself keeps
 * time with it (clocksource "tsc": invariant and synchronised across
 * CPUs), else from clock_gettime().  ns = ns0 + (tsc - tsc0) * mult >> 32
 * along a line anchored to clock_gettime() every RING_CLOCK_ANCHOR_NS,
 * its slope measured over the previous anchor interval, so the stamp
 * follows CLOCK_REALTIME (slewing and steps included, within one
 * interval) and costs one rdtsc instead of a vDSO call with its fenced
 * TSC read (docs/ring-format.md, "Timestamps").  One per producer handle,
 * used by one thread at a time like the handle.
 */
struct ring_clock {
	uint64_t tsc0, ns0;	/* anchor: TSC and CLOCK_REALTIME together */
	uint64_t mult;		/* ns per tick << 32; 0 = not calibrated */
	uint64_t span;		/* ticks after tsc0 the line is used for */
	bool use_tsc;
};

void ring_clock_init(struct ring_clock *c);
uint64_t ring_clock_slow(struct ring_clock *c);

static inline uint64_t ring_clock_now(struct ring_clock *c)
{
#if defined(__x86_64__)
	/* tsc0 <= now, or the difference wraps and fails the test. */
	uint64_t d = __builtin_ia32_rdtsc() - c->tsc0;

	if (likely(d < c->span))
		return c->ns0 + ((d * c->mult) >> 32);
#endif
	return ring_clock_slow(c);
}

#endif
