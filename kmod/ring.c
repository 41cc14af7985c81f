// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-owned rings: page allocation, the header (section A of the uapi),
 * the name table and the lifetime rules (docs/uapi.md "Lifetime").
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/bitmap.h>
#include <linux/ktime.h>
#include <linux/cred.h>
#include <linux/string.h>
#include <linux/ctype.h>

#include "internal.h"
#include "trace.h"

DEFINE_MUTEX(myc_table_lock);
LIST_HEAD(myc_table);

/* 1..63 bytes of [A-Za-z0-9._-], not starting with '.', NUL padded. */
int myc_name_check(const char *name)
{
	size_t n = strnlen(name, MYC_RING_NAME_MAX);
	size_t i;

	if (n == 0 || n == MYC_RING_NAME_MAX || name[0] == '.')
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return -EINVAL;
	}
	/* Bytes after the NUL must be zero too: the name is a fixed field. */
	if (!myc_all_zero(name + n, MYC_RING_NAME_MAX - n))
		return -EINVAL;
	return 0;
}

static void myc_ring_free_pages(struct myc_ring *ring)
{
	unsigned long i;

	if (ring->base)
		vunmap(ring->base);
	if (ring->pages) {
		for (i = 0; i < ring->file_pages; i++)
			if (ring->pages[i])
				__free_page(ring->pages[i]);
		kvfree(ring->pages);
	}
}

/*
 * Fill the header as a creator does (docs/ring-format.md "Header"): every
 * field first, magic last with release so an opener that sees the magic
 * sees the rest.  The pages come zeroed, so every consumer page is FREE and
 * every producer slot is FREE.
 */
static void myc_ring_init_layout(struct myc_ring *ring, const struct myc_ioc_create *c,
				 u64 off_prod, u64 off_cons, u64 off_data)
{
	struct myc_ring_hdr *h = ring->hdr;
	struct myc_ring_ctl *ctl = ring->ctl;

	h->version = MYC_RING_VERSION;
	h->hdr_size = sizeof(*h);
	h->page_size = PAGE_SIZE;
	h->flags = MYC_RING_HF_KERNEL | (ring->lossless ? MYC_RING_HF_LOSSLESS : 0);
	h->capacity = ring->capacity;
	h->max_frame = ring->max_frame;
	h->max_producers = ring->max_producers;
	h->max_consumers = ring->max_consumers;
	h->prod_stride = MYC_RING_LINE;
	h->off_ctl = PAGE_SIZE;
	h->off_prod = off_prod;
	h->off_cons = off_cons;
	h->off_data = off_data;
	h->file_size = off_data + ring->capacity;
	h->map_size = h->file_size + ring->capacity;
	h->lock_base = 0;	/* no OFD locks in kernel mode */
	h->create_ns = ktime_get_real_ns();
	h->creator_uid = from_kuid_munged(&init_user_ns, ring->uid);
	memcpy(h->digest, c->digest, sizeof(h->digest));
	memcpy(h->name, ring->name, sizeof(h->name));

	/* Empty ring: the first record gets seq 1 at position 0; with no
	 * consumer a lossless producer may fill the whole data area.
	 */
	ctl->head_pos = 0;
	ctl->head_seq = 1;
	ctl->limit = ring->capacity;

	/* Pairs with the acquire load of magic by every opener. */
	smp_store_release(&h->magic, MYC_RING_MAGIC);
}

struct myc_ring *myc_ring_new(const struct myc_ioc_create *c, u32 max_frame)
{
	u64 cap = c->capacity, off_prod, off_cons, off_data, prod_bytes;
	unsigned long cap_pages, i;
	struct myc_ring *ring;
	int err = -ENOMEM;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	kref_init(&ring->ref);
	INIT_LIST_HEAD(&ring->node);
	INIT_LIST_HEAD(&ring->cons_files);
	spin_lock_init(&ring->lock);
	mutex_init(&ring->write_lock);
	init_waitqueue_head(&ring->wq);
	memcpy(ring->name, c->name, sizeof(ring->name));
	ring->persistent = c->flags & MYC_CREATE_PERSISTENT;
	ring->lossless = c->flags & MYC_CREATE_LOSSLESS;
	ring->uid = current_fsuid();
	ring->gid = current_fsgid();
	ring->mode = c->mode;
	ring->capacity = cap;
	ring->max_frame = max_frame;
	ring->max_producers = c->max_producers;
	ring->max_consumers = c->max_consumers;

	/* Areas in the order of the drawing in section A, page aligned. */
	prod_bytes = (u64)c->max_producers * MYC_RING_LINE;
	off_prod = 2 * PAGE_SIZE;
	off_cons = off_prod + round_up(prod_bytes, PAGE_SIZE);
	off_data = off_cons + (u64)c->max_consumers * PAGE_SIZE;
	cap_pages = cap >> PAGE_SHIFT;
	ring->off_prod = off_prod;
	ring->off_cons = off_cons;
	ring->off_data = off_data;
	ring->file_pages = (off_data >> PAGE_SHIFT) + cap_pages;
	ring->map_pages = ring->file_pages + cap_pages;

	err = myc_account_charge(ring->uid, ring->file_pages, &ring->user);
	if (err) {
		ring->user = NULL;
		goto fail;
	}
	err = -ENOMEM;
	ring->prod_used = bitmap_zalloc(c->max_producers, GFP_KERNEL_ACCOUNT);
	ring->cons_used = bitmap_zalloc(c->max_consumers, GFP_KERNEL_ACCOUNT);
	ring->pages = kvcalloc(ring->map_pages, sizeof(*ring->pages), GFP_KERNEL_ACCOUNT);
	if (!ring->prod_used || !ring->cons_used || !ring->pages)
		goto fail;
	for (i = 0; i < ring->file_pages; i++) {
		ring->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
		if (!ring->pages[i])
			goto fail;
	}
	/* The mirror: the data pages once more, so a record never wraps. */
	for (i = 0; i < cap_pages; i++)
		ring->pages[ring->file_pages + i] = ring->pages[(off_data >> PAGE_SHIFT) + i];
	ring->base = vmap(ring->pages, ring->map_pages, VM_MAP, PAGE_KERNEL);
	if (!ring->base)
		goto fail;
	ring->hdr = ring->base;
	ring->ctl = myc_ring_at(ring, PAGE_SIZE);
	myc_ring_init_layout(ring, c, off_prod, off_cons, off_data);
	trace_myc_ring_create(ring->name, cap, c->flags);
	return ring;

fail:
	myc_ring_free_pages(ring);
	bitmap_free(ring->prod_used);
	bitmap_free(ring->cons_used);
	if (ring->user)
		myc_account_uncharge(ring->user, ring->file_pages);
	kfree(ring);
	return ERR_PTR(err);
}

/* Called with myc_table_lock held (kref_put_mutex); drops it. */
static void myc_ring_release(struct kref *ref)
	__releases(&myc_table_lock)
{
	struct myc_ring *ring = container_of(ref, struct myc_ring, ref);

	if (ring->linked) {
		list_del(&ring->node);
		ring->linked = false;
	}
	mutex_unlock(&myc_table_lock);

	trace_myc_ring_destroy(ring->name);
	myc_ring_free_pages(ring);
	bitmap_free(ring->prod_used);
	bitmap_free(ring->cons_used);
	myc_account_uncharge(ring->user, ring->file_pages);
	kfree(ring);
}

void myc_ring_put(struct myc_ring *ring)
{
	kref_put_mutex(&ring->ref, myc_ring_release, &myc_table_lock);
}

static struct myc_ring *myc_find_locked(const char *name)
{
	struct myc_ring *ring;

	lockdep_assert_held(&myc_table_lock);
	list_for_each_entry(ring, &myc_table, node)
		if (!strncmp(ring->name, name, MYC_RING_NAME_MAX))
			return ring;
	return NULL;
}

struct myc_ring *myc_ring_lookup(const char *name)
{
	struct myc_ring *ring;

	mutex_lock(&myc_table_lock);
	ring = myc_find_locked(name);
	/* A ring in the table always has a reference (a file's or the
	 * table's own): release takes the lock before it unlinks.
	 */
	if (ring)
		kref_get(&ring->ref);
	mutex_unlock(&myc_table_lock);
	return ring;
}

/* Publish a new ring's name.  A persistent ring gets the table's own
 * reference, dropped by myc_ring_unlink().
 */
int myc_ring_link(struct myc_ring *ring)
{
	mutex_lock(&myc_table_lock);
	if (myc_find_locked(ring->name)) {
		mutex_unlock(&myc_table_lock);
		return -EEXIST;
	}
	list_add_tail(&ring->node, &myc_table);
	ring->linked = true;
	if (ring->persistent)
		kref_get(&ring->ref);
	mutex_unlock(&myc_table_lock);
	return 0;
}

/* Take ring (this one, not a namesake) out of the table; for a create
 * that failed after publishing the name.
 */
void myc_ring_unlink_ring(struct myc_ring *ring)
{
	bool drop;

	mutex_lock(&myc_table_lock);
	drop = ring->linked;
	if (drop) {
		list_del_init(&ring->node);
		ring->linked = false;
	}
	mutex_unlock(&myc_table_lock);
	/* The table's reference, which only persistent rings have. */
	if (drop && ring->persistent)
		myc_ring_put(ring);
}

int myc_ring_unlink(const char *name)
{
	struct myc_ring *ring;

	mutex_lock(&myc_table_lock);
	ring = myc_find_locked(name);
	if (!ring) {
		mutex_unlock(&myc_table_lock);
		return -ENOENT;
	}
	if (!ring->persistent) {
		mutex_unlock(&myc_table_lock);
		return -EINVAL;
	}
	if (!uid_eq(current_fsuid(), ring->uid) && !capable(CAP_SYS_ADMIN)) {
		mutex_unlock(&myc_table_lock);
		return -EPERM;
	}
	list_del_init(&ring->node);
	ring->linked = false;
	mutex_unlock(&myc_table_lock);
	/* The table's reference; frees the ring if no fd is open. */
	myc_ring_put(ring);
	return 0;
}
