// SPDX-License-Identifier: MIT
/*
 * Description: a consumer process killed with SIGKILL while it holds a
 * lossless producer back does not block the producer forever: the producer
 * finds the dead consumer, reclaims its cursor and goes on, while the live
 * consumer still receives every frame; a dead consumer that was asleep on
 * the futex gives back its waiter count.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

#define NMSG	2000u

static const char *name;
static struct rt_sync ready;

static int sleepy_consumer(void *arg)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .spin_ns = 0 };
	struct myc_ring *r = myc_ring_open(name, MYC_RING_CONSUMER, &o);
	struct myc_frame_hdr h;
	uint64_t v;

	RT_CHECK(r);
	rt_sync_post(&ready);
	if (arg)	/* sleep on the futex until killed */
		myc_ring_recv(r, &h, &v, sizeof(v), -1);
	for (;;)
		pause();
	return 0;
}

static int live_consumer(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_CONSUMER, NULL);
	struct myc_frame_hdr h;
	uint64_t v, i;

	RT_CHECK(r);
	rt_sync_post(&ready);
	for (i = 0; i < NMSG; i++) {
		RT_EQ(myc_ring_recv(r, &h, &v, sizeof(v), 20000), sizeof(v));
		RT_EQ(v, i);
	}
	myc_ring_free(r);
	return 0;
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 4096,
	};
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct myc_ring *p;
	pid_t dead[2], live;
	uint64_t i;
	int k;

	name = rt_name("conskill");
	rt_sync_init(&ready);
	p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE, &o);
	RT_CHECK(p);
	for (k = 0; k < 2; k++) {
		dead[k] = rt_spawn(sleepy_consumer, (void *)(uintptr_t)k);
		RT_EQ(rt_sync_wait(&ready, 10000), 0);
	}
	live = rt_spawn(live_consumer, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	/* wait until the sleepy one is counted as a waiter */
	for (k = 0; k < 10000; k++) {
		RT_EQ(myc_ring_info(p, &info), 0);
		if (info.waiters >= 1)
			break;
		usleep(1000);
	}
	RT_EQ(info.consumers, 3);
	for (k = 0; k < 2; k++) {
		kill(dead[k], SIGKILL);
		RT_EQ(rt_wait(dead[k]), 128 + SIGKILL);
	}
	/* 2000 x 48 B is many times the 4 KiB ring: only possible if the
	 * dead consumers' cursors are reclaimed. */
	for (i = 0; i < NMSG; i++)
		RT_EQ(myc_ring_send(p, 4, &i, sizeof(i), 20000), 0);
	RT_EQ(rt_wait(live), 0);
	RT_EQ(myc_ring_info(p, &info), 0);
	/* Userspace mode: the producer reclaimed both pages.  Kernel mode:
	 * the kernel freed them when the fds were released (not counted). */
	RT_EQ(info.reclaimed, rt_kernel_mode() ? 0 : 2);
	RT_EQ(info.consumers, 0);
	RT_EQ(info.waiters, 0);
	myc_ring_free(p);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
