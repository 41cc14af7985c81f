// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: mmap of a ring fd: a producer maps the ring read-write and
 * its writes are seen by a consumer's read-only mapping; the data pages
 * appear twice back to back (the mirror); a consumer cannot map the ring
 * writable (EACCES) nor mprotect a read-only mapping to writable (EACCES),
 * may map exactly its own consumer page writable but no other one; a
 * mapping past map_size (EINVAL) or a private mapping (EINVAL) is refused.
 */
#include "kselftest_harness.h"
#include "myc_test.h"

FIXTURE(mm) {
	int dev, prod, cons;
	struct myc_t_map pm, cm;
	struct myc_ioc_info ci;
};

FIXTURE_VARIANT(mm) {
	__u64 capacity;
};

FIXTURE_VARIANT_ADD(mm, cap_4k) { .capacity = 4096 };
FIXTURE_VARIANT_ADD(mm, cap_64k) { .capacity = 65536 };
FIXTURE_VARIANT_ADD(mm, cap_2m) { .capacity = 2 << 20 };

FIXTURE_SETUP(mm)
{
	char name[MYC_RING_NAME_MAX];

	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(name, "mmap");
	self->prod = myc_t_create(self->dev, name, variant->capacity, 0, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, self->prod);
	self->cons = myc_t_open(self->dev, name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, self->cons);
	ASSERT_EQ(0, myc_t_info(self->cons, &self->ci));
	ASSERT_EQ(0, myc_t_map(self->prod, PROT_READ | PROT_WRITE, &self->pm));
	ASSERT_EQ(0, myc_t_map(self->cons, PROT_READ, &self->cm));
}

FIXTURE_TEARDOWN(mm)
{
	myc_t_unmap(&self->pm);
	myc_t_unmap(&self->cm);
	close(self->cons);
	close(self->prod);
	close(self->dev);
}

TEST_F(mm, producer_writes_consumer_sees_and_mirror)
{
	__u64 cap = variant->capacity;

	self->pm.data[0] = 0x5a;
	self->pm.data[cap - 1] = 0x7e;
	EXPECT_EQ(0x5a, self->cm.data[0]);
	EXPECT_EQ(0x5a, self->cm.data[cap]);		/* mirror */
	EXPECT_EQ(0x7e, self->cm.data[2 * cap - 1]);
	/* Writing through the mirror lands in the same page. */
	self->pm.data[cap + 8] = 0x33;
	EXPECT_EQ(0x33, self->cm.data[8]);
}

TEST_F(mm, consumer_write_mapping_eacces)
{
	void *p = mmap(NULL, self->cm.size, PROT_READ | PROT_WRITE, MAP_SHARED, self->cons, 0);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	/* Not even one data page. */
	p = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, self->cons, self->cm.hdr->off_data);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
}

TEST_F(mm, consumer_mprotect_write_refused)
{
	EXPECT_EQ(-1, mprotect(self->cm.base, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect((char *)self->cm.data, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
}

TEST_F(mm, consumer_own_page_writable_only)
{
	__u64 own = self->cm.hdr->off_cons + (__u64)self->ci.slot * 4096;
	__u64 other = self->cm.hdr->off_cons + (__u64)(self->ci.slot + 1) * 4096;
	struct myc_ring_cons *cp;
	void *p;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->cons, own);
	ASSERT_NE(MAP_FAILED, p);
	cp = p;
	EXPECT_EQ(MYC_RING_CS_ACTIVE, cp->state);
	cp->delivered = 42;
	/* The producer and the read-only view see the consumer's write. */
	EXPECT_EQ(42, myc_t_cons(&self->pm, self->ci.slot)->delivered);
	EXPECT_EQ(42, myc_t_cons(&self->cm, self->ci.slot)->delivered);
	munmap(p, 4096);
	/* Someone else's page, or two pages: refused. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->cons, other));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, self->cons, own));
	EXPECT_EQ(EACCES, errno);
}

TEST_F(mm, beyond_ring_einval)
{
	size_t size = self->cm.size;

	EXPECT_EQ(MAP_FAILED, mmap(NULL, size + 4096, PROT_READ, MAP_SHARED, self->prod, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->cons, size));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->prod, 1ull << 40));
	EXPECT_EQ(EINVAL, errno);
	/* The last page is fine. */
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->cons, size - 4096);

	EXPECT_NE(MAP_FAILED, p);
	munmap(p, 4096);
}

TEST_F(mm, private_mapping_einval)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self->cons, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mm, mremap_cannot_grow)
{
	void *p = mremap(self->cm.base, self->cm.size, self->cm.size + 4096, 0);

	EXPECT_EQ(MAP_FAILED, p);
}

TEST_HARNESS_MAIN
