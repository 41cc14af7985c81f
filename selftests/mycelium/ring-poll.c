// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: poll/epoll on a consumer fd report EPOLLIN exactly when a
 * committed record is past the consumer's cursor: not before a write, at
 * once after one, not after the consumer advanced its cursor (through its
 * own writable page); a poller that found nothing is announced in
 * ctl.waiters so producers know to wake, and is withdrawn once it sees
 * data; a level-triggered epoll sleeper is woken by a write from another
 * process; a producer fd is always writable.
 */
#include <poll.h>
#include <sys/epoll.h>
#include "kselftest_harness.h"
#include "myc_test.h"

FIXTURE(pl) {
	int dev, prod, cons;
	struct myc_t_map cm;
	struct myc_ring_cons *own;
	char name[MYC_RING_NAME_MAX];
};

FIXTURE_SETUP(pl)
{
	struct myc_ioc_info i;

	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(self->name, "poll");
	self->prod = myc_t_create(self->dev, self->name, 8192, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, self->prod);
	self->cons = myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, self->cons);
	ASSERT_EQ(0, myc_t_map(self->cons, PROT_READ, &self->cm));
	ASSERT_EQ(0, myc_t_info(self->cons, &i));
	self->own = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->cons,
			 self->cm.hdr->off_cons + (__u64)i.slot * 4096);
	ASSERT_NE(MAP_FAILED, self->own);
}

FIXTURE_TEARDOWN(pl)
{
	munmap(self->own, 4096);
	myc_t_unmap(&self->cm);
	close(self->cons);
	close(self->prod);
	close(self->dev);
}

TEST_F(pl, readable_follows_cursor)
{
	struct pollfd pfd = { .fd = self->cons, .events = POLLIN };
	char buf[64];
	size_t n = myc_t_frame(buf, 2, 9, 8);

	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(1, self->cm.ctl->waiters);	/* announced */
	ASSERT_EQ((ssize_t)n, write(self->prod, buf, n));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	EXPECT_EQ(0, self->cm.ctl->waiters);	/* withdrawn */
	/* Consume: advance our own cursor past the record. */
	self->own->seq = 2;
	__atomic_store_n(&self->own->cursor, n, __ATOMIC_RELEASE);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

TEST_F(pl, uncommitted_claim_not_readable)
{
	struct pollfd pfd = { .fd = self->cons, .events = POLLIN };
	struct myc_t_map pm;

	/* Head moved but the record's seq word still 0: not ready. */
	ASSERT_EQ(0, myc_t_map(self->prod, PROT_READ | PROT_WRITE, &pm));
	pm.ctl->head_pos = 48;
	pm.ctl->head_seq = 2;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	myc_t_rec(&pm, 0)->len = 48;
	__atomic_store_n(&myc_t_rec(&pm, 0)->seq, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	myc_t_unmap(&pm);
}

TEST_F(pl, epoll_woken_by_other_process)
{
	struct epoll_event e = { .events = EPOLLIN }, out;
	int ep = epoll_create1(0), st;
	pid_t pid;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->cons, &e));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[64];
		size_t n = myc_t_frame(buf, 2, 9, 8);
		int p = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);

		usleep(100 * 1000);
		_exit(p >= 0 && write(p, buf, n) == (ssize_t)n ? 0 : 1);
	}
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 20000));
	EXPECT_NE(0, out.events & EPOLLIN);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	close(ep);
}

TEST_F(pl, producer_always_writable)
{
	struct pollfd pfd = { .fd = self->prod, .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
}

TEST_F(pl, close_armed_consumer_withdraws)
{
	struct pollfd pfd;
	int c2 = myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER);

	ASSERT_LE(0, c2);
	pfd.fd = c2;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(1, self->cm.ctl->waiters);
	close(c2);
	EXPECT_EQ(0, self->cm.ctl->waiters);
}

TEST_HARNESS_MAIN
