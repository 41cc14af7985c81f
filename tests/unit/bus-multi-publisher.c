// SPDX-License-Identifier: MIT
/*
 * Description: several publishers of one type interleave on one bus; every
 * subscriber receives every message exactly once, in commit order, and each
 * publisher's stream carries its own src id and consecutive sequence
 * numbers starting at 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"

#define NPUBS 3
#define ROUNDS 50

static void publishers_interleave(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_pub *pubs[NPUBS];
	struct myc_sub *a, *b;
	struct myc_msg *m;

	assert_non_null(bus);
	assert_non_null(a = myc_sub_new(bus, 5, NULL));
	assert_non_null(b = myc_sub_new(bus, 5, NULL));
	for (int p = 0; p < NPUBS; p++) {
		assert_non_null(pubs[p] = myc_pub_new(bus, 5, NULL));
		for (int q = 0; q < p; q++)
			assert_int_not_equal(myc_pub_id(pubs[p]), myc_pub_id(pubs[q]));
	}
	/* Round-robin, publisher order reversed each round. */
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < NPUBS; i++) {
			int p = r & 1 ? NPUBS - 1 - i : i;

			assert_int_equal(bt_send_u64(pubs[p], (uint64_t)r * 100 + (uint64_t)p), 0);
		}
	for (struct myc_sub *s = a; s; s = s == a ? b : NULL) {
		for (int r = 0; r < ROUNDS; r++)
			for (int i = 0; i < NPUBS; i++) {
				int p = r & 1 ? NPUBS - 1 - i : i;
				const struct myc_frame_hdr *h;
				uint64_t v;

				assert_int_equal(myc_sub_recv(s, &m, 0), 0);
				h = myc_msg_hdr(m);
				memcpy(&v, myc_msg_data(m), sizeof(v));
				assert_int_equal(v, (uint64_t)r * 100 + (uint64_t)p);
				assert_int_equal(h->src, myc_pub_id(pubs[p]));
				assert_int_equal(h->seq, (uint64_t)r + 1);
				myc_msg_release(m);
			}
		assert_int_equal(myc_sub_recv(s, &m, 0), -EAGAIN);
	}
	{
		struct myc_topic_stats st = { .sz = sizeof(st) };

		assert_int_equal(myc_bus_topic_stats(bus, 5, &st), 0);
		assert_int_equal(st.pubs, NPUBS);
		assert_int_equal(st.subs, 2);
		assert_int_equal(st.published, NPUBS * ROUNDS);
		assert_int_equal(st.bufs_free, st.bufs_total);
	}
	for (int p = 0; p < NPUBS; p++)
		myc_pub_free(pubs[p]);
	myc_sub_free(a);
	myc_sub_free(b);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(publishers_interleave),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
