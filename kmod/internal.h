/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mycelium.ko internals: the kernel-owned ring, the two kinds of file, and
 * the helpers the files share.  The ring's memory layout is section A of
 * uapi/linux/mycelium.h (docs/ring-format.md); the ioctls are section B
 * (docs/uapi.md).
 */
#ifndef MYC_KMOD_INTERNAL_H
#define MYC_KMOD_INTERNAL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/atomic.h>
#include <linux/version.h>
#include <linux/mm.h>

#include <linux/mycelium.h>

/* Frame rules of docs/frame-format.md the kernel enforces on write(). */
#define MYC_KFRAME_HDR		32u
#define MYC_KFRAME_ALIGN	8u
#define MYC_KFRAME_MAX		(64u * 1024u)
#define MYC_KFRAME_F_SYSTEM	0x0001u
#define MYC_KFRAME_F_PAD	0x0002u
#define MYC_KFRAME_F_KNOWN	0x0007u
#define MYC_KTYPE_SYS_MIN	0xff00u

/* The wire header, little-endian (docs/frame-format.md). */
struct myc_kframe {
	__le32 len;
	__le16 type;
	__le16 flags;
	__le64 seq;	/* the ring's commit word */
	__le64 ts_ns;
	__le32 src;
	__le32 resv;
};

struct myc_user;

/*
 * One ring.  Memory: npages pages, allocated one by one and mapped by the
 * kernel with vmap() in the same order userspace sees them, the data pages
 * twice (pages[] holds the second run as repeated pointers):
 *
 *   pages[0]            hdr      \
 *   pages[1]            ctl       |
 *   pages[2..]          prod[]    |  file_pages (accounted, freed once)
 *   ...                 cons[]    |
 *   ...                 data     /
 *   ...                 data again (same struct page pointers)
 *
 * Lifetime: a kref held by every ring file and, while the name is linked
 * and the ring is persistent, by the name table.  A non-persistent ring
 * leaves the table when its last file is released (kref_put_mutex under
 * myc_table_lock, so an OPEN can never find a dying ring).
 */
struct myc_ring {
	struct kref ref;
	struct list_head node;		/* in myc_table, under myc_table_lock */
	bool linked;			/* in the table */
	bool persistent;
	bool lossless;
	char name[MYC_RING_NAME_MAX];
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	struct myc_user *user;		/* charged for file_pages */

	struct page **pages;		/* map_pages entries */
	unsigned long file_pages;	/* distinct pages */
	unsigned long map_pages;	/* file_pages + data pages again */
	void *base;			/* vmap of pages[0..map_pages) */
	struct myc_ring_hdr *hdr;
	struct myc_ring_ctl *ctl;
	/* The kernel's own copy of the layout: producers may map the header
	 * page writable, so nothing the kernel dereferences comes from it.
	 */
	u64 off_prod;
	u64 off_cons;
	u64 off_data;
	u64 capacity;
	u32 max_frame;
	u32 max_producers;
	u32 max_consumers;

	spinlock_t lock;		/* slots, file lists, arming */
	unsigned long *prod_used;	/* bitmap of producer slots */
	unsigned long *cons_used;	/* bitmap of consumer pages */
	struct list_head cons_files;	/* struct myc_rfile, consumers */
	u32 nr_producers;
	u32 nr_consumers;
	struct mutex write_lock;	/* serialises kernel-routed writes */

	/* Everyone who sleeps for this ring: WAIT callers and poll/epoll. */
	wait_queue_head_t wq;
	u64 wake_gen;			/* wake-ups so far; under lock */
	atomic_t nr_waiters;		/* kernel's own count of announced
					 * waiters (ctl.waiters mirrors it)
					 */

	atomic64_t st_wakeups;
	atomic64_t st_waits;
	atomic64_t st_peer_deaths;
	atomic64_t st_recovered;
	atomic64_t st_writes;
	atomic64_t st_write_errors;
	atomic64_t st_overruns;		/* laps caused by kernel writes */
};

/* A ring fd. */
struct myc_rfile {
	struct myc_ring *ring;
	u32 role;			/* MYC_ROLE_* */
	u32 slot;			/* producer slot / consumer page */
	struct list_head node;		/* ring->cons_files (consumers) */
	atomic_t events;		/* MYC_EVENT_* pending */
	bool armed;			/* counted in nr_waiters by poll;
					 * under ring->lock
					 */
	bool lapped;			/* kernel write lapped it (trace once) */
};

/* ring.c: memory, layout, name table, lifetime */
extern struct mutex myc_table_lock;
extern struct list_head myc_table;
struct myc_ring *myc_ring_new(const struct myc_ioc_create *c, u32 max_frame);
struct myc_ring *myc_ring_lookup(const char *name);	/* takes a ref */
void myc_ring_put(struct myc_ring *ring);
int myc_ring_link(struct myc_ring *ring);		/* -EEXIST */
int myc_ring_unlink(const char *name);
void myc_ring_unlink_ring(struct myc_ring *ring);
int myc_name_check(const char *name);
static inline void *myc_ring_at(struct myc_ring *ring, u64 off)
{
	return (char *)ring->base + off;
}
static inline struct myc_ring_prod *myc_ring_prod(struct myc_ring *ring, u32 k)
{
	return myc_ring_at(ring, ring->off_prod + (u64)k * MYC_RING_LINE);
}
static inline struct myc_ring_cons *myc_ring_cons(struct myc_ring *ring, u32 j)
{
	return myc_ring_at(ring, ring->off_cons + (u64)j * PAGE_SIZE);
}

/* account.c: per-user and module-wide limits on ring memory */
int myc_account_charge(kuid_t uid, unsigned long pages, struct myc_user **out);
void myc_account_uncharge(struct myc_user *u, unsigned long pages);
unsigned long myc_account_total_pages(void);
extern unsigned long myc_ring_max_bytes;

/* proto.c: the ring protocol, kernel side (docs/ring-format.md) */
void myc_head_load(struct myc_ring *ring, u64 *pos, u64 *seq);
void myc_waiter_add(struct myc_ring *ring, int n);
u64 myc_announce(struct myc_ring *ring);
void myc_withdraw(struct myc_ring *ring, u64 gen);
int myc_wake_all(struct myc_ring *ring);
bool myc_cons_readable(struct myc_ring *ring, u32 slot);
void myc_cons_attach(struct myc_ring *ring, u32 slot);
void myc_cons_detach(struct myc_ring *ring, u32 slot);
void myc_prod_attach(struct myc_ring *ring, u32 slot);
bool myc_prod_recover(struct myc_ring *ring, u32 slot);
ssize_t myc_ring_write(struct myc_rfile *rf, const char __user *buf, size_t len);
void myc_ring_notify(struct myc_ring *ring);

/* file.c: ring fds */
int myc_rfile_install(struct myc_ring *ring, u32 role, u32 oflags);

/* debugfs.c */
void myc_debugfs_init(void);
void myc_debugfs_exit(void);

/* Copy an ioctl argument that starts with its own size (docs/uapi.md):
 * sizes from ver0 up to PAGE_SIZE, unknown tail bytes must be zero.
 */
int myc_copy_arg(void *dst, size_t ksize, size_t ver0, const void __user *src);
int myc_copy_out(void __user *dst, const void *src, size_t ksize);

static inline bool myc_all_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/* vm_flags became write-protected behind helpers in 6.3. */
static inline void myc_vm_flags_set(struct vm_area_struct *vma, vm_flags_t f)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, f);
#else
	vma->vm_flags |= f;
#endif
}

static inline void myc_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t f)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, f);
#else
	vma->vm_flags &= ~f;
#endif
}

/* The claim is a 16-byte CAS; its helpers were renamed in 6.5. */
static inline bool system_has_cmpxchg128_compat(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return system_has_cmpxchg128();
#else
	return system_has_cmpxchg_double();
#endif
}

#endif /* MYC_KMOD_INTERNAL_H */
