// SPDX-License-Identifier: MIT
/*
 * Description: a ring holds 8 producers by default; on a ring-bridged bus
 * the ninth publisher of a lossless type gets -EUSERS from every claim
 * (never a silent drop), the ninth of a lossy type keeps publishing
 * locally, and freeing a publisher gives its slot to the next one.
 * Sanitizers: tsan
 */
#include <errno.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define LOSSLESS	19
#define LOSSY		20
#define NPROD		8

int main(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = 0 };
	struct myc_pub *pl[NPROD + 1], *py[NPROD + 1];
	const char *dom = rt_name("bususers");
	struct myc_bus *bus = br_bus(dom, LOSSLESS, MYC_LOSSLESS, 64);
	struct myc_sub *sub;
	uint64_t v;
	int i;

	RT_EQ(bt_topic(bus, LOSSY, MYC_LOSSY, 64, 64), 0);
	sub = myc_sub_new(bus, LOSSY, NULL);
	RT_CHECK(sub);
	for (i = 0; i <= NPROD; i++) {
		pl[i] = myc_pub_new(bus, LOSSLESS, &po);
		py[i] = myc_pub_new(bus, LOSSY, &po);
		RT_CHECK(pl[i] && py[i]);
	}
	for (i = 0; i < NPROD; i++) {
		RT_EQ(bt_send_u64(pl[i], (uint64_t)i), 0);
		RT_EQ(bt_send_u64(py[i], (uint64_t)i), 0);
		RT_EQ(bt_recv_u64(sub, &v, 0), 0);
	}
	RT_EQ(bt_send_u64(pl[NPROD], 99), -EUSERS);
	RT_EQ(bt_send_u64(pl[NPROD], 99), -EUSERS);
	RT_EQ(bt_send_u64(py[NPROD], 99), 0);
	RT_EQ(bt_recv_u64(sub, &v, 0), 0);
	RT_EQ(v, 99);

	/* A freed publisher's slot goes to a new one. */
	myc_pub_free(pl[0]);
	pl[0] = myc_pub_new(bus, LOSSLESS, &po);
	RT_CHECK(pl[0]);
	RT_EQ(bt_send_u64(pl[0], 100), 0);

	for (i = 0; i <= NPROD; i++) {
		myc_pub_free(pl[i]);
		myc_pub_free(py[i]);
	}
	myc_sub_free(sub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, LOSSLESS)));
	RT_CHECK(!rt_ring_exists(br_ring(dom, LOSSY)));
	return 0;
}
