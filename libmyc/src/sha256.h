/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), used for the schema digest (docs/schema.md). */
#ifndef MYC_SHA256_H
#define MYC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define MYC_SHA256_LEN	32u

struct myc_sha256 {
	uint32_t h[8];		/* chaining state */
	uint64_t nbytes;	/* message bytes hashed so far */
	uint8_t buf[64];	/* partial block */
	size_t nbuf;		/* bytes held in buf */
};

void myc_sha256_init(struct myc_sha256 *c);
void myc_sha256_update(struct myc_sha256 *c, const void *data, size_t len);
void myc_sha256_final(struct myc_sha256 *c, uint8_t out[MYC_SHA256_LEN]);
/* One-shot convenience. */
void myc_sha256(const void *data, size_t len, uint8_t out[MYC_SHA256_LEN]);

#endif
