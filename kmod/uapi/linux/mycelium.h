/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note OR MIT */
/*
 * mycelium.h - the Mycelium uapi: ring layout shared by the kernel module
 * and libmyc (kernel and pure userspace mode alike), and the /dev/mycelium
 * ioctls.  Fixed-width __u* types only, explicit padding, pointers as __u64,
 * reserved fields must be zero.  Userspace never hard-codes a field
 * position: it reads the offsets published in struct myc_ring_hdr.
 */
#ifndef _UAPI_LINUX_MYCELIUM_H
#define _UAPI_LINUX_MYCELIUM_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* ======================================================================== */
/* Section A: ring layout (docs/ring-format.md)                              */
/* ======================================================================== */

/* ======================================================================== */
/* Section B: /dev/mycelium ioctls (docs/uapi.md)                            */
/* ======================================================================== */

#endif /* _UAPI_LINUX_MYCELIUM_H */
