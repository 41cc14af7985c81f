/* SPDX-License-Identifier: MIT */
/*
 * Three "hosts" for multi-host tests: network namespaces h1, h2, h3 joined
 * pairwise by veth links, created by the test and always removed (also on
 * SIGTERM/SIGINT from the runner's timeout).
 *
 *                   h1
 *     10.77.12.1 /          \ 10.77.13.1
 *     10.77.12.2 /          \ 10.77.13.2
 *              h2 ---------- h3
 *          10.77.23.1    10.77.23.2
 *
 * Link names: link "12" is h1's end "v12a" and h2's end "v12b", etc.
 */
#ifndef MYC_TEST_NETNS_H
#define MYC_TEST_NETNS_H

#include <stdbool.h>

/* 0 when ready; 77 (skip) when not root or "ip" is missing; else fail. */
int netns_setup(void);
/* Remove everything netns_setup() made (idempotent). */
void netns_cleanup(void);
/* Move the calling process into host @h (1..3).  0 or -errno. */
int netns_enter(int h);
/* Set link @ab ("12", "13", "23") down or up, from host a's side. */
int netns_link(const char *ab, bool up);
/* In host @h, route @dst (an address) via @via (a neighbour's address on
 * a shared link): reach a host's address on another link.  0 or -1. */
int netns_route(int h, const char *dst, const char *via);
/* "tcp:10.77.AB.X:PORT" for host @h on the link to host @peer. */
const char *netns_addr(int h, int peer, int port);

#endif
