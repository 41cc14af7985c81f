// SPDX-License-Identifier: MIT
/* System helpers for rings: shared futex, OFD byte locks, clocks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <string.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "myc.h"
#include "ring-sys.h"

int ring_futex_wait(uint32_t *uaddr, uint32_t val, int64_t timeout_ns)
{
	struct timespec ts, *tp = NULL;

	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tp = &ts;
	}
	/* FUTEX_WAIT, not FUTEX_WAIT_PRIVATE: waker is another process. */
	if (syscall(SYS_futex, uaddr, FUTEX_WAIT, val, tp, NULL, 0) < 0)
		return -errno;
	return 0;
}

int ring_futex_wake(uint32_t *uaddr)
{
	if (syscall(SYS_futex, uaddr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0) < 0)
		return -errno;
	return 0;
}

bool ring_store16_atomic(void)
{
#if defined(__x86_64__)
	return __builtin_cpu_supports("avx");
#else
	return false;
#endif
}

int ring_membarrier_register(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
		    0, 0) < 0)
		return -errno;
	return 0;
}

int ring_membarrier(void)
{
	/* Expedited: IPIs to the CPUs running registered processes (a few
	 * us).  Global: waits for every CPU to pass a scheduling point (ms),
	 * needs no registration; the fallback for kernels that lack the
	 * first. */
	if (!syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0))
		return 0;
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0)
		return -errno;
	return 0;
}

static void byte_lock(struct flock *fl, short type, uint64_t off)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)off;
	fl->l_len = 1;
	fl->l_pid = 0;		/* required for OFD locks */
}

int ring_lock(int fd, uint64_t off, bool write)
{
	struct flock fl;

	byte_lock(&fl, write ? F_WRLCK : F_RDLCK, off);
	if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
		return errno == EACCES ? -EAGAIN : -errno;
	return 0;
}

int ring_unlock(int fd, uint64_t off)
{
	struct flock fl;

	byte_lock(&fl, F_UNLCK, off);
	return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

int ring_lock_held(int fd, uint64_t off)
{
	struct flock fl;

	byte_lock(&fl, F_WRLCK, off);
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
		return -errno;
	return fl.l_type != F_UNLCK;
}

uint64_t ring_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define RING_CLOCK_ANCHOR_NS	10000000ull	/* re-anchor every 10 ms */
#define RING_CLOCK_MIN_NS	1000000ull	/* shortest slope measurement */
#define RING_CLOCK_PAIR_NS	1000ull		/* a pair read further apart
						 * (preempted) is not an anchor */
#define CLOCKSOURCE \
	"/sys/devices/system/clocksource/clocksource0/current_clocksource"

void ring_clock_init(struct ring_clock *c)
{
	char buf[16] = "";
	FILE *f;

	memset(c, 0, sizeof(*c));	/* span 0: every read is slow */
#if defined(__x86_64__)
	/* Only a TSC the kernel keeps time with is known to be constant
	 * rate and the same on every CPU this thread may migrate to. */
	f = fopen(CLOCKSOURCE, "re");
	if (f) {
		c->use_tsc = fgets(buf, sizeof(buf), f) && !strcmp(buf, "tsc\n");
		fclose(f);
	}
#else
	(void)buf;
	(void)f;
#endif
}

uint64_t ring_clock_slow(struct ring_clock *c)
{
#if defined(__x86_64__)
	uint64_t t1, t2, t, ns, dt, dns, mult;

	if (!c->use_tsc)
		return myc_now_ns();
	t1 = __builtin_ia32_rdtsc();
	ns = myc_now_ns();
	t2 = __builtin_ia32_rdtsc();
	t = t1 + (t2 - t1) / 2;
	if (t2 < t1 || (c->mult && ((t2 - t1) * c->mult >> 32) > RING_CLOCK_PAIR_NS))
		return ns;	/* not a good pair; next time */
	if (!c->tsc0) {
		c->tsc0 = t;	/* first anchor: no slope yet */
		c->ns0 = ns;
		return ns;
	}
	if (t <= c->tsc0 || ns <= c->ns0) {
		c->tsc0 = t;	/* TSC or clock went back: start over */
		c->ns0 = ns;
		c->mult = 0;
		c->span = 0;
		return ns;
	}
	dt = t - c->tsc0;
	dns = ns - c->ns0;
	if (dns < RING_CLOCK_MIN_NS)
		return ns;	/* still measuring the first slope */
	mult = (uint64_t)(((unsigned __int128)dns << 32) / dt);
	/* Anchor here: the new line starts at this pair, so a step of the
	 * clock is followed within one interval. */
	c->tsc0 = t;
	c->ns0 = ns;
	c->mult = mult;
	/* d * mult stays below 2^64 for d < span (span is 10 ms of ticks) */
	c->span = mult ? (uint64_t)(((unsigned __int128)RING_CLOCK_ANCHOR_NS << 32) /
				    mult) : 0;
	return ns;
#else
	return myc_now_ns();
#endif
}
