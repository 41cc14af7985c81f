// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: syscalls per message in kernel mode, counted by the kernel
 * (tracefs raw_syscalls:sys_enter filtered on the producer thread).  A
 * producer publishes through its mapping with the protocol of
 * docs/ring-format.md (claim CAS, clean, fill, commit, then wake only if
 * ctl.waiters says someone sleeps) while a consumer in another process
 * either spins on its cursor or sleeps in MYC_IOC_WAIT whenever the ring
 * is empty.  Spinning consumer: the producer must make no syscall at all.
 * Sleeping consumer: exactly the producer's MYC_IOC_WAKE calls, at most
 * one per time the consumer went to sleep (a wake-up takes the sleeper's
 * announcement back), and at least one (the consumer really slept).  The counts are logged for
 * docs/PERFORMANCE.md; nothing here depends on time.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "myc_test.h"

#define NMSG	5000
#define TRACEFS	"/sys/kernel/tracing/"
#define SPAN	64

/* Lines in the trace buffer that are syscall entries. */
static long count_syscalls(void)
{
	FILE *f = fopen(TRACEFS "trace", "r");
	char line[512];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "sys_enter"))
			n++;
	fclose(f);
	return n;
}

struct prod {
	struct myc_t_map m;
	struct myc_ring_cons *cons;	/* the consumer's page (read) */
	int fd;
	__u32 slot;
	volatile int go, done;
	pid_t tid;
	long wakes;
};

static bool cas16(void *p, __u64 olo, __u64 ohi, __u64 nlo, __u64 nhi)
{
	return __sync_bool_compare_and_swap((unsigned __int128 *)p,
					    ((unsigned __int128)ohi << 64) | olo,
					    ((unsigned __int128)nhi << 64) | nlo);
}

/* One frame of SPAN bytes through the mapping: steps 1-8 of the claim. */
static void publish(struct prod *p, __u64 k)
{
	struct myc_ring_ctl *ctl = p->m.ctl;
	__u64 owner = (__u64)(p->slot + 1) << MYC_RING_OWNER_SHIFT;
	__u64 pos, seq, cap = p->m.hdr->capacity;
	struct myc_t_frame *f;

	for (;;) {
		pos = __atomic_load_n(&ctl->head_pos, __ATOMIC_ACQUIRE);
		seq = __atomic_load_n(&ctl->head_seq, __ATOMIC_ACQUIRE);
		/* Stay within a ring of the consumer (as a lossless ring
		 * would), so it is never lapped. */
		if (pos + SPAN + MYC_RING_GUARD >
		    __atomic_load_n(&p->cons->cursor, __ATOMIC_ACQUIRE) + cap)
			continue;
		if (cas16(&ctl->head_pos, pos, seq, pos + SPAN, (seq + 1) | owner))
			break;
	}
	myc_t_rec(&p->m, pos + SPAN)->seq = 0;
	cas16(&ctl->head_pos, pos + SPAN, (seq + 1) | owner, pos + SPAN, seq + 1);
	f = myc_t_rec(&p->m, pos);
	f->len = SPAN;
	f->type = 1;
	f->flags = 0;
	f->ts_ns = k;
	f->src = p->slot + 1;
	f->resv = 0;
	__atomic_store_n(&f->seq, seq, __ATOMIC_RELEASE);
	/* Dekker with the kernel's announcement in MYC_IOC_WAIT. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ctl->waiters, __ATOMIC_RELAXED)) {
		__atomic_fetch_add(&ctl->futex, 1, __ATOMIC_SEQ_CST);
		myc_t_wake(p->fd);
		p->wakes++;
	}
}

static void *producer(void *arg)
{
	struct prod *p = arg;
	__u64 k;

	p->tid = syscall(SYS_gettid);
	__atomic_store_n(&p->go, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&p->go, __ATOMIC_ACQUIRE) != 2)
		;	/* spin: no syscall while traced */
	for (k = 0; k < NMSG; k++)
		publish(p, k);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	/* Thread exit makes syscalls: not before tracing is off. */
	while (__atomic_load_n(&p->go, __ATOMIC_ACQUIRE) != 3)
		;
	return NULL;
}

/* The consumer process: read NMSG frames, spinning or sleeping. */
static int consume(int dev, const char *name, int sleep_when_empty, int out)
{
	struct myc_ioc_info i;
	struct myc_ring_cons *own;
	struct myc_t_map m;
	__u64 got = 0, cursor, seq;
	long waits = 0;
	int fd = myc_t_open(dev, name, MYC_ROLE_CONSUMER);

	if (fd < 0 || myc_t_info(fd, &i) || myc_t_map(fd, PROT_READ, &m))
		return 1;
	own = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   m.hdr->off_cons + (__u64)i.slot * 4096);
	if (own == MAP_FAILED)
		return 1;
	cursor = own->cursor;
	seq = own->seq;
	(void)!write(out, &i.slot, sizeof(i.slot));	/* ready */
	while (got < NMSG) {
		struct myc_t_frame *f = myc_t_rec(&m, cursor);
		__u32 v = __atomic_load_n(&m.ctl->futex, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&f->seq, __ATOMIC_ACQUIRE) != seq) {
			if (sleep_when_empty) {
				waits++;
				myc_t_wait(fd, v, 10ll * 1000 * 1000 * 1000);
			}
			continue;
		}
		if (f->len != SPAN || f->ts_ns != got)
			return 2;
		cursor += SPAN;
		seq++;
		got++;
		__atomic_store_n(&own->cursor, cursor, __ATOMIC_RELEASE);
	}
	(void)!write(out, &waits, sizeof(waits));
	return 0;
}

FIXTURE(sc) {
	int dev;
};

FIXTURE_VARIANT(sc) {
	int sleeping;
};
FIXTURE_VARIANT_ADD(sc, spinning_consumer) { .sleeping = 0 };
FIXTURE_VARIANT_ADD(sc, sleeping_consumer) { .sleeping = 1 };

FIXTURE_SETUP(sc)
{
	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	if (access(TRACEFS "events/raw_syscalls/sys_enter/enable", W_OK))
		SKIP(return, "no syscall tracepoints");
}

FIXTURE_TEARDOWN(sc)
{
	myc_t_write_file(TRACEFS "events/raw_syscalls/sys_enter/enable", "0");
	myc_t_write_file(TRACEFS "events/raw_syscalls/sys_enter/filter", "0");
	close(self->dev);
}

TEST_F(sc, count)
{
	char name[MYC_RING_NAME_MAX], filter[64];
	struct myc_ring_cons *cons;
	struct prod p = { 0 };
	struct myc_ioc_info i;
	int pipefd[2], st;
	long syscalls, waits = -1;
	pthread_t t;
	__u32 slot;
	pid_t pid;

	myc_t_name(name, "sc");
	p.fd = myc_t_create(self->dev, name, 65536, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, myc_t_info(p.fd, &i));
	p.slot = i.slot;
	ASSERT_EQ(0, myc_t_map(p.fd, PROT_READ | PROT_WRITE, &p.m));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(consume(self->dev, name, variant->sleeping, pipefd[1]));
	ASSERT_EQ(sizeof(slot), read(pipefd[0], &slot, sizeof(slot)));
	cons = myc_t_cons(&p.m, slot);
	p.cons = cons;

	ASSERT_EQ(0, pthread_create(&t, NULL, producer, &p));
	while (!__atomic_load_n(&p.go, __ATOMIC_ACQUIRE))
		usleep(1000);
	snprintf(filter, sizeof(filter), "common_pid == %d", p.tid);
	ASSERT_EQ(0, myc_t_write_file(TRACEFS "events/raw_syscalls/sys_enter/filter", filter));
	ASSERT_EQ(0, myc_t_write_file(TRACEFS "trace", ""));
	ASSERT_EQ(0, myc_t_write_file(TRACEFS "events/raw_syscalls/sys_enter/enable", "1"));
	__atomic_store_n(&p.go, 2, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_EQ(0, myc_t_write_file(TRACEFS "events/raw_syscalls/sys_enter/enable", "0"));
	__atomic_store_n(&p.go, 3, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	syscalls = count_syscalls();
	ASSERT_EQ(sizeof(waits), read(pipefd[0], &waits, sizeof(waits)));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, WEXITSTATUS(st));
	ASSERT_EQ(0, myc_t_info(p.fd, &i));
	TH_LOG("%s: %d messages, producer syscalls %ld (wake ioctls %ld), consumer sleeps %llu, consumer wait calls %ld",
	       variant->sleeping ? "sleeping" : "spinning", NMSG, syscalls, p.wakes,
	       (unsigned long long)i.waits, waits);
	ASSERT_LE(0, syscalls);
	/* The tracer saw exactly the producer's own wake calls. */
	EXPECT_EQ(p.wakes, syscalls);
	if (!variant->sleeping) {
		EXPECT_EQ(0, syscalls);
	} else {
		EXPECT_LE(syscalls, waits);
		EXPECT_LT(0, syscalls);
	}
	myc_t_unmap(&p.m);
	close(p.fd);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_HARNESS_MAIN
