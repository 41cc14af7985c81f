// SPDX-License-Identifier: MIT
/*
 * Description: frames of every payload size from 1 byte to the ring's
 * maximum cross the end of the data area (which is mapped twice) many
 * times; the consumer process receives each one whole, with the right size
 * and payload, and the ring refuses one byte more with -EMSGSIZE.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "myc.h"
#include "ringtest.h"

#define CAP	16384u

static const char *name;
static uint32_t maxpay;

static int producer(void *arg)
{
	struct myc_ring *r = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	unsigned char *buf = malloc(maxpay + 1);
	void *p;
	uint32_t n;

	RT_CHECK(r && buf);
	RT_EQ(myc_ring_claim(r, maxpay + 1, &p, 0), -EMSGSIZE);
	for (n = 1; n <= maxpay; n++) {
		rt_fill(buf, n, n);
		RT_EQ(myc_ring_send(r, 3, buf, n, -1), 0);
	}
	free(buf);
	myc_ring_free(r);
	return 0;
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = CAP,
	};
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct myc_frame_hdr h;
	unsigned char *buf;
	struct myc_ring *c;
	uint32_t n;
	pid_t p;

	name = rt_name("wrap");
	c = myc_ring_open(name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(c);
	RT_EQ(myc_ring_info(c, &info), 0);
	RT_EQ(info.capacity, CAP);
	RT_EQ(info.max_frame, CAP / 2 - 32);
	maxpay = info.max_frame - MYC_FRAME_HDR_SIZE;
	buf = malloc(maxpay);
	RT_CHECK(buf);
	p = rt_spawn(producer, NULL);
	for (n = 1; n <= maxpay; n++) {
		RT_EQ(myc_ring_recv(c, &h, buf, maxpay, 10000), n);
		RT_EQ(h.len, n + MYC_FRAME_HDR_SIZE);
		RT_CHECK(rt_check(buf, n, n));
	}
	RT_EQ(rt_wait(p), 0);
	RT_EQ(myc_ring_info(c, &info), 0);
	RT_CHECK(info.head_pos > 100 * CAP);	/* wrapped many times */
	free(buf);
	myc_ring_free(c);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
