// SPDX-License-Identifier: MIT
/*
 * Description: every bus entry point rejects bad input with a named error
 * and no side effect: NULL handles, invalid and system type ids, bad topic
 * options, unknown option bytes, oversize claims, a second claim while one
 * is open, commit/abort of a foreign or stale buffer, recv/dispatch/fd on
 * the wrong kind of subscriber; NULL is accepted by every _free/release.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

/* @expr returns NULL and sets errno to @err. */
#define assert_null_errno(expr, err) do {				\
		errno = 0;						\
		assert_null(expr);					\
		assert_int_equal(errno, (err));				\
	} while (0)

static void bad_arguments(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL), *bus2 = myc_bus_new(NULL);
	struct myc_topic_opts to = { .sz = sizeof(to) };
	struct myc_topic_stats st = { .sz = sizeof(st) };
	struct myc_pub *pub, *pub2;
	struct myc_sub *sub;
	struct myc_msg *m;
	void *buf, *buf2;
	struct {
		struct myc_sub_opts o;
		uint64_t future;	/* a field from a newer header */
	} big = { .o.sz = sizeof(big), .future = 1 };

	assert_non_null(bus);
	assert_non_null(bus2);

	/* Buses and topics. */
	assert_null_errno(myc_bus_new(&(struct myc_bus_opts){ .sz = 1 }), EINVAL);
	assert_int_equal(myc_bus_topic(NULL, 1, NULL), -EINVAL);
	assert_int_equal(myc_bus_topic(bus, MYC_TYPE_INVALID, NULL), -EINVAL);
	assert_int_equal(myc_bus_topic(bus, MYC_TYPE_SYS_MIN, NULL), -EINVAL);
	assert_int_equal(bt_topic(bus, 1, 7, 0, 0), -EINVAL);		/* policy */
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSY, 3, 0), -EINVAL);	/* not pow2 */
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSY, MYC_TOPIC_DEPTH_MAX * 2, 0), -EINVAL);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSY, 0, MYC_PAYLOAD_MAX + 1), -EINVAL);
	to.sz = 0;
	assert_int_equal(myc_bus_topic(bus, 1, &to), -EINVAL);
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), -ENOENT);	/* none made */
	assert_int_equal(myc_bus_topic_stats(NULL, 1, &st), -EINVAL);
	assert_int_equal(myc_bus_topic_stats(bus, 1, NULL), -EINVAL);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSY, 8, 16), 0);

	/* Publishers and subscribers. */
	assert_null_errno(myc_pub_new(NULL, 1, NULL), EINVAL);
	assert_null_errno(myc_pub_new(bus, 0, NULL), EINVAL);
	assert_null_errno(myc_pub_new(bus, 0xff01, NULL), EINVAL);
	assert_null_errno(myc_pub_new(bus, 1, &(struct myc_pub_opts){
		.sz = sizeof(struct myc_pub_opts), .timeout_ms = -2 }), EINVAL);
	assert_null_errno(myc_sub_new(NULL, 1, NULL), EINVAL);
	assert_null_errno(myc_sub_new(bus, 0, NULL), EINVAL);
	/* Unknown non-zero option bytes, unknown flags, inline without cb. */
	assert_null_errno(myc_sub_new(bus, 1, &big.o), EINVAL);
	assert_null_errno(myc_sub_new(bus, 1, &(struct myc_sub_opts){
		.sz = sizeof(struct myc_sub_opts), .flags = 0x80 }), EINVAL);
	assert_null_errno(myc_sub_new(bus, 1, &(struct myc_sub_opts){
		.sz = sizeof(struct myc_sub_opts), .flags = MYC_SUB_F_INLINE }), EINVAL);
	big.future = 0;		/* zero future bytes are fine */
	assert_non_null(sub = myc_sub_new(bus, 1, &big.o));
	assert_non_null(pub = myc_pub_new(bus, 1, NULL));
	assert_non_null(pub2 = myc_pub_new(bus, 1, NULL));
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.subs, 1);
	assert_int_equal(st.pubs, 2);

	/* Claims. */
	assert_int_equal(myc_pub_claim(NULL, 8, &buf), -EINVAL);
	assert_int_equal(myc_pub_claim(pub, 8, NULL), -EINVAL);
	assert_int_equal(myc_pub_claim(pub, 17, &buf), -EMSGSIZE);
	assert_int_equal(myc_pub_send(pub, "x", 17), -EMSGSIZE);
	assert_int_equal(myc_pub_send(pub, NULL, 4), -EINVAL);
	assert_int_equal(myc_pub_commit(pub, NULL), -EINVAL);	/* no claim */
	assert_int_equal(myc_pub_claim(pub, 16, &buf), 0);
	assert_int_equal(myc_pub_claim(pub, 8, &buf2), -EBUSY);	/* double */
	assert_int_equal(myc_pub_claim(pub2, 8, &buf2), 0);
	assert_int_equal(myc_pub_commit(pub, buf2), -EINVAL);	/* foreign */
	assert_int_equal(myc_pub_commit(pub, (char *)buf + 1), -EINVAL);
	assert_int_equal(myc_pub_commit(NULL, buf), -EINVAL);
	myc_pub_abort(pub, buf2);				/* ignored */
	assert_int_equal(myc_pub_commit(pub2, buf2), 0);
	assert_int_equal(myc_pub_commit(pub2, buf2), -EINVAL);	/* stale */
	memset(buf, 'a', 16);
	assert_int_equal(myc_pub_commit(pub, buf), 0);
	myc_pub_abort(pub, buf);				/* stale: ignored */
	myc_pub_abort(NULL, buf);
	assert_int_equal(myc_pub_send(pub, NULL, 0), 0);	/* empty payload */

	/* Exactly three messages arrived: pub2's, pub's 16 bytes, the empty one. */
	assert_int_equal(myc_sub_recv(sub, &m, 0), 0);
	assert_int_equal(myc_msg_hdr(m)->src, myc_pub_id(pub2));
	myc_msg_release(m);
	assert_int_equal(myc_sub_recv(sub, &m, 0), 0);
	assert_int_equal(myc_msg_size(m), 16);
	assert_memory_equal(myc_msg_data(m), "aaaaaaaaaaaaaaaa", 16);
	myc_msg_release(m);
	assert_int_equal(myc_sub_recv(sub, &m, 0), 0);
	assert_int_equal(myc_msg_size(m), 0);
	myc_msg_release(m);
	assert_int_equal(myc_sub_recv(sub, &m, 0), -EAGAIN);

	/* Subscribers and messages. */
	assert_int_equal(myc_sub_recv(NULL, &m, 0), -EINVAL);
	assert_int_equal(myc_sub_recv(sub, NULL, 0), -EINVAL);
	assert_int_equal(myc_sub_dispatch(sub, 1, 0), -EINVAL);	/* no cb */
	assert_int_equal(myc_sub_dispatch(NULL, 1, 0), -EINVAL);
	assert_int_equal(myc_sub_fd(NULL), -EINVAL);
	assert_int_equal(myc_sub_lost(NULL), 0);
	assert_null(myc_msg_hdr(NULL));
	assert_null(myc_msg_data(NULL));
	assert_int_equal(myc_msg_size(NULL), 0);
	assert_null(myc_msg_retain(NULL));
	assert_int_equal(myc_pub_id(NULL), 0);
	myc_msg_release(NULL);
	myc_sub_free(NULL);
	myc_pub_free(NULL);
	myc_bus_free(NULL);

	/* Nothing above leaked a buffer; a free with an open claim is fine. */
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(st.bufs_free, st.bufs_total);
	assert_int_equal(st.published, 3);
	assert_int_equal(myc_pub_claim(pub, 1, &buf), 0);
	myc_pub_free(pub);
	myc_pub_free(pub2);
	myc_sub_free(sub);
	myc_bus_free(bus);
	myc_bus_free(bus2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
