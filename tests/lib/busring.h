/* SPDX-License-Identifier: MIT */
/* Helpers for the cross-process bus tests (tests/unit/bus-ring-*.c). */
#ifndef MYC_TEST_BUSRING_H
#define MYC_TEST_BUSRING_H

#include <stdbool.h>
#include <stdint.h>

#include "myc.h"

struct rt_sync;

/* A bus in ring domain @dom with topic @type declared (payload <= 64 B). */
struct myc_bus *br_bus(const char *dom, uint16_t type, uint32_t policy,
		       uint32_t depth);
/*
 * The publishing side of a one-subscriber test: start @subscriber in its own
 * process, wait until it posts @ready, publish the values 0..@n-1 (u64) on a
 * lossless topic of depth @depth in ring domain @dom, reap the subscriber
 * (its exit status must be 0) and check the ring is gone afterwards.
 */
void br_publish_to(const char *dom, uint16_t type, uint32_t depth, uint64_t n,
		   int (*subscriber)(void *), struct rt_sync *ready);
/* "<dom>.<type>" in a static buffer. */
const char *br_ring(const char *dom, uint16_t type);
/* Frames committed to the ring so far (its next seq - 1), -1 if absent. */
int64_t br_ring_frames(const char *dom, uint16_t type);

#endif
