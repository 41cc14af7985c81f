// SPDX-License-Identifier: MIT
/*
 * Description: every topology.toml validation error is refused with one
 * line "FILE:LINE:COL: KEY: problem" naming the file, the line of the
 * offending key or value, the dotted key, and the problem: duplicate node
 * names, a service in two nodes (or twice in one), a remote host without a
 * port, unknown keys at every level, bad endpoint kinds and options, bad
 * policies, sizes, type ids and ring domains, type mismatches, missing required keys, bad
 * names or hosts (user text is printed with control characters as '?'),
 * and TOML syntax errors.  errno is EINVAL and nothing leaks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"

static void expect_error(const char *text, unsigned int line, const char *key,
			 const char *msg)
{
	char err[512], want[64];
	struct myc_topo *t;

	memset(err, 0, sizeof(err));
	errno = 0;
	t = myc_topo_parse(text, strlen(text), "bad.toml", err, sizeof(err));
	if (t) {
		myc_topo_free(t);
		fail_msg("accepted:\n%s", text);
	}
	assert_int_equal(errno, EINVAL);
	snprintf(want, sizeof(want), "bad.toml:%u:", line);
	if (strncmp(err, want, strlen(want)) || !strstr(err, key) ||
	    !strstr(err, msg))
		fail_msg("got \"%s\"; want \"%s\" with key \"%s\" and \"%s\"", err,
			 want, key, msg);
}

#define NODE_A "[[nodes]]\nname = \"a\"\nservices = [\"s1\"]\n"

#define CASE(fn, text, line, key, msg)					\
	static void fn(void **state)					\
	{								\
		expect_error(text, line, key, msg);			\
	}

CASE(duplicate_node_name,
     NODE_A "[[nodes]]\nname = \"a\"\nservices = [\"s2\"]\n",
     5, "nodes[1].name", "duplicate node name \"a\" (also nodes[0], line 2)")
CASE(service_in_two_nodes,
     NODE_A "[[nodes]]\nname = \"b\"\nservices = [\"x\", \"s1\"]\n",
     6, "nodes[1].services[1]", "service \"s1\" is already in node \"a\" (line 3)")
CASE(service_twice_in_one_node,
     "[[nodes]]\nname = \"a\"\nservices = [\"s\",\n  \"s\"]\n",
     4, "nodes[0].services[1]", "listed twice")
CASE(remote_host_without_port,
     NODE_A "port = 7000\n[[nodes]]\nname = \"b\"\nservices = []\nhost = \"beta\"\n",
     8, "nodes[1].host", "node \"b\" is on host \"beta\", reached over TCP from host \"localhost\"")
CASE(local_node_without_port_reached_from_remote,
     NODE_A "[[nodes]]\nname = \"b\"\nservices = []\nhost = \"beta\"\nport = 7000\n",
     1, "nodes[0].port", "missing: node \"a\" (on this host) is reached over TCP from host \"beta\"")
CASE(unknown_top_level_key,
     "socket_dir = \"/tmp\"\nsocketdir = \"/tmp\"\n" NODE_A,
     2, "socketdir", "unknown key (expected one of: socket_dir, ring_domain, nodes, topics)")
CASE(unknown_node_key,
     NODE_A "prot = 7000\n",
     4, "nodes[0].prot", "unknown key")
CASE(unknown_endpoint_key,
     NODE_A "endpoint = { kind = \"unix\", socket = \"/x\" }\n",
     4, "nodes[0].endpoint.socket", "unknown key")
CASE(bad_ring_domain,
     "ring_domain = \".hidden\"\n" NODE_A,
     1, "ring_domain", "expected 1-57 of A-Z a-z 0-9 . _ -, not starting with '.'")
CASE(ring_domain_not_string,
     "ring_domain = 5\n" NODE_A,
     1, "ring_domain", "string")
CASE(unknown_topic_key,
     NODE_A "[topics.q]\npolicy = \"lossy\"\ndepth = 8\n",
     6, "topics.q.depth", "unknown key (expected one of: type, policy, ring_size, max_size)")
CASE(bad_endpoint_kind,
     NODE_A "endpoint = { kind = \"rdma\" }\n",
     4, "nodes[0].endpoint.kind", "unknown kind \"rdma\" (expected \"shm\", \"unix\" or \"tcp\")")
CASE(endpoint_kind_missing,
     NODE_A "endpoint = { path = \"/x\" }\n",
     4, "nodes[0].endpoint.kind", "missing (required)")
CASE(endpoint_addr_on_unix,
     NODE_A "endpoint = { kind = \"unix\", addr = \"h:1\" }\n",
     4, "nodes[0].endpoint.addr", "only kind \"tcp\" takes an addr")
CASE(endpoint_path_on_tcp,
     NODE_A "port = 1\nendpoint = { kind = \"tcp\", path = \"/x\" }\n",
     5, "nodes[0].endpoint.path", "not used by kind \"tcp\"")
CASE(endpoint_bad_addr,
     NODE_A "endpoint = { kind = \"tcp\", addr = \"host:99999\" }\n",
     4, "nodes[0].endpoint.addr", "is not HOST:PORT")
CASE(endpoint_bad_shm_name,
     NODE_A "endpoint = { kind = \"shm\", path = \"/a/b\" }\n",
     4, "nodes[0].endpoint.path", "not a shared-memory name")
CASE(endpoint_unix_path_too_long,
     NODE_A "endpoint = { kind = \"unix\", path = \"/"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" }\n",
     4, "nodes[0].endpoint.path", "longer than a Unix socket path")
CASE(default_socket_path_too_long,
     "socket_dir = \"/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
     NODE_A "endpoint = { kind = \"unix\" }\n",
     5, "nodes[0].endpoint", "default socket path")
CASE(tcp_kind_without_port,
     NODE_A "endpoint = { kind = \"tcp\" }\n",
     4, "nodes[0].endpoint", "kind \"tcp\" needs a port")
CASE(bad_policy,
     NODE_A "[topics.q]\npolicy = \"drop\"\n",
     5, "topics.q.policy", "unknown policy \"drop\" (expected \"lossy\" or \"lossless\")")
CASE(ring_size_not_power_of_two,
     NODE_A "[topics.q]\nring_size = 1000\n",
     5, "topics.q.ring_size", "1000 is not a power of two")
CASE(ring_size_too_big,
     NODE_A "[topics.q]\nring_size = 0x4000000\n",
     5, "topics.q.ring_size", "67108864 is not a ring size (2..16777216)")
CASE(max_size_too_big,
     NODE_A "[topics.q]\nmax_size = 70000\n",
     5, "topics.q.max_size", "70000 is not a payload size (1..65504)")
CASE(type_id_zero,
     NODE_A "[topics.q]\ntype = 0\n",
     5, "topics.q.type", "0 is not a user type id (1..65279)")
CASE(type_id_system_range,
     NODE_A "[topics.q]\ntype = 0xff00\n",
     5, "topics.q.type", "65280 is not a user type id")
CASE(duplicate_type_id,
     NODE_A "[topics.q]\ntype = 7\n[topics.r]\ntype = 7\n",
     7, "topics.r.type", "type id 7 is already used by topic \"q\" (line 4)")
CASE(topic_not_a_table,
     "topics = { q = 5 }\n" NODE_A,
     1, "topics.q", "expected a table, found an integer")
CASE(bad_topic_name,
     NODE_A "[topics.\"a/b\"]\n",
     4, "topics.a/b", "not a valid topic name")
CASE(port_out_of_range,
     NODE_A "port = 70000\n",
     4, "nodes[0].port", "70000 is not a port (1..65535)")
CASE(port_wrong_type,
     NODE_A "port = \"7000\"\n",
     4, "nodes[0].port", "expected an integer, found a string")
CASE(services_not_array,
     "[[nodes]]\nname = \"a\"\nservices = \"s1\"\n",
     3, "nodes[0].services", "expected an array, found a string")
CASE(service_not_string,
     "[[nodes]]\nname = \"a\"\nservices = [\"s1\", 2]\n",
     3, "nodes[0].services[1]", "expected a string, found an integer")
CASE(name_missing,
     "[[nodes]]\nservices = [\"s1\"]\n",
     1, "nodes[0].name", "missing (required)")
CASE(services_missing,
     "[[nodes]]\nname = \"a\"\n",
     1, "nodes[0].services", "missing (required)")
CASE(bad_node_name,
     "[[nodes]]\nname = \"../etc\"\nservices = []\n",
     2, "nodes[0].name", "\"../etc\" is not a valid name")
CASE(empty_node_name,
     "[[nodes]]\nname = \"\"\nservices = []\n",
     2, "nodes[0].name", "must be a non-empty string")
CASE(bad_service_name,
     "[[nodes]]\nname = \"a\"\nservices = [\"s 1\"]\n",
     3, "nodes[0].services[0]", "not a valid service name")
CASE(no_nodes,
     "socket_dir = \"/tmp\"\n",
     1, "nodes", "a topology needs at least one [[nodes]] entry")
CASE(nodes_not_array,
     "nodes = 1\n",
     1, "nodes", "expected an array, found an integer")
CASE(node_not_table,
     "nodes = [1]\n",
     1, "nodes[0]", "expected a table, found an integer")
CASE(socket_dir_wrong_type,
     "socket_dir = 5\n" NODE_A,
     1, "socket_dir", "expected a string, found an integer")
CASE(bad_host,
     NODE_A "port = 1\nhost = \"a b\"\n",
     5, "nodes[0].host", "\"a b\" is not a host name or address")
CASE(control_characters_printed_as_question_marks,
     "[[nodes]]\nname = \"a\\nb\"\nservices = []\n",
     2, "nodes[0].name", "\"a?b\" is not a valid name")
CASE(toml_syntax_error,
     NODE_A "port = \n",
     4, "expected a value", "")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(duplicate_node_name),
		cmocka_unit_test(service_in_two_nodes),
		cmocka_unit_test(service_twice_in_one_node),
		cmocka_unit_test(remote_host_without_port),
		cmocka_unit_test(local_node_without_port_reached_from_remote),
		cmocka_unit_test(unknown_top_level_key),
		cmocka_unit_test(unknown_node_key),
		cmocka_unit_test(unknown_endpoint_key),
		cmocka_unit_test(bad_ring_domain),
		cmocka_unit_test(ring_domain_not_string),
		cmocka_unit_test(unknown_topic_key),
		cmocka_unit_test(bad_endpoint_kind),
		cmocka_unit_test(endpoint_kind_missing),
		cmocka_unit_test(endpoint_addr_on_unix),
		cmocka_unit_test(endpoint_path_on_tcp),
		cmocka_unit_test(endpoint_bad_addr),
		cmocka_unit_test(endpoint_bad_shm_name),
		cmocka_unit_test(endpoint_unix_path_too_long),
		cmocka_unit_test(default_socket_path_too_long),
		cmocka_unit_test(tcp_kind_without_port),
		cmocka_unit_test(bad_policy),
		cmocka_unit_test(ring_size_not_power_of_two),
		cmocka_unit_test(ring_size_too_big),
		cmocka_unit_test(max_size_too_big),
		cmocka_unit_test(type_id_zero),
		cmocka_unit_test(type_id_system_range),
		cmocka_unit_test(duplicate_type_id),
		cmocka_unit_test(topic_not_a_table),
		cmocka_unit_test(bad_topic_name),
		cmocka_unit_test(port_out_of_range),
		cmocka_unit_test(port_wrong_type),
		cmocka_unit_test(services_not_array),
		cmocka_unit_test(service_not_string),
		cmocka_unit_test(name_missing),
		cmocka_unit_test(services_missing),
		cmocka_unit_test(bad_node_name),
		cmocka_unit_test(empty_node_name),
		cmocka_unit_test(bad_service_name),
		cmocka_unit_test(no_nodes),
		cmocka_unit_test(nodes_not_array),
		cmocka_unit_test(node_not_table),
		cmocka_unit_test(socket_dir_wrong_type),
		cmocka_unit_test(bad_host),
		cmocka_unit_test(control_characters_printed_as_question_marks),
		cmocka_unit_test(toml_syntax_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
