// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: write() of one frame on a producer fd: a valid frame is
 * committed at the next position with the ring's seq and the producer's
 * src, padded to 8 bytes; every frame rule of docs/frame-format.md is
 * enforced (short, length mismatch, unknown flags, padding flag, type 0,
 * system flag vs type range, reserved, oversize, non-zero padding, bad
 * payload address) and a rejected frame never wedges the ring; a lossless
 * ring that is full answers EAGAIN; a lossy ring laps a slow consumer and
 * counts the overrun.
 */
#include "kselftest_harness.h"
#include "myc_test.h"

FIXTURE(wr) {
	int dev, prod, cons;
	struct myc_t_map cm;
	struct myc_ioc_info pi;
	char buf[70000];
};

FIXTURE_VARIANT(wr) {
	__u32 flags;
};
FIXTURE_VARIANT_ADD(wr, lossy) { .flags = 0 };
FIXTURE_VARIANT_ADD(wr, lossless) { .flags = MYC_CREATE_LOSSLESS };

FIXTURE_SETUP(wr)
{
	char name[MYC_RING_NAME_MAX];

	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(name, "wr");
	self->prod = myc_t_create(self->dev, name, 8192, variant->flags, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, self->prod);
	self->cons = myc_t_open(self->dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, self->cons);
	ASSERT_EQ(0, myc_t_map(self->cons, PROT_READ, &self->cm));
	ASSERT_EQ(0, myc_t_info(self->prod, &self->pi));
}

FIXTURE_TEARDOWN(wr)
{
	myc_t_unmap(&self->cm);
	close(self->cons);
	close(self->prod);
	close(self->dev);
}

TEST_F(wr, valid_frames_commit_in_order)
{
	struct myc_t_frame *f;
	struct myc_ioc_info i;
	size_t n;

	n = myc_t_frame(self->buf, 5, 0xa1, 13);	/* len 45, span 48 */
	ASSERT_EQ(48, n);
	/* count may be len or span */
	ASSERT_EQ(45, write(self->prod, self->buf, 45));
	ASSERT_EQ(48, write(self->prod, self->buf, 48));
	n = myc_t_frame(self->buf, 0xff01, 0, 0);	/* system frame */
	ASSERT_EQ(32, write(self->prod, self->buf, n));
	f = myc_t_rec(&self->cm, 0);
	EXPECT_EQ(45, f->len);
	EXPECT_EQ(5, f->type);
	EXPECT_EQ(1, f->seq);
	EXPECT_EQ(self->pi.slot + 1, f->src);
	EXPECT_NE(0, f->ts_ns);
	EXPECT_EQ(0xa1, ((unsigned char *)(f + 1))[12]);
	EXPECT_EQ(0, ((unsigned char *)(f + 1))[13]);	/* zero padding */
	f = myc_t_rec(&self->cm, 48);
	EXPECT_EQ(2, f->seq);
	f = myc_t_rec(&self->cm, 96);
	EXPECT_EQ(3, f->seq);
	EXPECT_EQ(MYC_T_F_SYSTEM, f->flags);
	EXPECT_EQ(128, self->cm.ctl->head_pos);
	EXPECT_EQ(4, self->cm.ctl->head_seq);
	ASSERT_EQ(0, myc_t_info(self->prod, &i));
	EXPECT_EQ(3, i.writes);
	EXPECT_EQ(3, myc_t_prod(&self->cm, self->pi.slot)->commits);
}

/* Expect write to fail with err and the ring head not to move. */
#define WRITE_FAILS(count, err) do {					\
		__u64 h = self->cm.ctl->head_pos;			\
		EXPECT_EQ(-1, write(self->prod, self->buf, count));	\
		EXPECT_EQ(err, errno);					\
		EXPECT_EQ(h, self->cm.ctl->head_pos);			\
	} while (0)

TEST_F(wr, rejects_bad_frames)
{
	struct myc_t_frame *f = (void *)self->buf;
	size_t n = myc_t_frame(self->buf, 5, 1, 8);

	WRITE_FAILS(16, EINVAL);		/* shorter than a header */
	WRITE_FAILS(n + 8, EINVAL);		/* count is neither len nor span */
	f->len = 31;
	WRITE_FAILS(n, EINVAL);			/* len below the header */
	f->len = 40;
	f->flags = 0x10;
	WRITE_FAILS(n, EINVAL);			/* unknown flag */
	f->flags = MYC_T_F_PAD;
	WRITE_FAILS(n, EINVAL);			/* padding is the ring's business */
	f->flags = 0;
	f->type = 0;
	WRITE_FAILS(n, EINVAL);			/* type 0 */
	f->type = 0xff02;
	WRITE_FAILS(n, EINVAL);			/* system type without the flag */
	f->type = 5;
	f->flags = MYC_T_F_SYSTEM;
	WRITE_FAILS(n, EINVAL);			/* system flag on a user type */
	f->flags = 0;
	f->resv = 1;
	WRITE_FAILS(n, EINVAL);			/* reserved */
	f->resv = 0;
	n = myc_t_frame(self->buf, 5, 1, 4064 - 32 + 8);	/* over max_frame */
	WRITE_FAILS(n, EMSGSIZE);
	n = myc_t_frame(self->buf, 5, 1, 65536);	/* over the frame format */
	WRITE_FAILS(n, EMSGSIZE);
	/* An unmapped header (volatile: keep the compiler from judging). */
	void *volatile bad = (void *)8;

	EXPECT_EQ(-1, write(self->prod, bad, 64));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(wr, bad_padding_or_payload_becomes_pad_frame)
{
	struct myc_t_frame *f;
	struct myc_ioc_info i;
	size_t n = myc_t_frame(self->buf, 5, 1, 13);	/* len 45, span 48 */
	void *hole;

	self->buf[46] = 1;	/* non-zero padding byte */
	EXPECT_EQ(-1, write(self->prod, self->buf, n));
	EXPECT_EQ(EINVAL, errno);
	f = myc_t_rec(&self->cm, 0);
	EXPECT_EQ(1, f->seq);
	EXPECT_EQ(MYC_T_F_PAD, f->flags);
	EXPECT_EQ(48, f->len);
	/* Header readable, payload not: EFAULT, and again a pad frame. */
	hole = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap((char *)hole + 4096, 4096));
	n = myc_t_frame((char *)hole + 4096 - 32, 5, 0, 0);
	((struct myc_t_frame *)((char *)hole + 4096 - 32))->len = 32 + 64;
	EXPECT_EQ(-1, write(self->prod, (char *)hole + 4096 - 32, 96));
	EXPECT_EQ(EFAULT, errno);
	f = myc_t_rec(&self->cm, 48);
	EXPECT_EQ(2, f->seq);
	EXPECT_EQ(MYC_T_F_PAD, f->flags);
	EXPECT_EQ(96, f->len);
	munmap(hole, 4096);
	/* And the ring goes on. */
	n = myc_t_frame(self->buf, 6, 2, 8);
	ASSERT_EQ((ssize_t)n, write(self->prod, self->buf, n));
	EXPECT_EQ(3, myc_t_rec(&self->cm, 144)->seq);
	ASSERT_EQ(0, myc_t_info(self->prod, &i));
	EXPECT_EQ(1, i.writes);
	EXPECT_EQ(2, i.write_errors);
}

TEST_F(wr, full_ring)
{
	struct myc_ioc_info i;
	size_t n = myc_t_frame(self->buf, 5, 3, 1024 - 32);	/* span 1 KiB */
	int k, ok = 0;

	/* 8 KiB ring, consumer never reads. */
	for (k = 0; k < 12; k++) {
		if (write(self->prod, self->buf, n) == (ssize_t)n) {
			ok++;
			continue;
		}
		EXPECT_TRUE(variant->flags & MYC_CREATE_LOSSLESS);
		EXPECT_EQ(EAGAIN, errno);
	}
	ASSERT_EQ(0, myc_t_info(self->prod, &i));
	if (variant->flags & MYC_CREATE_LOSSLESS) {
		/* room: cursor + capacity - GUARD */
		EXPECT_EQ(7, ok);
		EXPECT_EQ(0, i.overruns);
		EXPECT_EQ(0, i.min_cursor);
	} else {
		EXPECT_EQ(12, ok);
		EXPECT_EQ(1, i.overruns);	/* lapped once */
	}
}

/* A consumer that joins lowers a lossless producer's cached room to its
 * own reach (head + capacity) and never raises it. */
TEST_F(wr, consumer_attach_lowers_limit)
{
	struct myc_t_map pm;
	size_t n = myc_t_frame(self->buf, 5, 1, 32);	/* span 64 */
	char name[MYC_RING_NAME_MAX];
	int c2;

	ASSERT_EQ((ssize_t)n, write(self->prod, self->buf, n));
	ASSERT_EQ(0, myc_t_map(self->prod, PROT_READ | PROT_WRITE, &pm));
	pm.ctl->limit = 1ull << 40;	/* stale, too generous */
	myc_t_name(name, "wr");
	c2 = myc_t_open(self->dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c2);
	EXPECT_EQ(64 + 8192, pm.ctl->limit);
	close(c2);
	pm.ctl->limit = 100;		/* tighter than the new consumer */
	c2 = myc_t_open(self->dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c2);
	EXPECT_EQ(100, pm.ctl->limit);
	close(c2);
	myc_t_unmap(&pm);
}

TEST_HARNESS_MAIN
