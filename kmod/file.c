// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ring fds: one open ring in one role.  mmap (producer read-write,
 * consumer read-only plus its own page), poll/epoll, the ring ioctls
 * (INFO, STATS, WAIT, WAKE, EVENTS), write() of one frame, and release,
 * which is where peer death is handled: a producer's claim is finished and
 * every consumer gets MYC_EVENT_PRODUCER_GONE; a consumer's page is freed.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/hrtimer.h>
#include <linux/cred.h>

#include "internal.h"
#include "trace.h"

static const struct file_operations myc_ring_fops;

/* ---- mmap ------------------------------------------------------------- */

static vm_fault_t myc_vm_fault(struct vm_fault *vmf)
{
	struct myc_rfile *rf = vmf->vma->vm_file->private_data;
	struct myc_ring *ring = rf->ring;

	/* mmap bounded the vma; a fault past it cannot happen (DONTEXPAND). */
	if (vmf->pgoff >= ring->map_pages)
		return VM_FAULT_SIGBUS;
	vmf->page = ring->pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct myc_vm_ops = {
	.fault = myc_vm_fault,
};

static int myc_ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct myc_rfile *rf = file->private_data;
	struct myc_ring *ring = rf->ring;
	unsigned long pgoff = vma->vm_pgoff, npages = vma_pages(vma);
	unsigned long own = (ring->off_cons >> PAGE_SHIFT) + rf->slot;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;	/* a private copy of a ring is meaningless */
	if (pgoff >= ring->map_pages || npages > ring->map_pages - pgoff)
		return -EINVAL;
	if (rf->role == MYC_ROLE_CONSUMER && !(pgoff == own && npages == 1)) {
		/* Everything but its own page is read-only for a consumer,
		 * and stays so: mprotect(PROT_WRITE) needs VM_MAYWRITE.
		 */
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		myc_vm_flags_clear(vma, VM_MAYWRITE);
	}
	myc_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &myc_vm_ops;
	return 0;
}

/* ---- poll --------------------------------------------------------------- */

/*
 * Consumer: EPOLLIN when a record is ready at its cursor, EPOLLPRI while an
 * event is pending (producer gone).  A poller that finds nothing announces
 * itself as a waiter (so producers know to wake) until a later poll finds
 * data or the fd is released; this is exact for poll() and level-triggered
 * epoll (edge-triggered users should sleep in MYC_IOC_WAIT instead).
 * Producer: always writable.
 */
static __poll_t myc_ring_poll(struct file *file, poll_table *pt)
{
	struct myc_rfile *rf = file->private_data;
	struct myc_ring *ring = rf->ring;
	__poll_t mask = 0;
	bool ready;

	poll_wait(file, &ring->wq, pt);
	if (rf->role == MYC_ROLE_PRODUCER)
		return EPOLLOUT | EPOLLWRNORM;
	if (atomic_read(&rf->events))
		mask |= EPOLLPRI;
	ready = myc_cons_readable(ring, rf->slot);
	spin_lock(&ring->lock);
	if (!ready && !rf->armed) {
		rf->armed = true;
		myc_waiter_add(ring, 1);
		/* Announced: re-check, a commit may have slipped in before. */
		ready = myc_cons_readable(ring, rf->slot);
	}
	if (ready && rf->armed) {
		rf->armed = false;
		myc_waiter_add(ring, -1);
	}
	spin_unlock(&ring->lock);
	if (ready)
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/* ---- ioctls ------------------------------------------------------------- */

static u64 myc_sum_cons(struct myc_ring *ring, size_t field, u64 *min_cursor)
{
	u64 sum = 0, c;
	u32 j;

	spin_lock(&ring->lock);
	for_each_set_bit(j, ring->cons_used, ring->max_consumers) {
		struct myc_ring_cons *cp = myc_ring_cons(ring, j);

		sum += READ_ONCE(*(u64 *)((char *)cp + field));
		c = READ_ONCE(cp->cursor);
		if (min_cursor && c < *min_cursor)
			*min_cursor = c;
	}
	spin_unlock(&ring->lock);
	return sum;
}

static long myc_ioc_info(struct myc_rfile *rf, void __user *arg)
{
	struct myc_ring *ring = rf->ring;
	struct myc_ioc_info in;
	u64 pos, seq;
	int err;

	err = myc_copy_arg(&in, sizeof(in), MYC_INFO_SIZE_VER0, arg);
	if (err)
		return err;
	/* Output fields must come in zero too: nothing is passed in but
	 * the size, so "reserved must be zero" covers the whole struct.
	 */
	if (!myc_all_zero((char *)&in + sizeof(in.size), sizeof(in) - sizeof(in.size)))
		return -EINVAL;
	myc_head_load(ring, &pos, &seq);
	in.flags = (ring->lossless ? MYC_CREATE_LOSSLESS : 0) |
		   (ring->persistent ? MYC_CREATE_PERSISTENT : 0) |
		   (ring->persistent && !READ_ONCE(ring->linked) ? MYC_INFO_UNLINKED : 0);
	in.role = rf->role;
	in.slot = rf->slot;
	in.capacity = ring->capacity;
	in.map_size = (u64)ring->map_pages << PAGE_SHIFT;
	in.max_frame = ring->max_frame;
	in.max_producers = ring->max_producers;
	in.max_consumers = ring->max_consumers;
	in.mode = ring->mode;
	in.uid = from_kuid_munged(current_user_ns(), ring->uid);
	in.gid = from_kgid_munged(current_user_ns(), ring->gid);
	in.producers = READ_ONCE(ring->nr_producers);
	in.consumers = READ_ONCE(ring->nr_consumers);
	in.head_pos = pos;
	in.head_seq = seq & MYC_RING_SEQ_MASK;
	in.min_cursor = pos;
	in.overruns = myc_sum_cons(ring, offsetof(struct myc_ring_cons, overruns), &in.min_cursor) +
		      atomic64_read(&ring->st_overruns);
	in.lost = myc_sum_cons(ring, offsetof(struct myc_ring_cons, lost), NULL);
	in.wakeups = atomic64_read(&ring->st_wakeups);
	in.waits = atomic64_read(&ring->st_waits);
	in.peer_deaths = atomic64_read(&ring->st_peer_deaths);
	in.recovered = atomic64_read(&ring->st_recovered);
	in.writes = atomic64_read(&ring->st_writes);
	in.write_errors = atomic64_read(&ring->st_write_errors);
	in.events = atomic_read(&rf->events);
	memcpy(in.name, ring->name, sizeof(in.name));
	return myc_copy_out(arg, &in, in.size);
}

static long myc_ioc_stats(struct myc_rfile *rf, void __user *arg)
{
	struct myc_ring *ring = rf->ring;
	struct myc_ioc_cons_stat __user *out;
	struct myc_ioc_cons_stat st;
	struct myc_ioc_stats in;
	u32 j, n = 0, active = 0;
	u64 head;
	int err;

	err = myc_copy_arg(&in, sizeof(in), MYC_STATS_SIZE_VER0, arg);
	if (err)
		return err;
	if (in.flags || !myc_all_zero(in.resv, sizeof(in.resv)) ||
	    in.stride != sizeof(st) || (in.nr && !in.cons))
		return -EINVAL;
	out = u64_to_user_ptr(in.cons);
	head = READ_ONCE(ring->ctl->head_pos);
	/* The bitmap may change while we copy (we cannot hold the spinlock
	 * across copy_to_user); a consumer that comes or goes meanwhile is
	 * reported or not, either is a true picture of some moment.
	 */
	for (j = 0; j < ring->max_consumers; j++) {
		struct myc_ring_cons *cp = myc_ring_cons(ring, j);

		if (!test_bit(j, ring->cons_used))
			continue;
		active++;
		if (n >= in.nr)
			continue;
		memset(&st, 0, sizeof(st));
		st.slot = j;
		st.pid = READ_ONCE(cp->pid);
		st.cursor = READ_ONCE(cp->cursor);
		st.lag = st.cursor < head ? head - st.cursor : 0;
		st.delivered = READ_ONCE(cp->delivered);
		st.lost = READ_ONCE(cp->lost);
		st.overruns = READ_ONCE(cp->overruns);
		if (copy_to_user(&out[n], &st, sizeof(st)))
			return -EFAULT;
		n++;
	}
	in.nr = active;
	return myc_copy_out(arg, &in, in.size);
}

static long myc_ioc_wait(struct myc_rfile *rf, void __user *arg)
{
	struct myc_ring *ring = rf->ring;
	bool cons = rf->role == MYC_ROLE_CONSUMER;
	struct myc_ioc_wait in;
	long ret;
	u64 gen;
	int err;

	err = myc_copy_arg(&in, sizeof(in), MYC_WAIT_SIZE_VER0, arg);
	if (err)
		return err;
	if (in.flags & ~MYC_WAIT_KNOWN || in.resv0 || !myc_all_zero(in.resv, sizeof(in.resv)))
		return -EINVAL;
	if (in.flags & MYC_WAIT_TIMEOUT && in.timeout_ns > (u64)KTIME_MAX)
		return -EINVAL;

	/* The consumer's half of the Dekker pair: announce, then check.  A
	 * wake-up takes the announcement back; a sleeper that goes back to
	 * sleep (spurious wake) announces itself again before its check.
	 */
	gen = myc_announce(ring);
#define MYC_WAIT_READY() (READ_ONCE(ring->ctl->futex) != in.expected ||			\
			 (cons && (atomic_read(&rf->events) || myc_cons_readable(ring, rf->slot))))
#define MYC_WAIT_DONE() (MYC_WAIT_READY() ||						\
			 (READ_ONCE(ring->wake_gen) != gen &&				\
			  ((gen = myc_announce(ring)), MYC_WAIT_READY())))
	if (READ_ONCE(ring->ctl->futex) != in.expected) {
		ret = -EAGAIN;
	} else if (MYC_WAIT_DONE()) {
		ret = 0;
	} else {
		atomic64_inc(&ring->st_waits);
		if (in.flags & MYC_WAIT_TIMEOUT)
			ret = wait_event_interruptible_hrtimeout(ring->wq, MYC_WAIT_DONE(),
								 ns_to_ktime(in.timeout_ns));
		else
			ret = wait_event_interruptible(ring->wq, MYC_WAIT_DONE());
		if (ret == -ERESTARTSYS)
			ret = -EINTR;	/* a timed wait must not restart */
		else if (ret == -ETIME)
			ret = -ETIMEDOUT;
	}
#undef MYC_WAIT_DONE
#undef MYC_WAIT_READY
	myc_withdraw(ring, gen);
	if (!ret && cons && atomic_read(&rf->events))
		ret = MYC_WAIT_EVENT;
	return ret;
}

static long myc_ioc_wake(struct myc_rfile *rf, void __user *arg)
{
	struct myc_ring *ring = rf->ring;
	struct myc_ioc_wake in;
	int err;

	err = myc_copy_arg(&in, sizeof(in), MYC_WAKE_SIZE_VER0, arg);
	if (err)
		return err;
	if (in.flags || !myc_all_zero(in.resv, sizeof(in.resv)))
		return -EINVAL;
	/* Wake only when a waiter announced itself. */
	return myc_wake_all(ring);
}

static long myc_ioc_events(struct myc_rfile *rf, void __user *arg)
{
	struct myc_ioc_events in;
	int err;

	err = myc_copy_arg(&in, sizeof(in), MYC_EVENTS_SIZE_VER0, arg);
	if (err)
		return err;
	if (in.flags || in.events || in.resv0 || !myc_all_zero(in.resv, sizeof(in.resv)))
		return -EINVAL;
	in.events = atomic_xchg(&rf->events, 0);
	return myc_copy_out(arg, &in, in.size);
}

static long myc_ring_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct myc_rfile *rf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MYC_IOC_INFO:
		return myc_ioc_info(rf, uarg);
	case MYC_IOC_STATS:
		return myc_ioc_stats(rf, uarg);
	case MYC_IOC_WAIT:
		return myc_ioc_wait(rf, uarg);
	case MYC_IOC_WAKE:
		return myc_ioc_wake(rf, uarg);
	case MYC_IOC_EVENTS:
		return myc_ioc_events(rf, uarg);
	}
	return -ENOTTY;
}

/* ---- write, release ----------------------------------------------------- */

static ssize_t myc_ring_write_fop(struct file *file, const char __user *buf, size_t count,
				  loff_t *ppos)
{
	struct myc_rfile *rf = file->private_data;
	ssize_t ret;

	if (rf->role != MYC_ROLE_PRODUCER)
		return -EBADF;
	ret = myc_ring_write(rf, buf, count);
	if (ret < 0)
		atomic64_inc(&rf->ring->st_write_errors);
	return ret;
}

static int myc_ring_release(struct inode *inode, struct file *file)
{
	struct myc_rfile *rf = file->private_data;
	struct myc_ring *ring = rf->ring;
	struct myc_rfile *c;
	bool padded = false;

	if (rf->role == MYC_ROLE_PRODUCER) {
		/* Serialise with kernel-routed writes of the other fds. */
		mutex_lock(&ring->write_lock);
		padded = myc_prod_recover(ring, rf->slot);
		mutex_unlock(&ring->write_lock);
		spin_lock(&ring->lock);
		clear_bit(rf->slot, ring->prod_used);
		ring->nr_producers--;
		list_for_each_entry(c, &ring->cons_files, node)
			atomic_or(MYC_EVENT_PRODUCER_GONE, &c->events);
		spin_unlock(&ring->lock);
		atomic64_inc(&ring->st_peer_deaths);
		if (padded)
			atomic64_inc(&ring->st_recovered);
		trace_myc_peer_death(ring->name, rf->role, rf->slot, padded);
		/* Every consumer hears about it at once: poll (EPOLLPRI) and
		 * WAIT sleepers alike.  A padded claim also made data ready.
		 */
		if (padded)
			atomic_inc((atomic_t *)&ring->ctl->futex);
		wake_up_all(&ring->wq);
	} else {
		spin_lock(&ring->lock);
		if (rf->armed)
			myc_waiter_add(ring, -1);
		list_del(&rf->node);
		myc_cons_detach(ring, rf->slot);
		clear_bit(rf->slot, ring->cons_used);
		ring->nr_consumers--;
		spin_unlock(&ring->lock);
		trace_myc_peer_death(ring->name, rf->role, rf->slot, false);
	}
	myc_ring_put(ring);
	kfree(rf);
	return 0;
}

static const struct file_operations myc_ring_fops = {
	.owner = THIS_MODULE,
	.mmap = myc_ring_mmap,
	.poll = myc_ring_poll,
	.unlocked_ioctl = myc_ring_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.write = myc_ring_write_fop,
	.release = myc_ring_release,
	.llseek = noop_llseek,
};

/*
 * Give the caller a new fd for ring in role.  Consumes the caller's ring
 * reference on success; on failure the caller still owns it.
 */
int myc_rfile_install(struct myc_ring *ring, u32 role, u32 oflags)
{
	unsigned long *used = role == MYC_ROLE_PRODUCER ? ring->prod_used : ring->cons_used;
	u32 max = role == MYC_ROLE_PRODUCER ? ring->max_producers : ring->max_consumers;
	struct myc_rfile *rf;
	struct file *file;
	int fd, flags = O_RDWR;
	u32 slot;

	if (oflags & MYC_CREATE_CLOEXEC)
		flags |= O_CLOEXEC;
	if (oflags & MYC_CREATE_NONBLOCK)
		flags |= O_NONBLOCK;
	rf = kzalloc(sizeof(*rf), GFP_KERNEL_ACCOUNT);
	if (!rf)
		return -ENOMEM;
	rf->ring = ring;
	rf->role = role;
	INIT_LIST_HEAD(&rf->node);

	fd = get_unused_fd_flags(flags);
	if (fd < 0) {
		kfree(rf);
		return fd;
	}
	spin_lock(&ring->lock);
	slot = find_first_zero_bit(used, max);
	if (slot >= max) {
		spin_unlock(&ring->lock);
		put_unused_fd(fd);
		kfree(rf);
		return -EBUSY;
	}
	set_bit(slot, used);
	rf->slot = slot;
	if (role == MYC_ROLE_PRODUCER)
		ring->nr_producers++;
	else
		ring->nr_consumers++;
	spin_unlock(&ring->lock);

	/* The slot's memory is ours now; initialise it outside the lock. */
	if (role == MYC_ROLE_PRODUCER)
		myc_prod_attach(ring, slot);
	else
		myc_cons_attach(ring, slot);

	file = anon_inode_getfile("[mycelium]", &myc_ring_fops, rf, flags);
	if (IS_ERR(file)) {
		spin_lock(&ring->lock);
		if (role == MYC_ROLE_PRODUCER) {
			myc_prod_recover(ring, slot);
			ring->nr_producers--;
		} else {
			myc_cons_detach(ring, slot);
			ring->nr_consumers--;
		}
		clear_bit(slot, used);
		spin_unlock(&ring->lock);
		put_unused_fd(fd);
		kfree(rf);
		return PTR_ERR(file);
	}
	if (role == MYC_ROLE_CONSUMER) {
		spin_lock(&ring->lock);
		list_add_tail(&rf->node, &ring->cons_files);
		spin_unlock(&ring->lock);
	}
	fd_install(fd, file);
	return fd;
}
