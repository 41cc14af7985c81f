// SPDX-License-Identifier: MIT
/*
 * Description: every error path of the ring API gives its named result:
 * bad names, flags and options (EINVAL), a missing ring (ENOENT), EXCL on
 * a live ring (EEXIST), all slots taken (EUSERS), a schema digest mismatch
 * (MYC_E_DIGEST), wrong role (EPERM), a second claim (EBUSY), oversize
 * claim (EMSGSIZE), type 0 (MYC_E_FRAME_TYPE), commit without claim,
 * peek twice, a small receive buffer (EMSGSIZE, frame kept), and abort
 * (consumers skip the aborted claim).
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>

#include "myc.h"
#include "ringtest.h"

static void open_fails(const char *name, uint32_t flags,
		       const struct myc_ring_opts *o, int err)
{
	struct myc_ring *r = myc_ring_open(name, flags, o);

	RT_CHECK(!r);
	RT_EQ(errno, err);
}

int main(void)
{
	uint8_t d1[32] = { 1 }, d2[32] = { 2 };
	struct myc_ring_opts o = { .sz = sizeof(o), .digest = d1,
				   .max_consumers = 1, .capacity = 8192 };
	struct myc_ring_opts bad = o;
	struct myc_ring *p, *c, *p2;
	struct myc_frame_hdr h;
	const void *pl;
	char big[100], name[64];
	uint64_t v = 7;
	void *s;

	snprintf(name, sizeof(name), "%s", rt_name("errors"));
	open_fails("", MYC_RING_CREATE, NULL, EINVAL);
	open_fails(".hidden", MYC_RING_CREATE, NULL, EINVAL);
	open_fails("a/b", MYC_RING_CREATE, NULL, EINVAL);
	open_fails(NULL, MYC_RING_CREATE, NULL, EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	open_fails(big, MYC_RING_CREATE, NULL, EINVAL);
	open_fails(name, MYC_RING_PRODUCER | MYC_RING_CONSUMER, NULL, EINVAL);
	open_fails(name, MYC_RING_EXCL, NULL, EINVAL);
	open_fails(name, 0x100, NULL, EINVAL);
	bad.capacity = 5000;
	open_fails(name, MYC_RING_CREATE, &bad, EINVAL);
	bad = o;
	bad.policy = 9;
	open_fails(name, MYC_RING_CREATE, &bad, EINVAL);
	bad = o;
	bad.max_frame = 8192;
	open_fails(name, MYC_RING_CREATE, &bad, EINVAL);
	bad = o;
	bad.max_producers = 256;
	open_fails(name, MYC_RING_CREATE, &bad, EINVAL);
	open_fails(name, MYC_RING_CONSUMER, NULL, ENOENT);
	RT_CHECK(!rt_ring_exists(name));

	p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE |
			  MYC_RING_EXCL, &o);
	RT_CHECK(p);
	open_fails(name, MYC_RING_CREATE | MYC_RING_EXCL, &o, EEXIST);
	bad = o;
	bad.digest = d2;
	open_fails(name, MYC_RING_CONSUMER, &bad, MYC_E_DIGEST);
	c = myc_ring_open(name, MYC_RING_CONSUMER, &o);
	RT_CHECK(c);
	open_fails(name, MYC_RING_CONSUMER, NULL, EUSERS);

	/* roles and claims */
	RT_EQ(myc_ring_claim(c, 8, &s, 0), -EPERM);
	RT_EQ(myc_ring_peek(p, &h, &pl, 0), -EPERM);
	RT_EQ(myc_ring_claim(p, 8192, &s, 0), -EMSGSIZE);
	RT_EQ(myc_ring_commit(p, 1), -EINVAL);
	RT_EQ(myc_ring_send(p, 0, &v, sizeof(v), 0), -MYC_E_FRAME_TYPE);
	RT_EQ(myc_ring_claim(p, 8, &s, 0), 0);
	RT_EQ(myc_ring_claim(p, 8, &s, 0), -EBUSY);
	RT_EQ(myc_ring_commit(p, 0), -MYC_E_FRAME_TYPE);
	myc_ring_abort(p);	/* consumers skip it */
	RT_EQ(myc_ring_send(p, 1, &v, sizeof(v), 0), 0);
	RT_EQ(myc_ring_recv(c, &h, big, 4, 0), -EMSGSIZE);
	RT_EQ(myc_ring_peek(c, &h, &pl, 0), 8);
	RT_EQ(myc_ring_peek(c, &h, &pl, 0), -EBUSY);
	RT_EQ(h.seq, 2);	/* seq 1 was the aborted claim */
	RT_EQ(memcmp(pl, &v, 8), 0);
	RT_EQ(myc_ring_release(c), 0);
	RT_EQ(myc_ring_release(c), -EINVAL);
	RT_EQ(myc_ring_recv(c, &h, big, sizeof(big), 0), -EAGAIN);
	RT_EQ(myc_ring_recv(c, &h, big, sizeof(big), 20), -ETIMEDOUT);

	/* a second producer handle is fine; a ring with free slots again */
	p2 = myc_ring_open(name, MYC_RING_PRODUCER, NULL);
	RT_CHECK(p2);
	myc_ring_free(c);
	c = myc_ring_open(name, MYC_RING_CONSUMER, NULL);
	RT_CHECK(c);
	RT_CHECK(!strcmp(myc_ring_name(c), name));
	myc_ring_free(c);
	myc_ring_free(p2);
	myc_ring_free(p);
	myc_ring_free(NULL);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
