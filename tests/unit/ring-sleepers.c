// SPDX-License-Identifier: MIT
/*
 * Description: userspace mode's sleepers (docs/ring-format.md, "Waiting"):
 * a consumer process counts itself as a sleeper (bits 16..31 of
 * ctl.waiters) with one membarrier(2) before its first sleep and not
 * again (a sleep after it is one FUTEX_WAIT), and takes itself out once
 * it takes frames without sleeping,
 * so producers may leave out the commit's fence again; a sleeper killed
 * with kill -9 is taken out when its page is reclaimed; a consumer whose
 * membarrier() is refused (a seccomp filter) makes its first sleep a
 * 1 ms slice and still receives what is sent.  Counted with libmyc's
 * data-path calls (myc_ring_info().handle_syscalls) and the ring's
 * sleepers count as both sides see it.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "myc.h"
#include "ringtest.h"

#define EMPTY_WAIT_MS	30
#define NSTREAM		10000u	/* frames taken without sleeping */

enum role { SLEEP_THEN_STREAM, REFUSED, KILLED };

static const char *name;
static struct rt_sync ready;

/* membarrier() fails with EPERM in this process from now on. */
static void refuse_membarrier(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_membarrier, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]), .filter = f,
	};

	RT_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	RT_EQ(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
	RT_EQ(syscall(SYS_membarrier, 0 /* MEMBARRIER_CMD_QUERY */, 0, 0), -1);
	RT_EQ(errno, EPERM);
}

static struct myc_ring_info info_of(struct myc_ring *r)
{
	struct myc_ring_info info = { .sz = sizeof(info) };

	RT_EQ(myc_ring_info(r, &info), 0);
	return info;
}

/* Spin budget 0: every wait on an empty ring sleeps. */
static int consumer(void *arg)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .spin_ns = 0 };
	enum role role = (enum role)(intptr_t)arg;
	struct myc_ring *r;
	struct myc_frame_hdr h;
	uint64_t v, i = 0;
	int n;

	if (role == REFUSED)
		refuse_membarrier();
	r = myc_ring_open(name, MYC_RING_CONSUMER, &o);
	RT_CHECK(r);
	RT_EQ(info_of(r).sleepers, 0);
	RT_EQ(myc_ring_recv(r, &h, &v, sizeof(v), EMPTY_WAIT_MS), -ETIMEDOUT);
	RT_EQ(info_of(r).sleepers, 1);
	if (role == REFUSED) {
		/* A membarrier() try, a 1 ms wait, a wait for the rest. */
		RT_EQ(info_of(r).handle_syscalls, 3);
		rt_sync_post(&ready);
		RT_EQ(myc_ring_recv(r, &h, &v, sizeof(v), 10000), sizeof(v));
		RT_EQ(v, 42);
		myc_ring_free(r);
		return 0;
	}
	/* membarrier() and one FUTEX_WAIT of 30 ms. */
	RT_EQ(info_of(r).handle_syscalls, 2);
	RT_EQ(myc_ring_recv(r, &h, &v, sizeof(v), EMPTY_WAIT_MS), -ETIMEDOUT);
	/* Already a sleeper: only the FUTEX_WAIT. */
	RT_EQ(info_of(r).handle_syscalls, 3);
	rt_sync_post(&ready);
	if (role == KILLED)
		for (;;)
			pause();
	while (i < NSTREAM) {
		n = myc_ring_recv(r, &h, &v, sizeof(v), 0);
		if (n == -EAGAIN)
			continue;
		RT_EQ(n, sizeof(v));
		RT_EQ(v, i);
		i++;
	}
	/* Frames taken without sleeping: no longer a sleeper. */
	RT_EQ(info_of(r).sleepers, 0);
	RT_EQ(info_of(r).handle_syscalls, 3);
	myc_ring_free(r);
	return 0;
}

static void run(enum role role)
{
	struct myc_ring_opts o = { .sz = sizeof(o) };
	struct myc_ring *p, *c;
	uint64_t i, v = 42;
	pid_t pid;

	rt_sync_init(&ready);
	p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE, &o);
	RT_CHECK(p);
	pid = rt_spawn(consumer, (void *)(intptr_t)role);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	/* The count is the ring's: the producer process sees it too. */
	RT_EQ(info_of(p).sleepers, 1);
	switch (role) {
	case REFUSED:
		RT_EQ(myc_ring_send(p, 1, &v, sizeof(v), -1), 0);
		RT_EQ(rt_wait(pid), 0);
		break;
	case SLEEP_THEN_STREAM:
		for (i = 0; i < NSTREAM; i++)
			RT_EQ(myc_ring_send(p, 1, &i, sizeof(i), -1), 0);
		RT_EQ(rt_wait(pid), 0);
		RT_EQ(info_of(p).sleepers, 0);
		break;
	case KILLED:
		RT_EQ(kill(pid, SIGKILL), 0);
		RT_EQ(rt_wait(pid), 128 + SIGKILL);
		RT_EQ(info_of(p).sleepers, 1);
		/* The next consumer takes the dead one's page. */
		c = myc_ring_open(name, MYC_RING_CONSUMER, NULL);
		RT_CHECK(c);
		RT_EQ(info_of(p).sleepers, 0);
		myc_ring_free(c);
		break;
	}
	myc_ring_free(p);
	RT_CHECK(!rt_ring_exists(name));
}

int main(void)
{
	rt_skip_in_kernel_mode("sleepers are userspace mode's");
	name = rt_name("sleepers");
	run(SLEEP_THEN_STREAM);
	run(KILLED);
	run(REFUSED);
	return 0;
}
