// SPDX-License-Identifier: MIT
/*
 * Description: three hosts (netns h1..h3) run what one topology file
 * says.  h1 and h2 have a gateway node (`myc gateway`), h3 has none.
 * Service feed (node a, h1) publishes a lossless topic; strategy (node b,
 * h2) and audit (node c, h3) subscribe, each in its own process with
 * myc_bus_from_topology.  The routes the buses take are the ones
 * myc_topo_route and `myc topo route` give: feed -> strategy through the
 * two gateways (a and b open no connection to each other; b gets every
 * value through its host's ring; gw-a's link to gw-b carried exactly N),
 * feed -> audit and strategy -> audit direct TCP (c listens, a and b
 * dial; c gets every value once, from a's link).  Skips (77) without root
 * or ip(8).
 * Timeout: 180
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "net.h"
#include "bus-test.h"
#include "gwtest.h"
#include "netns.h"
#include "ringtest.h"

#define N	5000u
#define TYPE	GW_TYPE

static const char *topo;
static struct rt_sync ready_b, ready_c;

static const char topo_text[] =
	"[[nodes]]\nname = \"gw-1\"\nservices = []\nhost = \"10.77.12.1\"\nport = 7100\n\n"
	"[[nodes]]\nname = \"gw-2\"\nservices = []\nhost = \"10.77.12.2\"\nport = 7100\n\n"
	"[[nodes]]\nname = \"a\"\nservices = [\"feed\"]\nhost = \"10.77.12.1\"\nport = 7101\n\n"
	"[[nodes]]\nname = \"b\"\nservices = [\"strategy\"]\nhost = \"10.77.12.2\"\nport = 7101\n\n"
	"[[nodes]]\nname = \"c\"\nservices = [\"audit\"]\nhost = \"10.77.13.2\"\nport = 7101\n\n"
	"[topics.ticks]\ntype = 7\npolicy = \"lossless\"\nring_size = 64\nmax_size = 64\n";

static struct myc_bus *app_bus(int host, const char *service)
{
	struct myc_bus_topo_opts o = { .sz = sizeof(o), .ring_domain = gw_domain(host) };
	char err[256];
	struct myc_bus *bus = myc_bus_from_topology(topo, service, &o, err, sizeof(err));

	if (!bus)
		fprintf(stderr, "%s\n", err);
	RT_CHECK(bus);
	return bus;
}

/* The route as the C API and as `myc topo route` give it. */
static void check_route(const char *from, const char *to, const char *gw_to, int port)
{
	struct myc_route rt = { .sz = sizeof(rt) };
	struct myc_topo *t = myc_topo_load(topo, NULL, 0);
	const char *b = getenv("MYC_BUILD");
	char cmd[512], line[512], want[512];
	FILE *p;

	RT_CHECK(t);
	RT_EQ(myc_topo_route(t, from, to, &rt), 0);
	RT_EQ(rt.transport, MYC_TRANSPORT_TCP);
	RT_EQ(rt.port, port);
	RT_CHECK(gw_to ? rt.to_gateway && !strcmp(rt.to_gateway, gw_to) : !rt.to_gateway);
	snprintf(want, sizeof(want), "tcp\t%s\n", rt.reason);
	snprintf(cmd, sizeof(cmd), "%s/myc topo route %s %s %s", b ? b : "build", topo, from, to);
	p = popen(cmd, "r");
	RT_CHECK(p && fgets(line, sizeof(line), p));
	RT_EQ(pclose(p), 0);
	fprintf(stderr, "%s -> %s: %s", from, to, line);
	RT_CHECK(!strcmp(line, want));
	RT_CHECK(!gw_to == !strstr(line, "gateway"));
	myc_topo_free(t);
}

static int subscriber(void *arg)
{
	int host = *(int *)arg;
	struct myc_bus *bus;
	struct myc_sub *sub;
	struct myc_link_stats st;
	uint64_t v;

	RT_EQ(netns_enter(host), 0);
	bus = app_bus(host, host == 2 ? "strategy" : "audit");
	sub = myc_sub_new(bus, TYPE, NULL);
	RT_CHECK(sub);
	rt_sync_post(host == 2 ? &ready_b : &ready_c);
	for (uint64_t i = 0; i < N; i++) {
		RT_EQ(bt_recv_u64(sub, &v, GW_WAIT_MS), 0);
		RT_EQ(v, i);
	}
	RT_EQ(bt_recv_u64(sub, &v, 300), -ETIMEDOUT);	/* no duplicate */
	if (host == 2) {
		/* strategy has no link to feed's node (gateways) ... */
		RT_EQ(bus_net_link_stats(bus, "a", &st), -ENOENT);
	} else {
		/* ... audit got everything from a's direct link */
		RT_EQ(bus_net_link_stats(bus, "a", &st), 0);
		RT_EQ(st.rx_frames, N);
	}
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	int two = 2, three = 3, r;
	struct gw g1 = { 0 }, g2 = { 0 };
	struct myc_link_stats st;
	struct myc_bus *bus;
	struct myc_pub *pub;
	pid_t sb, sc;

	r = netns_setup();
	if (r)
		return r;
	atexit(gw_cleanup);
	/* h2 reaches c's address (on link 13) through h3. */
	RT_EQ(netns_route(2, "10.77.13.2", "10.77.23.2"), 0);
	topo = gw_topology_file(topo_text);
	check_route("feed", "strategy", "gw-2", 7100);
	check_route("strategy", "feed", "gw-1", 7100);
	check_route("feed", "audit", NULL, 7101);
	check_route("strategy", "audit", NULL, 7101);

	gw_start(&g1, 1, topo, "gw-1");
	gw_start(&g2, 2, topo, "gw-2");
	rt_sync_init(&ready_b);
	rt_sync_init(&ready_c);
	sb = rt_spawn(subscriber, &two);
	sc = rt_spawn(subscriber, &three);
	RT_EQ(rt_sync_wait(&ready_b, GW_WAIT_MS), 0);
	RT_EQ(rt_sync_wait(&ready_c, GW_WAIT_MS), 0);

	RT_EQ(netns_enter(1), 0);
	bus = app_bus(1, "feed");
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	/* Both paths are up: c subscribed over a's link, gw-1 reads our ring. */
	for (int ms = 0; myc_bus_net_peer_wants(bus, "c", TYPE) != 1; ms += 10) {
		RT_CHECK(ms < GW_WAIT_MS);
		usleep(10000);
	}
	RT_CHECK(gw_wait_consumers(1, 1));
	for (uint64_t i = 0; i < N; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_wait(sb), 0);
	RT_EQ(rt_wait(sc), 0);
	RT_EQ(bus_net_link_stats(bus, "b", &st), -ENOENT);
	RT_EQ(bus_net_link_stats(bus, "c", &st), 0);
	RT_EQ(st.tx_frames, N);
	myc_pub_free(pub);
	myc_bus_free(bus);
	RT_EQ(gw_stop(&g1), 0);
	RT_EQ(gw_stop(&g2), 0);
	RT_EQ(gw_link_count(&g1, "gw-2", "tx_frames "), N);
	RT_EQ(gw_link_count(&g2, "gw-1", "rx_frames "), N);
	netns_cleanup();
	return 0;
}
