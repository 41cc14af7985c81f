// SPDX-License-Identifier: MIT
/* Topic declarations and receive/send helpers shared by the stages. */
#include <errno.h>

#include "msgs.h"
#include "stages.h"

int trading_topics(struct myc_bus *bus)
{
	/* Market data is lossy (a late quote is worthless; count what is
	 * lost); everything that carries a decision is lossless. */
	static const struct {
		uint16_t type;
		uint32_t policy;
		uint32_t size;
	} topics[] = {
		{ MSG_QUOTE, MYC_LOSSY, sizeof(struct quote) },
		{ MSG_SIGNAL, MYC_LOSSLESS, sizeof(struct signal) },
		{ MSG_ORDER, MYC_LOSSLESS, sizeof(struct order) },
		{ MSG_REJECT, MYC_LOSSLESS, sizeof(struct reject) },
		{ MSG_FILL, MYC_LOSSLESS, sizeof(struct fill) },
	};

	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		struct myc_topic_opts o = {
			.sz = sizeof(o), .policy = topics[i].policy,
			.depth = 4096, .max_size = topics[i].size,
		};
		int err = myc_bus_topic(bus, topics[i].type, &o);

		if (err)
			return err;
	}
	return 0;
}

/* Stopping and this many polls without input after the expected count
 * was set: give up (the counts will not add up and the demo says so). */
#define STAGE_GIVE_UP_POLLS	100

int stage_next(struct stage_ctl *ctl, struct myc_sub *sub, struct myc_msg **m)
{
	int idle = 0;

	for (;;) {
		uint64_t want;
		int r;

		if (atomic_load(&ctl->abort))
			return 0;
		want = atomic_load(&ctl->expect);
		if (want && atomic_load(&ctl->stop) &&
		    (ctl->seen + myc_sub_lost(sub) >= want || ++idle > STAGE_GIVE_UP_POLLS))
			return 0;
		r = myc_sub_recv(sub, m, STAGE_POLL_MS);
		if (r == 0) {
			ctl->seen++;
			return 1;
		}
		if (r != -ETIMEDOUT)
			return r;
		/* Stop only once the input is drained. */
		if (!want && atomic_load(&ctl->stop)) {
			r = myc_sub_recv(sub, m, 0) == 0;
			ctl->seen += (uint64_t)r;
			return r;
		}
	}
}

int stage_send(struct myc_pub *pub, const void *data, size_t size)
{
	return myc_pub_send(pub, data, size);
}
