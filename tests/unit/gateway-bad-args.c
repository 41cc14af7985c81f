// SPDX-License-Identifier: MIT
/*
 * Description: every refusal of the gateway API is a named error with a
 * message and no bus: NULL path or node, an options size too small
 * (EINVAL), a bad ring domain (EINVAL), a missing file, an unknown node (ENOENT), a node that runs
 * services or shares its host with another gateway node (EINVAL), no
 * gateway on another host (ENOENT).  myc_gateway_poll refuses NULL and a
 * bus that is not a gateway (-EINVAL); myc_bus_net_error refuses NULL
 * arguments (-EINVAL) and a bus without a net (-ENOENT), and reports 0
 * with an empty text while nothing was refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "myc.h"
#include "ringtest.h"
#include "test-file.h"

static char err[512];

/* myc_gateway_new(@file, @node) fails with @want and a message holding
 * @msg. */
static void refused(const char *file, const char *node, const char *dom, int want,
		    const char *msg)
{
	struct myc_bus_topo_opts o = { .sz = sizeof(o), .ring_domain = dom };

	errno = 0;
	RT_CHECK(!myc_gateway_new(file, node, &o, err, sizeof(err)));
	if (errno != want || !strstr(err, msg)) {
		fprintf(stderr, "errno %d (want %d), message: %s (want: %s)\n", errno, want,
			err, msg);
		RT_CHECK(0);
	}
}

int main(void)
{
	struct myc_bus_topo_opts o = { .sz = sizeof(o), .ring_domain = "gwba" };
	struct myc_bus_opts bo = { .sz = sizeof(bo), .name = "plain" };
	struct myc_bus *bus;
	char text[64], addr[64];

	test_write_file("gw.toml",
		"[[nodes]]\nname = \"gw-a\"\nservices = []\nhost = \"10.0.0.1\"\nport = 7100\n"
		"[[nodes]]\nname = \"gw-a2\"\nservices = []\nhost = \"10.0.0.1\"\nport = 7101\n"
		"[[nodes]]\nname = \"gw-b\"\nservices = []\nhost = \"10.0.0.2\"\nport = 7100\n"
		"[[nodes]]\nname = \"app\"\nservices = [\"feed\"]\nhost = \"10.0.0.2\"\nport = 7101\n");
	test_write_file("alone.toml",
		"[[nodes]]\nname = \"gw\"\nservices = []\n"
		"[[nodes]]\nname = \"app\"\nservices = [\"feed\"]\n");

	errno = 0;
	RT_CHECK(!myc_gateway_new(NULL, "gw-a", &o, err, sizeof(err)));
	RT_EQ(errno, EINVAL);
	RT_CHECK(strstr(err, "missing path, node or options size"));
	RT_CHECK(!myc_gateway_new("gw.toml", NULL, &o, NULL, 0));
	RT_EQ(errno, EINVAL);
	errno = 0;
	RT_CHECK(!myc_gateway_new("gw.toml", "gw-b", &(struct myc_bus_topo_opts){ .sz = 1 },
				  err, sizeof(err)));
	RT_EQ(errno, EINVAL);
	RT_CHECK(strstr(err, "missing path, node or options size"));
	/* No options at all: the topology's ring domain, then the checks. */
	errno = 0;
	RT_CHECK(!myc_gateway_new("gw.toml", "gw-b", NULL, err, sizeof(err)));
	RT_EQ(errno, EINVAL);
	RT_CHECK(strstr(err, "host 10.0.0.1 has two gateway nodes"));
	refused("none.toml", "gw-b", "gwba", ENOENT, "none.toml");
	refused("gw.toml", "gw-x", "gwba", ENOENT, "gw.toml: no node \"gw-x\"");
	refused("gw.toml", "app", "gwba", EINVAL, "a gateway node has services = []");
	refused("gw.toml", "gw-a", "gwba", EINVAL,
		"host 10.0.0.1 has two gateway nodes, \"gw-a\" and \"gw-a2\"");
	refused("gw.toml", "gw-b", "gwba", EINVAL, "host 10.0.0.1 has two gateway nodes");
	refused("alone.toml", "gw", "gwba", ENOENT,
		"no gateway node (services = []) on a host other than localhost");
	refused("gw.toml", "gw-b", ".bad", EINVAL, "ring domain \".bad\"");

	RT_EQ(myc_gateway_poll(NULL), -EINVAL);
	bus = myc_bus_new(&bo);
	RT_CHECK(bus);
	RT_EQ(myc_gateway_poll(bus), -EINVAL);
	RT_EQ(myc_bus_net_error(NULL, text, sizeof(text)), -EINVAL);
	RT_EQ(myc_bus_net_error(bus, NULL, sizeof(text)), -EINVAL);
	RT_EQ(myc_bus_net_error(bus, text, 0), -EINVAL);
	RT_EQ(myc_bus_net_error(bus, text, sizeof(text)), -ENOENT);
	snprintf(addr, sizeof(addr), "unix:@myc-gw-bad-args-%d", (int)getpid());
	RT_EQ(myc_bus_net_listen(bus, addr), 0);
	strcpy(text, "x");
	RT_EQ(myc_bus_net_error(bus, text, sizeof(text)), 0);
	RT_EQ(text[0], 0);
	myc_bus_free(bus);
	return 0;
}
