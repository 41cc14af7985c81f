// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/mycelium/rings: one line per ring and one indented
 * line per active consumer, for "myc stat" and operators (the same numbers
 * as MYC_IOC_INFO / MYC_IOC_STATS).  Lines starting with '#' are headers.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "internal.h"

static struct dentry *myc_dbg_dir;

static void myc_show_ring(struct seq_file *m, struct myc_ring *ring)
{
	u64 head = READ_ONCE(ring->ctl->head_pos), c;
	u32 j;

	seq_printf(m, "%s cap=%llu %s%s%s uid=%u gid=%u mode=%03o prod=%u cons=%u head=%llu seq=%llu wakeups=%lld waits=%lld peer_deaths=%lld recovered=%lld writes=%lld write_errors=%lld overruns=%lld\n",
		   ring->name, ring->capacity, ring->lossless ? "lossless" : "lossy",
		   ring->persistent ? " persistent" : "",
		   ring->persistent && !ring->linked ? " unlinked" : "",
		   from_kuid_munged(&init_user_ns, ring->uid),
		   from_kgid_munged(&init_user_ns, ring->gid), ring->mode,
		   ring->nr_producers, ring->nr_consumers, head,
		   READ_ONCE(ring->ctl->head_seq) & MYC_RING_SEQ_MASK,
		   atomic64_read(&ring->st_wakeups), atomic64_read(&ring->st_waits),
		   atomic64_read(&ring->st_peer_deaths), atomic64_read(&ring->st_recovered),
		   atomic64_read(&ring->st_writes), atomic64_read(&ring->st_write_errors),
		   atomic64_read(&ring->st_overruns));
	spin_lock(&ring->lock);
	for_each_set_bit(j, ring->cons_used, ring->max_consumers) {
		struct myc_ring_cons *cp = myc_ring_cons(ring, j);

		c = READ_ONCE(cp->cursor);
		seq_printf(m, "  consumer %u pid=%u cursor=%llu lag=%llu delivered=%llu lost=%llu overruns=%llu\n",
			   j, READ_ONCE(cp->pid), c, c < head ? head - c : 0,
			   READ_ONCE(cp->delivered), READ_ONCE(cp->lost),
			   READ_ONCE(cp->overruns));
	}
	spin_unlock(&ring->lock);
}

static int rings_show(struct seq_file *m, void *v)
{
	struct myc_ring *ring;

	seq_puts(m, "# name cap policy [persistent] owner mode producers consumers head seq counters\n");
	seq_printf(m, "# ring memory: %lu pages\n", myc_account_total_pages());
	/* The table lock keeps every listed ring alive (release takes it). */
	mutex_lock(&myc_table_lock);
	list_for_each_entry(ring, &myc_table, node)
		myc_show_ring(m, ring);
	mutex_unlock(&myc_table_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rings);

void myc_debugfs_init(void)
{
	/* debugfs is optional: errors leave the module fully functional. */
	myc_dbg_dir = debugfs_create_dir("mycelium", NULL);
	debugfs_create_file("rings", 0444, myc_dbg_dir, NULL, &rings_fops);
}

void myc_debugfs_exit(void)
{
	debugfs_remove_recursive(myc_dbg_dir);
}
