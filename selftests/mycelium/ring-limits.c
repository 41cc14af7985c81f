// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: ring memory limits (module parameters under
 * /sys/module/mycelium/parameters): a ring over ring_max_bytes fails with
 * EFBIG; rings beyond a user's user_max_bytes or the module-wide
 * total_max_bytes fail with ENOSPC, and the memory is given back when
 * rings go away, so the same create then succeeds; one user's rings do
 * not count against another user's limit.
 */
#include "kselftest_harness.h"
#include "myc_test.h"

#define PARAM "/sys/module/mycelium/parameters/"

static unsigned long param_get(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), PARAM "%s", name);
	if (!myc_t_read_file(path, buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 10);
}

static int param_set(const char *name, unsigned long v)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), PARAM "%s", name);
	snprintf(buf, sizeof(buf), "%lu", v);
	return myc_t_write_file(path, buf);
}

FIXTURE(lim) {
	int dev;
	unsigned long ring_max, user_max, total_max;
};

FIXTURE_SETUP(lim)
{
	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	self->ring_max = param_get("ring_max_bytes");
	self->user_max = param_get("user_max_bytes");
	self->total_max = param_get("total_max_bytes");
	if (!self->ring_max || !self->user_max || !self->total_max)
		SKIP(return, "module parameters not readable");
}

FIXTURE_TEARDOWN(lim)
{
	param_set("ring_max_bytes", self->ring_max);
	param_set("user_max_bytes", self->user_max);
	param_set("total_max_bytes", self->total_max);
	close(self->dev);
}

TEST_F(lim, ring_max_bytes_efbig)
{
	char name[MYC_RING_NAME_MAX];
	int fd;

	myc_t_name(name, "rmax");
	ASSERT_EQ(0, param_set("ring_max_bytes", 65536));
	EXPECT_EQ(-1, myc_t_create(self->dev, name, 131072, 0, MYC_ROLE_PRODUCER));
	EXPECT_EQ(EFBIG, errno);
	fd = myc_t_create(self->dev, name, 65536, 0, MYC_ROLE_PRODUCER);
	EXPECT_LE(0, fd);
	close(fd);
}

/* Each 64 KiB ring with 4+4 slots costs 16 + 2 + 1 + 4 = 23 pages. */
static void fill_to_limit(struct __test_metadata *_metadata, int dev, const char *param)
{
	char name[MYC_RING_NAME_MAX];
	int fd[3], k;

	ASSERT_EQ(0, param_set(param, 2 * 23 * 4096));
	for (k = 0; k < 2; k++) {
		myc_t_name(name, k ? "lim1" : "lim0");
		fd[k] = myc_t_create(dev, name, 65536, 0, MYC_ROLE_PRODUCER);
		ASSERT_LE(0, fd[k]);
	}
	myc_t_name(name, "lim2");
	EXPECT_EQ(-1, myc_t_create(dev, name, 65536, 0, MYC_ROLE_PRODUCER));
	EXPECT_EQ(ENOSPC, errno);
	/* Nothing was half-made: the name is free. */
	EXPECT_EQ(-1, myc_t_open(dev, name, MYC_ROLE_CONSUMER));
	EXPECT_EQ(ENOENT, errno);
	close(fd[0]);
	fd[2] = myc_t_create(dev, name, 65536, 0, MYC_ROLE_PRODUCER);
	EXPECT_LE(0, fd[2]);
	close(fd[1]);
	close(fd[2]);
}

TEST_F(lim, user_max_bytes_enospc)
{
	fill_to_limit(_metadata, self->dev, "user_max_bytes");
}

TEST_F(lim, total_max_bytes_enospc)
{
	fill_to_limit(_metadata, self->dev, "total_max_bytes");
}

static int create_as(void *arg)
{
	char name[MYC_RING_NAME_MAX];
	int dev = myc_t_dev(), fd;

	myc_t_name(name, "other");
	fd = myc_t_create(dev, name, 65536, 0, MYC_ROLE_PRODUCER);
	return fd >= 0 ? 0 : errno;
}

TEST_F(lim, per_user)
{
	char name[MYC_RING_NAME_MAX];
	int fd;

	ASSERT_EQ(0, param_set("user_max_bytes", 23 * 4096));
	myc_t_name(name, "mine");
	fd = myc_t_create(self->dev, name, 65536, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, fd);
	/* root is at its limit; nobody still has all of its own. */
	EXPECT_EQ(0, myc_t_as_nobody(create_as, NULL));
	close(fd);
}

TEST_HARNESS_MAIN
