// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: the kernel owns ring lifetime: a ring lives while any fd
 * (or mapping) of it exists and its name disappears with the last one,
 * whatever the order the fds close in; a persistent ring outlives its fds
 * until unlinked, after which open fds keep working and the name is free
 * for a new ring; a process killed with fds open leaves nothing behind.
 */
#include <signal.h>
#include "kselftest_harness.h"
#include "myc_test.h"

FIXTURE(life) {
	int dev;
	char name[MYC_RING_NAME_MAX];
};

FIXTURE_SETUP(life)
{
	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(self->name, "life");
}

FIXTURE_TEARDOWN(life)
{
	close(self->dev);
}

static int gone(int dev, const char *name)
{
	int fd = myc_t_open(dev, name, MYC_ROLE_CONSUMER);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == ENOENT;
}

FIXTURE_VARIANT(life) {
	int order;	/* octal digits: the fds in closing order */
};
FIXTURE_VARIANT_ADD(life, creator_prod_cons) { .order = 012 };
FIXTURE_VARIANT_ADD(life, cons_prod_creator) { .order = 0210 };
FIXTURE_VARIANT_ADD(life, prod_creator_cons) { .order = 0102 };
FIXTURE_VARIANT_ADD(life, cons_creator_prod) { .order = 0201 };

TEST_F(life, close_in_order)
{
	int fd[3], k, digit;

	fd[0] = myc_t_create(self->dev, self->name, 4096, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, fd[0]);
	fd[1] = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, fd[1]);
	fd[2] = myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, fd[2]);
	for (k = 0; k < 3; k++) {
		digit = (variant->order >> (3 * (2 - k))) & 7;
		EXPECT_EQ(0, gone(self->dev, self->name));
		close(fd[digit]);
	}
	EXPECT_EQ(1, gone(self->dev, self->name));
}

TEST_F(life, mapping_outlives_fd)
{
	struct myc_t_map m;
	int fd = myc_t_create(self->dev, self->name, 4096, 0, MYC_ROLE_PRODUCER);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, myc_t_map(fd, PROT_READ | PROT_WRITE, &m));
	close(fd);
	/* The mapping keeps the ring (and its name) alive. */
	EXPECT_EQ(0, gone(self->dev, self->name));
	m.data[0] = 1;
	EXPECT_EQ(MYC_RING_MAGIC, m.hdr->magic);
	myc_t_unmap(&m);
	EXPECT_EQ(1, gone(self->dev, self->name));
}

TEST_F(life, persistent_then_unlink)
{
	struct myc_ioc_info i;
	int fd, fd2;

	fd = myc_t_create(self->dev, self->name, 4096, MYC_CREATE_PERSISTENT, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, fd);
	close(fd);
	/* No fd left, still there. */
	fd = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, myc_t_unlink(self->dev, self->name));
	EXPECT_EQ(1, gone(self->dev, self->name));
	/* The open fd still works and reports the unlink. */
	ASSERT_EQ(0, myc_t_info(fd, &i));
	EXPECT_EQ(MYC_CREATE_PERSISTENT | MYC_INFO_UNLINKED, i.flags);
	/* The name is free for a new ring while the old one lives on. */
	fd2 = myc_t_create(self->dev, self->name, 8192, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, myc_t_info(fd2, &i));
	EXPECT_EQ(8192, i.capacity);
	EXPECT_EQ(-1, myc_t_unlink(self->dev, self->name));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	close(fd2);
	EXPECT_EQ(1, gone(self->dev, self->name));
	EXPECT_EQ(-1, myc_t_unlink(self->dev, self->name));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(life, persistent_unlink_without_fds)
{
	int fd = myc_t_create(self->dev, self->name, 4096, MYC_CREATE_PERSISTENT, MYC_ROLE_CONSUMER);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, gone(self->dev, self->name));
	EXPECT_EQ(0, myc_t_unlink(self->dev, self->name));
	EXPECT_EQ(1, gone(self->dev, self->name));
}

TEST_F(life, killed_process_leaves_nothing)
{
	int pipefd[2], st;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct myc_t_map m;
		int fd = myc_t_create(self->dev, self->name, 65536, 0, MYC_ROLE_PRODUCER);
		int c1 = myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER);

		if (fd < 0 || c1 < 0 || myc_t_map(fd, PROT_READ | PROT_WRITE, &m))
			_exit(1);
		(void)!write(pipefd[1], "x", 1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	EXPECT_EQ(0, gone(self->dev, self->name));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(1, gone(self->dev, self->name));
	close(pipefd[0]);
}

TEST_HARNESS_MAIN
