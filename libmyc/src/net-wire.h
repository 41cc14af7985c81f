/* SPDX-License-Identifier: MIT */
/*
 * Payloads of the transport's system frames (docs/handshake.md): fixed
 * little-endian layouts, bounded strings.  Every decoder checks size,
 * reserved fields and bounds and returns 0 or a negative error; nothing is
 * trusted before that.
 */
#ifndef MYC_NET_WIRE_H
#define MYC_NET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* System type ids (frames carry MYC_FRAME_F_SYSTEM). */
enum {
	MYC_SYS_HELLO = 0xff00,
	MYC_SYS_WELCOME = 0xff01,
	MYC_SYS_REJECT = 0xff02,
	MYC_SYS_SUBSCRIBE = 0xff03,
	MYC_SYS_UNSUBSCRIBE = 0xff04,
	MYC_SYS_HEARTBEAT = 0xff05,
	MYC_SYS_RESUME = 0xff06,
	MYC_SYS_RESUMED = 0xff07,
};

/* REJECT reason codes (wire values). */
enum {
	MYC_REJ_VERSION = 1,
	MYC_REJ_DIGEST = 2,
	MYC_REJ_NAME = 3,
	MYC_REJ_PROTOCOL = 4,
};

#define MYC_HELLO_SIZE		128u
#define MYC_REJECT_SIZE		128u
#define MYC_REJECT_TEXT_MAX	120u
#define MYC_SUB_HDR_SIZE	8u
#define MYC_SUB_MAX		1024u	/* entries per (UN)SUBSCRIBE frame */
#define MYC_SUB_F_RESET		0x1u	/* SUBSCRIBE replaces the whole set */
#define MYC_HEARTBEAT_SIZE	8u
#define MYC_RESUME_SIZE		16u

struct myc_hello {	/* HELLO and WELCOME */
	uint32_t version;
	uint64_t incarnation;
	uint8_t digest[MYC_NET_DIGEST_SIZE];
	uint32_t hb_interval_ms;
	uint32_t ack_bytes;	/* acknowledge our lossless frames this often */
	char name[MYC_NET_NAME_MAX + 1];
};

struct myc_reject {
	uint32_t code;
	char text[MYC_REJECT_TEXT_MAX + 1];
};

struct myc_sub_entry {
	uint16_t type;
	uint8_t policy;
};

/* Encoders write exactly the payload size into @p and return it. */
int myc_hello_encode(uint8_t *p, const struct myc_hello *h);
int myc_reject_encode(uint8_t *p, uint32_t code, const char *text);
int myc_u64pair_encode(uint8_t *p, uint64_t a, uint64_t b);
int myc_u64_encode(uint8_t *p, uint64_t a);

/*
 * Decoding HELLO is two steps so a peer of another version is refused by
 * version whatever the rest of its HELLO looks like:
 * myc_hello_version() reads only the first 4 bytes (-EPROTO if shorter).
 */
int myc_hello_version(const uint8_t *p, uint32_t size, uint32_t *version);
int myc_hello_decode(const uint8_t *p, uint32_t size, struct myc_hello *h);
int myc_reject_decode(const uint8_t *p, uint32_t size, struct myc_reject *r);
int myc_u64pair_decode(const uint8_t *p, uint32_t size, uint64_t *a,
		       uint64_t *b);
int myc_u64_decode(const uint8_t *p, uint32_t size, uint64_t *a);
/* SUBSCRIBE: header then @n entries; returns n (or -error) and the flags. */
int myc_sub_decode(const uint8_t *p, uint32_t size, uint16_t *flags,
		   struct myc_sub_entry *out, uint32_t max);
int myc_sub_encode(uint8_t *p, uint16_t flags, const struct myc_sub_entry *e,
		   uint32_t n);
int myc_unsub_decode(const uint8_t *p, uint32_t size, uint16_t *out,
		     uint32_t max);
int myc_unsub_encode(uint8_t *p, const uint16_t *types, uint32_t n);
/* Is @name a valid node name (1..63 bytes of [A-Za-z0-9._-])? */
bool myc_node_name_ok(const char *name, size_t len);

/* Map a REJECT code to the error both sides report. */
int myc_reject_err(uint32_t code);
uint32_t myc_reject_code(int err);

#endif
