// SPDX-License-Identifier: MIT
/*
 * Description: myc_topo_route picks the transport the routing rules give
 * and says why: same node -> inproc; same host -> shm ring, or a Unix
 * socket / TCP when either node's endpoint asks for it (the same transport
 * both ways); other host -> TCP to the destination's host and port (or the
 * port of its tcp addr); loopback spellings are one host.  Unknown services
 * give -ENOENT with a reason naming them; bad arguments give -EINVAL; a
 * caller with a smaller (older) struct only gets the fields it has.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"

static const char topo_text[] =
	"socket_dir = \"/tmp/myc-route-test\"\n"
	"[[nodes]]\n"
	"name = \"engine\"\n"
	"services = [\"strategy\", \"risk\"]\n"
	"port = 7000\n"
	"[[nodes]]\n"
	"name = \"md\"\n"
	"host = \"127.0.0.1\"\n"		/* loopback: same host as engine */
	"port = 7001\n"
	"services = [\"feed\"]\n"
	"[[nodes]]\n"
	"name = \"vault\"\n"
	"services = [\"audit\"]\n"
	"port = 7002\n"
	"endpoint = { kind = \"unix\" }\n"
	"[[nodes]]\n"
	"name = \"loud\"\n"
	"services = [\"monitor\"]\n"
	"endpoint = { kind = \"tcp\", addr = \"0.0.0.0:7555\" }\n"
	"[[nodes]]\n"
	"name = \"colo\"\n"
	"host = \"exchange-gw\"\n"
	"port = 9000\n"
	"services = [\"execution\"]\n"
	"[[nodes]]\n"
	"name = \"colo2\"\n"
	"host = \"exchange-gw\"\n"
	"endpoint = { kind = \"tcp\", addr = \"[::]:9100\" }\n"
	"services = [\"dropcopy\"]\n";

static int setup(void **state)
{
	char err[256];

	*state = myc_topo_parse(topo_text, strlen(topo_text), "route.toml", err,
				sizeof(err));
	if (!*state)
		fail_msg("%s", err);
	return 0;
}

static int teardown(void **state)
{
	myc_topo_free(*state);
	return 0;
}

static struct myc_route route(void **state, const char *from, const char *to)
{
	struct myc_route r = { .sz = sizeof(r) };
	int ret = myc_topo_route(*state, from, to, &r);

	if (ret)
		fail_msg("route %s -> %s: %d %s", from, to, ret, r.reason);
	return r;
}

static void same_node_is_inproc(void **state)
{
	struct myc_route r = route(state, "strategy", "risk");

	assert_int_equal(r.transport, MYC_TRANSPORT_INPROC);
	assert_string_equal(r.from_node, "engine");
	assert_string_equal(r.to_node, "engine");
	assert_non_null(strstr(r.reason, "same node \"engine\""));
	assert_string_equal(myc_transport_name(r.transport), "inproc");
}

static void same_host_is_shm_ring(void **state)
{
	struct myc_route r = route(state, "feed", "strategy");

	assert_int_equal(r.transport, MYC_TRANSPORT_SHM);
	assert_string_equal(r.path, "/myc-engine");
	assert_non_null(strstr(r.reason, "shared-memory ring"));
	r = route(state, "strategy", "feed");
	assert_int_equal(r.transport, MYC_TRANSPORT_SHM);
	assert_string_equal(r.path, "/myc-md");
}

static void unix_where_a_node_asks(void **state)
{
	struct myc_route r = route(state, "strategy", "audit");

	assert_int_equal(r.transport, MYC_TRANSPORT_UNIX);
	assert_string_equal(r.path, "/tmp/myc-route-test/vault.sock");
	assert_non_null(strstr(r.reason, "node \"vault\" asks for endpoint kind \"unix\""));
	/* the reverse direction uses the same socket */
	r = route(state, "audit", "feed");
	assert_int_equal(r.transport, MYC_TRANSPORT_UNIX);
	assert_string_equal(r.path, "/tmp/myc-route-test/vault.sock");
}

static void tcp_on_same_host_where_asked(void **state)
{
	struct myc_route r = route(state, "feed", "monitor");

	assert_int_equal(r.transport, MYC_TRANSPORT_TCP);
	assert_int_equal(r.port, 7555);
	assert_non_null(strstr(r.reason, "asks for endpoint kind \"tcp\""));
	/* tcp is more isolated than unix: it wins on the same host */
	r = route(state, "audit", "monitor");
	assert_int_equal(r.transport, MYC_TRANSPORT_TCP);
}

static void other_host_is_tcp(void **state)
{
	struct myc_route r = route(state, "risk", "execution");

	assert_int_equal(r.transport, MYC_TRANSPORT_TCP);
	assert_string_equal(r.host, "exchange-gw");
	assert_int_equal(r.port, 9000);
	assert_non_null(strstr(r.reason, "other host"));
	assert_non_null(strstr(r.reason, "TCP to exchange-gw:9000"));
	r = route(state, "execution", "feed");
	assert_int_equal(r.transport, MYC_TRANSPORT_TCP);
	assert_string_equal(r.host, "127.0.0.1");
	assert_int_equal(r.port, 7001);
	/* port taken from the tcp addr */
	r = route(state, "feed", "dropcopy");
	assert_int_equal(r.port, 9100);
	/* colo and colo2 share a host, but colo2 asks for tcp */
	r = route(state, "execution", "dropcopy");
	assert_int_equal(r.transport, MYC_TRANSPORT_TCP);
}

static void unknown_service(void **state)
{
	struct myc_route r = { .sz = sizeof(r) };

	assert_int_equal(myc_topo_route(*state, "feed", "nosuch", &r), -ENOENT);
	assert_non_null(strstr(r.reason, "\"nosuch\" is not in any node of route.toml"));
	assert_int_equal(myc_topo_route(*state, "ghost", "feed", &r), -ENOENT);
	assert_non_null(strstr(r.reason, "\"ghost\""));
}

static void bad_arguments(void **state)
{
	struct myc_route r = { .sz = sizeof(r) };

	assert_int_equal(myc_topo_route(NULL, "a", "b", &r), -EINVAL);
	assert_int_equal(myc_topo_route(*state, NULL, "b", &r), -EINVAL);
	assert_int_equal(myc_topo_route(*state, "feed", "risk", NULL), -EINVAL);
	r.sz = 8;
	assert_int_equal(myc_topo_route(*state, "feed", "risk", &r), -EINVAL);
	assert_string_equal(myc_transport_name(99), "?");
}

/* An older caller whose struct ended after 16 bytes of reason. */
static void smaller_struct_is_not_overrun(void **state)
{
	unsigned char buf[sizeof(struct myc_route) + 16];
	struct myc_route *r = (struct myc_route *)buf;
	size_t sz = offsetof(struct myc_route, reason) + 16;

	memset(buf, 0xa5, sizeof(buf));
	r->sz = sz;
	assert_int_equal(myc_topo_route(*state, "feed", "risk", r), 0);
	assert_int_equal(r->transport, MYC_TRANSPORT_SHM);
	assert_int_equal(strlen(r->reason), 15);
	for (size_t i = sz; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(same_node_is_inproc, setup, teardown),
		cmocka_unit_test_setup_teardown(same_host_is_shm_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(unix_where_a_node_asks, setup, teardown),
		cmocka_unit_test_setup_teardown(tcp_on_same_host_where_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(other_host_is_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_service, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(smaller_struct_is_not_overrun, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
