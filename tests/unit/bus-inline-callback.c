// SPDX-License-Identifier: MIT
/*
 * Description: an inline subscriber's callback runs synchronously inside
 * the publisher's commit, on the publisher's thread, before commit returns;
 * it may publish further messages (a single-threaded backtest chain), keep
 * a message with myc_msg_retain, and unsubscribe itself; an inline
 * subscriber cannot be pulled from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

struct chain {
	struct myc_pub *fwd;	/* publishes type 2 from the type-1 callback */
	struct myc_sub *self;	/* freed from its own callback when set */
	struct myc_msg *kept;
	int calls;
};

static void on_quote(const struct myc_msg *m, void *ctx)
{
	struct chain *c = ctx;
	uint64_t v;

	c->calls++;
	memcpy(&v, myc_msg_data(m), 8);
	if (c->fwd)
		bt_send_u64(c->fwd, v * 10);
	if (!c->kept)
		c->kept = myc_msg_retain(m);
	if (c->self) {
		myc_sub_free(c->self);
		c->self = NULL;
	}
}

static void on_signal(const struct myc_msg *m, void *ctx)
{
	uint64_t *last = ctx;

	memcpy(last, myc_msg_data(m), 8);
}

static void inline_runs_in_commit(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct chain c = { 0 };
	uint64_t last = 0;
	struct myc_sub_opts qo = { .sz = sizeof(qo), .cb = on_quote, .ctx = &c,
				   .flags = MYC_SUB_F_INLINE };
	struct myc_sub_opts so = { .sz = sizeof(so), .cb = on_signal, .ctx = &last,
				   .flags = MYC_SUB_F_INLINE };
	struct myc_sub *q, *s, *pull;
	struct myc_msg *m;
	struct myc_pub *pub;
	uint32_t all;

	assert_non_null(bus);
	assert_non_null(q = myc_sub_new(bus, 1, &qo));
	assert_non_null(s = myc_sub_new(bus, 2, &so));
	assert_non_null(pull = myc_sub_new(bus, 1, NULL));
	assert_non_null(pub = myc_pub_new(bus, 1, NULL));
	assert_non_null(c.fwd = myc_pub_new(bus, 2, NULL));
	all = bt_bufs_free(bus, 1);

	assert_int_equal(bt_send_u64(pub, 7), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(last, 70);	/* the chain ran before commit returned */
	assert_int_equal(bt_send_u64(pub, 8), 0);
	assert_int_equal(c.calls, 2);
	assert_int_equal(last, 80);

	/* The queued subscriber on the same type still gets both. */
	assert_int_equal(myc_sub_recv(pull, &m, 0), 0);
	assert_ptr_equal(m, c.kept);	/* same buffer as the inline one saw */
	myc_msg_release(m);
	assert_int_equal(myc_sub_recv(pull, &m, 0), 0);
	myc_msg_release(m);
	assert_int_equal(bt_bufs_free(bus, 1), all - 1);	/* kept */
	myc_msg_release(c.kept);
	assert_int_equal(bt_bufs_free(bus, 1), all);

	assert_int_equal(myc_sub_recv(q, &m, 0), -EINVAL);
	assert_int_equal(myc_sub_dispatch(q, 1, 0), -EINVAL);
	assert_int_equal(myc_sub_fd(q), -EINVAL);

	/* Unsubscribing from inside its own callback. */
	c.self = q;
	assert_int_equal(bt_send_u64(pub, 9), 0);
	assert_int_equal(c.calls, 3);
	assert_int_equal(bt_send_u64(pub, 10), 0);
	assert_int_equal(c.calls, 3);
	assert_int_equal(last, 90);

	myc_pub_free(pub);
	myc_pub_free(c.fwd);
	myc_sub_free(s);
	myc_sub_free(pull);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(inline_runs_in_commit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
