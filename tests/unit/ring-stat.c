// SPDX-License-Identifier: MIT
/*
 * Description: "myc stat --json" lists a live ring in the mode in use
 * ("user", or "kernel" with MYC_MODE=kernel and the module loaded) with its
 * policy, capacity, live producer and consumer counts, positions, and each
 * consumer's cursor, lag, delivered and lost counts, and the count of
 * sleepers (a userspace-mode consumer that slept once is one), as the
 * library's myc_ring_info()/myc_ring_cons_info() report them; a dead consumer
 * (killed) is not listed; an unknown ring name gives an error line.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"

static const char *name;
static struct rt_sync ready;

static int doomed_consumer(void *arg)
{
	struct myc_ring *c = myc_ring_open(name, MYC_RING_CONSUMER, NULL);

	RT_CHECK(c);
	rt_sync_post(&ready);
	for (;;)
		pause();
	return 0;
}

static char *run(const char *args)
{
	static char out[8192];
	const char *b = getenv("MYC_BUILD");
	char cmd[512];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s/myc stat --json %s", b ? b : "build", args);
	f = popen(cmd, "r");
	RT_CHECK(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	RT_EQ(pclose(f), 0);
	return out;
}

int main(void)
{
	struct myc_ring_opts o = {
		.sz = sizeof(o), .policy = MYC_LOSSLESS, .capacity = 65536,
	};
	struct myc_ring_opts co = { .sz = sizeof(co), .spin_ns = 0 };
	struct myc_ring *p, *c;
	struct myc_frame_hdr h;
	char want[256], buf[100] = { 0 }, *out;
	pid_t pid;
	int i;

	name = rt_name("stat");
	rt_sync_init(&ready);
	p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE, &o);
	c = myc_ring_open(name, MYC_RING_CONSUMER, &co);
	RT_CHECK(p && c);
	pid = rt_spawn(doomed_consumer, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	kill(pid, SIGKILL);
	RT_EQ(rt_wait(pid), 128 + SIGKILL);
	for (i = 0; i < 100; i++)
		RT_EQ(myc_ring_send(p, 1, buf, sizeof(buf), 0), 0);
	for (i = 0; i < 100; i++)
		RT_EQ(myc_ring_recv(c, &h, buf, sizeof(buf), 0), sizeof(buf));
	RT_EQ(myc_ring_recv(c, &h, buf, sizeof(buf), 0), -EAGAIN);
	/* A wait that sleeps (spin budget 0) makes a userspace-mode
	 * consumer a sleeper. */
	RT_EQ(myc_ring_recv(c, &h, buf, sizeof(buf), 1), -ETIMEDOUT);
	for (i = 0; i < 10; i++)	/* unread: lag 10 x 136 bytes */
		RT_EQ(myc_ring_send(p, 1, buf, sizeof(buf), 0), 0);

	out = run(name);
	snprintf(want, sizeof(want), "{\"ring\":\"%s\",\"mode\":\"%s\","
		 "\"policy\":\"lossless\",\"capacity\":65536,\"producers\":1,"
		 "\"consumers\":1,\"head_pos\":14960,\"head_seq\":111,", name,
		 rt_kernel_mode() ? "kernel" : "user");
	RT_CHECK(strstr(out, want));
	snprintf(want, sizeof(want), "\"waiters\":0,\"sleepers\":%d,",
		 rt_kernel_mode() ? 0 : 1);
	RT_CHECK(strstr(out, want));
	/* 100 frames of 136 bytes read, published when the consumer found
	 * nothing more to read */
	snprintf(want, sizeof(want), "\"cursor\":13600,\"lag\":1360,"
		 "\"delivered\":100,\"lost\":0,\"overruns\":0}");
	RT_CHECK(strstr(out, want));
	RT_EQ(strstr(strstr(out, "\"consumer\":") + 1, "\"consumer\":"), NULL);

	out = run("no-such-ring-x");
	RT_CHECK(strstr(out, "\"error\":"));
	myc_ring_free(c);
	myc_ring_free(p);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
