// SPDX-License-Identifier: MIT
/*
 * Description: a producer that sends after pauses (so that each copy takes
 * the path for an awaited record, which copies the payload's part in the
 * seq word's line last) delivers every payload size from 1 to 300 bytes
 * whole, with the record starting at each of the eight 8-byte offsets in
 * a cache line; a filler frame before each one sets the offset, and the
 * head's final position proves that the offsets were the ones intended.
 * Sanitizers: tsan
 */
#include <stdint.h>
#include <time.h>

#include "myc.h"
#include "ringtest.h"

#define CAP		16384u
#define MAXSIZE		300u
#define PAUSE_NS	2000ull	/* well over the 250 ns that mark a pause */

static const char *name;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pause_spin(void)
{
	uint64_t t0 = mono_ns();

	while (mono_ns() - t0 < PAUSE_NS)
		;
}

/* Payload size of the filler that puts the next record at @want (mod 64)
 * when the filler starts at @pos: its span is 40..96 bytes. */
static uint32_t filler_size(uint64_t pos, uint32_t want)
{
	uint32_t span = (uint32_t)((want - pos) & 63);

	while (span < 40)
		span += 64;
	return span - MYC_FRAME_HDR_SIZE;
}

static int send_paused(struct myc_ring *r, unsigned char *buf, uint32_t n,
		       uint64_t idx, uint64_t *pos)
{
	rt_fill(buf, n, idx);
	pause_spin();
	*pos += myc_frame_span(n + MYC_FRAME_HDR_SIZE);
	return myc_ring_send(r, 7, buf, n, -1);
}

static int producer(void *arg)
{
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	unsigned char buf[MAXSIZE];
	uint64_t pos, idx = 0;
	uint32_t n, off;

	RT_CHECK(r);
	RT_EQ(myc_ring_info(r, &info), 0);
	pos = info.head_pos;
	for (n = 1; n <= MAXSIZE; n++) {
		for (off = 0; off < 64; off += 8) {
			RT_EQ(send_paused(r, buf, filler_size(pos, off), idx++,
					  &pos), 0);
			RT_EQ(pos % 64, off);
			RT_EQ(send_paused(r, buf, n, idx++, &pos), 0);
		}
	}
	RT_EQ(myc_ring_info(r, &info), 0);
	RT_EQ(info.head_pos, pos);
	myc_ring_free(r);
	return 0;
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = CAP,
	};
	unsigned char buf[MAXSIZE];
	struct myc_frame_hdr h;
	struct myc_ring *c;
	uint64_t idx = 0;
	uint32_t n, off;
	int len;
	pid_t p;

	name = rt_name("cpause");
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	p = rt_spawn(producer, NULL);
	for (n = 1; n <= MAXSIZE; n++) {
		for (off = 0; off < 64; off += 8) {
			len = myc_ring_recv(c, &h, buf, sizeof(buf), 10000);
			RT_CHECK(len >= 8 && len <= 64);
			RT_CHECK(rt_check(buf, (uint32_t)len, idx++));
			RT_EQ(myc_ring_recv(c, &h, buf, sizeof(buf), 10000), n);
			RT_CHECK(rt_check(buf, n, idx++));
		}
	}
	RT_EQ(rt_wait(p), 0);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
