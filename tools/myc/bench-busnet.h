/* SPDX-License-Identifier: MIT */
/* myc bench unix | tcp: the bus-over-net scenarios (bench-busnet.c). */
#ifndef MYC_TOOL_BENCH_BUSNET_H
#define MYC_TOOL_BENCH_BUSNET_H

#include <stdbool.h>
#include <stdint.h>

struct bench_opts;

/* bus-unix / bus-tcp (latency) and bus-*-tput for @size-byte payloads,
 * reported with bench_report().  0 or -errno. */
int bench_bus_net(const struct bench_opts *o, bool tcp, uint32_t size);

#endif
