// SPDX-License-Identifier: MIT
/*
 * Execution: "sends" each order to a simulated venue that fills it at its
 * limit price, publishes the fill, and records the end-to-end latency from
 * the quote's publish time to the order's arrival here.
 */
#include <errno.h>

#include "msgs.h"
#include "stages.h"

int execution_run(struct stage_ctl *ctl, struct exec_stats *st)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = STAGE_SPIN_NS };
	struct myc_sub *sub = myc_sub_new(ctl->bus, MSG_ORDER, &so);
	struct myc_pub *fills = myc_pub_new(ctl->bus, MSG_FILL, &po);
	struct myc_msg *m;
	int r = 0;

	if (!sub || !fills) {
		r = -errno;
		goto out;
	}
	while ((r = stage_next(ctl, sub, &m)) == 1) {
		const struct order *o = myc_msg_data(m);
		uint64_t now = myc_now_ns();

		st->orders++;
		if (myc_msg_size(m) != sizeof(*o)) {
			myc_msg_release(m);
			continue;
		}
		if (st->nlat < st->cap)
			st->lat_ns[st->nlat++] = now - o->origin_ns;
		struct fill f = {
			.origin_ns = o->origin_ns, .order_id = o->order_id,
			.exec_ns = now, .fill_px = o->px, .fill_qty = o->qty,
			.instrument = o->instrument, .side = o->side,
		};

		myc_msg_release(m);
		r = stage_send(fills, &f, sizeof(f));
		if (r)
			break;
		st->fills++;
	}
out:
	myc_pub_free(fills);
	myc_sub_free(sub);
	return r < 0 ? r : 0;
}
