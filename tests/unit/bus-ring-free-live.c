// SPDX-License-Identifier: MIT
/*
 * Description: myc_bus_free() on a ring-bridged bus whose receive threads
 * are live (one asleep on an idle ring, one blocked delivering into a full
 * lossless subscriber queue while another process keeps publishing) stops
 * them and returns; the publisher process is not wedged by the freed
 * consumer, and no ring is left in /dev/shm once both are gone.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <unistd.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define BUSY	17
#define IDLE	18

static const char *dom;
static struct rt_sync go, freed;

static int publisher(void *arg)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = 0 };
	struct myc_bus *bus;
	struct myc_pub *pub;
	uint64_t i = 0;
	int r;

	RT_EQ(rt_sync_wait(&go, 10000), 0);
	bus = br_bus(dom, BUSY, MYC_LOSSLESS, 16);
	pub = myc_pub_new(bus, BUSY, &po);
	RT_CHECK(pub);
	/* Until the subscriber process freed its bus (back-pressured while
	 * it is full), then some more, waiting as long as it takes: nothing
	 * may block for good once its consumer is gone. */
	while (rt_sync_wait(&freed, 0)) {
		r = bt_send_u64(pub, i);
		RT_CHECK(r == 0 || r == -MYC_E_BACK_PRESSURED);
		i += r == 0;
		if (r)
			usleep(1000);
	}
	myc_pub_free(pub);
	po.timeout_ms = -1;
	pub = myc_pub_new(bus, BUSY, &po);
	RT_CHECK(pub);
	for (uint64_t n = 0; n < 1000; n++)
		RT_EQ(bt_send_u64(pub, i++), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_bus *bus;
	struct myc_sub *busy, *idle;
	struct myc_topic_stats st = { .sz = sizeof(st) };
	pid_t p;

	dom = rt_name("busfree");
	rt_sync_init(&go);
	rt_sync_init(&freed);
	/* Fork first: our bus's receive threads do not exist yet. */
	p = rt_spawn(publisher, NULL);
	bus = br_bus(dom, BUSY, MYC_LOSSLESS, 16);
	RT_EQ(bt_topic(bus, IDLE, MYC_LOSSY, 16, 64), 0);
	busy = myc_sub_new(bus, BUSY, NULL);	/* never reads */
	idle = myc_sub_new(bus, IDLE, NULL);
	RT_CHECK(busy && idle);
	rt_sync_post(&go);
	/* Wait until our queue is full: the receive thread is now blocked
	 * delivering the next frame. */
	do {
		usleep(1000);
		RT_EQ(myc_bus_topic_stats(bus, BUSY, &st), 0);
	} while (st.published < 16);
	usleep(20000);
	myc_bus_free(bus);	/* subscribers still attached: documented leftovers */
	RT_EQ(write(freed.fd[1], "x", 1), 1);
	RT_EQ(rt_wait(p), 0);
	RT_CHECK(!rt_ring_exists(br_ring(dom, BUSY)));
	RT_CHECK(!rt_ring_exists(br_ring(dom, IDLE)));
	return 0;
}
