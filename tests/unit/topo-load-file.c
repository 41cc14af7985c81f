// SPDX-License-Identifier: MIT
/*
 * Description: myc_topo_load reads a topology file and exposes it through
 * the accessors: socket_dir (a relative one resolves against the file's
 * directory; absent means /run/mycelium), nodes by index, name and service,
 * their host/port/endpoint/path/addr and services, topics by index, name
 * and type id, and topic settings as myc_topic_opts ready for
 * myc_bus_topic (defaults where the file is silent).  A missing file fails
 * with ENOENT and a message naming it; a syntax error names file, line and
 * column; lookups of unknown names fail with ENOENT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "myc.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void load_and_access(void **state)
{
	char err[256];
	struct myc_topo *t;
	const struct myc_topo_node *n;
	const struct myc_topo_topic *tp;
	struct myc_topic_opts o = { .sz = sizeof(o) };

	assert_int_equal(mkdir("conf", 0700), 0);
	write_file("conf/t.toml",
		   "socket_dir = \"sock\"\n"
		   "[[nodes]]\n"
		   "name = \"engine\"\n"
		   "services = [\"strategy\", \"risk\"]\n"
		   "[[nodes]]\n"
		   "name = \"gw\"\n"
		   "services = [\"execution\"]\n"
		   "endpoint = { kind = \"unix\" }\n"
		   "[topics.orders]\n"
		   "type = 3\n"
		   "policy = \"lossless\"\n"
		   "ring_size = 256\n"
		   "max_size = 200\n"
		   "[topics.quotes]\n");
	t = myc_topo_load("conf/t.toml", err, sizeof(err));
	if (!t)
		fail_msg("%s", err);
	assert_string_equal(myc_topo_socket_dir(t), "conf/sock");
	assert_int_equal(myc_topo_node_count(t), 2);

	n = myc_topo_node_at(t, 1);
	assert_string_equal(myc_topo_node_name(n), "gw");
	assert_string_equal(myc_topo_node_host(n), "localhost");
	assert_int_equal(myc_topo_node_port(n), 0);
	assert_int_equal(myc_topo_node_endpoint(n), MYC_ENDPOINT_UNIX);
	assert_string_equal(myc_topo_node_path(n), "conf/sock/gw.sock");
	assert_null(myc_topo_node_addr(n));
	errno = 0;
	assert_null(myc_topo_node_at(t, 2));
	assert_int_equal(errno, ERANGE);

	n = myc_topo_node_of(t, "risk");
	assert_ptr_equal(n, myc_topo_node_by_name(t, "engine"));
	assert_int_equal(myc_topo_node_endpoint(n), MYC_ENDPOINT_SHM);
	assert_string_equal(myc_topo_node_path(n), "/myc-engine");
	assert_int_equal(myc_topo_node_service_count(n), 2);
	assert_string_equal(myc_topo_node_service(n, 0), "strategy");
	assert_null(myc_topo_node_service(n, 2));
	errno = 0;
	assert_null(myc_topo_node_of(t, "nosuch"));
	assert_int_equal(errno, ENOENT);
	assert_null(myc_topo_node_by_name(t, "nosuch"));

	assert_int_equal(myc_topo_topic_count(t), 2);
	tp = myc_topo_topic_by_type(t, 3);
	assert_ptr_equal(tp, myc_topo_topic_by_name(t, "orders"));
	assert_ptr_equal(tp, myc_topo_topic_at(t, 0));
	assert_int_equal(myc_topo_topic_opts(tp, &o), 0);
	assert_int_equal(o.policy, MYC_LOSSLESS);
	assert_int_equal(o.depth, 256);
	assert_int_equal(o.max_size, 200);

	tp = myc_topo_topic_by_name(t, "quotes");
	assert_int_equal(myc_topo_topic_type(tp), 0);
	assert_int_equal(myc_topo_topic_opts(tp, &o), 0);
	assert_int_equal(o.policy, MYC_LOSSY);
	assert_int_equal(o.depth, 1024);
	assert_int_equal(o.max_size, 1024);
	assert_null(myc_topo_topic_by_type(t, 9));
	assert_null(myc_topo_topic_by_name(t, "nosuch"));
	o.sz = 0;
	assert_int_equal(myc_topo_topic_opts(tp, &o), -EINVAL);

	myc_topo_free(t);
	myc_topo_free(NULL);
	unlink("conf/t.toml");
	rmdir("conf");
}

static void defaults_without_socket_dir(void **state)
{
	static const char text[] = "[[nodes]]\nname = \"a\"\nservices = []\n";
	char err[64];
	struct myc_topo *t = myc_topo_parse(text, strlen(text), NULL, err, sizeof(err));

	assert_non_null(t);
	assert_string_equal(myc_topo_socket_dir(t), "/run/mycelium");
	assert_int_equal(myc_topo_topic_count(t), 0);
	myc_topo_free(t);
}

static void missing_file(void **state)
{
	char err[256];

	errno = 0;
	assert_null(myc_topo_load("no-such-topology.toml", err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err, "no-such-topology.toml: No such file or directory");
	assert_null(myc_topo_load(NULL, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
}

static void syntax_error_names_file_line_col(void **state)
{
	char err[256];

	write_file("syn.toml", "[[nodes]]\nname = \"a\"\nservices = [\"x\" \"y\"]\n");
	errno = 0;
	assert_null(myc_topo_load("syn.toml", err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err, "syn.toml:3:17: expected ',' or ']' in an array");
	/* a short error buffer is truncated, not overrun */
	assert_null(myc_topo_load("syn.toml", err, 8));
	assert_string_equal(err, "syn.tom");
	assert_null(myc_topo_load("syn.toml", NULL, 0));
	unlink("syn.toml");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_and_access),
		cmocka_unit_test(defaults_without_socket_dir),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(syntax_error_names_file_line_col),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
