// SPDX-License-Identifier: MIT
/*
 * Description: a subscriber in another process waits on its epoll-able fd
 * (myc_sub_fd) and receives every message of a lossless publisher, draining
 * with recv(timeout 0) after each readiness as the edge rule says.
 * Sanitizers: tsan
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"

#define NMSG	5000u
#define TYPE	10

static const char *dom;
static struct rt_sync ready;

static int subscriber(void *arg)
{
	struct myc_bus *bus = br_bus(dom, TYPE, MYC_LOSSLESS, 128);
	struct myc_sub *sub = myc_sub_new(bus, TYPE, NULL);
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t next = 0, v;
	int ep, fd, r;

	RT_CHECK(sub);
	fd = myc_sub_fd(sub);
	RT_CHECK(fd >= 0);
	ep = epoll_create1(0);
	RT_CHECK(ep >= 0);
	RT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	rt_sync_post(&ready);
	while (next < NMSG) {
		RT_EQ(epoll_wait(ep, &ev, 1, 10000), 1);
		while ((r = bt_recv_u64(sub, &v, 0)) == 0) {
			RT_EQ(v, next);
			next++;
		}
		RT_EQ(r, -EAGAIN);
	}
	close(ep);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

int main(void)
{
	dom = rt_name("busepoll");
	rt_sync_init(&ready);
	br_publish_to(dom, TYPE, 128, NMSG, subscriber, &ready);
	return 0;
}
