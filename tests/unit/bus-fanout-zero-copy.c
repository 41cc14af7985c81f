// SPDX-License-Identifier: MIT
/*
 * Description: one published message reaches every subscriber of its type
 * as the very same buffer (pointer equality: zero copy), with identical
 * bytes and a filled frame header (len, type, seq, ts_ns, src) that decodes
 * as a valid wire frame; subscribers of other types see nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define NSUBS 4

static void fanout_same_buffer(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_sub *subs[NSUBS], *other;
	struct myc_msg *m[NSUBS], *none;
	struct myc_frame_hdr dh;
	struct myc_pub *pub;
	const void *payload;
	uint64_t before;
	void *buf;

	assert_non_null(bus);
	for (int i = 0; i < NSUBS; i++)
		assert_non_null(subs[i] = myc_sub_new(bus, 10, NULL));
	assert_non_null(other = myc_sub_new(bus, 11, NULL));
	assert_non_null(pub = myc_pub_new(bus, 10, NULL));

	before = myc_now_ns();
	assert_int_equal(myc_pub_claim(pub, 13, &buf), 0);
	memcpy(buf, "hello, fanout", 13);
	assert_int_equal(myc_pub_commit(pub, buf), 0);

	for (int i = 0; i < NSUBS; i++) {
		assert_int_equal(myc_sub_recv(subs[i], &m[i], 0), 0);
		assert_ptr_equal(m[i], m[0]);
		assert_ptr_equal(myc_msg_data(m[i]), buf);	/* the claimed bytes */
		assert_int_equal(myc_msg_size(m[i]), 13);
		assert_memory_equal(myc_msg_data(m[i]), "hello, fanout", 13);
	}
	{
		const struct myc_frame_hdr *h = myc_msg_hdr(m[0]);

		assert_int_equal(h->len, MYC_FRAME_HDR_SIZE + 13);
		assert_int_equal(h->type, 10);
		assert_int_equal(h->flags, 0);
		assert_int_equal(h->seq, 1);
		assert_int_equal(h->src, myc_pub_id(pub));
		assert_true(h->ts_ns >= before && h->ts_ns <= myc_now_ns());
		/* The buffer is a wire frame: header, payload, zero padding. */
		assert_int_equal(myc_frame_decode(h, myc_frame_span(h->len), &dh, &payload),
				 myc_frame_span(h->len));
		assert_ptr_equal(payload, myc_msg_data(m[0]));
		assert_int_equal(dh.seq, 1);
	}
	assert_int_equal(myc_sub_recv(other, &none, 0), -EAGAIN);
	for (int i = 0; i < NSUBS; i++) {
		myc_msg_release(m[i]);
		assert_int_equal(myc_sub_recv(subs[i], &none, 0), -EAGAIN);
	}

	/* The next message has the next sequence number. */
	assert_int_equal(bt_send_u64(pub, 7), 0);
	assert_int_equal(myc_sub_recv(subs[2], &m[0], 0), 0);
	assert_int_equal(myc_msg_hdr(m[0])->seq, 2);
	myc_msg_release(m[0]);

	myc_pub_free(pub);
	for (int i = 0; i < NSUBS; i++)
		myc_sub_free(subs[i]);
	myc_sub_free(other);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fanout_same_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
