// SPDX-License-Identifier: MIT
/*
 * Description: a bus publisher stamps every message with its publish time
 * in CLOCK_REALTIME nanoseconds (docs/frame-format.md): each message's
 * ts_ns lies between myc_now_ns() read just before myc_pub_send() and just
 * after it, give or take TOL_NS (the TSC-derived clock's documented bound),
 * in bursts and across idle gaps longer than the clock's re-anchoring
 * interval; stamps of one publisher never go backwards by more than
 * TOL_NS; two publishers on one bus keep their own clocks and agree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <cmocka.h>

#include "myc.h"

#define TOL_NS		1000000ull	/* 1 ms: a unit or slope error shows
					 * up as tens of ms over 50 ms */
#define BURSTS		12
#define PER_BURST	2000

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Publish one message on @pub, receive it on @sub: its ts_ns, checked
 * against the clock read around the publish. */
static uint64_t one(struct myc_pub *pub, struct myc_sub *sub, uint64_t i)
{
	uint64_t before, after, ts;
	struct myc_msg *m;

	before = myc_now_ns();
	assert_int_equal(myc_pub_send(pub, &i, sizeof(i)), 0);
	after = myc_now_ns();
	assert_int_equal(myc_sub_recv(sub, &m, 0), 0);
	assert_memory_equal(myc_msg_data(m), &i, sizeof(i));
	ts = myc_msg_hdr(m)->ts_ns;
	if (ts + TOL_NS < before || ts > after + TOL_NS)
		fail_msg("message %llu: ts %llu outside [%llu, %llu]", (unsigned long long)i,
			 (unsigned long long)ts, (unsigned long long)before,
			 (unsigned long long)after);
	myc_sub_release(sub, m);
	return ts;
}

static void stamps_follow_the_clock(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_pub *p1, *p2;
	struct myc_sub *sub;
	uint64_t i = 0, t1, t2, last1 = 0, last2 = 0;

	(void)state;
	assert_non_null(bus);
	assert_non_null(sub = myc_sub_new(bus, 5, NULL));
	assert_non_null(p1 = myc_pub_new(bus, 5, NULL));
	assert_non_null(p2 = myc_pub_new(bus, 5, NULL));
	for (int b = 0; b < BURSTS; b++) {
		for (int k = 0; k < PER_BURST; k++, i += 2) {
			t1 = one(p1, sub, i);
			t2 = one(p2, sub, i + 1);
			assert_true(t1 + TOL_NS >= last1);
			assert_true(t2 + TOL_NS >= last2);
			/* Published one after the other: within the bound. */
			assert_true(t2 + TOL_NS >= t1);
			last1 = t1;
			last2 = t2;
			/* spread some bursts over more than one interval */
			if (b % 3 == 1 && k % 200 == 0)
				nap_ms(7);
		}
		/* idle for longer than the re-anchoring interval */
		if (b % 4 == 3)
			nap_ms(60);
	}
	myc_pub_free(p1);
	myc_pub_free(p2);
	myc_sub_free(sub);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stamps_follow_the_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
