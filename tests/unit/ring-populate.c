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
 * Resident kB of this process's mappings of rings, summed over all of
 * them.  Userspace mode: the mappings of the file at @path, matched by
 * inode (a ring file is created unnamed and linked once ready, so its
 * mappings are not listed under its name).  Kernel mode (@path NULL): the
 * module's ring files, "anon_inode:[mycelium]".
 */
static unsigned long rss_kb(const char *path)
{
	static const char kern[] = "anon_inode:[mycelium]";
	unsigned long sum = 0, kb, lo, hi, ino;
	struct stat st = { 0 };
	char line[512];
	bool in = false;
	FILE *f;

	if (path && stat(path, &st))
		return 0;
	f = fopen("/proc/self/smaps", "r");
	RT_CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		char perms[8], off[32], dev[32];
		size_t n = strcspn(line, "\n");

		line[n] = 0;
		/* "lo-hi perms offset dev inode path": a new mapping. */
		if (sscanf(line, "%lx-%lx %7s %31s %31s %lu", &lo, &hi, perms, off, dev,
			   &ino) == 6)
			in = path ? ino == (unsigned long)st.st_ino
				  : n >= strlen(kern) && !strcmp(line + n - strlen(kern), kern);
		else if (in && sscanf(line, "Rss: %lu kB", &kb) == 1)
			sum += kb;
	}
	fclose(f);
	return sum;
}

/* Fail unless @kb (resident since the handle was opened) covers the data
 * area twice. */
static void check(const char *who, unsigned long kb, const char *name)
{
	if (kb < 2 * (CAP >> 10)) {
		fprintf(stderr, "%s: %lu kB of ring %s resident, want >= %u\n", who, kb, name,
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
	const char *file;
	char path[128];

	snprintf(path, sizeof(path), "/dev/shm/myc.%s", name);
	file = rt_kernel_mode() ? NULL : path;	/* kernel: no file */
	before = rss_kb(file);
	p = myc_ring_open(name, MYC_RING_PRODUCER | MYC_RING_CREATE | MYC_RING_EXCL, &o);
	RT_CHECK(p);
	check("producer", rss_kb(file) - before, name);
	before = rss_kb(file);
	c = myc_ring_open(name, MYC_RING_CONSUMER, NULL);
	RT_CHECK(c);
	check("consumer", rss_kb(file) - before, name);
	myc_ring_free(c);
	myc_ring_free(p);
	RT_CHECK(!rt_ring_exists(name));
	return 0;
}
