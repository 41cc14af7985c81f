// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: a short random-ioctl fuzz loop on the control device and on
 * ring fds of both roles (random command numbers in and around the
 * driver's range, random sizes, random bytes, random pointers, random
 * write() buffers and mmap offsets): nothing crashes, every call fails
 * cleanly or does something valid, fds it creates are closed, and a ring
 * used alongside stays intact (its header unchanged, a frame still goes
 * through).  The guest's dmesg check then looks for warnings.
 */
#include "kselftest_harness.h"
#include "myc_test.h"

#define ITER	20000

static __u64 rnd_state = 0x9e3779b97f4a7c15ull;

static __u64 rnd(void)
{
	/* xorshift64*: reproducible from the seed printed below. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static const unsigned int cmds[] = {
	MYC_IOC_CREATE, MYC_IOC_OPEN, MYC_IOC_UNLINK, MYC_IOC_INFO, MYC_IOC_STATS,
	MYC_IOC_WAIT, MYC_IOC_WAKE, MYC_IOC_EVENTS,
};

/* A random CREATE may have made a persistent ring with a valid random
 * name: unlink every ring debugfs still lists (nothing else runs now). */
static int unlink_leftovers(int dev)
{
	FILE *f = fopen("/sys/kernel/debug/mycelium/rings", "r");
	char line[512], name[MYC_RING_NAME_MAX];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == ' ')
			continue;
		memset(name, 0, sizeof(name));
		if (sscanf(line, "%63s", name) == 1 && !myc_t_unlink(dev, name))
			n++;
	}
	fclose(f);
	return n;
}

TEST(random_ioctls)
{
	static unsigned char buf[8192];
	char name[MYC_RING_NAME_MAX], frame[64];
	struct myc_ring_hdr saved;
	struct myc_t_map m;
	int dev = myc_t_dev(), prod, cons, k, r, fds[3];
	size_t n;

	ASSERT_LE(0, dev);
	if (getenv("MYC_FUZZ_SEED"))
		rnd_state = strtoull(getenv("MYC_FUZZ_SEED"), NULL, 0);
	TH_LOG("seed 0x%llx", (unsigned long long)rnd_state);
	myc_t_name(name, "fuzz");
	prod = myc_t_create(dev, name, 8192, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, prod);
	cons = myc_t_open(dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, cons);
	ASSERT_EQ(0, myc_t_map(cons, PROT_READ, &m));
	saved = *m.hdr;
	fds[0] = dev;
	fds[1] = prod;
	fds[2] = cons;

	for (k = 0; k < ITER; k++) {
		__u64 x = rnd();
		unsigned int cmd;
		int fd = fds[x % 3];
		void *arg;

		/* Mostly real commands with a random size field, sometimes a
		 * random command in the driver's magic or anywhere. */
		switch ((x >> 8) % 4) {
		case 0:
			cmd = _IOC((x >> 16) % 4, MYC_IOC_MAGIC, (x >> 20) & 0xff, (x >> 32) & 0x3fff);
			break;
		case 1:
			cmd = (unsigned int)rnd();
			break;
		default:
			cmd = cmds[(x >> 16) % (sizeof(cmds) / sizeof(cmds[0]))];
		}
		for (n = 0; n < 64; n += 8)
			*(__u64 *)(buf + n) = rnd();
		/* Often a plausible size; often everything else zero. */
		if (x & (1ull << 40))
			*(__u32 *)buf = (__u32)(rnd() % 300);
		if (x & (1ull << 41))
			memset(buf + 4, 0, 60);
		if (x & (1ull << 42))
			memset(buf + 16 + (x >> 50) % 40, 0, 200);
		/* Never let WAIT sleep long: a timeout bit and a short one. */
		if (cmd == MYC_IOC_WAIT) {
			struct myc_ioc_wait *w = (void *)buf;

			w->flags = MYC_WAIT_TIMEOUT;
			w->timeout_ns %= 1000000;
		}
		arg = (x & (1ull << 45)) ? (void *)(uintptr_t)rnd() : buf;
		r = ioctl(fd, cmd, arg);
		if (r > 2 && (cmd == MYC_IOC_CREATE || cmd == MYC_IOC_OPEN) && fd == dev)
			close(r);	/* a valid ring fd: let it go */
		if ((x >> 48) % 16 == 0) {
			n = rnd() % sizeof(frame);
			for (r = 0; r < (int)sizeof(frame); r++)
				frame[r] = (char)rnd();
			if (rnd() & 1)
				*(__u32 *)frame = n;
			(void)!write(fds[1 + rnd() % 2], frame, n);
		}
		if ((x >> 52) % 64 == 0) {
			size_t len = 4096 * (1 + rnd() % 8);
			void *p = mmap(NULL, len, (rnd() & 1) ? PROT_READ : PROT_READ | PROT_WRITE,
				       MAP_SHARED, fds[1 + rnd() % 2], 4096 * (rnd() % 64));

			if (p != MAP_FAILED)
				munmap(p, len);
		}
	}
	/* Still the same ring, still working. */
	EXPECT_EQ(0, memcmp(&saved, m.hdr, sizeof(saved)));
	n = myc_t_frame(frame, 77, 1, 8);
	EXPECT_EQ((ssize_t)n, write(prod, frame, n));
	myc_t_unmap(&m);
	close(cons);
	close(prod);
	TH_LOG("persistent rings the fuzzer made and removed: %d", unlink_leftovers(dev));
	close(dev);
}

TEST_HARNESS_MAIN
