// SPDX-License-Identifier: MIT
/* Feed: publishes quotes (a random walk per instrument) at a fixed rate. */
#include <errno.h>
#include <time.h>

#include "msgs.h"
#include "stages.h"

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int feed_run(struct stage_ctl *ctl, const struct feed_cfg *cfg, struct feed_stats *st)
{
	struct myc_pub *pub = myc_pub_new(ctl->bus, MSG_QUOTE, NULL);
	int64_t mid[NINSTRUMENTS];
	uint64_t rng = 0x9e3779b97f4a7c15ull, start, total;
	struct quote *q;
	int err = 0;

	if (!pub)
		return -errno;
	for (int i = 0; i < NINSTRUMENTS; i++)
		mid[i] = 1000000 + 10000 * i;
	total = (uint64_t)cfg->rate * cfg->seconds;
	start = myc_now_ns();
	while (st->quotes + st->failed < total && !atomic_load(&ctl->stop)) {
		/* Pace: publish what is due, then nap a little. */
		uint64_t due = (myc_now_ns() - start) * cfg->rate / 1000000000ull;

		if (st->quotes + st->failed >= due) {
			nanosleep(&(struct timespec){ .tv_nsec = 20000 }, NULL);
			continue;
		}
		uint32_t ins = (uint32_t)(xorshift(&rng) % NINSTRUMENTS);

		mid[ins] += (int64_t)(xorshift(&rng) % 21) - 10;
		/* Zero copy: fill the quote in the bus buffer itself. */
		err = myc_pub_claim(pub, sizeof(*q), (void **)&q);
		if (err) {
			st->failed++;
			continue;
		}
		*q = (struct quote){
			.origin_ns = myc_now_ns(), .seq = st->quotes + 1,
			.instrument = ins, .bid_qty = 100, .ask_qty = 100,
			.bid_px = mid[ins] - 5, .ask_px = mid[ins] + 5,
		};
		err = myc_pub_commit(pub, q);
		if (err)
			break;
		st->quotes++;
	}
	myc_pub_free(pub);
	return err;
}
