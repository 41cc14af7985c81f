// SPDX-License-Identifier: MIT
/*
 * myc topo check FILE        validate a topology.toml (exit 0 ok, 1 invalid)
 * myc topo show FILE         nodes, services, topics, and the route between
 *                            every pair of services with the reason
 * myc topo route FILE FROM TO  one route: "TRANSPORT\treason"
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "myc.h"

static const char *const endpoint_names[] = { "shm", "unix", "tcp" };

static struct myc_topo *load(const char *path)
{
	char err[512];
	struct myc_topo *t = myc_topo_load(path, err, sizeof(err));

	if (!t)
		fprintf(stderr, "myc topo: %s\n", err);
	return t;
}

static size_t service_total(const struct myc_topo *t)
{
	size_t i, n = 0;

	for (i = 0; i < myc_topo_node_count(t); i++)
		n += myc_topo_node_service_count(myc_topo_node_at(t, i));
	return n;
}

static void show_nodes(const struct myc_topo *t)
{
	size_t i, j;

	printf("nodes:\n");
	for (i = 0; i < myc_topo_node_count(t); i++) {
		const struct myc_topo_node *n = myc_topo_node_at(t, i);
		enum myc_endpoint_kind k = myc_topo_node_endpoint(n);

		printf("  %s: host %s", myc_topo_node_name(n), myc_topo_node_host(n));
		if (myc_topo_node_port(n))
			printf(", port %d", myc_topo_node_port(n));
		printf(", endpoint %s", endpoint_names[k]);
		if (myc_topo_node_path(n))
			printf(" %s", myc_topo_node_path(n));
		if (myc_topo_node_addr(n))
			printf(" %s", myc_topo_node_addr(n));
		printf("\n    services:");
		for (j = 0; j < myc_topo_node_service_count(n); j++)
			printf(" %s", myc_topo_node_service(n, j));
		printf("%s\n", j ? "" : " (none)");
	}
}

static void show_topics(const struct myc_topo *t)
{
	size_t i;

	printf("topics:%s\n", myc_topo_topic_count(t) ? "" : " (none; bus defaults)");
	for (i = 0; i < myc_topo_topic_count(t); i++) {
		const struct myc_topo_topic *tp = myc_topo_topic_at(t, i);
		struct myc_topic_opts o = { .sz = sizeof(o) };

		myc_topo_topic_opts(tp, &o);
		printf("  %s:", myc_topo_topic_name(tp));
		if (myc_topo_topic_type(tp))
			printf(" type %u,", myc_topo_topic_type(tp));
		printf(" policy %s, ring_size %u, max_size %u\n",
		       o.policy == MYC_LOSSLESS ? "lossless" : "lossy", o.depth,
		       o.max_size);
	}
}

/* Every ordered pair of distinct services. */
static void show_routes(const struct myc_topo *t)
{
	size_t ni, si, nj, sj;

	printf("routes:\n");
	for (ni = 0; ni < myc_topo_node_count(t); ni++) {
		const struct myc_topo_node *a = myc_topo_node_at(t, ni);

		for (si = 0; si < myc_topo_node_service_count(a); si++) {
			const char *from = myc_topo_node_service(a, si);

			for (nj = 0; nj < myc_topo_node_count(t); nj++) {
				const struct myc_topo_node *b = myc_topo_node_at(t, nj);

				for (sj = 0; sj < myc_topo_node_service_count(b); sj++) {
					const char *to = myc_topo_node_service(b, sj);
					struct myc_route r = { .sz = sizeof(r) };

					if (!strcmp(from, to))
						continue;
					if (myc_topo_route(t, from, to, &r))
						continue;
					printf("  %s -> %s: %s (%s)\n", from, to,
					       myc_transport_name(r.transport),
					       r.reason);
				}
			}
		}
	}
}

static int topo(int argc, char **argv)
{
	struct myc_topo *t;
	int ret = MYC_EXIT_OK;

	if (argc < 3)
		return myc_usage(argv[0]);
	if (!strcmp(argv[1], "check") && argc == 3) {
		t = load(argv[2]);
		if (!t)
			return MYC_EXIT_FAIL;
		printf("%s: ok (%zu nodes, %zu services, %zu topics)\n", argv[2],
		       myc_topo_node_count(t), service_total(t),
		       myc_topo_topic_count(t));
	} else if (!strcmp(argv[1], "show") && argc == 3) {
		t = load(argv[2]);
		if (!t)
			return MYC_EXIT_FAIL;
		printf("topology %s\nsocket_dir: %s\nring_domain: %s\n", argv[2],
		       myc_topo_socket_dir(t), myc_topo_ring_domain(t));
		show_nodes(t);
		show_topics(t);
		show_routes(t);
	} else if (!strcmp(argv[1], "route") && argc == 5) {
		struct myc_route r = { .sz = sizeof(r) };

		t = load(argv[2]);
		if (!t)
			return MYC_EXIT_FAIL;
		if (myc_topo_route(t, argv[3], argv[4], &r)) {
			fprintf(stderr, "myc topo: %s\n", r.reason);
			ret = MYC_EXIT_FAIL;
		} else {
			printf("%s\t%s\n", myc_transport_name(r.transport), r.reason);
		}
	} else {
		return myc_usage(argv[0]);
	}
	myc_topo_free(t);
	return ret;
}

MYC_COMMAND(topo, .name = "topo",
	    .summary = "check or show a topology.toml and its routes",
	    .usage = "check FILE | show FILE | route FILE FROM_SERVICE TO_SERVICE",
	    .run = topo);
