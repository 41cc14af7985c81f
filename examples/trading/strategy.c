// SPDX-License-Identifier: MIT
/*
 * Strategy: tracks an exponential moving average of each instrument's mid
 * price and signals when the mid crosses it (buy on an upward cross, sell
 * on a downward one).
 */
#include <errno.h>

#include "msgs.h"
#include "stages.h"

#define EMA_SHIFT 4	/* alpha = 1/16 */

int strategy_run(struct stage_ctl *ctl, struct strategy_stats *st)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_sub_opts so = { .sz = sizeof(so), .spin_ns = STAGE_SPIN_NS };
	struct myc_sub *sub = myc_sub_new(ctl->bus, MSG_QUOTE, &so);
	struct myc_pub *pub = myc_pub_new(ctl->bus, MSG_SIGNAL, &po);
	int64_t ema[NINSTRUMENTS] = { 0 };
	int above[NINSTRUMENTS] = { 0 };
	struct myc_msg *m;
	int r = 0;

	if (!sub || !pub) {
		r = -errno;
		goto out;
	}
	while ((r = stage_next(ctl, sub, &m)) == 1) {
		const struct quote *q = myc_msg_data(m);
		uint32_t i = q->instrument;
		int64_t mid;
		int now_above;

		st->quotes++;
		if (myc_msg_size(m) != sizeof(*q) || i >= NINSTRUMENTS) {
			myc_msg_release(m);
			continue;	/* validate what comes off the bus */
		}
		mid = (q->bid_px + q->ask_px) / 2;
		if (!ema[i])
			ema[i] = mid;
		ema[i] += (mid - ema[i]) >> EMA_SHIFT;
		now_above = mid > ema[i] ? 1 : mid < ema[i] ? -1 : above[i];
		if (above[i] && now_above != above[i]) {
			struct signal s = {
				.origin_ns = q->origin_ns, .instrument = i,
				.side = now_above > 0 ? SIDE_BUY : SIDE_SELL,
				.px = now_above > 0 ? q->ask_px : q->bid_px,
				/* Bigger the further from the average. */
				.qty = 10 * (1 + (uint32_t)((mid > ema[i] ? mid - ema[i] :
							     ema[i] - mid) > 3)),
			};

			r = stage_send(pub, &s, sizeof(s));
			if (r) {
				myc_msg_release(m);
				break;
			}
			st->signals++;
		}
		above[i] = now_above;
		myc_msg_release(m);
	}
	st->lost = myc_sub_lost(sub);
out:
	myc_pub_free(pub);
	myc_sub_free(sub);
	return r < 0 ? r : 0;
}
