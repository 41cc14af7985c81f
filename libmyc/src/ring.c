// SPDX-License-Identifier: MIT
/*
 * Shared-memory rings: the mode switch, what both modes share (names,
 * options, header validation, info), and the pure userspace mode backend
 * (docs/ring-format.md).
 *
 * The layout is section A of <linux/mycelium.h>; this file creates, opens,
 * validates and maps userspace-mode rings, and holds their lifetime and
 * liveness logic (OFD locks).  Kernel mode (/dev/mycelium) is ring-kern.c;
 * the claim/commit/read protocol, the same for both, is in ring-io.c.
 *
 *   /dev/shm/myc.<name>
 *   +--------+--------+-----------+--------+-----+---------------+
 *   | hdr    | ctl    | prod[]    | cons 0 | ... | data (cap)    |  file
 *   +--------+--------+-----------+--------+-----+---------------+
 *   | same bytes as above, mapped once            | data again    |  mapping
 *   +---------------------------------------------+---------------+
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring.h"

#define RING_DIR		"/dev/shm"
#define RING_PREFIX		"myc."
#define RING_DEF_CAP		(1u << 20)
#define RING_DEF_PRODUCERS	8u
#define RING_DEF_CONSUMERS	8u
#define RING_DEF_SPIN_NS	50000u
#define RING_LOCK_BASE		(1ULL << 40)	/* far past any ring file */
#define RING_OFF_LIMIT		(1ULL << 48)	/* bound for offsets/sizes */

_Static_assert(sizeof(struct myc_ring_ctl) == 5 * MYC_RING_LINE, "ctl lines");
_Static_assert(sizeof(struct myc_ring_prod) == MYC_RING_LINE, "prod slot");
_Static_assert(sizeof(struct myc_ring_cons) == 2 * MYC_RING_LINE, "cons page");
_Static_assert(offsetof(struct myc_ring_ctl, futex) == MYC_RING_LINE, "futex");
_Static_assert(offsetof(struct myc_ring_ctl, limit) == 2 * MYC_RING_LINE, "lim");
_Static_assert(offsetof(struct myc_ring_ctl, bound) == 4 * MYC_RING_LINE, "bound");
_Static_assert(sizeof(struct myc_ring_hdr) % 8 == 0, "hdr size");

bool ring_name_ok(const char *name)
{
	size_t i, n;

	if (!name)
		return 0;
	n = strlen(name);
	if (n == 0 || n >= MYC_RING_NAME_MAX || name[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void ring_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s%s", RING_DIR, RING_PREFIX, name);
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Largest frame len a ring of @cap bytes can hold: its span plus the guard
 * must fit in half the data area (the mirror covers the rest). */
static uint32_t max_frame_for(uint64_t cap)
{
	uint64_t m = cap / 2 - MYC_RING_GUARD;

	return m > MYC_FRAME_MAX ? MYC_FRAME_MAX : (uint32_t)m;
}

/*
 * Check a header copied out of shared memory before anything in it is used.
 * @size is the object's real size (userspace: the file's; kernel: what
 * MYC_IOC_INFO says backs the ring).  Every offset and size is bounded
 * first, so the sums below cannot overflow.  The two modes differ only in
 * the kernel flag and the liveness lock base (none in kernel mode).
 */
int ring_hdr_validate(const struct myc_ring_hdr *h, uint64_t size,
		      const char *name, bool kernel)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), end;
	size_t i;

	if (h->magic != MYC_RING_MAGIC)
		return -MYC_E_CORRUPT;
	if (h->version != MYC_RING_VERSION)
		return -MYC_E_VERSION;
	if (h->hdr_size != sizeof(*h) || h->page_size != page ||
	    (h->flags & ~MYC_RING_HF_KNOWN) ||
	    !(h->flags & MYC_RING_HF_KERNEL) != !kernel ||
	    h->resv0)
		return -MYC_E_CORRUPT;
	for (i = 0; i < sizeof(h->resv) / sizeof(h->resv[0]); i++)
		if (h->resv[i])
			return -MYC_E_CORRUPT;
	if (h->capacity < MYC_RING_CAP_MIN || h->capacity > MYC_RING_CAP_MAX ||
	    (h->capacity & (h->capacity - 1)) || h->capacity % page)
		return -MYC_E_CORRUPT;
	if (h->max_frame <= MYC_FRAME_HDR_SIZE ||
	    h->max_frame > max_frame_for(h->capacity))
		return -MYC_E_CORRUPT;
	if (!h->max_producers || h->max_producers > MYC_RING_MAX_PRODUCERS ||
	    !h->max_consumers || h->max_consumers > MYC_RING_MAX_CONSUMERS ||
	    h->prod_stride < sizeof(struct myc_ring_prod) ||
	    h->prod_stride % MYC_RING_LINE || h->prod_stride > page)
		return -MYC_E_CORRUPT;
	if (h->off_ctl >= RING_OFF_LIMIT || h->off_prod >= RING_OFF_LIMIT ||
	    h->off_cons >= RING_OFF_LIMIT || h->off_data >= RING_OFF_LIMIT ||
	    h->file_size >= RING_OFF_LIMIT || h->map_size >= RING_OFF_LIMIT)
		return -MYC_E_CORRUPT;
	if (h->off_ctl < page || h->off_ctl % page ||
	    h->off_ctl + sizeof(struct myc_ring_ctl) > h->off_prod ||
	    h->off_prod % MYC_RING_LINE)
		return -MYC_E_CORRUPT;
	end = h->off_prod + (uint64_t)h->max_producers * h->prod_stride;
	if (end > h->off_cons || h->off_cons % page)
		return -MYC_E_CORRUPT;
	end = h->off_cons + (uint64_t)h->max_consumers * page;
	if (end > h->off_data || h->off_data % page)
		return -MYC_E_CORRUPT;
	if (h->file_size != h->off_data + h->capacity || h->file_size != size ||
	    h->map_size != h->file_size + h->capacity)
		return -MYC_E_CORRUPT;
	/* Liveness locks must be where every user of the ring takes them. */
	if (h->lock_base != (kernel ? 0 : RING_LOCK_BASE))
		return -MYC_E_CORRUPT;
	if (memchr(h->name, 0, sizeof(h->name)) == NULL ||
	    (name && strcmp(h->name, name)))
		return -MYC_E_CORRUPT;
	for (i = strlen(h->name); i < sizeof(h->name); i++)
		if (h->name[i])		/* the tail is padding: zero */
			return -MYC_E_CORRUPT;
	return 0;
}

/*
 * Map the whole ring with the data area twice.  Returns the base or NULL.
 * MAP_POPULATE: every page is mapped now, not on the first lap's first
 * touch of each (a page fault costs microseconds, on both sides).
 */
static void *map_ring(int fd, const struct myc_ring_hdr *h)
{
	uint8_t *base, *p;

	base = mmap(NULL, h->map_size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	p = mmap(base, h->file_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	p = mmap(base + h->file_size, h->capacity, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, (off_t)h->off_data);
	if (p == MAP_FAILED)
		goto fail;
	return base;
fail:
	munmap(base, h->map_size);
	return NULL;
}

static int opts_check(const struct myc_ring_opts *o, struct myc_ring_opts *out)
{
	struct myc_ring_opts d = {
		.sz = sizeof(d), .policy = MYC_LOSSY, .mode = 0600,
		.capacity = RING_DEF_CAP, .max_producers = RING_DEF_PRODUCERS,
		.max_consumers = RING_DEF_CONSUMERS, .spin_ns = RING_DEF_SPIN_NS,
	};
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (o) {
		size_t n = o->sz < sizeof(d) ? o->sz : sizeof(d), i;

		if (o->sz < offsetof(struct myc_ring_opts, policy))
			return -EINVAL;
		for (i = sizeof(d); i < o->sz; i++)
			if (((const uint8_t *)o)[i])
				return -EINVAL;
		memcpy(&d, o, n);
		d.sz = sizeof(d);
		if (!d.capacity)
			d.capacity = RING_DEF_CAP;
		if (!d.mode)
			d.mode = 0600;
		if (!d.max_producers)
			d.max_producers = RING_DEF_PRODUCERS;
		if (!d.max_consumers)
			d.max_consumers = RING_DEF_CONSUMERS;
	}
	if (d.policy > MYC_LOSSLESS || (d.mode & ~0777u) ||
	    (d.flags & ~MYC_RING_O_NO_TIMESTAMP) ||
	    d.capacity < MYC_RING_CAP_MIN || d.capacity > MYC_RING_CAP_MAX ||
	    (d.capacity & (d.capacity - 1)) || d.capacity % page ||
	    d.max_producers > MYC_RING_MAX_PRODUCERS ||
	    d.max_consumers > MYC_RING_MAX_CONSUMERS)
		return -EINVAL;
	if (!d.max_frame)
		d.max_frame = max_frame_for(d.capacity);
	if (d.max_frame <= MYC_FRAME_HDR_SIZE ||
	    d.max_frame > max_frame_for(d.capacity))
		return -EINVAL;
	*out = d;
	return 0;
}

/*
 * Create a fresh ring as an unnamed tmpfs file, fully initialise it, take
 * the users lock, and only then give it its name (linkat), so no one ever
 * sees a half-built ring and "gc" never sees one without a user.  Returns
 * the fd, -EEXIST if the name is taken, or -errno.
 */
static int ring_create(const char *name, const char *path,
		       const struct myc_ring_opts *o)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct myc_ring_hdr h = { 0 };
	struct myc_ring_ctl *ctl;
	char proc[64];
	uint8_t *base;
	int fd, err;

	h.version = MYC_RING_VERSION;
	h.hdr_size = sizeof(h);
	h.page_size = (uint32_t)page;
	h.flags = o->policy == MYC_LOSSLESS ? MYC_RING_HF_LOSSLESS : 0;
	h.capacity = o->capacity;
	h.max_frame = o->max_frame;
	h.max_producers = o->max_producers;
	h.max_consumers = o->max_consumers;
	h.prod_stride = MYC_RING_LINE;
	h.off_ctl = page;
	h.off_prod = 2 * page;
	h.off_cons = h.off_prod + round_up((uint64_t)h.max_producers *
					   h.prod_stride, page);
	h.off_data = h.off_cons + (uint64_t)h.max_consumers * page;
	h.file_size = h.off_data + h.capacity;
	h.map_size = h.file_size + h.capacity;
	h.lock_base = RING_LOCK_BASE;
	h.create_ns = myc_now_ns();
	h.creator_uid = (uint32_t)getuid();
	if (o->digest)
		memcpy(h.digest, o->digest, sizeof(h.digest));
	snprintf(h.name, sizeof(h.name), "%s", name);

	fd = open(RING_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, o->mode) || ftruncate(fd, (off_t)h.file_size)) {
		err = -errno;
		goto fail;
	}
	base = map_ring(fd, &h);
	if (!base) {
		err = -errno;
		goto fail;
	}
	memcpy(base, &h, sizeof(h));
	ctl = (struct myc_ring_ctl *)(base + h.off_ctl);
	ctl->head_pos = 0;
	ctl->head_seq = 1;
	ctl->limit = h.capacity;	/* head 0 + capacity, no consumer yet */
	/* Pairs with the acquire load of magic in ring_attach(): whoever sees
	 * the magic sees the initialised header and control page. */
	st_rel(&((struct myc_ring_hdr *)base)->magic, MYC_RING_MAGIC);
	munmap(base, h.map_size);

	err = ring_lock(fd, h.lock_base + MYC_RING_LOCK_USERS, false);
	if (err)
		goto fail;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW)) {
		err = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

/* Unlink @path if it still names the file open as @fd. */
static void unlink_if_same(int fd, const char *path)
{
	struct stat a, b;

	if (!fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		unlink(path);
}

/*
 * Open (or create) the file and hold the users lock on it, making sure the
 * name still refers to it (a last closer or gc may have just unlinked it).
 * A ring whose users all died is replaced when MYC_RING_CREATE is given.
 */
static int ring_get_fd(const char *name, const char *path, uint32_t flags,
		       const struct myc_ring_opts *o)
{
	const uint64_t users = RING_LOCK_BASE + MYC_RING_LOCK_USERS;
	struct stat a, b;
	int fd, err, tries;

	for (tries = 0; tries < 100; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			if (errno != ENOENT || !(flags & MYC_RING_CREATE))
				return -errno;
			fd = ring_create(name, path, o);
			if (fd == -EEXIST && !(flags & MYC_RING_EXCL))
				continue;
			return fd;
		}
		if (flags & MYC_RING_EXCL) {
			/* Only a ring with live users counts as existing. */
			if (!ring_lock(fd, users, true)) {
				unlink_if_same(fd, path);
				close(fd);
				continue;
			}
			close(fd);
			return -EEXIST;
		}
		err = ring_lock(fd, users, false);
		if (err) {	/* a closer holds it while unlinking */
			close(fd);
			if (err != -EAGAIN)
				return err;
			usleep(100);
			continue;
		}
		if (fstat(fd, &a) || stat(path, &b) || a.st_dev != b.st_dev ||
		    a.st_ino != b.st_ino) {
			close(fd);
			continue;
		}
		/* Sole user (upgrade to write succeeds): all others died. */
		if ((flags & MYC_RING_CREATE) && !ring_lock(fd, users, true)) {
			unlink(path);
			close(fd);
			continue;
		}
		return fd;
	}
	return -EAGAIN;
}

struct myc_ring_prod *ring_prod(struct myc_ring *r, uint32_t k)
{
	return (struct myc_ring_prod *)(r->base + r->hdr.off_prod +
					(uint64_t)k * r->hdr.prod_stride);
}

struct myc_ring_cons *ring_cons(struct myc_ring *r, uint32_t j)
{
	return (struct myc_ring_cons *)(r->base + r->hdr.off_cons +
					(uint64_t)j * r->hdr.page_size);
}

static bool user_owner_dead(struct myc_ring *r, uint64_t lock_off)
{
	return ring_lock_held(r->fd, r->hdr.lock_base + lock_off) == 0;
}

/*
 * Give back the @n that a consumer page's @flag (sleeping, sleeper) says
 * it holds in ctl.waiters: whoever swaps the flag 1 -> 0, its owner or
 * the reclaimer of a dead owner, subtracts it, exactly once.
 */
static void uncount(struct myc_ring *r, uint32_t *flag, uint32_t n)
{
	if (__atomic_exchange_n(flag, 0, __ATOMIC_SEQ_CST) == 1)
		__atomic_fetch_sub(&r->ctl->waiters, n, __ATOMIC_SEQ_CST);
}

/*
 * Free consumer page @j whose owner is dead (or whose page we just took
 * over): give back its waiter and sleeper counts and mark it free.
 * Caller holds the page's lock.
 */
void ring_cons_reset(struct myc_ring *r, uint32_t j, bool dead)
{
	struct myc_ring_cons *c = ring_cons(r, j);

	uncount(r, &c->sleeping, 1);
	uncount(r, &c->sleeper, MYC_RING_SLEEPER_ONE);
	if (dead && ld_acq(&c->state) == MYC_RING_CS_ACTIVE)
		__atomic_fetch_add(&r->ctl->reclaimed, 1, __ATOMIC_RELAXED);
	st_rel(&c->state, MYC_RING_CS_FREE);
	__atomic_fetch_add(&r->ctl->cons_gen, 1, __ATOMIC_RELAXED);
}

int ring_cons_reclaim(struct myc_ring *r, uint32_t j)
{
	uint64_t off = r->hdr.lock_base + MYC_RING_LOCK_CONS(j);

	if ((int)j == r->slot && r->role == MYC_RING_CONSUMER)
		return -EBUSY;
	if (ring_lock(r->fd, off, true))
		return -EBUSY;	/* alive, or someone else reclaims it */
	ring_cons_reset(r, j, true);
	ring_unlock(r->fd, off);
	return 0;
}

static int attach_producer(struct myc_ring *r)
{
	uint32_t k;

	for (k = 0; k < r->hdr.max_producers; k++) {
		uint64_t off = r->hdr.lock_base + MYC_RING_LOCK_PROD(k);
		struct myc_ring_prod *p = ring_prod(r, k);

		if (ring_lock(r->fd, off, true))
			continue;
		/* We own slot k; a previous owner may have died mid-claim. */
		if (ld_acq(&p->state) != MYC_RING_PS_FREE)
			ring_recover_slot(r, k);
		r->slot = (int)k;
		r->prod = p;
		st_rlx(&p->pid, (uint32_t)getpid());
		st_rlx(&p->commits, 0);
		/* Full barrier: a producer taking ctl.solo after this sees
		 * our slot owned, or we see its solo word at our first claim
		 * (ring_solo_try(), myc_ring_claim()). */
		st_sc(&p->state, MYC_RING_PS_IDLE);
		r->solo_aware = true;
		r->mb_target = !ring_membarrier_register();
		ring_solo_try(r);
		return 0;
	}
	return -EUSERS;
}

static int attach_consumer(struct myc_ring *r)
{
	uint64_t pos, seqw, lim, want;
	uint32_t j;

	for (j = 0; j < r->hdr.max_consumers; j++) {
		uint64_t off = r->hdr.lock_base + MYC_RING_LOCK_CONS(j);
		struct myc_ring_cons *c = ring_cons(r, j);

		if (ring_lock(r->fd, off, true))
			continue;
		ring_cons_reset(r, j, ld_acq(&c->state) == MYC_RING_CS_ACTIVE);
		r->slot = (int)j;
		r->cons = c;
		if (ring_head_load(r, &pos, &seqw))
			return -MYC_E_CORRUPT;
		r->cursor = pos;
		r->seq = seqw & MYC_RING_SEQ_MASK;
		r->head_cache = pos;
		r->need_head = true;
		r->published = pos;
		st_rlx(&c->cursor, pos);
		st_rlx(&c->seq, r->seq);
		st_rlx(&c->pid, (uint32_t)getpid());
		st_rlx(&c->delivered, 0);
		st_rlx(&c->lost, 0);
		st_rlx(&c->overruns, 0);
		/* Full barrier: lossless producers that scan after this see us;
		 * the limit below stops those that scanned before. */
		st_sc(&c->state, MYC_RING_CS_ACTIVE);
		__atomic_fetch_add(&r->ctl->cons_gen, 1, __ATOMIC_RELAXED);
		want = pos + r->cap;
		lim = ld_acq(&r->ctl->limit);
		while (lim > want &&
		       !__atomic_compare_exchange_n(&r->ctl->limit, &lim, want,
						    false, __ATOMIC_SEQ_CST,
						    __ATOMIC_ACQUIRE))
			;
		return 0;
	}
	return -EUSERS;
}

/* Both modes: digest required at open must match the ring's. */
int ring_digest_check(struct myc_ring *r, const struct myc_ring_opts *o)
{
	if (o->digest && memcmp(o->digest, r->hdr.digest, MYC_RING_DIGEST_LEN))
		return -MYC_E_DIGEST;
	return 0;
}

/* Both modes: derived fields of a mapped ring with a validated header. */
void ring_setup(struct myc_ring *r)
{
	r->ctl = (struct myc_ring_ctl *)(r->base + r->hdr.off_ctl);
	r->data = r->base + r->hdr.off_data;
	r->cap = r->hdr.capacity;
	r->mask = r->cap - 1;
	r->lossless = r->hdr.flags & MYC_RING_HF_LOSSLESS;
}

static int user_open(struct myc_ring *r, const char *name, uint32_t flags,
		     const struct myc_ring_opts *o)
{
	struct stat st;
	void *hp;
	int err;

	ring_path(r->path, sizeof(r->path), name);
	err = ring_get_fd(name, r->path, flags, o);
	if (err < 0)
		return err;
	r->fd = err;

	/* Validate the header from a private copy before mapping the rest. */
	if (fstat(r->fd, &st))
		return -errno;
	if ((uint64_t)st.st_size < sizeof(r->hdr))
		return -MYC_E_CORRUPT;
	hp = mmap(NULL, sizeof(r->hdr), PROT_READ, MAP_SHARED, r->fd, 0);
	if (hp == MAP_FAILED)
		return -errno;
	memcpy(&r->hdr, hp, sizeof(r->hdr));
	/* The acquire pairs with the creator's release store of magic. */
	r->hdr.magic = ld_acq(&((struct myc_ring_hdr *)hp)->magic);
	munmap(hp, sizeof(r->hdr));
	err = ring_hdr_validate(&r->hdr, (uint64_t)st.st_size, name, false);
	if (!err)
		err = ring_digest_check(r, o);
	if (err)
		return err;
	r->base = map_ring(r->fd, &r->hdr);
	if (!r->base)
		return -errno;
	ring_setup(r);
	if (r->role == MYC_RING_PRODUCER)
		return attach_producer(r);
	if (r->role == MYC_RING_CONSUMER)
		return attach_consumer(r);
	return 0;
}

static void user_close(struct myc_ring *r)
{
	uint64_t users;

	if (r->base) {
		if (r->prod) {
			ring_solo_drop(r);
			st_rel(&r->prod->state, MYC_RING_PS_FREE);
		}
		if (r->cons)
			ring_cons_reset(r, (uint32_t)r->slot, false);
		munmap(r->base, r->hdr.map_size);
	}
	if (r->fd >= 0) {
		/* Drop our read lock, then try for the write lock: whoever
		 * gets it is the last user and removes the ring (two closers
		 * racing: the later one finds the name gone or taken). */
		users = RING_LOCK_BASE + MYC_RING_LOCK_USERS;
		ring_unlock(r->fd, users);
		if (!ring_lock(r->fd, users, true))
			unlink_if_same(r->fd, r->path);
		close(r->fd);
	}
}

/* Longest first sleep of a consumer whose membarrier() failed. */
#define NAP_ONCE_NS	1000000ll

/*
 * Before our first sleep (and the first after we left): count ourselves
 * as a sleeper in ctl.waiters, so that producers' commits fence again, then
 * membarrier(), a full barrier in every registered producer, for the
 * commits whose load of waiters came before our count was visible: each
 * of those is visible to our re-check, or its load comes after the
 * barrier and sees us (docs/ring-format.md, "Waiting").  Refused (a
 * seccomp filter): one such commit's wake-up may be missed, so the first
 * wait is short and we look again.
 */
static void sleeper_enter(struct myc_ring *r)
{
	__atomic_fetch_add(&r->ctl->waiters, MYC_RING_SLEEPER_ONE,
			   __ATOMIC_SEQ_CST);
	st_sc(&r->cons->sleeper, 1);
	r->sleeper = true;
	r->nap_once = ring_membarrier() != 0;
	r->syscalls++;
}

void ring_sleeper_leave(struct myc_ring *r)
{
	r->sleeper = false;
	uncount(r, &r->cons->sleeper, MYC_RING_SLEEPER_ONE);
}

static void user_sleep_begin(struct myc_ring *r)
{
	if (!r->sleeper)
		sleeper_enter(r);
	r->awake = 0;
	/* Count ourselves before the re-check (Dekker with publish()); the
	 * sleeping flag lets a reclaimer give the count back if we die. */
	__atomic_fetch_add(&r->ctl->waiters, 1, __ATOMIC_SEQ_CST);
	st_sc(&r->cons->sleeping, 1);
}

static void user_wait(struct myc_ring *r, uint32_t val, int64_t ns)
{
	if (r->nap_once && (ns < 0 || ns > NAP_ONCE_NS))
		ns = NAP_ONCE_NS;
	r->nap_once = false;
	ring_futex_wait(&r->ctl->futex, val, ns);
	r->syscalls++;
}

static void user_sleep_end(struct myc_ring *r)
{
	uncount(r, &r->cons->sleeping, 1);
}

static void user_wake(struct myc_ring *r)
{
	ring_futex_wake(&r->ctl->futex);
	r->syscalls++;
}

static void user_info(struct myc_ring *r, struct myc_ring_info *out)
{
	uint32_t k;

	out->mode = MYC_RING_MODE_USER;
	for (k = 0; k < r->hdr.max_producers; k++)
		if (ld_acq(&ring_prod(r, k)->state) != MYC_RING_PS_FREE &&
		    !ring_owner_dead(r, MYC_RING_LOCK_PROD(k)))
			out->producers++;
	for (k = 0; k < r->hdr.max_consumers; k++)
		if (ld_acq(&ring_cons(r, k)->state) == MYC_RING_CS_ACTIVE &&
		    ((r->role == MYC_RING_CONSUMER && (int)k == r->slot) ||
		     !ring_owner_dead(r, MYC_RING_LOCK_CONS(k))))
			out->consumers++;
}

static int user_list(int (*fn)(const char *name, void *ctx), void *ctx);

const struct ring_ops ring_user_ops = {
	.open = user_open,
	.close = user_close,
	.sleep_begin = user_sleep_begin,
	.wait = user_wait,
	.sleep_end = user_sleep_end,
	.wake = user_wake,
	.owner_dead = user_owner_dead,
	.info = user_info,
	.list = user_list,
};

/*
 * Which backend: MYC_MODE=user|kernel|auto (unset = auto).  auto takes the
 * kernel when /dev/mycelium opens read-write (module loaded, we may use
 * it), else userspace mode; kernel without a usable device is an error.
 */
static const struct ring_ops *ring_backend(int *err)
{
	const char *m = getenv("MYC_MODE");
	int fd;

	*err = 0;
	if (m && *m && strcmp(m, "auto")) {
		if (!strcmp(m, "user"))
			return &ring_user_ops;
		if (strcmp(m, "kernel")) {
			*err = -EINVAL;
			return NULL;
		}
	}
	fd = open(MYC_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return &ring_kern_ops;
	}
	if (m && !strcmp(m, "kernel")) {
		/* No device node: the module is not loaded. */
		*err = errno == ENOENT ? -ENODEV : -errno;
		return NULL;
	}
	return &ring_user_ops;
}

int myc_ring_mode(void)
{
	const struct ring_ops *ops;
	int err;

	ops = ring_backend(&err);
	if (!ops)
		return err;
	return ops == &ring_kern_ops ? MYC_RING_MODE_KERNEL : MYC_RING_MODE_USER;
}

struct myc_ring *myc_ring_open(const char *name, uint32_t flags,
			       const struct myc_ring_opts *opts)
{
	const uint32_t known = MYC_RING_PRODUCER | MYC_RING_CONSUMER |
			       MYC_RING_CREATE | MYC_RING_EXCL;
	const struct ring_ops *ops;
	struct myc_ring_opts o;
	struct myc_ring *r;
	int err;

	if (!ring_name_ok(name) || (flags & ~known) ||
	    (flags & (MYC_RING_PRODUCER | MYC_RING_CONSUMER)) ==
	    (MYC_RING_PRODUCER | MYC_RING_CONSUMER) ||
	    ((flags & MYC_RING_EXCL) && !(flags & MYC_RING_CREATE))) {
		errno = EINVAL;
		return NULL;
	}
	err = opts_check(opts, &o);
	if (err) {
		errno = -err;
		return NULL;
	}
	ops = ring_backend(&err);
	if (!ops) {
		errno = -err;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	r->ops = ops;
	r->fd = -1;
	r->slot = -1;
	r->role = flags & (MYC_RING_PRODUCER | MYC_RING_CONSUMER);
	r->spin_ns = o.spin_ns;
	r->no_ts = o.flags & MYC_RING_O_NO_TIMESTAMP;
	if (r->role == MYC_RING_PRODUCER && !r->no_ts)
		ring_clock_init(&r->clock);
	err = ops->open(r, name, flags, &o);
	if (err) {
		myc_ring_free(r);
		errno = -err;
		return NULL;
	}
	return r;
}

void myc_ring_free(struct myc_ring *r)
{
	if (!r)
		return;
	if (r->base && r->prod && r->claimed)
		myc_ring_abort(r);
	r->ops->close(r);
	free(r);
}

const char *myc_ring_name(const struct myc_ring *r)
{
	return r ? r->hdr.name : NULL;
}

uint64_t myc_ring_lost(const struct myc_ring *r)
{
	return r ? r->lost : 0;
}

int myc_ring_info(struct myc_ring *r, struct myc_ring_info *info)
{
	struct myc_ring_info out = { .sz = sizeof(out) };
	uint64_t pos, seqw;
	uint32_t w;

	if (!r || !info || info->sz < sizeof(out))
		return -EINVAL;
	out.policy = r->lossless ? MYC_LOSSLESS : MYC_LOSSY;
	out.flags = r->hdr.flags;
	out.capacity = r->cap;
	out.max_frame = r->hdr.max_frame;
	r->ops->info(r, &out);
	if (ring_head_load(r, &pos, &seqw))
		return -MYC_E_CORRUPT;
	out.head_pos = pos;
	out.head_seq = seqw & MYC_RING_SEQ_MASK;
	w = ld_rlx(&r->ctl->waiters);
	out.waiters = w & MYC_RING_WAITERS_MASK;
	out.sleepers = w / MYC_RING_SLEEPER_ONE;
	out.wakeups = ld_rlx(&r->ctl->wakeups);
	out.recovered = ld_rlx(&r->ctl->recovered);
	out.reclaimed = ld_rlx(&r->ctl->reclaimed);
	out.handle_syscalls = r->syscalls;
	*info = out;
	return 0;
}

int myc_ring_cons_info(struct myc_ring *r, uint32_t j,
		       struct myc_ring_cons_info *ci)
{
	struct myc_ring_cons_info out = { .sz = sizeof(out) };
	struct myc_ring_cons *c;
	uint64_t pos, seqw;

	if (!r || !ci || ci->sz < sizeof(out))
		return -EINVAL;
	if (j >= r->hdr.max_consumers)
		return -ERANGE;
	c = ring_cons(r, j);
	if (ld_acq(&c->state) != MYC_RING_CS_ACTIVE)
		return -ENOENT;
	if (!(r->role == MYC_RING_CONSUMER && (int)j == r->slot) &&
	    ring_owner_dead(r, MYC_RING_LOCK_CONS(j)))
		return -ENOENT;
	if (ring_head_load(r, &pos, &seqw))
		return -MYC_E_CORRUPT;
	out.index = j;
	out.pid = ld_rlx(&c->pid);
	out.cursor = ld_acq(&c->cursor);
	out.delivered = ld_rlx(&c->delivered);
	if (r->role == MYC_RING_CONSUMER && (int)j == r->slot) {
		/* our own: fresher than what we last published */
		out.cursor = r->cursor;
		out.delivered = r->delivered;
	}
	out.lag = pos >= out.cursor ? pos - out.cursor : 0;
	out.lost = ld_rlx(&c->lost);
	out.overruns = ld_rlx(&c->overruns);
	*ci = out;
	return 0;
}

int myc_ring_list(int (*fn)(const char *name, void *ctx), void *ctx)
{
	const struct ring_ops *ops;
	int err;

	if (!fn)
		return -EINVAL;
	ops = ring_backend(&err);
	return ops ? ops->list(fn, ctx) : err;
}

static int user_list(int (*fn)(const char *name, void *ctx), void *ctx)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(RING_DIR);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		const char *n = de->d_name;

		if (strncmp(n, RING_PREFIX, strlen(RING_PREFIX)) ||
		    !ring_name_ok(n + strlen(RING_PREFIX)))
			continue;
		ret = fn(n + strlen(RING_PREFIX), ctx);
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

static int gc_one(const char *name, void *ctx)
{
	char path[sizeof(RING_DIR) + sizeof(RING_PREFIX) + MYC_RING_NAME_MAX];
	uint64_t magic = 0;
	int *removed = ctx, fd;

	ring_path(path, sizeof(path), name);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	/* A write lock on the users byte means no live handle; only remove
	 * files that are rings (magic), never anything else named myc.*. */
	if (!ring_lock(fd, RING_LOCK_BASE + MYC_RING_LOCK_USERS, true) &&
	    pread(fd, &magic, sizeof(magic), 0) == sizeof(magic) &&
	    magic == MYC_RING_MAGIC) {
		unlink_if_same(fd, path);
		(*removed)++;
	}
	close(fd);
	return 0;
}

int myc_ring_gc(void)
{
	int removed = 0, err;

	/* Kernel rings need no collecting: the kernel frees them. */
	err = user_list(gc_one, &removed);
	return err < 0 ? err : removed;
}
