// SPDX-License-Identifier: MIT
/*
 * Description: a ring whose users were all killed stays in /dev/shm until
 * "myc gc" (or myc_ring_gc()) removes it, while a ring with a live user is
 * left alone; creating a ring over the name of a dead one replaces it with
 * a fresh ring; rings are created owner-only (0600) unless a mode is given.
 * Userspace mode only (skipped in kernel mode: the kernel frees a ring with
 * its last fd, so there is never anything to collect).
 * Sanitizers: tsan
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

static char dead_name[64], live_name[64];
static struct rt_sync ready;

static int user_then_hang(void *arg)
{
	struct myc_ring *p = myc_ring_open(dead_name, MYC_RING_PRODUCER |
					   MYC_RING_CREATE, NULL);
	struct myc_ring *c = myc_ring_open(dead_name, MYC_RING_CONSUMER, NULL);
	uint64_t v = 1;

	RT_CHECK(p && c);
	RT_EQ(myc_ring_send(p, 1, &v, sizeof(v), 0), 0);
	rt_sync_post(&ready);
	for (;;)
		pause();
	return 0;
}

static void kill_users(void)
{
	pid_t pid = rt_spawn(user_then_hang, NULL);

	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	kill(pid, SIGKILL);
	RT_EQ(rt_wait(pid), 128 + SIGKILL);
	RT_CHECK(rt_ring_exists(dead_name));
}

int main(void)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .mode = 0640 };
	struct myc_ring_info info = { .sz = sizeof(info) };
	struct myc_ring *live, *r;
	char path[128], cmd[512];
	struct stat st;
	const char *b;
	int n;

	rt_skip_in_kernel_mode("no /dev/shm rings to collect: the kernel frees "
			       "a ring with its last fd");
	snprintf(dead_name, sizeof(dead_name), "%s", rt_name("gc-dead"));
	snprintf(live_name, sizeof(live_name), "%s", rt_name("gc-live"));
	rt_sync_init(&ready);

	live = myc_ring_open(live_name, MYC_RING_CREATE, NULL);
	RT_CHECK(live);
	snprintf(path, sizeof(path), "/dev/shm/myc.%s", live_name);
	RT_EQ(stat(path, &st), 0);
	RT_EQ(st.st_mode & 0777, 0600);

	/* library call */
	kill_users();
	n = myc_ring_gc();
	RT_CHECK(n >= 1);
	RT_CHECK(!rt_ring_exists(dead_name));
	RT_CHECK(rt_ring_exists(live_name));

	/* the tool */
	kill_users();
	b = getenv("MYC_BUILD");
	snprintf(cmd, sizeof(cmd), "%s/myc gc >/dev/null", b ? b : "build");
	RT_EQ(system(cmd), 0);
	RT_CHECK(!rt_ring_exists(dead_name));
	RT_CHECK(rt_ring_exists(live_name));

	/* create over a dead ring: a fresh one, with the new options */
	kill_users();
	r = myc_ring_open(dead_name, MYC_RING_CONSUMER | MYC_RING_CREATE, &o);
	RT_CHECK(r);
	RT_EQ(myc_ring_info(r, &info), 0);
	RT_EQ(info.head_seq, 1);	/* nothing of the dead ring's past */
	snprintf(path, sizeof(path), "/dev/shm/myc.%s", dead_name);
	RT_EQ(stat(path, &st), 0);
	RT_EQ(st.st_mode & 0777, 0640);
	myc_ring_free(r);
	RT_CHECK(!rt_ring_exists(dead_name));

	myc_ring_free(live);
	RT_CHECK(!rt_ring_exists(live_name));
	return 0;
}
