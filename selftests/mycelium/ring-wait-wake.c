// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: futex-style MYC_IOC_WAIT / MYC_IOC_WAKE: a wait whose
 * expected value no longer matches ctl.futex returns EAGAIN at once; a
 * wait on a consumer with a record ready returns 0 at once; a matching
 * wait times out with ETIMEDOUT; while a waiter sleeps ctl.waiters counts
 * it (the announcement producers read) and drops back after; a producer
 * that bumps futex and calls WAKE ends the wait with 0; WAKE with nobody
 * waiting is a no-op returning 0; a kernel-routed write wakes a sleeper.
 */
#include <pthread.h>
#include "kselftest_harness.h"
#include "myc_test.h"

FIXTURE(ww) {
	int dev, prod, cons;
	struct myc_t_map pm, cm;
};

FIXTURE_SETUP(ww)
{
	char name[MYC_RING_NAME_MAX];

	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(name, "ww");
	self->prod = myc_t_create(self->dev, name, 8192, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, self->prod);
	self->cons = myc_t_open(self->dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, self->cons);
	ASSERT_EQ(0, myc_t_map(self->prod, PROT_READ | PROT_WRITE, &self->pm));
	ASSERT_EQ(0, myc_t_map(self->cons, PROT_READ, &self->cm));
}

FIXTURE_TEARDOWN(ww)
{
	myc_t_unmap(&self->pm);
	myc_t_unmap(&self->cm);
	close(self->cons);
	close(self->prod);
	close(self->dev);
}

TEST_F(ww, wrong_expected_eagain)
{
	__u32 v = self->cm.ctl->futex;

	EXPECT_EQ(-1, myc_t_wait(self->cons, v + 1, -1));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, self->cm.ctl->waiters);
}

TEST_F(ww, timeout_etimedout)
{
	EXPECT_EQ(-1, myc_t_wait(self->cons, self->cm.ctl->futex, 50 * 1000 * 1000));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(0, self->cm.ctl->waiters);
}

TEST_F(ww, zero_timeout_does_not_sleep)
{
	EXPECT_EQ(-1, myc_t_wait(self->prod, self->cm.ctl->futex, 0));
	EXPECT_EQ(ETIMEDOUT, errno);
}

TEST_F(ww, data_ready_returns_at_once)
{
	char buf[64];
	size_t n = myc_t_frame(buf, 3, 1, 8);

	ASSERT_EQ((ssize_t)n, write(self->prod, buf, n));
	/* No timeout: if this slept the test would hang (harness timeout). */
	EXPECT_EQ(0, myc_t_wait(self->cons, self->cm.ctl->futex, -1));
}

TEST_F(ww, wake_without_waiters_noop)
{
	struct myc_ioc_info i;

	EXPECT_EQ(0, myc_t_wake(self->prod));
	ASSERT_EQ(0, myc_t_info(self->prod, &i));
	EXPECT_EQ(0, i.wakeups);
}

struct waiter {
	int fd;
	__u32 expected;
	int ret, err;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = myc_t_wait(w->fd, w->expected, 30ll * 1000 * 1000 * 1000);
	w->err = errno;
	return NULL;
}

/* Spin (with sleeps) until the sleeper has announced itself. */
static int wait_announced(volatile __u32 *waiters, __u32 n)
{
	int i;

	for (i = 0; i < 3000 && *waiters != n; i++)
		usleep(10 * 1000);
	return *waiters == n;
}

TEST_F(ww, producer_protocol_wakes_sleeper)
{
	struct waiter w = { .fd = self->cons, .expected = self->cm.ctl->futex };
	struct myc_ioc_info i;
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &w));
	ASSERT_TRUE(wait_announced(&self->pm.ctl->waiters, 1));
	/* The producer's step 8: waiters seen, so futex++ then WAKE. */
	__atomic_fetch_add(&self->pm.ctl->futex, 1, __ATOMIC_SEQ_CST);
	EXPECT_EQ(1, myc_t_wake(self->prod));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, self->cm.ctl->waiters);
	ASSERT_EQ(0, myc_t_info(self->prod, &i));
	EXPECT_EQ(1, i.wakeups);
	/* 0 if the change landed between its announcement and its sleep. */
	EXPECT_GE(1, i.waits);
}

TEST_F(ww, wake_without_futex_change_keeps_sleeping)
{
	struct waiter w = { .fd = self->cons, .expected = self->cm.ctl->futex };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &w));
	ASSERT_TRUE(wait_announced(&self->pm.ctl->waiters, 1));
	/* A wake without a change is spurious: the waiter re-checks and
	 * goes back to sleep; it is still announced afterwards. */
	EXPECT_EQ(1, myc_t_wake(self->prod));
	/* The wake took the announcement; the sleeper gives it again. */
	EXPECT_TRUE(wait_announced(&self->pm.ctl->waiters, 1));
	__atomic_fetch_add(&self->pm.ctl->futex, 1, __ATOMIC_SEQ_CST);
	myc_t_wake(self->prod);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, w.ret);
}

TEST_F(ww, kernel_write_wakes_sleeper)
{
	struct waiter w = { .fd = self->cons, .expected = self->cm.ctl->futex };
	char buf[64];
	size_t n = myc_t_frame(buf, 3, 1, 8);
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &w));
	ASSERT_TRUE(wait_announced(&self->pm.ctl->waiters, 1));
	ASSERT_EQ((ssize_t)n, write(self->prod, buf, n));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(w.expected + 1, self->cm.ctl->futex);
}

TEST_F(ww, write_without_waiters_leaves_futex)
{
	char buf[64];
	size_t n = myc_t_frame(buf, 3, 1, 8);
	__u32 v = self->cm.ctl->futex;

	ASSERT_EQ((ssize_t)n, write(self->prod, buf, n));
	/* Nobody announced: no futex bump, no wake-up counted. */
	EXPECT_EQ(v, self->cm.ctl->futex);
	EXPECT_EQ(0, self->cm.ctl->wakeups);
}

TEST_HARNESS_MAIN
