// SPDX-License-Identifier: MIT
/*
 * Description: a callback subscriber's myc_sub_dispatch runs the callback
 * for at most max queued messages in order, on the caller's thread, returns
 * how many it ran, returns 0 when nothing is pending (timeout 0 or after a
 * timeout), and releases each message after its callback (in batches: all
 * buffers are back in the pool when it returns, except one the callback
 * kept with myc_msg_retain).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

struct seen {
	uint64_t v[64];
	int n;
	void *ctx;
};

static bool keep_next;
static struct myc_msg *kept;

static void on_msg(const struct myc_msg *m, void *ctx)
{
	struct seen *s = ctx;

	if (keep_next) {
		kept = myc_msg_retain(m);
		keep_next = false;
	}

	memcpy(&s->v[s->n++], myc_msg_data(m), 8);
	s->ctx = ctx;
}

static void dispatch_runs_callbacks(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct seen seen = { 0 };
	struct myc_sub_opts so = { .sz = sizeof(so), .cb = on_msg, .ctx = &seen };
	struct myc_sub *sub;
	struct myc_pub *pub;
	uint32_t all;

	assert_non_null(bus);
	assert_non_null(sub = myc_sub_new(bus, 6, &so));
	assert_non_null(pub = myc_pub_new(bus, 6, NULL));
	all = bt_bufs_free(bus, 6);

	assert_int_equal(myc_sub_dispatch(sub, 4, 0), 0);
	assert_int_equal(myc_sub_dispatch(sub, 4, 3), 0);
	for (uint64_t i = 0; i < 7; i++)
		assert_int_equal(bt_send_u64(pub, i), 0);
	assert_int_equal(seen.n, 0);	/* not inline: nothing ran yet */
	assert_int_equal(myc_sub_dispatch(sub, 4, 0), 4);
	assert_int_equal(seen.n, 4);
	assert_ptr_equal(seen.ctx, &seen);
	assert_int_equal(myc_sub_dispatch(sub, 100, -1), 3);
	assert_int_equal(seen.n, 7);
	for (int i = 0; i < 7; i++)
		assert_int_equal(seen.v[i], i);
	assert_int_equal(bt_bufs_free(bus, 6), all);
	assert_int_equal(myc_sub_dispatch(sub, 0, 0), -EINVAL);

	/* More than one release batch: every buffer still comes back, and
	 * a message the callback keeps stays out of the pool. */
	seen.n = 0;
	for (uint64_t i = 0; i < 40; i++)
		assert_int_equal(bt_send_u64(pub, i), 0);
	keep_next = true;
	assert_int_equal(myc_sub_dispatch(sub, 15, 0), 15);
	assert_non_null(kept);
	assert_int_equal(myc_sub_dispatch(sub, 100, 0), 25);
	assert_int_equal(seen.n, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(seen.v[i], i);
	assert_int_equal(bt_bufs_free(bus, 6), all - 1);
	assert_memory_equal(myc_msg_data(kept), &(uint64_t){ 0 }, 8);
	myc_msg_release(kept);
	assert_int_equal(bt_bufs_free(bus, 6), all);

	myc_pub_free(pub);
	myc_sub_free(sub);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dispatch_runs_callbacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
