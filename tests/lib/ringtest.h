/* SPDX-License-Identifier: MIT */
/* Helpers for the multi-process ring tests (tests/unit/ring-*.c). */
#ifndef MYC_TEST_RINGTEST_H
#define MYC_TEST_RINGTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

/* Fail the current process (test or child) with a message. */
#define RT_CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			exit(1);					\
		}							\
	} while (0)
/* Like RT_CHECK for an int result, printing it and its name. */
#define RT_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b) {						\
			fprintf(stderr, "%s:%d: %s = %lld (%s), want %lld\n", \
				__FILE__, __LINE__, #a, _a,		\
				myc_strerror((int)_a), _b);		\
			exit(1);					\
		}							\
	} while (0)

/* A ring name unique to this test process: "t-<tag>-<pid>". */
const char *rt_name(const char *tag);
/* Does ring @name exist (/dev/shm/myc.<name>, or a kernel ring listed by
 * the module in kernel mode)? */
bool rt_ring_exists(const char *name);
/* Does libmyc use kernel mode (MYC_MODE, /dev/mycelium)?  Exits with a
 * failure if the mode cannot be used at all. */
bool rt_kernel_mode(void);
/* Exit 77 (skip) with @why when running in kernel mode. */
void rt_skip_in_kernel_mode(const char *why);
/* fork() and run fn(arg) in the child, which exits with its return value. */
pid_t rt_spawn(int (*fn)(void *arg), void *arg);
/* waitpid(): the child's exit status, 128+signal if killed, -1 on error. */
int rt_wait(pid_t pid);
/* A pipe pair used to say "ready" or "go" between a parent and a child
 * forked after rt_sync_init(): one side posts, the other waits. */
struct rt_sync { int fd[2]; };
void rt_sync_init(struct rt_sync *s);
void rt_sync_post(struct rt_sync *s);	/* one byte */
int rt_sync_wait(struct rt_sync *s, int timeout_ms);	/* 0 or -1 */
/* Deterministic payload pattern for frame @idx of size @n. */
void rt_fill(void *buf, uint32_t n, uint64_t idx);
bool rt_check(const void *buf, uint32_t n, uint64_t idx);

#endif
