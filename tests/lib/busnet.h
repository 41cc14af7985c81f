/* SPDX-License-Identifier: MIT */
/* Helpers for the bus-over-net tests (tests/unit/bus-net-*.c). */
#ifndef MYC_TEST_BUSNET_H
#define MYC_TEST_BUSNET_H

#include <stdbool.h>
#include <stdint.h>

#include "myc.h"

#define BN_TYPE		7
#define BN_WAIT_MS	20000

/* How the receiving process takes messages. */
enum bn_mode { BN_RECV, BN_CALLBACK, BN_EPOLL };

/* A bus named @node with topic BN_TYPE declared (8-byte payloads). */
struct myc_bus *bn_bus(const char *node, uint32_t policy, uint32_t depth);

/* Wait until the link to @peer is up (and, if @type, the peer subscribed
 * it).  false after BN_WAIT_MS. */
bool bn_wait_peer(struct myc_bus *bus, const char *peer, uint16_t type);

/* Receive @n values 0..n-1 of BN_TYPE on @sub by @mode, checking order,
 * header type and src; 0 or a line-numbered exit code. */
int bn_take(struct myc_sub *sub, enum bn_mode mode, uint64_t n);

/*
 * One stream between two processes: the parent's bus "bn-pub" listens on
 * @listen_addr (port 0 allowed), a child's bus "bn-sub" dials it,
 * subscribes BN_TYPE (@policy) and takes @n values by @mode; the parent
 * publishes once the child's interest arrived, calling
 * myc_bus_net_reset() on the link after every @reset_every frames (0 =
 * never).  Returns 0 when the child got exactly 0..n-1, in order.
 */
int bn_stream(const char *listen_addr, enum bn_mode mode, uint32_t policy,
	      uint64_t n, uint64_t reset_every);

#endif
