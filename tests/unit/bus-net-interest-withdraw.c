// SPDX-License-Identifier: MIT
/*
 * Description: interest follows the subscribers: when a process frees its
 * last subscriber of a type, its bus tells the peers (UNSUBSCRIBE) and
 * they stop sending the type: the publisher's side sees the interest go,
 * and what it publishes next never reaches the link (not even as a frame
 * the receiver would drop).  A new subscriber later subscribes again and
 * gets exactly what is published from then on, nothing lost.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "bus-test.h"
#include "busnet.h"
#include "nettest.h"
#include "ringtest.h"

#define NMSG	2000u

static const char *addr;
static struct rt_sync freed, resubscribed;
static int go[2];	/* parent -> child: round 2 was published */

static int child(void *arg)
{
	struct myc_bus *bus = bn_bus("bn-sub", MYC_LOSSLESS, 256);
	struct myc_sub *sub = myc_sub_new(bus, BN_TYPE, NULL);
	struct myc_link_stats st;
	char c;

	(void)arg;
	close(go[1]);
	TN_CHECK(sub);
	TN_CHECK(myc_bus_net_connect(bus, addr) == 0);
	TN_CHECK(bn_take(sub, BN_RECV, NMSG) == 0);
	myc_sub_free(sub);
	rt_sync_post(&freed);
	TN_CHECK(read(go[0], &c, 1) == 1);
	/* Round 2 went out while nobody here wanted it: not one frame. */
	TN_CHECK(bus_net_link_stats(bus, "bn-pub", &st) == 0);
	TN_CHECK(st.rx_frames == NMSG && st.rx_unwanted == 0);
	sub = myc_sub_new(bus, BN_TYPE, NULL);
	TN_CHECK(sub);
	rt_sync_post(&resubscribed);
	TN_CHECK(bn_take(sub, BN_RECV, NMSG) == 0);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

/* Wait until the peer no longer wants BN_TYPE; false after BN_WAIT_MS. */
static bool wait_withdrawn(struct myc_bus *bus)
{
	for (int i = 0; i < BN_WAIT_MS / 5; i++) {
		if (myc_bus_net_peer_wants(bus, "bn-sub", BN_TYPE) == 0)
			return true;
		nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
	}
	return false;
}

int main(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_link_stats st;
	struct myc_bus *bus;
	struct myc_pub *pub;
	pid_t c;
	uint64_t i;

	addr = tn_unix_addr("bn-withdraw");
	rt_sync_init(&freed);
	rt_sync_init(&resubscribed);
	RT_EQ(pipe(go), 0);
	/* Fork before this process has threads (the bus's net thread), as
	 * the other net tests do: forked after them, the child's link never
	 * came up in about one ASan run in 30 (a child of a threaded
	 * process may find a lock held by a thread it did not inherit).
	 * It dials until we listen. */
	c = rt_spawn(child, NULL);
	close(go[0]);
	bus = bn_bus("bn-pub", MYC_LOSSLESS, 256);
	pub = myc_pub_new(bus, BN_TYPE, &po);
	RT_CHECK(pub);
	RT_EQ(myc_bus_net_listen(bus, addr), 0);

	RT_CHECK(bn_wait_peer(bus, "bn-sub", BN_TYPE));
	for (i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_sync_wait(&freed, BN_WAIT_MS), 0);
	RT_CHECK(wait_withdrawn(bus));
	/* Round 2: nobody wants it; nothing is sent or queued. */
	for (i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(bus_net_link_stats(bus, "bn-sub", &st), 0);
	RT_EQ(st.tx_frames, NMSG);
	RT_EQ(write(go[1], "g", 1), 1);

	RT_EQ(rt_sync_wait(&resubscribed, BN_WAIT_MS), 0);
	RT_CHECK(bn_wait_peer(bus, "bn-sub", BN_TYPE));
	for (i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_wait(c), 0);
	RT_EQ(bus_net_link_stats(bus, "bn-sub", &st), 0);
	RT_EQ(st.tx_frames, 2 * NMSG);
	close(go[1]);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return 0;
}
