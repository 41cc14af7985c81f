/* SPDX-License-Identifier: MIT */
/* Helpers for the cross-process bus tests (tests/unit/bus-ring-*.c). */
#ifndef MYC_TEST_BUSRING_H
#define MYC_TEST_BUSRING_H

#include <stdbool.h>
#include <stdint.h>

#include "myc.h"

/* A bus in ring domain @dom with topic @type declared (payload <= 64 B). */
struct myc_bus *br_bus(const char *dom, uint16_t type, uint32_t policy,
		       uint32_t depth);
/* "<dom>.<type>" in a static buffer. */
const char *br_ring(const char *dom, uint16_t type);
/* Frames committed to the ring so far (its next seq - 1), -1 if absent. */
int64_t br_ring_frames(const char *dom, uint16_t type);

#endif
