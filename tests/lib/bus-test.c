// SPDX-License-Identifier: MIT
/* Helpers shared by the bus tests. */
#include <errno.h>
#include <string.h>

#include "bus-test.h"

int bt_topic(struct myc_bus *bus, uint16_t type, uint32_t policy,
	     uint32_t depth, uint32_t max_size)
{
	struct myc_topic_opts o = {
		.sz = sizeof(o), .policy = policy, .depth = depth,
		.max_size = max_size,
	};

	return myc_bus_topic(bus, type, &o);
}

int bt_send_u64(struct myc_pub *pub, uint64_t v)
{
	return myc_pub_send(pub, &v, sizeof(v));
}

int bt_sendv_u64(struct myc_pub *pub, uint64_t id, uint64_t i, uint32_t n)
{
	struct myc_iov iov[64];
	uint64_t v[64];

	if (n > 64)
		return -EINVAL;
	for (uint32_t k = 0; k < n; k++) {
		v[k] = id << 32 | (i + k);
		iov[k] = (struct myc_iov){ .base = &v[k], .len = sizeof(v[k]) };
	}
	return myc_pub_sendv(pub, iov, n);
}

int bt_recv_u64(struct myc_sub *sub, uint64_t *v, int timeout_ms)
{
	struct myc_msg *m;
	int r = myc_sub_recv(sub, &m, timeout_ms);

	if (r)
		return r;
	if (myc_msg_size(m) != sizeof(*v)) {
		myc_msg_release(m);
		return -EBADMSG;
	}
	memcpy(v, myc_msg_data(m), sizeof(*v));
	myc_msg_release(m);
	return 0;
}

uint32_t bt_bufs_free(struct myc_bus *bus, uint16_t type)
{
	struct myc_topic_stats st = { .sz = sizeof(st) };

	if (myc_bus_topic_stats(bus, type, &st))
		return UINT32_MAX;
	return st.bufs_free;
}

/* bt_pub_thread() with bursts: calls of 1, 2, ... c->burst messages in
 * turn; a call that publishes fewer leaves the rest to the next. */
static void pub_bursts(struct bt_pub_ctx *c)
{
	uint32_t want = 0;

	for (uint64_t i = 0; i < c->n;) {
		int got;

		want = want % c->burst + 1;
		if (want > c->n - i)
			want = (uint32_t)(c->n - i);
		got = bt_sendv_u64(c->pub, c->id, i, want);
		if (got <= 0 || (uint32_t)got > want) {
			c->fails++;
			return;
		}
		i += (uint64_t)got;
	}
}

void *bt_pub_thread(void *arg)
{
	struct bt_pub_ctx *c = arg;

	if (c->burst) {
		pub_bursts(c);
		return NULL;
	}
	for (uint64_t i = 0; i < c->n; i++)
		if (bt_send_u64(c->pub, c->id << 32 | i))
			c->fails++;
	return NULL;
}
