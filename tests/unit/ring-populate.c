// SPDX-License-Identifier: MIT
/*
 * Description: opening a ring maps every page of it at once: right after
 * myc_ring_open() the resident set of the handle's ring mappings covers
 * the data area twice (it is mapped twice, back to back), for the creating
 * producer and for a consumer that opens it later, so no handle takes a
 * page fault on its first lap (docs/ring-format.md, "Mapping").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "myc.h"
#include "ringtest.h"

#define CAP	(4u << 20)

/*
 * Resident kB of this process's mappings of the file at @path, summed
 * over all of them.  Matched by inode: a ring file is created unnamed and
 * linked once ready, so its mappings are not listed under its name.
 */
static unsigned long rss_kb(const char *path)
{
	unsigned long sum = 0, kb, lo, hi, ino;
	char line[512];
	struct stat st;
	bool in = false;
	FILE *f;

	if (stat(path, &st))
		return 0;
	f = fopen("/proc/self/smaps", "r");
	RT_CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		char perms[8], off[32], dev[32];

		/* "lo-hi perms offset dev inode path": a new mapping. */
		if (sscanf(line, "%lx-%lx %7s %31s %31s %lu", &lo, &hi, perms, off, dev,
			   &ino) == 6)
			in = ino == (unsigned long)st.st_ino;
		else if (in && sscanf(line, "Rss: %lu kB", &kb) == 1)
			sum += kb;
	}
	fclose(f);
	return sum;
}

/* Fail unless @kb (resident since the handle was opened) covers the data
 * area twice. */
static void check(const char *who, unsigned long kb, const char *path)
{
	if (kb < 2 * (CAP >> 10)) {
		fprintf(stderr, "%s: %lu kB resident in %s, want >= %u\n", who, kb, path,
			2 * (CAP >> 10));
		exit(1);
	}
}

int main(void)
{
	struct myc_ring_opts o = { .sz = sizeof(o), .capacity = CAP };
	const char *name = rt_name("populate");
	struct myc_ring *p, *c;
	unsigned long before;
	char path[128];

	/* Kernel mode: every ring is a mapping of the device. */
	if (rt_kernel_mode())
		snprintf(path, sizeof(path), "/dev/mycelium");
	else
		snprintf(path, sizeof(path), "/dev/shm/myc.%s", name);
	before = rss_kb(path);
	p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE | MYC_RING_EXCL, &o);
	RT_CHECK(p);
	check("producer", rss_kb(path) - before, path);
	before = rss_kb(path);
	c = myc_ring_open(name, MYC_RING_CONSUMER, NULL);
	RT_CHECK(c);
	check("consumer", rss_kb(path) - before, path);
	myc_ring_free(c);
	myc_ring_free(p);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
