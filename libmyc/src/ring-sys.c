// SPDX-License-Identifier: MIT
/* System helpers for rings: shared futex, OFD byte locks, clocks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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
