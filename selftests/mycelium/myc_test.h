/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the mycelium.ko selftests: thin wrappers over the
 * ioctls of <linux/mycelium.h> (they return the raw syscall result, so
 * tests assert errno themselves), frame building, and ring mappings.
 */
#ifndef MYC_SELFTEST_H
#define MYC_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <grp.h>
#include <linux/mycelium.h>

#define MYC_T_PAGE	4096u

/* A ring name unique to this process and tag (tests run in parallel
 * processes of the harness, one per test). */
static inline void myc_t_name(char *out, const char *tag)
{
	memset(out, 0, MYC_RING_NAME_MAX);
	snprintf(out, MYC_RING_NAME_MAX, "t-%s-%d", tag, getpid());
}

/* Copy a name into a zeroed fixed-size name field (truncating). */
static inline void myc_t_setname(char *dst, const char *name)
{
	memcpy(dst, name, strnlen(name, MYC_RING_NAME_MAX - 1));
}

static inline int myc_t_dev(void)
{
	return open(MYC_DEV_PATH, O_RDWR | O_CLOEXEC);
}

static inline void myc_t_create_init(struct myc_ioc_create *c, const char *name, __u64 cap,
				     __u32 flags, __u32 role)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = flags;
	c->capacity = cap;
	c->max_producers = 4;
	c->max_consumers = 4;
	c->mode = 0600;
	c->role = role;
	myc_t_setname(c->name, name);
}

static inline int myc_t_create(int dev, const char *name, __u64 cap, __u32 flags, __u32 role)
{
	struct myc_ioc_create c;

	myc_t_create_init(&c, name, cap, flags, role);
	return ioctl(dev, MYC_IOC_CREATE, &c);
}

static inline int myc_t_open(int dev, const char *name, __u32 role)
{
	struct myc_ioc_open o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.role = role;
	myc_t_setname(o.name, name);
	return ioctl(dev, MYC_IOC_OPEN, &o);
}

static inline int myc_t_unlink(int dev, const char *name)
{
	struct myc_ioc_unlink u;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	myc_t_setname(u.name, name);
	return ioctl(dev, MYC_IOC_UNLINK, &u);
}

static inline int myc_t_info(int fd, struct myc_ioc_info *i)
{
	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	return ioctl(fd, MYC_IOC_INFO, i);
}

static inline int myc_t_events(int fd, __u32 *events)
{
	struct myc_ioc_events e;
	int r;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	r = ioctl(fd, MYC_IOC_EVENTS, &e);
	*events = e.events;
	return r;
}

static inline int myc_t_wait(int fd, __u32 expected, long long timeout_ns)
{
	struct myc_ioc_wait w;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.expected = expected;
	if (timeout_ns >= 0) {
		w.flags = MYC_WAIT_TIMEOUT;
		w.timeout_ns = timeout_ns;
	}
	return ioctl(fd, MYC_IOC_WAIT, &w);
}

static inline int myc_t_wake(int fd)
{
	struct myc_ioc_wake w;

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	return ioctl(fd, MYC_IOC_WAKE, &w);
}

/* The 32-byte little-endian frame header of docs/frame-format.md (the
 * selftests run on x86-64, so host order is wire order). */
struct myc_t_frame {
	__u32 len;
	__u16 type;
	__u16 flags;
	__u64 seq;
	__u64 ts_ns;
	__u32 src;
	__u32 resv;
};

#define MYC_T_F_SYSTEM	0x1
#define MYC_T_F_PAD	0x2

/* Build a frame of type with plen payload bytes of value fill; returns the
 * span (len rounded up to 8, zero padded). */
static inline size_t myc_t_frame(void *buf, __u16 type, __u8 fill, __u32 plen)
{
	struct myc_t_frame *f = buf;
	size_t len = sizeof(*f) + plen, span = (len + 7) & ~(size_t)7;

	memset(buf, 0, span);
	f->len = len;
	f->type = type;
	f->flags = type >= 0xff00 ? MYC_T_F_SYSTEM : 0;
	memset(f + 1, fill, plen);
	return span;
}

/* The whole ring, read-only (consumer) or read-write (producer). */
struct myc_t_map {
	void *base;
	size_t size;
	struct myc_ring_hdr *hdr;
	struct myc_ring_ctl *ctl;
	char *data;
};

static inline int myc_t_map(int fd, int prot, struct myc_t_map *m)
{
	struct myc_ioc_info i;

	if (myc_t_info(fd, &i))
		return -1;
	m->size = i.map_size;
	m->base = mmap(NULL, m->size, prot, MAP_SHARED, fd, 0);
	if (m->base == MAP_FAILED)
		return -1;
	m->hdr = m->base;
	m->ctl = (void *)((char *)m->base + m->hdr->off_ctl);
	m->data = (char *)m->base + m->hdr->off_data;
	return 0;
}

static inline void myc_t_unmap(struct myc_t_map *m)
{
	munmap(m->base, m->size);
}

static inline struct myc_ring_cons *myc_t_cons(struct myc_t_map *m, __u32 slot)
{
	return (void *)((char *)m->base + m->hdr->off_cons + (size_t)slot * m->hdr->page_size);
}

static inline struct myc_ring_prod *myc_t_prod(struct myc_t_map *m, __u32 slot)
{
	return (void *)((char *)m->base + m->hdr->off_prod + (size_t)slot * m->hdr->prod_stride);
}

/* The record at byte position pos. */
static inline struct myc_t_frame *myc_t_rec(struct myc_t_map *m, __u64 pos)
{
	return (void *)(m->data + (pos & (m->hdr->capacity - 1)));
}

/* Replace a (sysfs, tracefs) file's content with s: 0 or -1. */
static inline int myc_t_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/* Read up to size - 1 bytes of a file, NUL terminated; returns the count
 * (0 if it cannot be opened). */
static inline size_t myc_t_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	buf[0] = 0;
	if (fd < 0)
		return 0;
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	close(fd);
	return n;
}

/* Run fn in a child process as uid/gid 65534 (no capabilities); returns
 * the child's exit status, or -1. */
static inline int myc_t_as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(200);
		_exit(fn(arg));
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#endif /* MYC_SELFTEST_H */
