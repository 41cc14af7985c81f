// SPDX-License-Identifier: MIT
/* Network namespaces for multi-host tests (see netns.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

static pid_t owner;	/* only the process that created them removes them */
static char names[3][48];

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	return system(cmd) == 0 ? 0 : -1;
}

void netns_cleanup(void)
{
	int i;

	if (owner != getpid())
		return;
	for (i = 0; i < 3; i++)
		if (names[i][0])
			run("ip netns del %s", names[i]);
	owner = 0;
}

static void on_signal(int sig)
{
	netns_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int veth(int a, int b)
{
	return run("ip link add v%d%da netns %s type veth peer name v%d%db netns %s",
		   a, b, names[a - 1], a, b, names[b - 1]) ||
	       run("ip -n %s addr add 10.77.%d%d.1/24 dev v%d%da", names[a - 1],
		   a, b, a, b) ||
	       run("ip -n %s addr add 10.77.%d%d.2/24 dev v%d%db", names[b - 1],
		   a, b, a, b) ||
	       run("ip -n %s link set v%d%da up", names[a - 1], a, b) ||
	       run("ip -n %s link set v%d%db up", names[b - 1], a, b);
}

int netns_setup(void)
{
	int i;

	if (geteuid() != 0 || run("ip -V"))
		return 77;
	owner = getpid();
	atexit(netns_cleanup);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (i = 0; i < 3; i++) {
		snprintf(names[i], sizeof(names[i]), "myc-%d-h%d", (int)owner, i + 1);
		if (run("ip netns add %s", names[i])) {
			names[i][0] = '\0';
			netns_cleanup();
			return 77;	/* no netns support (e.g. in a container) */
		}
		if (run("ip -n %s link set lo up", names[i]))
			goto fail;
	}
	if (veth(1, 2) || veth(1, 3) || veth(2, 3))
		goto fail;
	return 0;
fail:
	netns_cleanup();
	return 1;
}

int netns_enter(int h)
{
	char path[96];
	int fd, r;

	snprintf(path, sizeof(path), "/run/netns/%s", names[h - 1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return r;
}

int netns_route(int h, const char *dst, const char *via)
{
	return run("ip -n %s route add %s via %s", names[h - 1], dst, via);
}

int netns_link(const char *ab, bool up)
{
	int a = ab[0] - '0';

	return run("ip -n %s link set v%sa %s", names[a - 1], ab, up ? "up" : "down");
}

const char *netns_addr(int h, int peer, int port)
{
	static char buf[8][48];
	static int n;
	char *b = buf[n++ % 8];
	int a = h < peer ? h : peer, c = h < peer ? peer : h;

	snprintf(b, 48, "tcp:10.77.%d%d.%d:%d", a, c, h == a ? 1 : 2, port);
	return b;
}
