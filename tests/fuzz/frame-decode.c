// SPDX-License-Identifier: MIT
/*
 * Description: libFuzzer target for the frame decoder.  Any byte string is
 * decoded as a stream of frames; every accepted frame must lie within the
 * input, be 8-byte aligned, carry only known flags and re-encode to exactly
 * the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "myc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char out[MYC_FRAME_MAX];
	size_t off = 0;

	while (off < size) {
		struct myc_frame_hdr h;
		const void *payload;
		int n = myc_frame_decode(data + off, size - off, &h, &payload);

		if (n < 0)
			break;
		if ((size_t)n > size - off || n % MYC_FRAME_ALIGN ||
		    (h.flags & ~MYC_FRAME_F_KNOWN) || h.len > MYC_FRAME_MAX)
			abort();
		if (myc_frame_encode(out, sizeof(out), &h, payload,
				     h.len - MYC_FRAME_HDR_SIZE) != n ||
		    memcmp(out, data + off, (size_t)n))
			abort();
		off += (size_t)n;
	}
	return 0;
}
