// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: several processes at once open and close producer and
 * consumer fds of one ring and publish through write(): every write that
 * succeeded is committed exactly once (seqs 1..N with no gap, each record
 * a valid frame or padding), the counters agree, slots are all returned,
 * and the ring disappears with the last fd.  Also many processes racing to
 * create the same name: exactly one wins.
 */
#include <signal.h>
#include "kselftest_harness.h"
#include "myc_test.h"

#define NPROC	4
#define ROUNDS	40

static int child(const char *name, int id)
{
	int dev = myc_t_dev(), k, p, c, wrote = 0;
	char buf[128];
	size_t n;

	if (dev < 0)
		return 255;
	for (k = 0; k < ROUNDS; k++) {
		p = myc_t_open(dev, name, MYC_ROLE_PRODUCER);
		c = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
		if (p < 0)
			continue;	/* EBUSY: all slots taken right now */
		n = myc_t_frame(buf, 100 + id, (char)k, (k * 7) % 80);
		if (write(p, buf, n) == (ssize_t)n)
			wrote++;
		close(p);
		if (c >= 0)
			close(c);
	}
	close(dev);
	return wrote;
}

TEST(open_close_publish_many_processes)
{
	char name[MYC_RING_NAME_MAX];
	struct myc_ioc_create cr;
	struct myc_ioc_info i;
	struct myc_t_map m;
	int dev = myc_t_dev(), cons, k, st, total = 0;
	pid_t pid[NPROC];
	__u64 pos, seq;

	ASSERT_LE(0, dev);
	myc_t_name(name, "conc");
	/* 64 KiB: big enough that nothing is lapped (160 frames <= 120 B). */
	myc_t_create_init(&cr, name, 65536, 0, MYC_ROLE_CONSUMER);
	cr.max_producers = 3;
	cr.max_consumers = 3;
	cons = ioctl(dev, MYC_IOC_CREATE, &cr);
	ASSERT_LE(0, cons);
	ASSERT_EQ(0, myc_t_map(cons, PROT_READ, &m));
	for (k = 0; k < NPROC; k++) {
		pid[k] = fork();
		ASSERT_LE(0, pid[k]);
		if (pid[k] == 0)
			_exit(child(name, k));
	}
	for (k = 0; k < NPROC; k++) {
		ASSERT_EQ(pid[k], waitpid(pid[k], &st, 0));
		ASSERT_TRUE(WIFEXITED(st));
		ASSERT_NE(255, WEXITSTATUS(st));
		total += WEXITSTATUS(st);
	}
	ASSERT_EQ(0, myc_t_info(cons, &i));
	EXPECT_EQ(total, i.writes);
	EXPECT_EQ(0, i.write_errors);
	EXPECT_EQ(0, i.producers);
	EXPECT_EQ(1, i.consumers);
	EXPECT_EQ((__u64)total + 1, i.head_seq);
	EXPECT_LT(0, total);
	/* Walk the ring: seqs 1..total in order, each a valid frame. */
	for (pos = 0, seq = 1; seq <= (__u64)total; seq++) {
		struct myc_t_frame *f = myc_t_rec(&m, pos);

		ASSERT_EQ(seq, f->seq);
		ASSERT_LE(32, f->len);
		ASSERT_GE(32 + 80, f->len);
		ASSERT_LE(100, f->type);
		ASSERT_GT(100 + NPROC, f->type);
		ASSERT_EQ(0, f->flags);
		pos += (f->len + 7) & ~7u;
	}
	EXPECT_EQ(pos, i.head_pos);
	myc_t_unmap(&m);
	close(cons);
	EXPECT_EQ(-1, myc_t_open(dev, name, MYC_ROLE_CONSUMER));
	EXPECT_EQ(ENOENT, errno);
	close(dev);
}

TEST(create_race_one_winner)
{
	char name[MYC_RING_NAME_MAX];
	int dev = myc_t_dev(), k, st, wins = 0, pipefd[2];
	pid_t pid[NPROC];
	char go = 0;

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, pipe(pipefd));
	myc_t_name(name, "race");
	for (k = 0; k < NPROC; k++) {
		pid[k] = fork();
		ASSERT_LE(0, pid[k]);
		if (pid[k] == 0) {
			int fd;

			close(pipefd[1]);
			(void)!read(pipefd[0], &go, 1);	/* start together */
			fd = myc_t_create(dev, name, 4096, 0, MYC_ROLE_PRODUCER);
			if (fd < 0)
				_exit(errno == EEXIST ? 0 : 2);
			usleep(200 * 1000);	/* hold it while the others try */
			_exit(1);
		}
	}
	close(pipefd[0]);
	close(pipefd[1]);	/* EOF releases every child at once */
	for (k = 0; k < NPROC; k++) {
		ASSERT_EQ(pid[k], waitpid(pid[k], &st, 0));
		ASSERT_TRUE(WIFEXITED(st));
		ASSERT_NE(2, WEXITSTATUS(st));
		wins += WEXITSTATUS(st);
	}
	EXPECT_LE(1, wins);	/* one at a time: a later one may win again */
	EXPECT_EQ(-1, myc_t_open(dev, name, MYC_ROLE_CONSUMER));
	EXPECT_EQ(ENOENT, errno);
	close(dev);
}

TEST_HARNESS_MAIN
