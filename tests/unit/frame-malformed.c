// SPDX-License-Identifier: MIT
/*
 * Description: every malformed frame is refused by the decoder with its own
 * named error and without reading past the buffer (ASan build checks the
 * latter): truncated header, length beyond the buffer, length below the
 * header, oversize length, unknown flags, bad type id, reserved field and
 * non-zero padding.  The decoder never fills the caller's header on error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"

/* A valid 3-byte-payload frame in a heap buffer of exactly its span. */
static unsigned char *good_frame(size_t *span)
{
	struct myc_frame_hdr h = { .type = 9, .seq = 1 };
	unsigned char *buf = malloc(40);
	int n = myc_frame_encode(buf, 40, &h, "xyz", 3);

	assert_int_equal(n, 40);
	*span = (size_t)n;
	return buf;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void expect(const unsigned char *buf, size_t len, int err)
{
	struct myc_frame_hdr out;
	const void *payload = (const void *)0x1;

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(myc_frame_decode(buf, len, &out, &payload), err);
	assert_ptr_equal(payload, (const void *)0x1);
	assert_int_equal(out.len, 0x5a5a5a5a);
	assert_string_not_equal(myc_strerror(err), "");
}

static void truncated_header(void **state)
{
	size_t span;
	unsigned char *buf = good_frame(&span);

	for (size_t len = 0; len < MYC_FRAME_HDR_SIZE; len++) {
		/* a copy of exactly len bytes so ASan catches any over-read */
		unsigned char *cut = malloc(len ? len : 1);

		memcpy(cut, buf, len);
		expect(cut, len, -MYC_E_FRAME_SHORT);
		free(cut);
	}
	free(buf);
}

static void length_beyond_buffer(void **state)
{
	size_t span;
	unsigned char *buf = good_frame(&span);

	for (size_t len = MYC_FRAME_HDR_SIZE; len < span; len++)
		expect(buf, len, -MYC_E_FRAME_TRUNCATED);
	put32(buf, 1000);	/* claims more than the 40 bytes there are */
	expect(buf, span, -MYC_E_FRAME_TRUNCATED);
	free(buf);
}

static void length_below_header(void **state)
{
	size_t span;
	unsigned char *buf = good_frame(&span);

	for (uint32_t l = 0; l < MYC_FRAME_HDR_SIZE; l++) {
		put32(buf, l);
		expect(buf, span, -MYC_E_FRAME_LEN_SMALL);
	}
	free(buf);
}

static void oversize_length(void **state)
{
	size_t span;
	unsigned char *buf = good_frame(&span);
	const uint32_t bad[] = { MYC_FRAME_MAX + 1, MYC_FRAME_MAX + 8,
				 0x7fffffff, 0xffffffff };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put32(buf, bad[i]);
		expect(buf, span, -MYC_E_FRAME_OVERSIZE);
	}
	free(buf);
}

static void unknown_flags(void **state)
{
	size_t span;
	unsigned char *buf = good_frame(&span);

	for (int bit = 0; bit < 16; bit++) {
		uint16_t f = (uint16_t)(1u << bit);

		if (f & MYC_FRAME_F_KNOWN)
			continue;
		buf[6] = (unsigned char)f;
		buf[7] = (unsigned char)(f >> 8);
		expect(buf, span, -MYC_E_FRAME_FLAGS);
	}
	free(buf);
}

static void bad_type(void **state)
{
	size_t span;
	unsigned char *buf = good_frame(&span);

	buf[4] = 0;
	buf[5] = 0;		/* type 0 */
	expect(buf, span, -MYC_E_FRAME_TYPE);
	buf[4] = 0x00;
	buf[5] = 0xff;		/* system type without the system flag */
	expect(buf, span, -MYC_E_FRAME_TYPE);
	free(buf);
}

static void reserved_not_zero(void **state)
{
	size_t span;
	unsigned char *buf = good_frame(&span);

	buf[31] = 1;
	expect(buf, span, -MYC_E_FRAME_RESERVED);
	free(buf);
}

static void padding_not_zero(void **state)
{
	size_t span;
	unsigned char *buf = good_frame(&span);

	buf[39] = 1;
	expect(buf, span, -MYC_E_FRAME_PADDING);
	free(buf);
}

static void null_arguments(void **state)
{
	struct myc_frame_hdr h;

	assert_int_equal(myc_frame_decode(NULL, 100, &h, NULL), -EINVAL);
	assert_int_equal(myc_frame_decode("", 0, NULL, NULL), -EINVAL);
	assert_int_equal(myc_frame_encode(NULL, 100, &h, NULL, 0), -EINVAL);
}

static void random_bytes_never_crash(void **state)
{
	unsigned char *buf = malloc(256);
	struct myc_frame_hdr h;
	unsigned seed = 12345;

	for (int iter = 0; iter < 100000; iter++) {
		size_t len = (size_t)(rand_r(&seed) % 257);

		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)rand_r(&seed);
		if (iter & 1)	/* plausible length so deeper checks run */
			put32(buf, (uint32_t)(rand_r(&seed) % 300));
		int n = myc_frame_decode(buf, len, &h, NULL);

		assert_true(n < 0 || ((size_t)n <= len && n % 8 == 0));
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(truncated_header),
		cmocka_unit_test(length_beyond_buffer),
		cmocka_unit_test(length_below_header),
		cmocka_unit_test(oversize_length),
		cmocka_unit_test(unknown_flags),
		cmocka_unit_test(bad_type),
		cmocka_unit_test(reserved_not_zero),
		cmocka_unit_test(padding_not_zero),
		cmocka_unit_test(null_arguments),
		cmocka_unit_test(random_bytes_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
