// SPDX-License-Identifier: MIT
/*
 * Description: every refusal of the bus's net API is a named error that
 * costs nothing else: NULL arguments, bad addresses, a bus name that cannot
 * be a node name, an address asked of a bus that does not listen (or into
 * a too small buffer), an unknown peer, a port already in use (the bus
 * then still listens elsewhere), and a topology whose TCP port is taken
 * (no bus, errno EADDRINUSE, a message naming the node and the address).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "myc.h"
#include "busnet.h"
#include "ringtest.h"
#include "test-file.h"

/* A listening TCP socket on 127.0.0.1 (a port in use); its port in *p. */
static int taken_port(int *p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	RT_CHECK(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	RT_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	RT_EQ(listen(fd, 1), 0);
	RT_EQ(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*p = ntohs(sa.sin_port);
	return fd;
}

int main(void)
{
	struct myc_bus_opts bad = { .sz = sizeof(bad), .name = "no spaces" };
	char addr[128], tiny[4], text[512], err[512];
	struct myc_bus *bus;
	int port, fd;

	bus = bn_bus("bn-args", MYC_LOSSY, 16);
	RT_EQ(myc_bus_net_listen(NULL, "tcp:127.0.0.1:0"), -EINVAL);
	RT_EQ(myc_bus_net_listen(bus, NULL), -EINVAL);
	RT_EQ(myc_bus_net_connect(NULL, "tcp:127.0.0.1:1"), -EINVAL);
	RT_EQ(myc_bus_net_connect(bus, NULL), -EINVAL);
	RT_EQ(myc_bus_net_addr(bus, addr, sizeof(addr)), -ENOENT);
	RT_EQ(myc_bus_net_peer_wants(bus, "x", BN_TYPE), -ENOENT);
	RT_EQ(myc_bus_net_reset(bus, "x"), -ENOENT);
	RT_EQ(myc_bus_net_listen(bus, "bogus:1"), -EINVAL);
	RT_EQ(myc_bus_net_listen(bus, "tcp:not-a-number:1"), -EINVAL);
	RT_EQ(myc_bus_net_connect(bus, "tcp:127.0.0.1"), -EINVAL);
	/* Net exists now, but nothing listens. */
	RT_EQ(myc_bus_net_addr(bus, addr, sizeof(addr)), -ENOENT);
	RT_EQ(myc_bus_net_peer_wants(bus, "x", BN_TYPE), -ENOENT);
	RT_EQ(myc_bus_net_reset(bus, NULL), -EINVAL);

	fd = taken_port(&port);
	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%d", port);
	RT_EQ(myc_bus_net_listen(bus, addr), -EADDRINUSE);
	RT_EQ(myc_bus_net_listen(bus, "tcp:127.0.0.1:0"), 0);
	RT_EQ(myc_bus_net_addr(bus, addr, sizeof(addr)), 0);
	RT_CHECK(!strncmp(addr, "tcp:127.0.0.1:", 14));
	RT_EQ(myc_bus_net_addr(bus, tiny, sizeof(tiny)), -ENAMETOOLONG);
	RT_EQ(myc_bus_net_addr(bus, NULL, 8), -EINVAL);
	myc_bus_free(bus);

	bus = myc_bus_new(&bad);
	RT_CHECK(bus);
	RT_EQ(myc_bus_net_listen(bus, "tcp:127.0.0.1:0"), -EINVAL);
	myc_bus_free(bus);

	/* A topology whose TCP endpoint is taken. */
	snprintf(text, sizeof(text),
		 "[[nodes]]\nname = \"one\"\nservices = [\"a\"]\n"
		 "endpoint = { kind = \"tcp\", addr = \"127.0.0.1:%d\" }\n"
		 "[[nodes]]\nname = \"two\"\nservices = [\"b\"]\n", port);
	test_write_file("bn-args.toml", text);
	errno = 0;
	RT_CHECK(!myc_bus_from_topology("bn-args.toml", "a", NULL, err, sizeof(err)));
	RT_EQ(errno, EADDRINUSE);
	RT_CHECK(strstr(err, "node \"one\": listen on tcp:127.0.0.1:"));
	/* The dialling side does not need the peer to be up. */
	bus = myc_bus_from_topology("bn-args.toml", "b", NULL, err, sizeof(err));
	RT_CHECK(bus);
	myc_bus_free(bus);
	RT_EQ(unlink("bn-args.toml"), 0);
	close(fd);
	return 0;
}
