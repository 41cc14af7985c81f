// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ring memory accounting: every ring's pages are charged to the user that
 * created it, against a per-user limit and a module-wide cap (module
 * parameters, bytes; changed at runtime through
 * /sys/module/mycelium/parameters/).  A request over either fails with
 * -ENOSPC before anything is allocated.  The pages are also allocated with
 * __GFP_ACCOUNT, so the creator's memory cgroup sees them.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/moduleparam.h>

#include "internal.h"

unsigned long myc_ring_max_bytes = 64UL << 20;
module_param_named(ring_max_bytes, myc_ring_max_bytes, ulong, 0644);
MODULE_PARM_DESC(ring_max_bytes, "largest ring data capacity in bytes (default 64 MiB)");

static unsigned long myc_user_max_bytes = 256UL << 20;
module_param_named(user_max_bytes, myc_user_max_bytes, ulong, 0644);
MODULE_PARM_DESC(user_max_bytes, "ring memory one user may hold, bytes (default 256 MiB)");

static unsigned long myc_total_max_bytes = 1024UL << 20;
module_param_named(total_max_bytes, myc_total_max_bytes, ulong, 0644);
MODULE_PARM_DESC(total_max_bytes, "ring memory of all users, bytes (default 1 GiB)");

/* One entry per user holding ring memory; freed when it drops to zero. */
struct myc_user {
	struct list_head node;
	kuid_t uid;
	unsigned long pages;
};

static DEFINE_SPINLOCK(myc_account_lock);
static LIST_HEAD(myc_users);
static unsigned long myc_total_pages;

int myc_account_charge(kuid_t uid, unsigned long pages, struct myc_user **out)
{
	struct myc_user *u, *fresh;
	int err = 0;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;
	spin_lock(&myc_account_lock);
	list_for_each_entry(u, &myc_users, node)
		if (uid_eq(u->uid, uid))
			goto found;
	u = fresh;
	fresh = NULL;
	u->uid = uid;
	list_add(&u->node, &myc_users);
found:
	/* No overflow: a ring is at most a few million pages. */
	if (u->pages + pages > READ_ONCE(myc_user_max_bytes) >> PAGE_SHIFT ||
	    myc_total_pages + pages > READ_ONCE(myc_total_max_bytes) >> PAGE_SHIFT) {
		err = -ENOSPC;
		if (!u->pages) {
			list_del(&u->node);
			fresh = u;	/* freed below */
		}
	} else {
		u->pages += pages;
		myc_total_pages += pages;
		*out = u;
	}
	spin_unlock(&myc_account_lock);
	kfree(fresh);
	return err;
}

void myc_account_uncharge(struct myc_user *u, unsigned long pages)
{
	bool gone;

	spin_lock(&myc_account_lock);
	WARN_ON_ONCE(u->pages < pages || myc_total_pages < pages);
	u->pages -= pages;
	myc_total_pages -= pages;
	gone = !u->pages;
	if (gone)
		list_del(&u->node);
	spin_unlock(&myc_account_lock);
	if (gone)
		kfree(u);
}

/* For the debugfs summary and the module-exit leak check. */
unsigned long myc_account_total_pages(void)
{
	return READ_ONCE(myc_total_pages);
}
