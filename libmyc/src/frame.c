// SPDX-License-Identifier: MIT
/*
 * Frame header encoding and validation (docs/frame-format.md).
 *
 * Wire layout, little-endian, 32 bytes:
 *
 *   0        4      6       8               16              24     28     32
 *   +--------+------+-------+---------------+---------------+------+------+
 *   | len    | type | flags | seq           | ts_ns         | src  | resv |
 *   +--------+------+-------+---------------+---------------+------+------+
 *   | payload (len - 32 bytes) ... | zero padding to a multiple of 8      |
 */
#include <endian.h>
#include <string.h>
#include <time.h>

#include "myc.h"
#include "frame.h"

_Static_assert(sizeof(struct myc_frame_hdr) == MYC_FRAME_HDR_SIZE,
	       "host header view must match the wire size");
_Static_assert(MYC_FRAME_MAX % MYC_FRAME_ALIGN == 0, "max frame aligned");

int myc_frame_check(const struct myc_frame_hdr *h)
{
	if (h->len < MYC_FRAME_HDR_SIZE)
		return -MYC_E_FRAME_LEN_SMALL;
	if (h->len > MYC_FRAME_MAX)
		return -MYC_E_FRAME_OVERSIZE;
	if (h->flags & ~MYC_FRAME_F_KNOWN)
		return -MYC_E_FRAME_FLAGS;
	if (h->type == MYC_TYPE_INVALID && !(h->flags & MYC_FRAME_F_PAD))
		return -MYC_E_FRAME_TYPE;
	if (!(h->type >= MYC_TYPE_SYS_MIN) != !(h->flags & MYC_FRAME_F_SYSTEM))
		return -MYC_E_FRAME_TYPE;
	if (h->resv)
		return -MYC_E_FRAME_RESERVED;
	return 0;
}

void myc_frame_hdr_store(void *dst, const struct myc_frame_hdr *h)
{
	struct myc_frame_hdr le = {
		.len = htole32(h->len),
		.type = htole16(h->type),
		.flags = htole16(h->flags),
		.seq = htole64(h->seq),
		.ts_ns = htole64(h->ts_ns),
		.src = htole32(h->src),
		.resv = htole32(h->resv),
	};
	memcpy(dst, &le, sizeof(le));
}

void myc_frame_hdr_load(struct myc_frame_hdr *h, const void *src)
{
	memcpy(h, src, sizeof(*h));
	h->len = le32toh(h->len);
	h->type = le16toh(h->type);
	h->flags = le16toh(h->flags);
	h->seq = le64toh(h->seq);
	h->ts_ns = le64toh(h->ts_ns);
	h->src = le32toh(h->src);
	h->resv = le32toh(h->resv);
}

int myc_frame_encode(void *buf, size_t buflen, const struct myc_frame_hdr *hdr,
		     const void *payload, size_t size)
{
	struct myc_frame_hdr h;
	uint32_t span;
	int err;

	if (!buf || !hdr || (size && !payload))
		return -EINVAL;
	if (size > MYC_PAYLOAD_MAX)
		return -MYC_E_FRAME_OVERSIZE;
	h = *hdr;
	h.len = (uint32_t)(MYC_FRAME_HDR_SIZE + size);
	err = myc_frame_check(&h);
	if (err)
		return err;
	span = myc_frame_span(h.len);
	if (buflen < span)
		return -ENOSPC;
	myc_frame_hdr_store(buf, &h);
	if (size)
		memcpy((char *)buf + MYC_FRAME_HDR_SIZE, payload, size);
	memset((char *)buf + h.len, 0, span - h.len);
	return (int)span;
}

int myc_frame_decode(const void *buf, size_t buflen, struct myc_frame_hdr *hdr,
		     const void **payload)
{
	const unsigned char *p = buf;
	struct myc_frame_hdr h;
	uint32_t span, i;
	int err;

	if (!buf || !hdr)
		return -EINVAL;
	if (buflen < MYC_FRAME_HDR_SIZE)
		return -MYC_E_FRAME_SHORT;
	myc_frame_hdr_load(&h, buf);
	err = myc_frame_check(&h);
	if (err)
		return err;
	span = myc_frame_span(h.len);
	if (span > buflen)
		return -MYC_E_FRAME_TRUNCATED;
	for (i = h.len; i < span; i++)
		if (p[i])
			return -MYC_E_FRAME_PADDING;
	*hdr = h;
	if (payload)
		*payload = p + MYC_FRAME_HDR_SIZE;
	return (int)span;
}

uint64_t myc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
