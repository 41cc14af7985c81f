// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: every ioctl rejects malformed arguments with a named error
 * and no side effect: sizes below the first version or above a page, a
 * non-zero tail past the known struct, reserved fields, unknown flags, bad
 * roles, bad names, sizes out of range (EFBIG for rings over the module's
 * limit), unknown ioctl numbers (ENOTTY), ring ioctls on the control
 * device and control ioctls on a ring fd.
 */
#include "kselftest_harness.h"
#include "myc_test.h"

FIXTURE(rej) {
	int dev;
	int ring;
	char name[MYC_RING_NAME_MAX];
	struct myc_ioc_create c;
};

FIXTURE_SETUP(rej)
{
	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(self->name, "rej");
	self->ring = myc_t_create(self->dev, self->name, 4096, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, self->ring);
	/* A valid request for another name, for tests to break one field. */
	myc_t_name(self->name, "rej2");
	myc_t_create_init(&self->c, self->name, 8192, 0, MYC_ROLE_PRODUCER);
}

FIXTURE_TEARDOWN(rej)
{
	close(self->ring);
	close(self->dev);
}

/* Expect CREATE with self->c to fail with err, and the name to stay free. */
#define CREATE_FAILS(err) do {						\
		errno = 0;						\
		EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, &self->c)); \
		EXPECT_EQ(err, errno);					\
		EXPECT_EQ(-1, myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER)); \
		EXPECT_EQ(ENOENT, errno);				\
	} while (0)

TEST_F(rej, create_valid_control)
{
	int fd = ioctl(self->dev, MYC_IOC_CREATE, &self->c);

	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(rej, create_size_small)
{
	self->c.size = MYC_CREATE_SIZE_VER0 - 8;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_size_zero)
{
	self->c.size = 0;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_size_over_page)
{
	self->c.size = 8192;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_bigger_struct_nonzero_tail)
{
	struct { struct myc_ioc_create c; __u64 future[4]; } big;

	memset(&big, 0, sizeof(big));
	big.c = self->c;
	big.c.size = sizeof(big);
	big.future[2] = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, &big));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, create_bigger_struct_zero_tail_ok)
{
	struct { struct myc_ioc_create c; __u64 future[4]; } big;
	int fd;

	memset(&big, 0, sizeof(big));
	big.c = self->c;
	big.c.size = sizeof(big);
	fd = ioctl(self->dev, MYC_IOC_CREATE, &big);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(rej, create_unknown_flag)
{
	self->c.flags = 0x100;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_resv0)
{
	self->c.resv0 = 1;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_resv_array)
{
	self->c.resv[3] = 1;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_bad_role)
{
	self->c.role = 3;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_role_zero)
{
	self->c.role = 0;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_mode_bits)
{
	self->c.mode = 04600;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_cap_not_pow2)
{
	self->c.capacity = 12288;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_cap_too_small)
{
	self->c.capacity = 2048;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_cap_zero)
{
	self->c.capacity = 0;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_cap_oversize)
{
	self->c.capacity = 1ull << 40;
	CREATE_FAILS(EFBIG);
}

TEST_F(rej, create_cap_over_module_limit)
{
	self->c.capacity = 1ull << 30;	/* default ring_max_bytes: 64 MiB */
	CREATE_FAILS(EFBIG);
}

TEST_F(rej, create_max_frame_over_half)
{
	self->c.max_frame = 4096 - 32 + 1;	/* capacity 8192, guard 32 */
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_max_frame_at_limit_ok)
{
	int fd;

	self->c.max_frame = 4096 - 32;
	fd = ioctl(self->dev, MYC_IOC_CREATE, &self->c);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(rej, create_max_frame_below_header)
{
	self->c.max_frame = 32;		/* a frame must be able to carry data */
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_producers_zero)
{
	self->c.max_producers = 0;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_producers_too_many)
{
	self->c.max_producers = MYC_RING_MAX_PRODUCERS + 1;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_consumers_zero)
{
	self->c.max_consumers = 0;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_consumers_too_many)
{
	self->c.max_consumers = MYC_RING_MAX_CONSUMERS + 1;
	CREATE_FAILS(EINVAL);
}

TEST_F(rej, create_bad_address)
{
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

/* Names: empty, leading dot, bad characters, no NUL, junk after NUL. */
TEST_F(rej, name_empty)
{
	memset(self->c.name, 0, sizeof(self->c.name));
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, &self->c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, name_leading_dot)
{
	memset(self->c.name, 0, sizeof(self->c.name));
	strcpy(self->c.name, ".hidden");
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, &self->c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, name_slash)
{
	memset(self->c.name, 0, sizeof(self->c.name));
	strcpy(self->c.name, "a/b");
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, &self->c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, name_space)
{
	memset(self->c.name, 0, sizeof(self->c.name));
	strcpy(self->c.name, "a b");
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, &self->c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, name_unterminated)
{
	memset(self->c.name, 'a', sizeof(self->c.name));
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, &self->c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, name_junk_after_nul)
{
	self->c.name[sizeof(self->c.name) - 1] = 'x';
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_CREATE, &self->c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, name_max_length_ok)
{
	int fd;

	memset(self->c.name, 0, sizeof(self->c.name));
	memset(self->c.name, 'z', sizeof(self->c.name) - 1);
	snprintf(self->c.name, 12, "t%d", getpid());
	self->c.name[strlen(self->c.name)] = 'z';
	fd = ioctl(self->dev, MYC_IOC_CREATE, &self->c);
	ASSERT_LE(0, fd);
	close(fd);
}

/* OPEN */
TEST_F(rej, open_missing)
{
	EXPECT_EQ(-1, myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(rej, open_bad_fields)
{
	struct myc_ioc_open o;

	myc_t_name(self->name, "rej");
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.role = MYC_ROLE_CONSUMER;
	myc_t_setname(o.name, self->name);
	o.flags = 0x1;			/* not an open flag */
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	o.flags = 0;
	o.resv0 = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	o.resv0 = 0;
	o.resv[1] = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	o.resv[1] = 0;
	o.role = 7;
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	o.role = MYC_ROLE_CONSUMER;
	o.size = 8;
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_OPEN, &o));
	EXPECT_EQ(EINVAL, errno);
	o.size = sizeof(o);
	/* And the control: the same request is fine. */
	int fd = ioctl(self->dev, MYC_IOC_OPEN, &o);

	ASSERT_LE(0, fd);
	close(fd);
}

/* UNLINK */
TEST_F(rej, unlink_bad_fields)
{
	struct myc_ioc_unlink u;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	myc_t_setname(u.name, "nosuchring");
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_UNLINK, &u));
	EXPECT_EQ(ENOENT, errno);
	u.flags = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	u.flags = 0;
	u.resv[0] = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	u.resv[0] = 0;
	u.name[0] = '.';
	EXPECT_EQ(-1, ioctl(self->dev, MYC_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, unlink_not_persistent)
{
	myc_t_name(self->name, "rej");
	EXPECT_EQ(-1, myc_t_unlink(self->dev, self->name));
	EXPECT_EQ(EINVAL, errno);
}

/* Ring fd ioctls */
TEST_F(rej, info_bad_fields)
{
	struct myc_ioc_info i;

	memset(&i, 0, sizeof(i));
	i.size = MYC_INFO_SIZE_VER0 - 1;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_INFO, &i));
	EXPECT_EQ(EINVAL, errno);
	i.size = sizeof(i);
	i.flags = 1;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_INFO, &i));
	EXPECT_EQ(EINVAL, errno);
	i.flags = 0;
	i.resv[0] = 1;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_INFO, &i));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, stats_bad_fields)
{
	struct myc_ioc_cons_stat st[2];
	struct myc_ioc_stats s;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.stride = sizeof(st[0]);
	s.nr = 2;
	s.cons = (uintptr_t)st;
	ASSERT_EQ(0, ioctl(self->ring, MYC_IOC_STATS, &s));
	EXPECT_EQ(0, s.nr);
	s.nr = 2;
	s.stride = 8;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_STATS, &s));
	EXPECT_EQ(EINVAL, errno);
	s.stride = sizeof(st[0]);
	s.flags = 2;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_STATS, &s));
	EXPECT_EQ(EINVAL, errno);
	s.flags = 0;
	s.cons = 0;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_STATS, &s));
	EXPECT_EQ(EINVAL, errno);
	s.cons = (uintptr_t)st;
	s.resv[1] = 5;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_STATS, &s));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, wait_bad_fields)
{
	struct myc_ioc_wait w;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.flags = 0x2;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.flags = 0;
	w.resv0 = 1;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.resv0 = 0;
	w.resv[1] = 1;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.resv[1] = 0;
	w.flags = MYC_WAIT_TIMEOUT;
	w.timeout_ns = ~0ull;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, wake_and_events_bad_fields)
{
	struct myc_ioc_events e;
	struct myc_ioc_wake w;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.flags = 1;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_WAKE, &w));
	EXPECT_EQ(EINVAL, errno);
	w.flags = 0;
	w.resv[0] = 1;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_WAKE, &w));
	EXPECT_EQ(EINVAL, errno);
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.events = 1;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_EVENTS, &e));
	EXPECT_EQ(EINVAL, errno);
	e.events = 0;
	e.size = 4;
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_EVENTS, &e));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(rej, unknown_ioctls)
{
	struct myc_ioc_info i;

	EXPECT_EQ(-1, ioctl(self->dev, _IO(MYC_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->ring, _IO(MYC_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* Ring ioctls belong to ring fds, control ioctls to the device. */
	EXPECT_EQ(-1, myc_t_info(self->dev, &i));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->ring, MYC_IOC_CREATE, &self->c));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
