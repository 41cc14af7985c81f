// SPDX-License-Identifier: MIT
/*
 * Description: interest-based forwarding through the bus: two processes
 * dial our bus over a Unix socket; the one with a subscriber of the type
 * gets every message, the one whose bus has the topic but no subscriber
 * receives nothing at all (no frame on its link, not even one it would
 * drop), and our side queued nothing for it.
 */
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "net.h"
#include "bus-test.h"
#include "busnet.h"
#include "nettest.h"
#include "ringtest.h"

#define NMSG	5000u

static const char *addr;
static int hold[2];	/* parent closes the write end: idle child may go */

static int sub_child(void *arg)
{
	struct myc_bus *bus = bn_bus("bn-sub", MYC_LOSSLESS, 256);
	struct myc_sub *sub = myc_sub_new(bus, BN_TYPE, NULL);
	int r;

	(void)arg;
	TN_CHECK(sub);
	TN_CHECK(myc_bus_net_connect(bus, addr) == 0);
	r = bn_take(sub, BN_RECV, NMSG);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return r;
}

static int idle_child(void *arg)
{
	struct myc_bus *bus = bn_bus("bn-idle", MYC_LOSSLESS, 256);
	struct myc_pub *pub = myc_pub_new(bus, BN_TYPE, NULL);
	struct myc_link_stats st;
	char c;

	(void)arg;
	TN_CHECK(pub);
	close(hold[1]);
	TN_CHECK(myc_bus_net_connect(bus, addr) == 0);
	TN_CHECK(read(hold[0], &c, 1) == 0);	/* the parent is done */
	TN_CHECK(bus_net_link_stats(bus, "bn-pub", &st) == 0);
	TN_CHECK(st.connects >= 1);
	TN_CHECK(st.rx_frames == 0 && st.rx_unwanted == 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_link_stats st;
	struct myc_bus *bus;
	struct myc_pub *pub;
	pid_t a, b;
	uint64_t i;

	addr = tn_unix_addr("bn-interest");
	RT_EQ(pipe(hold), 0);
	a = rt_spawn(sub_child, NULL);
	b = rt_spawn(idle_child, NULL);
	close(hold[0]);
	bus = bn_bus("bn-pub", MYC_LOSSLESS, 256);
	pub = myc_pub_new(bus, BN_TYPE, &po);
	RT_CHECK(pub);
	RT_EQ(myc_bus_net_listen(bus, addr), 0);
	RT_CHECK(bn_wait_peer(bus, "bn-sub", BN_TYPE));
	RT_CHECK(bn_wait_peer(bus, "bn-idle", 0));
	for (i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_wait(a), 0);
	RT_EQ(bus_net_link_stats(bus, "bn-sub", &st), 0);
	RT_EQ(st.tx_frames, NMSG);
	RT_EQ(bus_net_link_stats(bus, "bn-idle", &st), 0);
	RT_EQ(st.tx_frames, 0);
	RT_EQ(myc_bus_net_peer_wants(bus, "bn-idle", BN_TYPE), 0);
	close(hold[1]);
	RT_EQ(rt_wait(b), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return 0;
}
