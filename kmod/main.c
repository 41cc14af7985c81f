// SPDX-License-Identifier: GPL-2.0-only
/*
 * mycelium.ko: kernel-owned shared-memory rings for the Mycelium bus.
 *
 * /dev/mycelium (misc device) creates, opens and unlinks rings by name;
 * each open ring is a file descriptor of its own (file.c).  The ioctl ABI
 * is section B of uapi/linux/mycelium.h and docs/uapi.md; operations in
 * docs/operations.md.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>
#include <linux/log2.h>
#include <linux/cred.h>

#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

int myc_copy_arg(void *dst, size_t ksize, size_t ver0, const void __user *src)
{
	u32 usize;
	int err;

	if (get_user(usize, (const u32 __user *)src))
		return -EFAULT;
	if (usize < ver0 || usize > PAGE_SIZE)
		return -EINVAL;
	/* Zero-fills dst past usize; -E2BIG if the caller's unknown tail is
	 * not zero.
	 */
	err = copy_struct_from_user(dst, ksize, src, usize);
	if (err == -E2BIG)
		return -EINVAL;
	if (err)
		return err;
	*(u32 *)dst = min_t(u32, usize, ksize);
	return 0;
}

int myc_copy_out(void __user *dst, const void *src, size_t ksize)
{
	return copy_to_user(dst, src, ksize) ? -EFAULT : 0;
}

static int myc_role_check(u32 role)
{
	return role == MYC_ROLE_PRODUCER || role == MYC_ROLE_CONSUMER ? 0 : -EINVAL;
}

/* Like file permission bits: r to consume, w to produce. */
static int myc_ring_permission(struct myc_ring *ring, u32 role)
{
	umode_t mode = ring->mode, want = role == MYC_ROLE_PRODUCER ? 2 : 4;

	if (uid_eq(current_fsuid(), ring->uid))
		mode >>= 6;
	else if (in_group_p(ring->gid))
		mode >>= 3;
	if ((mode & want) == want)
		return 0;
	return capable(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
}

static long myc_ioc_create(void __user *arg)
{
	struct myc_ioc_create c;
	struct myc_ring *ring;
	u32 max_frame;
	int err, fd;

	err = myc_copy_arg(&c, sizeof(c), MYC_CREATE_SIZE_VER0, arg);
	if (err)
		return err;
	if (c.flags & ~MYC_CREATE_KNOWN || c.resv0 || !myc_all_zero(c.resv, sizeof(c.resv)))
		return -EINVAL;
	err = myc_name_check(c.name);
	if (err)
		return err;
	if (myc_role_check(c.role) || c.mode & ~0777)
		return -EINVAL;
	if (c.max_producers < 1 || c.max_producers > MYC_RING_MAX_PRODUCERS ||
	    c.max_consumers < 1 || c.max_consumers > MYC_RING_MAX_CONSUMERS)
		return -EINVAL;
	if (c.capacity < MYC_RING_CAP_MIN || c.capacity < PAGE_SIZE ||
	    !is_power_of_2(c.capacity))
		return -EINVAL;
	if (c.capacity > MYC_RING_CAP_MAX || c.capacity > READ_ONCE(myc_ring_max_bytes))
		return -EFBIG;
	/* A record plus the guard fits in half the ring, the rule libmyc's
	 * header validation applies (docs/ring-format.md).
	 */
	max_frame = c.max_frame ? c.max_frame :
		    min_t(u64, MYC_KFRAME_MAX, c.capacity / 2 - MYC_RING_GUARD);
	if (max_frame <= MYC_KFRAME_HDR || max_frame > MYC_KFRAME_MAX ||
	    max_frame > c.capacity / 2 - MYC_RING_GUARD)
		return -EINVAL;

	ring = myc_ring_new(&c, max_frame);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	err = myc_ring_link(ring);
	if (err) {
		myc_ring_put(ring);
		return err;
	}
	fd = myc_rfile_install(ring, c.role, c.flags);
	if (fd < 0) {
		/* Undo the create: the name goes, and the ring with our
		 * reference unless someone opened it meanwhile.
		 */
		myc_ring_unlink_ring(ring);
		myc_ring_put(ring);
	}
	return fd;
}

static long myc_ioc_open(void __user *arg)
{
	struct myc_ioc_open o;
	struct myc_ring *ring;
	int err, fd;

	err = myc_copy_arg(&o, sizeof(o), MYC_OPEN_SIZE_VER0, arg);
	if (err)
		return err;
	if (o.flags & ~MYC_OPEN_KNOWN || o.resv0 || !myc_all_zero(o.resv, sizeof(o.resv)))
		return -EINVAL;
	if (myc_role_check(o.role))
		return -EINVAL;
	err = myc_name_check(o.name);
	if (err)
		return err;
	ring = myc_ring_lookup(o.name);
	if (!ring)
		return -ENOENT;
	err = myc_ring_permission(ring, o.role);
	if (err) {
		myc_ring_put(ring);
		return err;
	}
	fd = myc_rfile_install(ring, o.role, o.flags);
	if (fd < 0)
		myc_ring_put(ring);
	return fd;
}

static long myc_ioc_unlink(void __user *arg)
{
	struct myc_ioc_unlink u;
	int err;

	err = myc_copy_arg(&u, sizeof(u), MYC_UNLINK_SIZE_VER0, arg);
	if (err)
		return err;
	if (u.flags || !myc_all_zero(u.resv, sizeof(u.resv)))
		return -EINVAL;
	err = myc_name_check(u.name);
	if (err)
		return err;
	return myc_ring_unlink(u.name);
}

static long myc_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MYC_IOC_CREATE:
		return myc_ioc_create(uarg);
	case MYC_IOC_OPEN:
		return myc_ioc_open(uarg);
	case MYC_IOC_UNLINK:
		return myc_ioc_unlink(uarg);
	}
	return -ENOTTY;
}

static const struct file_operations myc_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = myc_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* World read-write: rings carry their own owner/group/mode, and memory is
 * limited per user (account.c).
 */
static struct miscdevice myc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mycelium",
	.fops = &myc_dev_fops,
	.mode = 0666,
};

static int __init myc_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct myc_ioc_create) != MYC_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct myc_ioc_open) != MYC_OPEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct myc_ioc_unlink) != MYC_UNLINK_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct myc_ioc_info) != MYC_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct myc_ioc_stats) != MYC_STATS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct myc_ioc_wait) != MYC_WAIT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct myc_ioc_wake) != MYC_WAKE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct myc_ioc_events) != MYC_EVENTS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct myc_kframe) != MYC_KFRAME_HDR);
	BUILD_BUG_ON(sizeof(struct myc_ring_hdr) > PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct myc_ring_ctl) > PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct myc_ring_cons) > PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct myc_ring_prod) > MYC_RING_LINE);

	if (!system_has_cmpxchg128_compat()) {
		pr_err("mycelium: the ring protocol needs a 16-byte compare-and-swap (cx16)\n");
		return -ENODEV;
	}
	myc_debugfs_init();
	err = misc_register(&myc_misc);
	if (err)
		myc_debugfs_exit();
	return err;
}

static void __exit myc_exit(void)
{
	struct myc_ring *ring;

	misc_deregister(&myc_misc);
	myc_debugfs_exit();
	/* Every ring fd pins the module, so what is left are persistent
	 * rings nobody has open: unloading unlinks them.
	 */
	for (;;) {
		mutex_lock(&myc_table_lock);
		ring = list_first_entry_or_null(&myc_table, struct myc_ring, node);
		if (ring) {
			list_del_init(&ring->node);
			ring->linked = false;
		}
		mutex_unlock(&myc_table_lock);
		if (!ring)
			break;
		WARN_ON(!ring->persistent || kref_read(&ring->ref) != 1);
		myc_ring_put(ring);
	}
	if (myc_account_total_pages())
		pr_err("mycelium: leak: %lu ring pages still accounted at unload\n",
		       myc_account_total_pages());
}

module_init(myc_init);
module_exit(myc_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("Mycelium");
MODULE_DESCRIPTION("Kernel-owned shared-memory rings for the Mycelium message bus");
