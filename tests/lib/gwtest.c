// SPDX-License-Identifier: MIT
/* Helpers for the gateway tests (see gwtest.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus-test.h"
#include "busring.h"
#include "gwtest.h"
#include "netns.h"
#include "ringtest.h"
#include "test-file.h"

static char topo_path[128];
static char logs[3][128];
static pid_t owner;		/* the test process: names use its pid */
static struct gw *live[3];	/* gateways to stop if the test fails */

const char *gw_topology_file(const char *text)
{
	owner = getpid();
	snprintf(topo_path, sizeof(topo_path), "/tmp/myc-gw-%d.toml", (int)owner);
	test_write_file(topo_path, text);
	return topo_path;
}

const char *gw_topology(uint32_t policy)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "[[nodes]]\nname = \"gw-a\"\nservices = []\nhost = \"10.77.12.1\"\nport = %d\n\n"
		 "[[nodes]]\nname = \"gw-b\"\nservices = []\nhost = \"10.77.12.2\"\nport = %d\n\n"
		 "[[nodes]]\nname = \"app-a\"\nservices = [\"feed\"]\nhost = \"10.77.12.1\"\nport = %d\n\n"
		 "[[nodes]]\nname = \"app-b\"\nservices = [\"strategy\"]\nhost = \"10.77.12.2\"\nport = %d\n\n"
		 "[topics.ticks]\ntype = %d\npolicy = \"%s\"\nring_size = %u\nmax_size = 64\n",
		 GW_PORT, GW_PORT, GW_PORT + 1, GW_PORT + 1, GW_TYPE,
		 policy == MYC_LOSSLESS ? "lossless" : "lossy", GW_DEPTH);
	return gw_topology_file(text);
}

const char *gw_domain(int host)
{
	static char d[3][32];

	snprintf(d[host - 1], sizeof(d[0]), "gw%d%c", (int)owner, 'a' + host - 1);
	return d[host - 1];
}

void gw_start(struct gw *g, int host, const char *file, const char *node)
{
	const char *b = getenv("MYC_BUILD");
	char myc[256], dom[32];
	int fd;

	snprintf(myc, sizeof(myc), "%s/myc", b ? b : "build");
	snprintf(dom, sizeof(dom), "%s", gw_domain(host));
	snprintf(g->log, sizeof(g->log), "/tmp/myc-gw-%d-%s.log", (int)owner, node);
	snprintf(logs[host - 1], sizeof(logs[0]), "%s", g->log);
	g->pid = fork();
	RT_CHECK(g->pid >= 0);
	if (g->pid) {
		live[host - 1] = g;
		return;
	}
	if (netns_enter(host))
		_exit(120);
	fd = open(g->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(121);
	execl(myc, "myc", "gateway", "--domain", dom, file, node, (char *)NULL);
	_exit(122);
}

int gw_stop(struct gw *g)
{
	int st;

	if (g->pid <= 0)
		return -1;
	kill(g->pid, SIGTERM);
	RT_CHECK(waitpid(g->pid, &st, 0) == g->pid);
	g->pid = 0;
	if (!WIFEXITED(st)) {
		fprintf(stderr, "gateway killed by signal %d\n", WTERMSIG(st));
		return -1;
	}
	return WEXITSTATUS(st);
}

long long gw_link_count(const struct gw *g, const char *peer, const char *key)
{
	char line[512], pat[96];
	long long v = -1;
	FILE *f = fopen(g->log, "r");
	char *p;

	if (!f)
		return -1;
	snprintf(pat, sizeof(pat), ": link %s: ", peer);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, pat) || !(p = strstr(line, key)))
			continue;
		v = strtoll(p + strlen(key), NULL, 10);
	}
	if (v < 0) {	/* show the gateway's log */
		rewind(f);
		while (fgets(line, sizeof(line), f))
			fprintf(stderr, "%s: %s", g->log, line);
	}
	fclose(f);
	return v;
}

struct myc_bus *gw_app_bus(int host, uint32_t policy)
{
	struct myc_bus_opts o = { .sz = sizeof(o), .ring_domain = gw_domain(host) };
	struct myc_bus *bus = myc_bus_new(&o);

	RT_CHECK(bus);
	RT_EQ(bt_topic(bus, GW_TYPE, policy, GW_DEPTH, 64), 0);
	return bus;
}

struct myc_sub *gw_take(int host, struct myc_bus **bus, uint64_t first, uint64_t n,
			uint64_t slow_every, struct rt_sync *ready)
{
	struct myc_sub *sub;
	uint64_t v;

	RT_EQ(netns_enter(host), 0);
	*bus = gw_app_bus(host, MYC_LOSSLESS);
	sub = myc_sub_new(*bus, GW_TYPE, NULL);
	RT_CHECK(sub);
	rt_sync_post(ready);
	for (uint64_t i = first; i < first + n; i++) {
		RT_EQ(bt_recv_u64(sub, &v, GW_WAIT_MS), 0);
		RT_EQ(v, i);
		if (slow_every && (i - first) % slow_every == 0)
			nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	}
	return sub;
}

int gw_ring_consumers(int host)
{
	char name[64];
	struct myc_ring_info in = { .sz = sizeof(in) };
	struct myc_ring *r;
	int n;

	snprintf(name, sizeof(name), "%s.%d", gw_domain(host), GW_TYPE);
	r = myc_ring_open(name, 0, NULL);
	if (!r)
		return 0;
	n = myc_ring_info(r, &in) ? 0 : (int)in.consumers;
	myc_ring_free(r);
	return n;
}

static bool wait_consumers(int host, int n, bool exact)
{
	for (int ms = 0; ms < GW_WAIT_MS; ms += 10) {
		int c = gw_ring_consumers(host);

		if (exact ? c == n : c >= n)
			return true;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	return false;
}

bool gw_wait_consumers(int host, int n)
{
	return wait_consumers(host, n, false);
}

bool gw_wait_consumers_eq(int host, int n)
{
	return wait_consumers(host, n, true);
}

int64_t gw_ring_frames(int host)
{
	char name[64];

	snprintf(name, sizeof(name), "%s", gw_domain(host));
	return br_ring_frames(name, GW_TYPE);
}

void gw_cleanup(void)
{
	if (getpid() != owner)
		return;
	for (int i = 0; i < 3; i++)
		if (live[i] && live[i]->pid > 0) {
			kill(live[i]->pid, SIGKILL);
			waitpid(live[i]->pid, NULL, 0);
			live[i]->pid = 0;
		}
	if (topo_path[0])
		unlink(topo_path);
	for (int i = 0; i < 3; i++)
		if (logs[i][0])
			unlink(logs[i]);
}
