// SPDX-License-Identifier: MIT
/*
 * Description: a ring producer stamps every frame with its publish time in
 * CLOCK_REALTIME nanoseconds (docs/frame-format.md): each frame's ts_ns
 * lies between CLOCK_REALTIME read just before myc_ring_send() and just
 * after it (give or take TOL_NS, the documented bound of the TSC-derived
 * clock, docs/ring-format.md "Timestamps"), in bursts and across idle
 * gaps longer than the clock's re-anchoring interval, and over a run long
 * enough for several re-anchorings; stamps of one producer never go
 * backwards by more than TOL_NS; a producer opened with
 * MYC_RING_O_NO_TIMESTAMP leaves ts_ns 0.
 * Sanitizers: tsan
 */
#include <stdint.h>
#include <time.h>

#include "myc.h"
#include "ringtest.h"

#define TOL_NS		1000000ull	/* 1 ms: a unit or slope error shows
					 * up as tens of ms over 50 ms */
#define BURSTS		12
#define PER_BURST	2000

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Send one frame and receive it: returns its ts_ns, checked against the
 * clock read around the send. */
static uint64_t one(struct myc_ring *p, struct myc_ring *c, uint64_t i)
{
	struct myc_frame_hdr h;
	uint64_t before, after, buf = i;

	before = real_ns();
	RT_EQ(myc_ring_send(p, 7, &buf, sizeof(buf), 0), 0);
	after = real_ns();
	RT_EQ(myc_ring_recv(c, &h, &buf, sizeof(buf), 0), sizeof(buf));
	RT_EQ(buf, i);
	if (h.ts_ns + TOL_NS < before || h.ts_ns > after + TOL_NS) {
		fprintf(stderr, "frame %llu: ts %llu outside [%llu, %llu]\n",
			(unsigned long long)i, (unsigned long long)h.ts_ns,
			(unsigned long long)before, (unsigned long long)after);
		exit(1);
	}
	return h.ts_ns;
}

int main(void)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .policy = MYC_LOSSLESS };
	struct myc_ring_opts nots = { .sz = sizeof(nots),
				      .flags = MYC_RING_O_NO_TIMESTAMP };
	struct myc_ring *p, *c;
	struct myc_frame_hdr h;
	uint64_t i = 0, ts, last = 0, buf = 1;
	int b, k;

	const char *name = rt_name("ts");

	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	p = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(p);
	for (b = 0; b < BURSTS; b++) {
		for (k = 0; k < PER_BURST; k++, i++) {
			ts = one(p, c, i);
			RT_CHECK(ts + TOL_NS >= last);
			last = ts;
			/* spread some bursts over more than one interval */
			if (b % 3 == 1 && k % 200 == 0)
				nap_ms(7);
		}
		/* idle for longer than the 50 ms re-anchoring interval */
		if (b % 4 == 3)
			nap_ms(60);
	}
	myc_ring_free(p);

	p = myc_ring_open(name, MYC_RING_PRODUCER, &nots);
	RT_CHECK(p);
	RT_EQ(myc_ring_send(p, 7, &buf, sizeof(buf), 0), 0);
	RT_EQ(myc_ring_recv(c, &h, &buf, sizeof(buf), 0), sizeof(buf));
	RT_EQ(h.ts_ns, 0);
	myc_ring_free(p);
	myc_ring_free(c);
	return 0;
}
