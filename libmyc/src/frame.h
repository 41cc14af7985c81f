/* SPDX-License-Identifier: MIT */
/* Internal frame helpers shared by the transports (rings, sockets). */
#ifndef MYC_FRAME_INTERNAL_H
#define MYC_FRAME_INTERNAL_H

#include "myc.h"

/* Check a host-order header's fields (not its relation to a buffer). */
int myc_frame_check(const struct myc_frame_hdr *h);
/* Store/load a header in wire (little-endian) order; no validation. */
void myc_frame_hdr_store(void *dst, const struct myc_frame_hdr *h);
void myc_frame_hdr_load(struct myc_frame_hdr *h, const void *src);

#endif
