// SPDX-License-Identifier: MIT
/*
 * Description: a lossless topic back-pressures across processes: while the
 * subscriber process does not read, the publisher's claims (timeout 0) end
 * in -MYC_E_BACK_PRESSURED once its queue and the ring are full, never in a
 * silent drop; after the subscriber drains, it has received exactly the
 * messages whose send succeeded, in order, and publishing works again.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <unistd.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define TYPE	16
#define MORE	100u

static const char *dom;
static struct rt_sync ready, full, done;

static int subscriber(void *arg)
{
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSLESS, 32);
	struct myc_sub *sub = myc_sub_new(bus, TYPE, NULL);
	uint64_t n = 0, v, sent;
	ssize_t r;

	RT_CHECK(sub);
	rt_sync_post(&ready);
	RT_EQ(rt_sync_wait(&full, 60000), 0);
	/* The parent wrote how many sends succeeded. */
	r = read(full.fd[0], &sent, sizeof(sent));
	RT_EQ(r, sizeof(sent));
	for (; n < sent + MORE; n++) {
		RT_EQ(bt_recv_u64(sub, &v, 10000), 0);
		RT_EQ(v, n);
	}
	RT_EQ(bt_recv_u64(sub, &v, 200), -ETIMEDOUT);
	rt_sync_post(&done);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = 0 };
	struct myc_bus *bus;
	struct myc_pub *pub;
	uint64_t i, sent;
	int r = 0, bp = 0;
	pid_t c;

	dom = rt_name("busbp");
	rt_sync_init(&ready);
	rt_sync_init(&full);
	rt_sync_init(&done);
	c = rt_spawn(subscriber, NULL);
	RT_EQ(rt_sync_wait(&ready, 10000), 0);
	bus = br_bus(dom, TYPE, MYC_LOSSLESS, 32);
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	/* Fill: stop after a run of back-pressured claims (the receive
	 * thread may still be moving frames from the ring to the queue). */
	for (i = 0; bp < 1000 && i < 1000000; ) {
		r = bt_send_u64(pub, i);
		if (r == -MYC_E_BACK_PRESSURED) {
			bp++;
			usleep(100);
			continue;
		}
		RT_EQ(r, 0);
		bp = 0;
		i++;
	}
	RT_EQ(r, -MYC_E_BACK_PRESSURED);
	sent = i;
	RT_CHECK(sent >= 32 && sent < 1000000);
	RT_EQ(write(full.fd[1], "x", 1), 1);
	RT_EQ(write(full.fd[1], &sent, sizeof(sent)), sizeof(sent));
	/* Waits for room as the subscriber drains. */
	po.timeout_ms = 10000;
	myc_pub_free(pub);
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	for (i = sent; i < sent + MORE; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_sync_wait(&done, 60000), 0);
	RT_EQ(rt_wait(c), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(br_ring(dom, TYPE)));
	return 0;
}
