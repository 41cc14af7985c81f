// SPDX-License-Identifier: MIT
/*
 * Description: every control-frame payload decoder of the transport
 * (HELLO/WELCOME, REJECT, SUBSCRIBE, UNSUBSCRIBE, HEARTBEAT, RESUME) refuses
 * each malformed case with -EPROTO: wrong size, non-zero flags or reserved
 * bytes, bad name length or characters, bytes after a string, zero
 * incarnation/interval/ack size, counts beyond the limit or the payload,
 * system or invalid type ids, unknown policies.  Valid payloads round-trip,
 * REJECT text is made printable, and random bytes never crash a decoder
 * (the ASan build checks bounds).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net-wire.h"

static void good_hello(uint8_t *p)
{
	struct myc_hello h = {
		.version = 1, .incarnation = 5, .hb_interval_ms = 100,
		.ack_bytes = 4096, .name = "node-1",
	};

	memset(h.digest, 0xab, sizeof(h.digest));
	assert_int_equal(myc_hello_encode(p, &h), MYC_HELLO_SIZE);
}

static void hello(void **state)
{
	uint8_t p[MYC_HELLO_SIZE + 8], q[MYC_HELLO_SIZE];
	struct myc_hello h;
	uint32_t v;

	good_hello(p);
	assert_int_equal(myc_hello_decode(p, MYC_HELLO_SIZE, &h), 0);
	assert_string_equal(h.name, "node-1");
	assert_int_equal(h.incarnation, 5);
	assert_int_equal(h.ack_bytes, 4096);
	assert_int_equal(h.digest[31], 0xab);
	assert_int_equal(myc_hello_version(p, 4, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(myc_hello_version(p, 3, &v), -EPROTO);
	assert_int_equal(myc_hello_decode(p, MYC_HELLO_SIZE - 8, &h), -EPROTO);
	assert_int_equal(myc_hello_decode(p, MYC_HELLO_SIZE + 8, &h), -EPROTO);
#define BAD(off, val) do {						\
		memcpy(q, p, MYC_HELLO_SIZE);				\
		q[off] = (uint8_t)(val);				\
		assert_int_equal(myc_hello_decode(q, MYC_HELLO_SIZE, &h), -EPROTO); \
	} while (0)
	BAD(4, 1);		/* flags */
	BAD(52, 0);		/* name_len 0 */
	BAD(52, 64);		/* name_len > 63 */
	BAD(54, 1);		/* resv */
	BAD(56, ' ');		/* bad character */
	BAD(56 + 6, 'x');	/* byte after the name */
	BAD(124, 1);		/* resv */
	memcpy(q, p, MYC_HELLO_SIZE);
	memset(q + 8, 0, 8);	/* incarnation 0 */
	assert_int_equal(myc_hello_decode(q, MYC_HELLO_SIZE, &h), -EPROTO);
	memcpy(q, p, MYC_HELLO_SIZE);
	memset(q + 48, 0, 4);	/* heartbeat interval 0 */
	assert_int_equal(myc_hello_decode(q, MYC_HELLO_SIZE, &h), -EPROTO);
	memcpy(q, p, MYC_HELLO_SIZE);
	memset(q + 120, 0, 4);	/* ack size 0 */
	assert_int_equal(myc_hello_decode(q, MYC_HELLO_SIZE, &h), -EPROTO);
#undef BAD
	assert_false(myc_node_name_ok("", 0));
	assert_false(myc_node_name_ok("a/b", 3));
	assert_true(myc_node_name_ok("A.b_c-9", 7));
}

static void reject(void **state)
{
	uint8_t p[MYC_REJECT_SIZE];
	struct myc_reject r;

	assert_int_equal(myc_reject_encode(p, MYC_REJ_DIGEST, "digest differs"),
			 MYC_REJECT_SIZE);
	assert_int_equal(myc_reject_decode(p, MYC_REJECT_SIZE, &r), 0);
	assert_int_equal(r.code, MYC_REJ_DIGEST);
	assert_string_equal(r.text, "digest differs");
	assert_int_equal(myc_reject_err(r.code), -MYC_E_DIGEST);
	assert_int_equal(myc_reject_err(MYC_REJ_VERSION), -MYC_E_VERSION);
	assert_int_equal(myc_reject_err(99), -MYC_E_REJECTED);
	assert_int_equal(myc_reject_code(-MYC_E_DIGEST), MYC_REJ_DIGEST);
	assert_int_equal(myc_reject_code(-EPROTO), MYC_REJ_PROTOCOL);
	p[8] = 0x07;		/* control character: shown as '?' */
	assert_int_equal(myc_reject_decode(p, MYC_REJECT_SIZE, &r), 0);
	assert_int_equal(r.text[0], '?');
	assert_int_equal(myc_reject_decode(p, MYC_REJECT_SIZE - 1, &r), -EPROTO);
	p[4] = 121;		/* text_len beyond the field */
	assert_int_equal(myc_reject_decode(p, MYC_REJECT_SIZE, &r), -EPROTO);
	p[4] = 3;		/* bytes after the text */
	assert_int_equal(myc_reject_decode(p, MYC_REJECT_SIZE, &r), -EPROTO);
	/* an over-long reason is cut, never overflowed */
	char long_text[300];

	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	myc_reject_encode(p, 1, long_text);
	assert_int_equal(myc_reject_decode(p, MYC_REJECT_SIZE, &r), 0);
	assert_int_equal(strlen(r.text), MYC_REJECT_TEXT_MAX);
}

static void subscribe(void **state)
{
	struct myc_sub_entry e[3] = { { 1, 0 }, { 0xfeff, 1 }, { 77, 1 } }, out[4];
	uint8_t p[MYC_SUB_HDR_SIZE + 16], q[sizeof(p)];
	uint16_t flags;
	int n = myc_sub_encode(p, MYC_SUB_F_RESET, e, 3);

	assert_int_equal(n, 20);
	assert_int_equal(myc_sub_decode(p, 20, &flags, out, 4), 3);
	assert_int_equal(flags, MYC_SUB_F_RESET);
	assert_int_equal(out[1].type, 0xfeff);
	assert_int_equal(out[1].policy, 1);
	assert_int_equal(myc_sub_decode(p, 20, &flags, out, 2), -EPROTO);	/* > max */
	assert_int_equal(myc_sub_decode(p, 16, &flags, out, 4), -EPROTO);	/* short */
	assert_int_equal(myc_sub_decode(p, 24, &flags, out, 4), -EPROTO);	/* long */
	assert_int_equal(myc_sub_decode(p, 4, &flags, out, 4), -EPROTO);
#define BAD(off, val) do {						\
		memcpy(q, p, 20);					\
		q[off] = (uint8_t)(val);				\
		assert_int_equal(myc_sub_decode(q, 20, &flags, out, 4), -EPROTO); \
	} while (0)
	BAD(2, 2);		/* unknown flag */
	BAD(4, 1);		/* resv */
	BAD(9, 0xff);		/* system type 0xff01 */
	memcpy(q, p, 20);
	q[8] = 0;		/* type 0 */
	q[9] = 0;
	assert_int_equal(myc_sub_decode(q, 20, &flags, out, 4), -EPROTO);
	BAD(10, 2);		/* unknown policy */
	BAD(11, 1);		/* entry resv */
#undef BAD
}

static void unsubscribe(void **state)
{
	uint16_t types[2] = { 3, 0xfeff }, out[2];
	uint8_t p[MYC_SUB_HDR_SIZE + 4], q[sizeof(p)];
	int n = myc_unsub_encode(p, types, 2);

	assert_int_equal(n, 12);
	assert_int_equal(myc_unsub_decode(p, 12, out, 2), 2);
	assert_int_equal(out[1], 0xfeff);
	assert_int_equal(myc_unsub_decode(p, 12, out, 1), -EPROTO);
	assert_int_equal(myc_unsub_decode(p, 10, out, 2), -EPROTO);
	memcpy(q, p, 12);
	q[2] = 1;
	assert_int_equal(myc_unsub_decode(q, 12, out, 2), -EPROTO);
	memcpy(q, p, 12);
	q[11] = 0xff;		/* 0xffff */
	assert_int_equal(myc_unsub_decode(q, 12, out, 2), -EPROTO);
}

static void fixed_sizes(void **state)
{
	uint8_t p[16];
	uint64_t a, b;

	myc_u64pair_encode(p, 7, 9);
	assert_int_equal(myc_u64pair_decode(p, 16, &a, &b), 0);
	assert_int_equal(a, 7);
	assert_int_equal(b, 9);
	assert_int_equal(myc_u64pair_decode(p, 15, &a, &b), -EPROTO);
	assert_int_equal(myc_u64pair_decode(p, 17, &a, &b), -EPROTO);
	myc_u64_encode(p, 42);
	assert_int_equal(myc_u64_decode(p, 8, &a), 0);
	assert_int_equal(a, 42);
	assert_int_equal(myc_u64_decode(p, 0, &a), -EPROTO);
}

static void random_bytes_never_crash(void **state)
{
	unsigned seed = 4242;

	for (int iter = 0; iter < 20000; iter++) {
		uint32_t len = (uint32_t)(rand_r(&seed) % 160);
		uint8_t *buf = malloc(len ? len : 1);
		struct myc_sub_entry e[64];
		struct myc_hello h;
		struct myc_reject r;
		uint16_t t[64], f;
		uint64_t a, b;

		for (uint32_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		if (len >= 2 && (iter & 1))
			buf[0] = (uint8_t)(len / 4), buf[1] = 0;
		myc_hello_decode(buf, len, &h);
		myc_reject_decode(buf, len, &r);
		assert_true(myc_sub_decode(buf, len, &f, e, 64) <= 64);
		assert_true(myc_unsub_decode(buf, len, t, 64) <= 64);
		myc_u64pair_decode(buf, len, &a, &b);
		myc_u64_decode(buf, len, &a);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hello),
		cmocka_unit_test(reject),
		cmocka_unit_test(subscribe),
		cmocka_unit_test(unsubscribe),
		cmocka_unit_test(fixed_sizes),
		cmocka_unit_test(random_bytes_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
