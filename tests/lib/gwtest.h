/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the gateway tests (tests/unit/gateway-*.c): two "hosts" (the
 * network namespaces h1 and h2 of netns.h, on link 12), each with a
 * `myc gateway` process and ring domain of its own (the namespaces share
 * /dev/shm, so the domains keep the hosts' rings apart).
 *
 *   h1: app --ring <dom>a.7--> myc gateway gw-a ==TCP== myc gateway gw-b
 *                                     --ring <dom>b.7--> app :h2
 */
#ifndef MYC_TEST_GWTEST_H
#define MYC_TEST_GWTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "myc.h"

#define GW_TYPE		7
#define GW_DEPTH	64u
#define GW_PORT		7101
#define GW_WAIT_MS	20000

struct gw {
	pid_t pid;
	char log[128];		/* its stderr */
};

/* Write the two-host topology (gw-a on 10.77.12.1, gw-b on 10.77.12.2,
 * an app node on each, topic GW_TYPE with @policy) to a temporary file;
 * its path (static).  Removed by gw_cleanup(). */
const char *gw_topology(uint32_t policy);
/* The same with the topology @text (the test's own). */
const char *gw_topology_file(const char *text);
/* "gw<pid>a" / "gw<pid>b" / "gw<pid>c": the ring domain of host 1 / 2 / 3. */
const char *gw_domain(int host);
/* Start `myc gateway --domain gw_domain(host) FILE NODE` in netns @host
 * (1..3), stderr to g->log. */
void gw_start(struct gw *g, int host, const char *file, const char *node);
/* SIGTERM it; its exit status (0: clean shutdown). */
int gw_stop(struct gw *g);
/* The count @key ("tx_frames", ...) of link @peer from its exit log, or -1. */
long long gw_link_count(const struct gw *g, const char *peer, const char *key);
/* An app bus of host @host: ring domain gw_domain(host), topic GW_TYPE
 * declared as in the topology (@policy, GW_DEPTH, 64-byte payloads). */
struct myc_bus *gw_app_bus(int host, uint32_t policy);
struct rt_sync;
/* A subscriber process's part: in netns @host, an app bus (lossless) and
 * a subscriber of GW_TYPE; post @ready, then receive exactly the values
 * @first .. @first + @n - 1 in order, pausing 20 ms every @slow_every
 * values (0: never) so the chain back-pressures.  The subscriber (still
 * open, *@bus its bus); any failure exits the process. */
struct myc_sub *gw_take(int host, struct myc_bus **bus, uint64_t first, uint64_t n,
			uint64_t slow_every, struct rt_sync *ready);
/* Live consumers of ring <dom>.GW_TYPE of @host (0 if absent). */
int gw_ring_consumers(int host);
/* Wait until that is >= @n; false after GW_WAIT_MS. */
bool gw_wait_consumers(int host, int n);
/* Wait until it is exactly @n. */
bool gw_wait_consumers_eq(int host, int n);
/* Frames written to ring <dom>.GW_TYPE of @host so far (-1: absent). */
int64_t gw_ring_frames(int host);
/* Remove the topology file and logs. */
void gw_cleanup(void);

#endif
