// SPDX-License-Identifier: MIT
/*
 * Description: a userspace-mode consumer sleeps with one membarrier(2) and
 * one FUTEX_WAIT (its half of the wake-up protocol, docs/ring-format.md
 * "Waiting"); a consumer process whose membarrier() is refused (a seccomp
 * filter) cannot rely on producers' wake-ups, so it sleeps in slices of
 * 1 ms and still receives what is sent.  Counted with libmyc's data-path
 * calls (myc_ring_info().handle_syscalls).
 * Sanitizers: tsan
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "myc.h"
#include "ringtest.h"

#define EMPTY_WAIT_MS	30

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

/* Consumer, spin budget 0: one timed-out wait on the empty ring, then a
 * frame sent while it sleeps (or is about to).  @arg: refuse membarrier(). */
static int consumer(void *arg)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .spin_ns = 0 };
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct myc_ring *r;
	struct myc_frame_hdr h;
	uint64_t v;

	if (arg)
		refuse_membarrier();
	r = myc_ring_open(name, MYC_RING_CONSUMER, &o);
	RT_CHECK(r);
	RT_EQ(myc_ring_recv(r, &h, &v, sizeof(v), EMPTY_WAIT_MS), -ETIMEDOUT);
	RT_EQ(myc_ring_info(r, &info), 0);
	if (arg)
		/* Slices: a membarrier() try and a FUTEX_WAIT each, about
		 * 30 of them; 3 would already say it slices. */
		RT_CHECK(info.handle_syscalls >= 6);
	else
		/* One sleep: membarrier() and a FUTEX_WAIT for 30 ms. */
		RT_EQ(info.handle_syscalls, 2);
	rt_sync_post(&ready);
	RT_EQ(myc_ring_recv(r, &h, &v, sizeof(v), 10000), sizeof(v));
	RT_EQ(v, 42);
	myc_ring_free(r);
	return 0;
}

static void run(bool refuse)
{
	struct myc_ring_opts o = { .sz = sizeof(o) };
	struct myc_ring *p;
	uint64_t v = 42;
	pid_t pid;

	rt_sync_init(&ready);
	p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE, &o);
	RT_CHECK(p);
	pid = rt_spawn(consumer, refuse ? (void *)1 : NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	RT_EQ(myc_ring_send(p, 1, &v, sizeof(v), -1), 0);
	RT_EQ(rt_wait(pid), 0);
	myc_ring_free(p);
	RT_CHECK(!rt_ring_exists(name));
}

int main(void)
{
	rt_skip_in_kernel_mode("membarrier() is userspace mode's sleep protocol");
	name = rt_name("nombarrier");
	run(false);
	run(true);
	return 0;
}
