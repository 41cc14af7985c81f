// SPDX-License-Identifier: MIT
/*
 * Description: a subscriber's fd works in a real epoll loop: not readable
 * while the queue is empty, readable after a publish (same thread or
 * another thread), not readable again once recv has drained the queue and
 * returned -EAGAIN; two subscribers on one epoll set are told apart.
 * Sanitizers: tsan
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>

static int ready(int ep, struct epoll_event *ev, int n, int timeout)
{
	return epoll_wait(ep, ev, n, timeout);
}

struct ctx {
	struct myc_pub *pub;
	int n;
};

static void *publisher(void *arg)
{
	struct ctx *c = arg;

	for (int i = 0; i < c->n; i++)
		bt_send_u64(c->pub, (uint64_t)i);
	return NULL;
}

static void epoll_sees_messages(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct epoll_event ev[4];
	struct myc_sub *a, *b;
	struct myc_pub *pa, *pb;
	struct ctx c;
	pthread_t th;
	int ep, fa, fb, got = 0;
	uint64_t v;

	struct myc_pub_opts block = { .sz = sizeof(block), .timeout_ms = -1 };

	assert_non_null(bus);
	/* Lossless, so the threaded part below can count on every message. */
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSLESS, 64, 64), 0);
	assert_non_null(a = myc_sub_new(bus, 1, NULL));
	assert_non_null(b = myc_sub_new(bus, 2, NULL));
	assert_non_null(pa = myc_pub_new(bus, 1, &block));
	assert_non_null(pb = myc_pub_new(bus, 2, NULL));
	assert_true((fa = myc_sub_fd(a)) >= 0);
	assert_int_equal(myc_sub_fd(a), fa);	/* stable */
	assert_true((fb = myc_sub_fd(b)) >= 0);
	assert_true((ep = epoll_create1(EPOLL_CLOEXEC)) >= 0);
	ev[0] = (struct epoll_event){ .events = EPOLLIN, .data.ptr = a };
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fa, &ev[0]), 0);
	ev[0] = (struct epoll_event){ .events = EPOLLIN, .data.ptr = b };
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fb, &ev[0]), 0);

	assert_int_equal(ready(ep, ev, 4, 0), 0);
	assert_int_equal(bt_send_u64(pb, 5), 0);
	assert_int_equal(ready(ep, ev, 4, 0), 1);
	assert_ptr_equal(ev[0].data.ptr, b);
	assert_int_equal(bt_recv_u64(b, &v, 0), 0);
	assert_int_equal(v, 5);
	assert_int_equal(bt_recv_u64(b, &v, 0), -EAGAIN);	/* re-arms */
	assert_int_equal(ready(ep, ev, 4, 0), 0);

	/* Messages queued before the fd existed make it readable at once. */
	{
		struct myc_sub *late;
		int fl;

		assert_non_null(late = myc_sub_new(bus, 1, NULL));
		assert_int_equal(bt_send_u64(pa, 1), 0);
		assert_true((fl = myc_sub_fd(late)) >= 0);
		ev[0] = (struct epoll_event){ .events = EPOLLIN, .data.ptr = late };
		assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fl, &ev[0]), 0);
		assert_int_equal(ready(ep, ev, 4, 0), 2);	/* a and late */
		assert_int_equal(bt_recv_u64(a, &v, 0), 0);
		assert_int_equal(bt_recv_u64(a, &v, 0), -EAGAIN);
		assert_int_equal(ready(ep, ev, 4, 0), 1);
		assert_ptr_equal(ev[0].data.ptr, late);
		myc_sub_free(late);	/* closes its fd: leaves the set */
		assert_int_equal(ready(ep, ev, 4, 0), 0);
	}

	/* An event loop fed by another thread gets every message. */
	c = (struct ctx){ .pub = pa, .n = 5000 };
	assert_int_equal(pthread_create(&th, NULL, publisher, &c), 0);
	while (got < c.n) {
		int n = ready(ep, ev, 4, 10000);

		assert_true(n >= 1);
		for (int i = 0; i < n; i++) {
			assert_ptr_equal(ev[i].data.ptr, a);
			while (bt_recv_u64(a, &v, 0) == 0) {
				assert_int_equal(v, (uint64_t)got);
				got++;
			}
		}
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(got, c.n);
	assert_int_equal(bt_recv_u64(a, &v, 0), -EAGAIN);

	close(ep);
	myc_pub_free(pa);
	myc_pub_free(pb);
	myc_sub_free(a);
	myc_sub_free(b);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(epoll_sees_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
