/* SPDX-License-Identifier: MIT */
/*
 * Message types of the example trading pipeline.  Fixed layout: only
 * fixed-width fields, explicit padding, sizes multiple of 8, so the bytes
 * can cross processes and languages unchanged when the pipeline is split
 * (later issues generate these from a schema with `myc gen`).
 *
 *   feed --QUOTE--> strategy --SIGNAL--> risk --ORDER--> execution
 *                                          \--REJECT        \--FILL
 *
 * origin_ns is the feed's publish time (myc_now_ns) of the quote that
 * caused the message; it travels along so execution can measure the
 * end-to-end latency.
 */
#ifndef MYC_EXAMPLE_TRADING_MSGS_H
#define MYC_EXAMPLE_TRADING_MSGS_H

#include <stdint.h>

enum trading_type {
	MSG_QUOTE = 0x0101,
	MSG_SIGNAL = 0x0102,
	MSG_ORDER = 0x0103,
	MSG_REJECT = 0x0104,
	MSG_FILL = 0x0105,
};

enum side { SIDE_BUY = 1, SIDE_SELL = -1 };

/* Prices are integer ticks (1e-4 currency units). */
struct quote {
	uint64_t origin_ns;	/* feed publish time */
	uint64_t seq;		/* feed sequence */
	uint32_t instrument;
	uint32_t bid_qty;
	uint32_t ask_qty;
	uint32_t pad;
	int64_t bid_px;
	int64_t ask_px;
};

struct signal {
	uint64_t origin_ns;
	uint32_t instrument;
	int32_t side;		/* enum side */
	int64_t px;
	uint32_t qty;
	uint32_t pad;
};

struct order {
	uint64_t origin_ns;
	uint64_t order_id;
	uint32_t instrument;
	int32_t side;
	int64_t px;
	uint32_t qty;
	uint32_t pad;
};

enum reject_reason { REJECT_POSITION = 1, REJECT_NOTIONAL = 2 };

struct reject {
	uint64_t origin_ns;
	uint32_t instrument;
	uint32_t reason;	/* enum reject_reason */
};

struct fill {
	uint64_t origin_ns;
	uint64_t order_id;
	uint64_t exec_ns;	/* venue execution time */
	int64_t fill_px;
	uint32_t fill_qty;
	uint32_t instrument;
	int32_t side;
	uint32_t pad;
};

_Static_assert(sizeof(struct quote) == 48, "quote layout");
_Static_assert(sizeof(struct signal) == 32, "signal layout");
_Static_assert(sizeof(struct order) == 40, "order layout");
_Static_assert(sizeof(struct reject) == 16, "reject layout");
_Static_assert(sizeof(struct fill) == 48, "fill layout");

#endif
