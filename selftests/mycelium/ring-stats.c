// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: visibility: MYC_IOC_STATS lists every active consumer with
 * its cursor and lag (and asks for a bigger array when the caller's is
 * short), MYC_IOC_INFO sums the consumers' own counters, the debugfs file
 * /sys/kernel/debug/mycelium/rings shows the ring and its consumers, and
 * the tracepoints (create, destroy, wake, overrun, peer death) fire.
 */
#include "kselftest_harness.h"
#include "myc_test.h"

#include <poll.h>

#define TRACEFS "/sys/kernel/tracing/"

TEST(stats_lag_per_consumer)
{
	struct myc_ioc_cons_stat st[3];
	struct myc_ioc_stats s;
	struct myc_ioc_info i;
	char name[MYC_RING_NAME_MAX], buf[128];
	int dev = myc_t_dev(), p, c1, c2;
	struct myc_ring_cons *own;
	size_t n;

	ASSERT_LE(0, dev);
	myc_t_name(name, "stats");
	p = myc_t_create(dev, name, 8192, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, p);
	c1 = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
	c2 = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c1);
	ASSERT_LE(0, c2);
	n = myc_t_frame(buf, 4, 0, 32);		/* span 64 */
	ASSERT_EQ((ssize_t)n, write(p, buf, n));
	ASSERT_EQ((ssize_t)n, write(p, buf, n));
	/* c2 read one frame and counts it. */
	ASSERT_EQ(0, myc_t_info(c2, &i));
	own = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, c2,
		   4096 * (i.map_size / 4096 - 2 * 8192 / 4096 - 4 + i.slot));
	ASSERT_NE(MAP_FAILED, own);
	own->cursor = 64;
	own->seq = 2;
	own->delivered = 1;
	own->lost = 5;
	own->overruns = 1;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.stride = sizeof(st[0]);
	s.nr = 1;
	s.cons = (uintptr_t)st;
	ASSERT_EQ(0, ioctl(p, MYC_IOC_STATS, &s));
	EXPECT_EQ(2, s.nr);	/* one entry given, two active */
	s.nr = 3;
	ASSERT_EQ(0, ioctl(p, MYC_IOC_STATS, &s));
	ASSERT_EQ(2, s.nr);
	EXPECT_EQ(0, st[0].slot);
	EXPECT_EQ(0, st[0].cursor);
	EXPECT_EQ(128, st[0].lag);
	EXPECT_EQ(1, st[1].slot);
	EXPECT_EQ(64, st[1].cursor);
	EXPECT_EQ(64, st[1].lag);
	EXPECT_EQ(1, st[1].delivered);
	EXPECT_EQ(5, st[1].lost);
	EXPECT_EQ(getpid(), st[1].pid);

	ASSERT_EQ(0, myc_t_info(p, &i));
	EXPECT_EQ(2, i.writes);
	EXPECT_EQ(5, i.lost);
	EXPECT_EQ(1, i.overruns);
	EXPECT_EQ(0, i.min_cursor);
	EXPECT_EQ(128, i.head_pos);
	EXPECT_EQ(3, i.head_seq);
	munmap(own, 4096);
	close(c1);
	close(c2);
	close(p);
	close(dev);
}

TEST(debugfs_lists_ring)
{
	static char text[16384];
	char name[MYC_RING_NAME_MAX], want[128];
	int dev = myc_t_dev(), p, c;

	ASSERT_LE(0, dev);
	if (access("/sys/kernel/debug/mycelium/rings", R_OK))
		SKIP(return, "debugfs not mounted");
	myc_t_name(name, "dbg");
	p = myc_t_create(dev, name, 4096, MYC_CREATE_LOSSLESS, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, p);
	c = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c);
	ASSERT_LT(0, myc_t_read_file("/sys/kernel/debug/mycelium/rings", text, sizeof(text)));
	snprintf(want, sizeof(want), "%s cap=4096 lossless uid=0 gid=0 mode=600 prod=1 cons=1 ", name);
	EXPECT_NE(NULL, strstr(text, want));
	snprintf(want, sizeof(want), "  consumer 0 pid=%d cursor=0 lag=0 ", getpid());
	EXPECT_NE(NULL, strstr(text, want));
	close(c);
	close(p);
	myc_t_read_file("/sys/kernel/debug/mycelium/rings", text, sizeof(text));
	EXPECT_EQ(NULL, strstr(text, name));
	close(dev);
}

TEST(tracepoints_fire)
{
	static char text[65536];
	char name[MYC_RING_NAME_MAX], buf[2048], want[128];
	static const char *const events[] = {
		"myc_ring_create", "myc_ring_destroy", "myc_wake", "myc_overrun",
		"myc_peer_death",
	};
	int dev = myc_t_dev(), p, c, k;
	size_t n;

	ASSERT_LE(0, dev);
	if (access(TRACEFS "events/mycelium/enable", W_OK))
		SKIP(return, "tracefs not mounted");
	ASSERT_EQ(0, myc_t_write_file(TRACEFS "trace", ""));
	ASSERT_EQ(0, myc_t_write_file(TRACEFS "events/mycelium/enable", "1"));
	myc_t_name(name, "trc");
	p = myc_t_create(dev, name, 4096, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, p);
	c = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c);
	/* Lap the consumer (overrun): 3 frames of ~2 KiB in 4 KiB. */
	n = myc_t_frame(buf, 4, 0, 2016 - 32);
	for (k = 0; k < 3; k++)
		ASSERT_EQ((ssize_t)n, write(p, buf, n));
	{
		/* A poll that finds the (lapped) ring readable is fine; a
		 * kernel write with an announced poller wakes. */
		int c2 = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
		struct pollfd pfd = { .fd = c2, .events = POLLIN };

		ASSERT_LE(0, c2);
		poll(&pfd, 1, 0);
		ASSERT_EQ((ssize_t)n, write(p, buf, n));
		close(c2);
	}
	close(p);
	close(c);
	ASSERT_EQ(0, myc_t_write_file(TRACEFS "events/mycelium/enable", "0"));
	ASSERT_LT(0, myc_t_read_file(TRACEFS "trace", text, sizeof(text)));
	for (k = 0; k < (int)(sizeof(events) / sizeof(events[0])); k++) {
		snprintf(want, sizeof(want), "%s: ring=%s", events[k], name);
		EXPECT_NE(NULL, strstr(text, want)) TH_LOG("no %s event", events[k]);
	}
	close(dev);
}

TEST_HARNESS_MAIN
