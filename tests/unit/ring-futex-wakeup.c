// SPDX-License-Identifier: MIT
/*
 * Description: a consumer process asleep on the ring's futex (spin budget
 * 0, no timeout) is woken by a producer's commit and receives the frame;
 * while consumers only spin (large spin budget) the producer makes no
 * futex wake at all (the ring's wakeup counter stays 0 over 100,000
 * frames): publishing costs no syscall unless a waiter announced itself.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

#define NSPIN	100000u

static const char *name;
static struct rt_sync ready;

static int consumer(void *arg)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .spin_ns = arg ? 0 : 4000000000u,
	};
	struct myc_ring *r = myc_ring_open(name, MYC_RING_CONSUMER, &o);
	uint64_t n = arg ? 1 : NSPIN, i, v;
	struct myc_frame_hdr h;

	RT_CHECK(r);
	rt_sync_post(&ready);
	for (i = 0; i < n; i++) {
		RT_EQ(myc_ring_recv(r, &h, &v, sizeof(v), -1), sizeof(v));
		RT_EQ(v, i);
	}
	myc_ring_free(r);
	return 0;
}

int main(void)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .policy = MYC_LOSSLESS };
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct myc_ring *p;
	uint64_t i;
	pid_t pid;
	int k;

	name = rt_name("futex");
	rt_sync_init(&ready);
	p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE, &o);
	RT_CHECK(p);

	/* sleeping consumer: wait until it announced itself, then wake it */
	pid = rt_spawn(consumer, (void *)1);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	for (k = 0; k < 20000; k++) {
		RT_EQ(myc_ring_info(p, &info), 0);
		if (info.waiters == 1)
			break;
		usleep(500);
	}
	RT_EQ(info.waiters, 1);
	i = 0;
	RT_EQ(myc_ring_send(p, 1, &i, sizeof(i), -1), 0);
	RT_EQ(rt_wait(pid), 0);
	RT_EQ(myc_ring_info(p, &info), 0);
	RT_EQ(info.wakeups, 1);
	RT_EQ(info.waiters, 0);

	/* spinning consumers: no wake-up syscalls */
	pid = rt_spawn(consumer, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	for (i = 0; i < NSPIN; i++)
		RT_EQ(myc_ring_send(p, 1, &i, sizeof(i), -1), 0);
	RT_EQ(rt_wait(pid), 0);
	RT_EQ(myc_ring_info(p, &info), 0);
	RT_EQ(info.wakeups, 1);
	myc_ring_free(p);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
