// SPDX-License-Identifier: MIT
/*
 * Risk: turns signals into orders while the resulting position stays
 * within limits, and rejects the rest (named reason).
 */
#include <errno.h>

#include "msgs.h"
#include "stages.h"

#define POSITION_LIMIT	30		/* per instrument, in lots */
#define NOTIONAL_LIMIT	(1LL << 40)	/* per order, ticks x qty */

int risk_run(struct stage_ctl *ctl, struct risk_stats *st)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = STAGE_SPIN_NS };
	struct myc_sub *sub = myc_sub_new(ctl->bus, MSG_SIGNAL, &so);
	struct myc_pub *orders = myc_pub_new(ctl->bus, MSG_ORDER, &po);
	struct myc_pub *rejects = myc_pub_new(ctl->bus, MSG_REJECT, &po);
	int64_t pos[NINSTRUMENTS] = { 0 };
	uint64_t next_id = 1;
	struct myc_msg *m;
	int r = 0;

	if (!sub || !orders || !rejects) {
		r = -errno;
		goto out;
	}
	while ((r = stage_next(ctl, sub, &m)) == 1) {
		const struct signal *s = myc_msg_data(m);
		int64_t after;

		st->signals++;
		if (myc_msg_size(m) != sizeof(*s) || s->instrument >= NINSTRUMENTS) {
			myc_msg_release(m);
			continue;
		}
		after = pos[s->instrument] + (int64_t)s->side * s->qty;
		if (after > POSITION_LIMIT || after < -POSITION_LIMIT ||
		    (int64_t)s->qty * s->px > NOTIONAL_LIMIT) {
			struct reject rj = {
				.origin_ns = s->origin_ns, .instrument = s->instrument,
				.reason = after > POSITION_LIMIT || after < -POSITION_LIMIT ?
					  REJECT_POSITION : REJECT_NOTIONAL,
			};

			r = stage_send(rejects, &rj, sizeof(rj));
			st->rejects++;
		} else {
			struct order o = {
				.origin_ns = s->origin_ns, .order_id = next_id++,
				.instrument = s->instrument, .side = s->side,
				.px = s->px, .qty = s->qty,
			};

			pos[s->instrument] = after;
			r = stage_send(orders, &o, sizeof(o));
			st->orders++;
		}
		myc_msg_release(m);
		if (r)
			break;
	}
out:
	myc_pub_free(orders);
	myc_pub_free(rejects);
	myc_sub_free(sub);
	return r < 0 ? r : 0;
}
