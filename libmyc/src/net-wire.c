// SPDX-License-Identifier: MIT
/*
 * System frame payloads of the Unix/TCP transport (docs/handshake.md).
 *
 * HELLO / WELCOME, 128 bytes:
 *   0     4     8             16            48    52   54   56        120   124  128
 *   +-----+-----+-------------+-------------+-----+----+----+---------+-----+----+
 *   | ver |flags| incarnation | digest[32]  |hb_ms|nlen|resv| name[64]|ack_b|resv|
 *   +-----+-----+-------------+-------------+-----+----+----+---------+-----+----+
 * REJECT, 128 bytes: u32 code, u16 text_len, u16 resv, text[120].
 * SUBSCRIBE: u16 count, u16 flags, u32 resv, count x {u16 type, u8 policy,
 * u8 resv}.  UNSUBSCRIBE: u16 count, u16 resv, u32 resv, count x u16 type.
 * HEARTBEAT: u64 ack.  RESUME: u64 incarnation, u64 received.
 * RESUMED: u64 base, u64 lost.
 */
#include <endian.h>
#include <stdbool.h>
#include <string.h>

#include "net-wire.h"

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

bool myc_node_name_ok(const char *name, size_t len)
{
	size_t i;

	if (!len || len > MYC_NET_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int myc_hello_encode(uint8_t *p, const struct myc_hello *h)
{
	size_t n = strlen(h->name);

	memset(p, 0, MYC_HELLO_SIZE);
	put32(p, h->version);
	put64(p + 8, h->incarnation);
	memcpy(p + 16, h->digest, MYC_NET_DIGEST_SIZE);
	put32(p + 48, h->hb_interval_ms);
	put16(p + 52, (uint16_t)n);
	memcpy(p + 56, h->name, n);
	put32(p + 120, h->ack_bytes);
	return MYC_HELLO_SIZE;
}

int myc_hello_version(const uint8_t *p, uint32_t size, uint32_t *version)
{
	if (size < 4)
		return -EPROTO;
	*version = get32(p);
	return 0;
}

int myc_hello_decode(const uint8_t *p, uint32_t size, struct myc_hello *h)
{
	uint16_t n;

	if (size != MYC_HELLO_SIZE)
		return -EPROTO;
	n = get16(p + 52);
	if (get32(p + 4) || get16(p + 54) || n > MYC_NET_NAME_MAX ||
	    !myc_node_name_ok((const char *)p + 56, n) ||
	    !all_zero(p + 56 + n, 64 - n) || get32(p + 124))
		return -EPROTO;
	h->version = get32(p);
	h->incarnation = get64(p + 8);
	h->hb_interval_ms = get32(p + 48);
	h->ack_bytes = get32(p + 120);
	if (!h->incarnation || !h->hb_interval_ms || !h->ack_bytes)
		return -EPROTO;
	memcpy(h->digest, p + 16, MYC_NET_DIGEST_SIZE);
	memcpy(h->name, p + 56, n);
	h->name[n] = '\0';
	return 0;
}

int myc_reject_encode(uint8_t *p, uint32_t code, const char *text)
{
	size_t n = strlen(text);

	if (n > MYC_REJECT_TEXT_MAX)
		n = MYC_REJECT_TEXT_MAX;
	memset(p, 0, MYC_REJECT_SIZE);
	put32(p, code);
	put16(p + 4, (uint16_t)n);
	memcpy(p + 8, text, n);
	return MYC_REJECT_SIZE;
}

int myc_reject_decode(const uint8_t *p, uint32_t size, struct myc_reject *r)
{
	uint16_t n;
	uint32_t i;

	if (size != MYC_REJECT_SIZE)
		return -EPROTO;
	n = get16(p + 4);
	if (n > MYC_REJECT_TEXT_MAX || get16(p + 6) ||
	    !all_zero(p + 8 + n, MYC_REJECT_TEXT_MAX - n))
		return -EPROTO;
	r->code = get32(p);
	/* The text is shown to operators: keep printable ASCII only. */
	for (i = 0; i < n; i++) {
		uint8_t c = p[8 + i];

		r->text[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	r->text[n] = '\0';
	return 0;
}

int myc_u64_encode(uint8_t *p, uint64_t a)
{
	put64(p, a);
	return 8;
}

int myc_u64_decode(const uint8_t *p, uint32_t size, uint64_t *a)
{
	if (size != 8)
		return -EPROTO;
	*a = get64(p);
	return 0;
}

int myc_u64pair_encode(uint8_t *p, uint64_t a, uint64_t b)
{
	put64(p, a);
	put64(p + 8, b);
	return 16;
}

int myc_u64pair_decode(const uint8_t *p, uint32_t size, uint64_t *a,
		       uint64_t *b)
{
	if (size != 16)
		return -EPROTO;
	*a = get64(p);
	*b = get64(p + 8);
	return 0;
}

static bool user_type(uint16_t t)
{
	return t != MYC_TYPE_INVALID && t <= MYC_TYPE_USER_MAX;
}

int myc_sub_encode(uint8_t *p, uint16_t flags, const struct myc_sub_entry *e,
		   uint32_t n)
{
	uint32_t i;

	memset(p, 0, MYC_SUB_HDR_SIZE + 4 * n);
	put16(p, (uint16_t)n);
	put16(p + 2, flags);
	for (i = 0; i < n; i++) {
		put16(p + 8 + 4 * i, e[i].type);
		p[8 + 4 * i + 2] = e[i].policy;
	}
	return (int)(MYC_SUB_HDR_SIZE + 4 * n);
}

int myc_sub_decode(const uint8_t *p, uint32_t size, uint16_t *flags,
		   struct myc_sub_entry *out, uint32_t max)
{
	uint32_t n, i;

	if (size < MYC_SUB_HDR_SIZE)
		return -EPROTO;
	n = get16(p);
	*flags = get16(p + 2);
	if (n > max || size != MYC_SUB_HDR_SIZE + 4 * n ||
	    (*flags & ~MYC_SUB_F_RESET) || get32(p + 4))
		return -EPROTO;
	for (i = 0; i < n; i++) {
		const uint8_t *e = p + 8 + 4 * i;

		out[i].type = get16(e);
		out[i].policy = e[2];
		if (!user_type(out[i].type) || out[i].policy > MYC_LOSSLESS ||
		    e[3])
			return -EPROTO;
	}
	return (int)n;
}

int myc_unsub_encode(uint8_t *p, const uint16_t *types, uint32_t n)
{
	uint32_t i;

	memset(p, 0, MYC_SUB_HDR_SIZE);
	put16(p, (uint16_t)n);
	for (i = 0; i < n; i++)
		put16(p + 8 + 2 * i, types[i]);
	return (int)(MYC_SUB_HDR_SIZE + 2 * n);
}

int myc_unsub_decode(const uint8_t *p, uint32_t size, uint16_t *out,
		     uint32_t max)
{
	uint32_t n, i;

	if (size < MYC_SUB_HDR_SIZE)
		return -EPROTO;
	n = get16(p);
	if (n > max || size != MYC_SUB_HDR_SIZE + 2 * n || get16(p + 2) ||
	    get32(p + 4))
		return -EPROTO;
	for (i = 0; i < n; i++) {
		out[i] = get16(p + 8 + 2 * i);
		if (!user_type(out[i]))
			return -EPROTO;
	}
	return (int)n;
}

int myc_reject_err(uint32_t code)
{
	switch (code) {
	case MYC_REJ_VERSION:
		return -MYC_E_VERSION;
	case MYC_REJ_DIGEST:
		return -MYC_E_DIGEST;
	default:
		return -MYC_E_REJECTED;
	}
}

uint32_t myc_reject_code(int err)
{
	switch (err) {
	case -MYC_E_VERSION:
		return MYC_REJ_VERSION;
	case -MYC_E_DIGEST:
		return MYC_REJ_DIGEST;
	case -EPROTO:
		return MYC_REJ_PROTOCOL;
	default:
		return MYC_REJ_NAME;
	}
}
