// SPDX-License-Identifier: MIT
/*
 * Description: a frame encodes to the documented little-endian layout,
 * decodes back to the same header and payload, and is padded with zeros to
 * an 8-byte boundary, for every payload size around the alignment edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"

static void wire_layout_is_little_endian(void **state)
{
	unsigned char buf[64];
	struct myc_frame_hdr h = {
		.type = 0x1234, .flags = MYC_FRAME_F_REPLAY,
		.seq = 0x0102030405060708ull, .ts_ns = 0x1112131415161718ull,
		.src = 0xa1a2a3a4,
	};
	const unsigned char want[32] = {
		35, 0, 0, 0,		/* len = 32 + 3 */
		0x34, 0x12,		/* type */
		0x04, 0x00,		/* flags */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,
		0xa4, 0xa3, 0xa2, 0xa1,
		0, 0, 0, 0,
	};

	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(myc_frame_encode(buf, sizeof(buf), &h, "abc", 3), 40);
	assert_memory_equal(buf, want, sizeof(want));
	assert_memory_equal(buf + 32, "abc", 3);
	for (int i = 35; i < 40; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(buf[40], 0xee);	/* nothing written past the span */
}

static void roundtrip_every_small_size(void **state)
{
	static unsigned char buf[MYC_FRAME_MAX], payload[MYC_PAYLOAD_MAX];
	struct myc_frame_hdr in = { .type = 7, .seq = 42, .ts_ns = 99 }, out;
	const void *p;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)(i * 31 + 7);
	for (size_t size = 0; size <= 300; size++) {
		int n = myc_frame_encode(buf, sizeof(buf), &in, payload, size);

		assert_int_equal(n, myc_frame_span(MYC_FRAME_HDR_SIZE + size));
		assert_int_equal(n % MYC_FRAME_ALIGN, 0);
		assert_int_equal(myc_frame_decode(buf, n, &out, &p), n);
		assert_int_equal(out.len, MYC_FRAME_HDR_SIZE + size);
		assert_int_equal(out.type, 7);
		assert_int_equal(out.seq, 42);
		assert_int_equal(out.ts_ns, 99);
		assert_ptr_equal(p, buf + MYC_FRAME_HDR_SIZE);
		assert_memory_equal(p, payload, size);
	}
}

static void maximum_frame_roundtrips(void **state)
{
	static unsigned char buf[MYC_FRAME_MAX], payload[MYC_PAYLOAD_MAX];
	struct myc_frame_hdr in = { .type = 1 }, out;

	assert_int_equal(myc_frame_encode(buf, sizeof(buf), &in, payload,
					  MYC_PAYLOAD_MAX), MYC_FRAME_MAX);
	assert_int_equal(myc_frame_decode(buf, sizeof(buf), &out, NULL),
			 MYC_FRAME_MAX);
	assert_int_equal(out.len, MYC_FRAME_MAX);
}

static void stream_of_frames_decodes_in_order(void **state)
{
	unsigned char buf[1024];
	struct myc_frame_hdr h = { .type = 3 }, out;
	size_t off = 0;
	int n;

	for (uint64_t s = 0; s < 10; s++) {
		h.seq = s;
		n = myc_frame_encode(buf + off, sizeof(buf) - off, &h, buf, s * 5);
		assert_true(n > 0);
		off += n;
	}
	for (uint64_t s = 0, pos = 0; s < 10; s++) {
		n = myc_frame_decode(buf + pos, off - pos, &out, NULL);
		assert_true(n > 0);
		assert_int_equal(out.seq, s);
		assert_int_equal(out.len, MYC_FRAME_HDR_SIZE + s * 5);
		pos += n;
	}
}

static void system_frames_need_system_flag(void **state)
{
	unsigned char buf[64];
	struct myc_frame_hdr h = { .type = MYC_TYPE_SYS_MIN,
				   .flags = MYC_FRAME_F_SYSTEM };

	assert_int_equal(myc_frame_encode(buf, sizeof(buf), &h, NULL, 0), 32);
	h.flags = 0;
	assert_int_equal(myc_frame_encode(buf, sizeof(buf), &h, NULL, 0),
			 -MYC_E_FRAME_TYPE);
	h.type = 5;
	h.flags = MYC_FRAME_F_SYSTEM;
	assert_int_equal(myc_frame_encode(buf, sizeof(buf), &h, NULL, 0),
			 -MYC_E_FRAME_TYPE);
}

static void encode_refuses_small_buffer(void **state)
{
	unsigned char buf[39];
	struct myc_frame_hdr h = { .type = 1 };

	assert_int_equal(myc_frame_encode(buf, sizeof(buf), &h, "abc", 3), -ENOSPC);
	/* the size is refused before the payload is read */
	assert_int_equal(myc_frame_encode(buf, sizeof(buf), &h, buf,
					  MYC_PAYLOAD_MAX + 1), -MYC_E_FRAME_OVERSIZE);
	assert_int_equal(myc_frame_encode(buf, sizeof(buf), &h, NULL, 3),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wire_layout_is_little_endian),
		cmocka_unit_test(roundtrip_every_small_size),
		cmocka_unit_test(maximum_frame_roundtrips),
		cmocka_unit_test(stream_of_frames_decodes_in_order),
		cmocka_unit_test(system_frames_need_system_flag),
		cmocka_unit_test(encode_refuses_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
