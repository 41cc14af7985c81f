// SPDX-License-Identifier: MIT
/*
 * Description: on a lossy ring a producer process never waits for a slow
 * consumer; the consumer that was lapped skips to valid data and learns
 * exactly how many frames it lost: for every gap between two delivered
 * frames the lost counter grows by exactly the gap, delivered + lost equals
 * what was published, and no delivered frame is torn (payload checked).
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

#define NMSG	200000u
#define SIZE	200u

static const char *name;

static int producer(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	unsigned char buf[SIZE];
	uint64_t i;

	RT_CHECK(r);
	for (i = 0; i < NMSG; i++) {
		rt_fill(buf, SIZE, i);
		/* lossy: never back-pressured, even with timeout 0 */
		RT_EQ(myc_ring_send(r, 5, buf, SIZE, 0), 0);
	}
	myc_ring_free(r);
	return 0;
}

int main(void)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .capacity = 8192 };
	struct myc_ring_cons_info ci = { .sz = sizeof(ci) };
	struct myc_ring_info info = { .sz = sizeof(info) };
	unsigned long long calls;
	uint64_t got = 0, lost_before = 0, expect = 0, idx;
	unsigned char buf[SIZE];
	struct myc_frame_hdr h;
	struct myc_ring *c;
	pid_t p;
	int n, st = -1, quiet = 0;

	name = rt_name("lapped");
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	p = rt_spawn(producer, NULL);
	for (;;) {
		RT_EQ(myc_ring_info(c, &info), 0);
		calls = info.handle_syscalls;
		n = myc_ring_recv(c, &h, buf, sizeof(buf), 500);
		/* The last frames may be lost too, so only a quiet ring whose
		 * producer has exited ends the stream (an emulated guest can
		 * stall the producer for longer than the timeout). */
		if (n == -ETIMEDOUT && waitpid(p, &st, WNOHANG) == p)
			break;
		if (n == -ETIMEDOUT) {
			/* Say what the quiet spell looked like: bytes
			 * committed but unread, and the sleeps it took. */
			RT_EQ(myc_ring_cons_info(c, 0, &ci), 0);
			RT_EQ(myc_ring_info(c, &info), 0);
			printf("# quiet 500 ms after %llu frames: lag %llu, %llu "
			       "data-path calls\n", (unsigned long long)got,
			       (unsigned long long)ci.lag,
			       (unsigned long long)(info.handle_syscalls - calls));
			quiet++;
			continue;
		}
		RT_EQ(n, SIZE);
		memcpy(&idx, buf, 8);
		RT_CHECK(rt_check(buf, SIZE, idx));
		RT_EQ(h.seq, idx + 1);
		RT_CHECK(idx >= expect);
		/* exactly the frames skipped were counted as lost */
		RT_EQ(myc_ring_lost(c) - lost_before, idx - expect);
		lost_before = myc_ring_lost(c);
		expect = idx + 1;
		got++;
		if (got % 64 == 0)
			usleep(200);	/* be slow so we get lapped */
		if (idx == NMSG - 1)
			break;
	}
	if (quiet)
		printf("# %d quiet spells of 500 ms while the producer ran\n",
		       quiet);
	if (st == -1)
		RT_EQ(rt_wait(p), 0);
	else
		RT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	RT_EQ(got + myc_ring_lost(c), NMSG);
	RT_CHECK(myc_ring_lost(c) > 0);
	RT_EQ(myc_ring_cons_info(c, 0, &ci), 0);
	RT_EQ(ci.lost, myc_ring_lost(c));
	RT_CHECK(ci.overruns > 0);
	RT_EQ(ci.delivered, got);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
