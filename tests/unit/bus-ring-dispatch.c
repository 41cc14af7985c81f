// SPDX-License-Identifier: MIT
/*
 * Description: a callback subscriber in another process gets every message
 * of a lossless publisher through myc_sub_dispatch, in order.
 * Sanitizers: tsan
 */
#include <string.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define NMSG	5000u
#define TYPE	9

static const char *dom;
static struct rt_sync ready;

static void on_msg(const struct myc_msg *m, void *ctx)
{
	uint64_t *next = ctx, v;

	RT_EQ(myc_msg_size(m), 8);
	memcpy(&v, myc_msg_data(m), 8);
	RT_EQ(v, *next);
	(*next)++;
}

static int subscriber(void *arg)
{
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSLESS, 128);
	uint64_t next = 0;
	struct myc_sub_opts so = { .sz = sizeof(so), .cb = on_msg, .ctx = &next };
	struct myc_sub *sub = myc_sub_new(bus, TYPE, &so);
	int n;

	RT_CHECK(sub);
	rt_sync_post(&ready);
	while (next < NMSG) {
		n = myc_sub_dispatch(sub, 64, 10000);
		RT_CHECK(n > 0);
	}
	RT_EQ(myc_sub_dispatch(sub, 64, 0), 0);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	dom = rt_name("busdisp");
	rt_sync_init(&ready);
	br_publish_to(dom, TYPE, 128, NMSG, subscriber, &ready);
	return 0;
}
