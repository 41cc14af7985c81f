/* SPDX-License-Identifier: MIT */
/* Helpers shared by the bus tests (tests/unit/bus-*.c). */
#ifndef MYC_TEST_BUS_H
#define MYC_TEST_BUS_H

#include <stdint.h>

#include "myc.h"

/* Declare @type on @bus with @policy/@depth/@max_size; 0 or -error. */
int bt_topic(struct myc_bus *bus, uint16_t type, uint32_t policy,
	     uint32_t depth, uint32_t max_size);
/* Publish one message whose payload is the 8-byte value @v. */
int bt_send_u64(struct myc_pub *pub, uint64_t v);
/* Receive one message, store its 8-byte payload in *@v, release it. */
int bt_recv_u64(struct myc_sub *sub, uint64_t *v, int timeout_ms);
/* Free buffers of @type right now (single-threaded snapshot). */
uint32_t bt_bufs_free(struct myc_bus *bus, uint16_t type);

#endif
