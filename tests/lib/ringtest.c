// SPDX-License-Identifier: MIT
/* Helpers for the multi-process ring tests. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

const char *rt_name(const char *tag)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "t-%s-%d", tag, (int)getpid());
	return buf;
}

static int same_name(const char *n, void *want)
{
	return !strcmp(n, want);
}

bool rt_ring_exists(const char *name)
{
	char path[128];
	struct stat st;
	int ret;

	if (rt_kernel_mode()) {
		ret = myc_ring_list(same_name, (void *)name);
		RT_CHECK(ret >= 0);
		return ret == 1;
	}
	snprintf(path, sizeof(path), "/dev/shm/myc.%s", name);
	return stat(path, &st) == 0;
}

bool rt_kernel_mode(void)
{
	int mode = myc_ring_mode();

	RT_EQ(mode < 0 ? mode : 0, 0);
	return mode == MYC_RING_MODE_KERNEL;
}

void rt_skip_in_kernel_mode(const char *why)
{
	if (!rt_kernel_mode())
		return;
	printf("SKIP kernel mode: %s\n", why);
	exit(77);
}

pid_t rt_spawn(int (*fn)(void *arg), void *arg)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* A test that fails exits at once; its children go with it
		 * instead of waiting forever on a ring nobody serves. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		_exit(fn(arg));
	}
	return pid;
}

int rt_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

void rt_sync_init(struct rt_sync *s)
{
	if (pipe(s->fd))
		abort();
}

void rt_sync_post(struct rt_sync *s)
{
	char c = 1;

	if (write(s->fd[1], &c, 1) != 1)
		abort();
}

int rt_sync_wait(struct rt_sync *s, int timeout_ms)
{
	struct pollfd p = { .fd = s->fd[0], .events = POLLIN };
	char c;

	if (poll(&p, 1, timeout_ms) != 1 || read(s->fd[0], &c, 1) != 1)
		return -1;
	return 0;
}

void rt_fill(void *buf, uint32_t n, uint64_t idx)
{
	unsigned char *p = buf;
	uint32_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(idx * 31 + i * 7 + (i >> 8));
	if (n >= 8)
		memcpy(p, &idx, 8);
}

bool rt_check(const void *buf, uint32_t n, uint64_t idx)
{
	const unsigned char *p = buf;
	uint32_t i;

	if (n >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		if (v != idx)
			return false;
	}
	for (i = n >= 8 ? 8 : 0; i < n; i++)
		if (p[i] != (unsigned char)(idx * 31 + i * 7 + (i >> 8)))
			return false;
	return true;
}
