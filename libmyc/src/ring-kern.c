// SPDX-License-Identifier: MIT
/*
 * Kernel mode: rings owned by the mycelium module (/dev/mycelium,
 * docs/uapi.md "Using a ring fd from libmyc").  Same layout and the same
 * claim/commit/read code (ring-io.c) as pure userspace mode; what this
 * backend changes is where the ring comes from and who handles sleeping,
 * liveness and recovery:
 *
 *   create/open   MYC_IOC_CREATE / MYC_IOC_OPEN give one ring fd per handle
 *   map           one mmap of [0, map_size) (the kernel mirrors the data);
 *                 a consumer maps it read-only and then its own page
 *                 read-write over it
 *   sleep/wake    MYC_IOC_WAIT / MYC_IOC_WAKE on the ring fd
 *   dead peers    nothing to do: the kernel pads a dead producer's claim and
 *                 frees a dead consumer's page when the fd is released
 *   free          munmap + close; the kernel frees the ring with its last fd
 *
 *   consumer's view (kernel mode)
 *   +------+------+--------+--------+--------+-----+--------------------+
 *   | hdr  | ctl  | prod[] | cons 0 | cons j | ... | data | data again  |
 *   +------+------+--------+--------+--------+-----+--------------------+
 *     r/o    r/o    r/o      r/o      r/w (own) r/o   r/o
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ring.h"

#define KERN_STATS_FILE		"/sys/kernel/debug/mycelium/rings"

/* An ioctl that fails with errno turned into -errno. */
static int kioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

/* The kernel's "slots taken" is EBUSY; the API promises EUSERS. */
static int map_open_err(int err)
{
	return err == -EBUSY ? -EUSERS : err;
}

static int kern_create(int dev, const char *name, uint32_t role,
		       const struct myc_ring_opts *o)
{
	struct myc_ioc_create c = {
		.size = sizeof(c),
		.flags = MYC_CREATE_CLOEXEC |
			 (o->policy == MYC_LOSSLESS ? MYC_CREATE_LOSSLESS : 0),
		.capacity = o->capacity,
		.max_frame = o->max_frame,
		.max_producers = o->max_producers,
		.max_consumers = o->max_consumers,
		.mode = o->mode,
		.role = role,
	};

	if (o->digest)
		memcpy(c.digest, o->digest, sizeof(c.digest));
	snprintf(c.name, sizeof(c.name), "%s", name);
	return map_open_err(kioctl(dev, MYC_IOC_CREATE, &c));
}

static int kern_open_fd(int dev, const char *name, uint32_t role)
{
	struct myc_ioc_open op = {
		.size = sizeof(op), .flags = MYC_OPEN_CLOEXEC, .role = role,
	};

	snprintf(op.name, sizeof(op.name), "%s", name);
	return map_open_err(kioctl(dev, MYC_IOC_OPEN, &op));
}

/*
 * The ring fd for @name.  CREATE without EXCL: open, else create, and open
 * again if someone created it in between.  An inspect handle (no role) is
 * a producer fd whose slot libmyc never uses: producer fds hold nobody back
 * (a consumer fd would hold lossless producers).
 */
static int kern_get_fd(const char *name, uint32_t flags, uint32_t role,
		       const struct myc_ring_opts *o)
{
	int dev, fd = -ENOENT, tries;

	dev = open(MYC_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	for (tries = 0; tries < 100; tries++) {
		if (!(flags & MYC_RING_EXCL)) {
			fd = kern_open_fd(dev, name, role);
			if (fd != -ENOENT || !(flags & MYC_RING_CREATE))
				break;
		}
		fd = kern_create(dev, name, role, o);
		if (fd != -EEXIST || (flags & MYC_RING_EXCL))
			break;
	}
	close(dev);
	return fd;
}

/* Read the header through a private read-only mapping and validate it. */
static int kern_read_hdr(struct myc_ring *r, const struct myc_ioc_info *in,
			 const char *name)
{
	void *hp;

	hp = mmap(NULL, sizeof(r->hdr), PROT_READ, MAP_SHARED, r->fd, 0);
	if (hp == MAP_FAILED)
		return -errno;
	memcpy(&r->hdr, hp, sizeof(r->hdr));
	r->hdr.magic = ld_acq(&((struct myc_ring_hdr *)hp)->magic);
	munmap(hp, sizeof(r->hdr));
	if (in->map_size < in->capacity || r->hdr.capacity != in->capacity ||
	    r->hdr.map_size != in->map_size)
		return -MYC_E_CORRUPT;
	return ring_hdr_validate(&r->hdr, in->map_size - in->capacity, name,
				 true);
}

/* One mapping; a consumer's own page is remapped writable over it. */
static int kern_map(struct myc_ring *r, bool writable)
{
	uint64_t own;
	void *p;

	/* MAP_POPULATE: no page fault on the first touch of each page. */
	p = mmap(NULL, r->hdr.map_size, PROT_READ | (writable ? PROT_WRITE : 0),
		 MAP_SHARED | MAP_POPULATE, r->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->base = p;
	if (r->role != MYC_RING_CONSUMER)
		return 0;
	own = r->hdr.off_cons + (uint64_t)r->slot * r->hdr.page_size;
	p = mmap(r->base + own, r->hdr.page_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, r->fd, (off_t)own);
	return p == MAP_FAILED ? -errno : 0;
}

static int kern_open(struct myc_ring *r, const char *name, uint32_t flags,
		     const struct myc_ring_opts *o)
{
	struct myc_ioc_info in = { .size = sizeof(in) };
	uint32_t role = r->role == MYC_RING_CONSUMER ? MYC_ROLE_CONSUMER :
							MYC_ROLE_PRODUCER;
	struct myc_ring_cons *c;
	int err;

	err = kern_get_fd(name, flags, role, o);
	if (err < 0)
		return err;
	r->fd = err;
	err = kioctl(r->fd, MYC_IOC_INFO, &in);
	if (err)
		return err;
	if (in.slot >= (role == MYC_ROLE_CONSUMER ? in.max_consumers :
						    in.max_producers))
		return -MYC_E_CORRUPT;
	r->slot = (int)in.slot;
	err = kern_read_hdr(r, &in, name);
	if (!err)
		err = ring_digest_check(r, o);
	if (!err)
		err = kern_map(r, role == MYC_ROLE_PRODUCER);
	if (err)
		return err;
	ring_setup(r);
	/* The kernel initialised our slot or page when it gave us the fd:
	 * a producer slot IDLE, a consumer page ACTIVE at the head. */
	if (r->role == MYC_RING_PRODUCER) {
		r->prod = ring_prod(r, in.slot);
	} else if (r->role == MYC_RING_CONSUMER) {
		c = ring_cons(r, in.slot);
		r->cons = c;
		r->cursor = ld_acq(&c->cursor);
		r->seq = ld_rlx(&c->seq);
		r->head_cache = r->cursor;
		r->need_head = true;	/* cursor came from the head */
		r->published = r->cursor;
	}
	return 0;
}

static void kern_close(struct myc_ring *r)
{
	/* The kernel finishes everything on release: a producer's slot (and
	 * any claim) or a consumer's page. */
	if (r->base)
		munmap(r->base, r->hdr.map_size);
	if (r->fd >= 0)
		close(r->fd);
}

/* Clear pending events (a producer fd was released) so WAIT sleeps again;
 * the kernel already padded whatever that producer left. */
static void kern_clear_events(struct myc_ring *r)
{
	struct myc_ioc_events ev = { .size = sizeof(ev) };

	kioctl(r->fd, MYC_IOC_EVENTS, &ev);
	r->syscalls++;
}

static void kern_wait(struct myc_ring *r, uint32_t val, int64_t ns)
{
	struct myc_ioc_wait w = { .size = sizeof(w), .expected = val };

	if (ns >= 0) {
		w.flags = MYC_WAIT_TIMEOUT;
		w.timeout_ns = (uint64_t)ns;
	}
	r->syscalls++;
	if (kioctl(r->fd, MYC_IOC_WAIT, &w) == MYC_WAIT_EVENT)
		kern_clear_events(r);
}

static void kern_wake(struct myc_ring *r)
{
	struct myc_ioc_wake w = { .size = sizeof(w) };

	kioctl(r->fd, MYC_IOC_WAKE, &w);
	r->syscalls++;
}

/* The kernel recovers dead peers when their fd is released: a slot that
 * is not FREE belongs to a live fd, and is never ours to recover. */
static bool kern_owner_dead(struct myc_ring *r, uint64_t lock_off)
{
	(void)r;
	(void)lock_off;
	return false;
}

static void kern_info(struct myc_ring *r, struct myc_ring_info *out)
{
	struct myc_ioc_info in = { .size = sizeof(in) };

	out->mode = MYC_RING_MODE_KERNEL;
	if (kioctl(r->fd, MYC_IOC_INFO, &in))
		return;
	/* Open fds per role, without our own inspect fd. */
	out->producers = in.producers - (r->role ? 0 : 1);
	out->consumers = in.consumers;
	out->waits = in.waits;
	out->peer_deaths = in.peer_deaths;
}

/*
 * Ring names from the module's statistics file: one line per ring starting
 * with its name, indented lines per consumer, '#' headers.
 */
static int kern_list(int (*fn)(const char *name, void *ctx), void *ctx)
{
	char *line = NULL, name[MYC_RING_NAME_MAX];
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	f = fopen(KERN_STATS_FILE, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		size_t n = strcspn(line, " \n");

		if (line[0] == '#' || line[0] == ' ' || !n || n >= sizeof(name))
			continue;
		memcpy(name, line, n);
		name[n] = 0;
		if (!ring_name_ok(name))
			continue;
		ret = fn(name, ctx);
		if (ret)
			break;
	}
	free(line);
	fclose(f);
	return ret;
}

const struct ring_ops ring_kern_ops = {
	.open = kern_open,
	.close = kern_close,
	.wait = kern_wait,
	.wake = kern_wake,
	.owner_dead = kern_owner_dead,
	.info = kern_info,
	.list = kern_list,
};
