// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: when a producer fd is released (closed, or its process
 * killed) every consumer is told at once: poll/epoll report EPOLLPRI,
 * MYC_IOC_EVENTS returns MYC_EVENT_PRODUCER_GONE once, a sleeping
 * MYC_IOC_WAIT returns MYC_WAIT_EVENT; a claim the dead producer left
 * uncommitted (head still dirty, or claimed but not committed) becomes a
 * committed padding frame, so consumers and other producers continue.
 * Releasing a consumer frees its page for the next consumer.
 */
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include "kselftest_harness.h"
#include "myc_test.h"

FIXTURE(death) {
	int dev, cons;
	char name[MYC_RING_NAME_MAX];
	struct myc_t_map cm;
};

FIXTURE_SETUP(death)
{
	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(self->name, "death");
	self->cons = myc_t_create(self->dev, self->name, 8192, 0, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, self->cons);
	ASSERT_EQ(0, myc_t_map(self->cons, PROT_READ, &self->cm));
}

FIXTURE_TEARDOWN(death)
{
	myc_t_unmap(&self->cm);
	close(self->cons);
	close(self->dev);
}

TEST_F(death, close_gives_pollpri_and_event_once)
{
	struct pollfd pfd = { .fd = self->cons, .events = POLLIN | POLLPRI };
	__u32 ev;
	int p = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);

	ASSERT_LE(0, p);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	close(p);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLPRI, pfd.revents);
	ASSERT_EQ(0, myc_t_events(self->cons, &ev));
	EXPECT_EQ(MYC_EVENT_PRODUCER_GONE, ev);
	ASSERT_EQ(0, myc_t_events(self->cons, &ev));
	EXPECT_EQ(0, ev);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

/* A child that produces, then is SIGKILLed while the consumer sleeps in
 * epoll_wait: the wait ends with EPOLLPRI. */
TEST_F(death, sigkill_wakes_epoll)
{
	struct epoll_event e = { .events = EPOLLIN | EPOLLPRI }, out;
	int ep = epoll_create1(0), pipefd[2], st;
	struct myc_ioc_info i;
	pid_t pid;
	char c;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->cons, &e));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int p = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);

		(void)!write(pipefd[1], p >= 0 ? "y" : "n", 1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	ASSERT_EQ('y', c);
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	kill(pid, SIGKILL);
	/* Generous: the guest is emulated; the kernel wakes us at release. */
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 20000));
	EXPECT_NE(0, out.events & EPOLLPRI);
	EXPECT_EQ(0, out.events & EPOLLIN);
	waitpid(pid, &st, 0);
	ASSERT_EQ(0, myc_t_info(self->cons, &i));
	EXPECT_EQ(1, i.peer_deaths);
	EXPECT_EQ(0, i.producers);
	close(ep);
	close(pipefd[0]);
}

TEST_F(death, wait_returns_event)
{
	int p = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);
	pid_t pid;
	int st;

	ASSERT_LE(0, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(200 * 1000);
		close(p);
		_exit(0);
	}
	close(p);	/* the child's copy is the last reference */
	EXPECT_EQ(MYC_WAIT_EVENT, myc_t_wait(self->cons, self->cm.ctl->futex, 20000000000ll));
	waitpid(pid, &st, 0);
}

/*
 * A producer dies between its claim's CAS (step 2) and its clean-up (step
 * 5): the head is still dirty with its owner id.  Its record must become
 * a committed padding frame with the claimed seq, the head must be clean,
 * and a kernel-routed write must go on at the next position.
 */
FIXTURE_VARIANT(death) {
	int dirty;	/* die with the head still dirty (else: claimed) */
};
FIXTURE_VARIANT_ADD(death, claimed) { .dirty = 0 };
FIXTURE_VARIANT_ADD(death, dirty_head) { .dirty = 1 };

TEST_F(death, dead_claim_becomes_padding)
{
	struct myc_ioc_info pi, ci;
	struct myc_t_frame *f;
	struct myc_t_map pm;
	char buf[64];
	size_t n;
	int p, p2;
	__u32 span = 48, owner;

	p = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, myc_t_info(p, &pi));
	ASSERT_EQ(0, myc_t_map(p, PROT_READ | PROT_WRITE, &pm));
	owner = pi.slot + 1;
	/* Play steps 1-3 of the claim by hand at {pos 0, seq 1}. */
	struct myc_ring_prod *slot = myc_t_prod(&pm, pi.slot);

	slot->claim_pos = 0;
	slot->claim_seq = 1;
	slot->claim_span = span;
	slot->state = MYC_RING_PS_CLAIMING;
	ASSERT_TRUE(__sync_bool_compare_and_swap((__int128 *)&pm.ctl->head_pos,
		((__int128)1 << 64) | 0,
		((__int128)(2 | (__u64)owner << MYC_RING_OWNER_SHIFT) << 64) | span));
	slot->state = MYC_RING_PS_CLAIMED;
	/* Old junk where the next record's seq word goes. */
	myc_t_rec(&pm, span)->seq = 2;
	if (!variant->dirty) {
		myc_t_rec(&pm, span)->seq = 0;
		pm.ctl->head_seq = 2;
	}
	/* Half-written payload, never committed. */
	memset(myc_t_rec(&pm, 0), 0xee, span);
	myc_t_rec(&pm, 0)->seq = 0;
	myc_t_unmap(&pm);
	close(p);

	f = myc_t_rec(&self->cm, 0);
	EXPECT_EQ(1, f->seq);
	EXPECT_EQ(span, f->len);
	EXPECT_EQ(MYC_T_F_PAD, f->flags);
	EXPECT_EQ(0, f->type);
	EXPECT_EQ(0, f->resv);
	EXPECT_EQ(2, self->cm.ctl->head_seq);	/* clean: no owner bits */
	EXPECT_EQ(span, self->cm.ctl->head_pos);
	EXPECT_EQ(0, myc_t_rec(&self->cm, span)->seq);
	EXPECT_EQ(MYC_RING_PS_FREE, myc_t_prod(&self->cm, pi.slot)->state);
	ASSERT_EQ(0, myc_t_info(self->cons, &ci));
	EXPECT_EQ(1, ci.recovered);
	EXPECT_EQ(1, self->cm.ctl->recovered);

	/* The ring goes on: the next frame lands right after the padding. */
	p2 = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, p2);
	n = myc_t_frame(buf, 7, 0x11, 16);
	ASSERT_EQ((ssize_t)n, write(p2, buf, n));
	f = myc_t_rec(&self->cm, span);
	EXPECT_EQ(2, f->seq);
	EXPECT_EQ(7, f->type);
	EXPECT_EQ(48, f->len);
	close(p2);
}

TEST_F(death, committed_claim_untouched)
{
	struct myc_t_frame *f;
	char buf[64];
	size_t n;
	int p = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);

	ASSERT_LE(0, p);
	n = myc_t_frame(buf, 9, 0x22, 8);
	ASSERT_EQ((ssize_t)n, write(p, buf, n));
	close(p);
	f = myc_t_rec(&self->cm, 0);
	EXPECT_EQ(1, f->seq);
	EXPECT_EQ(9, f->type);
	EXPECT_EQ(0, f->flags);
	EXPECT_EQ(0, self->cm.ctl->recovered);
}

TEST_F(death, consumer_release_frees_page)
{
	struct myc_ioc_info i;
	int c2, c3;

	c2 = myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c2);
	ASSERT_EQ(0, myc_t_info(c2, &i));
	EXPECT_EQ(MYC_RING_CS_ACTIVE, myc_t_cons(&self->cm, i.slot)->state);
	close(c2);
	EXPECT_EQ(MYC_RING_CS_FREE, myc_t_cons(&self->cm, i.slot)->state);
	c3 = myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c3);
	ASSERT_EQ(0, myc_t_info(c3, &i));
	EXPECT_EQ(1, i.slot);
	EXPECT_EQ(2, i.consumers);
	close(c3);
}

TEST_HARNESS_MAIN
