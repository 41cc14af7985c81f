// SPDX-License-Identifier: MIT
/*
 * myc gateway [--domain DOM] [--poll-ms N] [--schema SCHEMA.yaml] FILE NODE
 *
 * Run gateway node NODE of topology FILE (a node with services = [], one
 * per host): relay this host's rings of domain DOM (default: the
 * topology's ring domain) to the gateways of the
 * other hosts, one TCP connection per remote host (docs/operations.md,
 * "Gateways").  Runs until SIGINT or SIGTERM, then frees the bus (queued
 * frames are flushed, rings and sockets released) and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"
#include "cmd.h"
#include "myc.h"
#include "net.h"

#define POLL_MS_DEFAULT	20
#define POLL_MS_MAX	10000

/*
 * One line per peer gateway at exit: what crossed the wire (exact counts
 * of data frames; tests and operators read them).
 */
static void print_links(struct myc_bus *bus, const char *file)
{
	struct myc_topo *topo = myc_topo_load(file, NULL, 0);
	struct myc_link_stats st;

	for (size_t i = 0; topo && i < myc_topo_node_count(topo); i++) {
		const struct myc_topo_node *n = myc_topo_node_at(topo, i);
		const char *name = myc_topo_node_name(n);

		if (myc_topo_node_service_count(n) || bus_net_link_stats(bus, name, &st))
			continue;
		fprintf(stderr, "myc gateway: %s: link %s: tx_frames %llu rx_frames %llu "
			"tx_dropped %llu rx_gap %llu rx_lost %llu rx_unwanted %llu connects %llu\n",
			myc_bus_name(bus), name, (unsigned long long)st.tx_frames,
			(unsigned long long)st.rx_frames, (unsigned long long)st.tx_dropped,
			(unsigned long long)st.rx_gap, (unsigned long long)st.rx_lost,
			(unsigned long long)st.rx_unwanted, (unsigned long long)st.connects);
	}
	myc_topo_free(topo);
}

static int gateway(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "poll-ms", required_argument, NULL, 'p' },
		{ "schema", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct myc_bus_topo_opts o = { .sz = sizeof(o) };
	unsigned long poll_ms = POLL_MS_DEFAULT;
	struct timespec period;
	struct myc_schema *schema = NULL;
	const char *schema_path = NULL;
	struct myc_bus *bus;
	char err[512], *end, hs[320], hs_last[320] = "";
	sigset_t sigs;
	int c, sig, r, last_err = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:p:s:", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.ring_domain = optarg;
			break;
		case 'p':
			errno = 0;
			poll_ms = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !poll_ms || poll_ms > POLL_MS_MAX) {
				fprintf(stderr, "myc gateway: --poll-ms: \"%s\" is not 1..%d\n",
					optarg, POLL_MS_MAX);
				return MYC_EXIT_USAGE;
			}
			break;
		case 's':
			schema_path = optarg;
			break;
		default:
			return myc_usage("gateway");
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "myc gateway: expected FILE NODE, got %d argument(s)\n",
			argc - optind);
		return myc_usage("gateway");
	}
	/* Signals are taken synchronously by the loop below; block them
	 * before the bus starts its threads so none of them gets one. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	/* A peer gone mid-write must not kill the gateway. */
	signal(SIGPIPE, SIG_IGN);

	if (schema_path) {
		/* Its digest goes in HELLO and the rings (peers and processes
		 * of another schema are refused). */
		schema = myc_schema_load(schema_path, err, sizeof(err));
		if (!schema) {
			fprintf(stderr, "myc gateway: %s\n", err);
			return MYC_EXIT_FAIL;
		}
		o.schema = schema;
	}
	bus = myc_gateway_new(argv[optind], argv[optind + 1], &o, err, sizeof(err));
	myc_schema_free(schema);
	if (!bus) {
		fprintf(stderr, "myc gateway: %s\n", err);
		return MYC_EXIT_FAIL;
	}
	fprintf(stderr, "myc gateway: node %s relaying ring domain %s\n",
		myc_bus_name(bus), myc_bus_ring_domain(bus));
	period.tv_sec = (time_t)(poll_ms / 1000);
	period.tv_nsec = (long)(poll_ms % 1000) * 1000000L;
	for (;;) {
		/* A poll error (e.g. a ring of another schema) is logged
		 * when it changes, not every period. */
		r = myc_gateway_poll(bus);
		if (r < 0 && r != last_err)
			fprintf(stderr, "myc gateway: %s: interest: %s\n", myc_bus_name(bus),
				myc_strerror(r));
		last_err = r < 0 ? r : 0;
		/* A refused handshake is logged once per new reason. */
		if (myc_bus_net_error(bus, hs, sizeof(hs)) < 0 && strcmp(hs, hs_last)) {
			fprintf(stderr, "myc gateway: %s: handshake: %s\n", myc_bus_name(bus), hs);
			memcpy(hs_last, hs, sizeof(hs_last));
		}
		sig = sigtimedwait(&sigs, NULL, &period);
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	fprintf(stderr, "myc gateway: node %s stopping (%s)\n", myc_bus_name(bus),
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	print_links(bus, argv[optind]);
	myc_bus_free(bus);
	return MYC_EXIT_OK;
}

MYC_COMMAND(gateway, .name = "gateway",
	    .summary = "relay this host's rings to the other hosts' gateways (TCP)",
	    .usage = "[--domain DOM] [--poll-ms N] [--schema SCHEMA.yaml] FILE NODE\n"
		     "  NODE: this host's gateway node in topology FILE (services = []).\n"
		     "  --domain DOM   ring domain of this host's processes (default: the\n"
		     "                 topology's, see myc topo show)\n"
		     "  --poll-ms N    interest check period, default 20\n"
		     "  --schema F     message schema: topics resolved by name, and its\n"
		     "                 digest sent to peers and stored in rings\n"
		     "  Runs until SIGINT/SIGTERM, then exits 0.",
	    .run = gateway);
