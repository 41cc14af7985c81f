// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: per-ring owner/group/mode is checked at OPEN: another uid
 * without the read bit cannot consume and without the write bit cannot
 * produce (EACCES), may when the bits allow it, and cannot unlink someone
 * else's persistent ring (EPERM); the wrong role cannot write() (EBADF);
 * a full set of producer slots or consumer pages gives EBUSY.
 */
#include "kselftest_harness.h"
#include "myc_test.h"

static char g_name[MYC_RING_NAME_MAX];

/* In the child, as nobody: open in role, return 0 or the errno. */
static int open_as(void *arg)
{
	__u32 role = (uintptr_t)arg;
	int dev = myc_t_dev(), fd;

	if (dev < 0)
		return 100;
	fd = myc_t_open(dev, g_name, role);
	return fd >= 0 ? 0 : errno;
}

static int unlink_as(void *arg)
{
	int dev = myc_t_dev();

	if (dev < 0)
		return 100;
	return myc_t_unlink(dev, g_name) ? errno : 0;
}

FIXTURE(perm) {
	int dev;
};

FIXTURE_VARIANT(perm) {
	__u32 mode;
	int consume;	/* expected result for a consumer open as nobody */
	int produce;
};

FIXTURE_VARIANT_ADD(perm, owner_only) { .mode = 0600, .consume = EACCES, .produce = EACCES };
FIXTURE_VARIANT_ADD(perm, world_read) { .mode = 0644, .consume = 0, .produce = EACCES };
FIXTURE_VARIANT_ADD(perm, world_write) { .mode = 0622, .consume = EACCES, .produce = 0 };
FIXTURE_VARIANT_ADD(perm, world_rw) { .mode = 0666, .consume = 0, .produce = 0 };

FIXTURE_SETUP(perm)
{
	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(g_name, "perm");
}

FIXTURE_TEARDOWN(perm)
{
	close(self->dev);
}

TEST_F(perm, other_uid)
{
	struct myc_ioc_create c;
	int fd;

	myc_t_create_init(&c, g_name, 4096, 0, MYC_ROLE_PRODUCER);
	c.mode = variant->mode;
	fd = ioctl(self->dev, MYC_IOC_CREATE, &c);
	ASSERT_LE(0, fd);
	EXPECT_EQ(variant->consume, myc_t_as_nobody(open_as, (void *)(uintptr_t)MYC_ROLE_CONSUMER));
	EXPECT_EQ(variant->produce, myc_t_as_nobody(open_as, (void *)(uintptr_t)MYC_ROLE_PRODUCER));
	/* The owner (root here) may always open. */
	int c2 = myc_t_open(self->dev, g_name, MYC_ROLE_CONSUMER);

	EXPECT_LE(0, c2);
	close(c2);
	close(fd);
}

TEST_F(perm, unlink_other_uid_eperm)
{
	int fd = myc_t_create(self->dev, g_name, 4096, MYC_CREATE_PERSISTENT, MYC_ROLE_PRODUCER);

	ASSERT_LE(0, fd);
	EXPECT_EQ(EPERM, myc_t_as_nobody(unlink_as, NULL));
	EXPECT_EQ(0, myc_t_unlink(self->dev, g_name));
	close(fd);
}

TEST(consumer_cannot_write)
{
	char name[MYC_RING_NAME_MAX], buf[64];
	int dev = myc_t_dev(), fd;
	size_t n;

	ASSERT_LE(0, dev);
	myc_t_name(name, "wrrole");
	fd = myc_t_create(dev, name, 4096, 0, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, fd);
	n = myc_t_frame(buf, 1, 0xab, 8);
	EXPECT_EQ(-1, write(fd, buf, n));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	close(dev);
}

TEST(slots_exhausted_ebusy)
{
	char name[MYC_RING_NAME_MAX];
	struct myc_ioc_create c;
	int dev = myc_t_dev(), p, c1, c2;

	ASSERT_LE(0, dev);
	myc_t_name(name, "busy");
	myc_t_create_init(&c, name, 4096, 0, MYC_ROLE_PRODUCER);
	c.max_producers = 1;
	c.max_consumers = 1;
	p = ioctl(dev, MYC_IOC_CREATE, &c);
	ASSERT_LE(0, p);
	EXPECT_EQ(-1, myc_t_open(dev, name, MYC_ROLE_PRODUCER));
	EXPECT_EQ(EBUSY, errno);
	c1 = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c1);
	EXPECT_EQ(-1, myc_t_open(dev, name, MYC_ROLE_CONSUMER));
	EXPECT_EQ(EBUSY, errno);
	/* A released consumer page is free again. */
	close(c1);
	c2 = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
	EXPECT_LE(0, c2);
	close(c2);
	close(p);
	close(dev);
}

TEST_HARNESS_MAIN
