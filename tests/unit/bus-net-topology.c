// SPDX-License-Identifier: MIT
/*
 * Description: buses built by myc_bus_from_topology link themselves as the
 * routes say: three nodes on one host, "alpha" and "beta" with Unix
 * endpoints and "gamma" with a TCP endpoint.  beta listens on its Unix
 * socket and alpha dials it (orders go alpha -> beta over Unix); gamma
 * listens on TCP and both others dial it (quotes go gamma -> alpha, beta).
 * Every process gets every message in order, and the socket directory is
 * empty afterwards.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "myc.h"
#include "bus-test.h"
#include "busnet.h"
#include "nettest.h"
#include "ringtest.h"
#include "test-file.h"

#define NMSG	3000u
#define QUOTES	1
#define ORDERS	3

static struct rt_sync done[3];
static int hold[2];

static struct myc_bus *node_bus(const char *service)
{
	char err[512];
	struct myc_bus *bus;

	/* Only the parent may hold the write end: its close says "go". */
	close(hold[1]);
	bus = myc_bus_from_topology("t.toml", service, NULL, err, sizeof(err));

	if (!bus)
		fprintf(stderr, "%s: %s\n", service, err);
	return bus;
}

static int send_n(struct myc_bus *bus, uint16_t type, const char **peers)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_pub *pub = myc_pub_new(bus, type, &po);

	TN_CHECK(pub);
	for (; *peers; peers++)
		TN_CHECK(bn_wait_peer(bus, *peers, type));
	for (uint64_t i = 0; i < NMSG; i++)
		TN_CHECK(bt_send_u64(pub, i) == 0);
	myc_pub_free(pub);
	return 0;
}

static int take_n(struct myc_sub *sub)
{
	for (uint64_t i = 0, v; i < NMSG; i++) {
		TN_CHECK(bt_recv_u64(sub, &v, BN_WAIT_MS) == 0);
		TN_CHECK(v == i);
	}
	TN_CHECK(myc_sub_lost(sub) == 0);
	return 0;
}

/* Post "done", stay up until every process is done, then go. */
static int finish(struct myc_bus *bus, int who)
{
	char c;

	rt_sync_post(&done[who]);
	TN_CHECK(read(hold[0], &c, 1) == 0);
	myc_bus_free(bus);
	return 0;
}

static int alpha(void *arg)
{
	static const char *to_beta[] = { "beta", NULL };
	struct myc_bus *bus = node_bus("a");
	struct myc_sub *q;
	char addr[128];
	int r;

	(void)arg;
	TN_CHECK(bus);
	/* alpha only dials: no listener of its own. */
	TN_CHECK(myc_bus_net_addr(bus, addr, sizeof(addr)) == -ENOENT);
	q = myc_sub_new(bus, QUOTES, NULL);
	TN_CHECK(q);
	r = send_n(bus, ORDERS, to_beta);
	if (!r)
		r = take_n(q);
	myc_sub_free(q);
	return r ? r : finish(bus, 0);
}

static int beta(void *arg)
{
	struct myc_bus *bus = node_bus("b");
	struct myc_sub *q, *o;
	char addr[128];
	int r;

	(void)arg;
	TN_CHECK(bus);
	TN_CHECK(myc_bus_net_addr(bus, addr, sizeof(addr)) == 0);
	TN_CHECK(!strncmp(addr, "unix:", 5) && strstr(addr, "beta.sock"));
	q = myc_sub_new(bus, QUOTES, NULL);
	o = myc_sub_new(bus, ORDERS, NULL);
	TN_CHECK(q && o);
	r = take_n(o);
	if (!r)
		r = take_n(q);
	myc_sub_free(q);
	myc_sub_free(o);
	return r ? r : finish(bus, 1);
}

static int port;

static int gamma_node(void *arg)
{
	static const char *both[] = { "alpha", "beta", NULL };
	struct myc_bus *bus = node_bus("g");
	char addr[128], want[64];
	int r;

	(void)arg;
	TN_CHECK(bus);
	TN_CHECK(myc_bus_net_addr(bus, addr, sizeof(addr)) == 0);
	snprintf(want, sizeof(want), "tcp:127.0.0.1:%d", port);
	TN_CHECK(!strcmp(addr, want));
	r = send_n(bus, QUOTES, both);
	return r ? r : finish(bus, 2);
}

static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;

	RT_CHECK(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	RT_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	RT_EQ(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

int main(void)
{
	char dir[] = "/tmp/myc-bn-topo-XXXXXX", text[1024];
	pid_t c[3];
	int i;

	RT_CHECK(mkdtemp(dir));
	RT_EQ(chdir(dir), 0);
	port = free_port();
	snprintf(text, sizeof(text),
		 "socket_dir = \"socks\"\n"
		 "[[nodes]]\nname = \"alpha\"\nservices = [\"a\"]\n"
		 "endpoint = { kind = \"unix\" }\n"
		 "[[nodes]]\nname = \"beta\"\nservices = [\"b\"]\n"
		 "endpoint = { kind = \"unix\", path = \"socks/beta.sock\" }\n"
		 "[[nodes]]\nname = \"gamma\"\nservices = [\"g\"]\n"
		 "endpoint = { kind = \"tcp\", addr = \"127.0.0.1:%d\" }\n"
		 "[topics.quotes]\ntype = %d\npolicy = \"lossless\"\nmax_size = 64\n"
		 "[topics.orders]\ntype = %d\npolicy = \"lossless\"\nmax_size = 64\n",
		 port, QUOTES, ORDERS);
	test_write_file("t.toml", text);
	RT_EQ(mkdir("socks", 0700), 0);
	RT_EQ(pipe(hold), 0);
	for (i = 0; i < 3; i++)
		rt_sync_init(&done[i]);
	c[0] = rt_spawn(alpha, NULL);
	c[1] = rt_spawn(beta, NULL);
	c[2] = rt_spawn(gamma_node, NULL);
	close(hold[0]);
	for (i = 0; i < 3; i++)
		if (rt_sync_wait(&done[i], 60000))
			break;
	close(hold[1]);
	for (int j = 0; j < 3; j++)
		RT_EQ(rt_wait(c[j]), 0);
	RT_EQ(i, 3);
	/* Nothing left behind: the sockets went with the buses. */
	RT_EQ(rmdir("socks"), 0);
	RT_EQ(unlink("t.toml"), 0);
	RT_EQ(chdir("/"), 0);
	RT_EQ(rmdir(dir), 0);
	return 0;
}
