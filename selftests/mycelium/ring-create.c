// SPDX-License-Identifier: GPL-2.0-only
/*
 * Description: MYC_IOC_CREATE makes a ring of the requested size in the
 * requested role and returns a new fd; the mapped header publishes the
 * layout of uapi section A (magic, version, capacity, page-aligned areas in
 * order, mirror), MYC_IOC_INFO reports what was created, a second create of
 * the same name fails with EEXIST, and OPEN gives further fds.
 */
#include "kselftest_harness.h"
#include "myc_test.h"

FIXTURE(create) {
	int dev;
	char name[MYC_RING_NAME_MAX];
};

FIXTURE_VARIANT(create) {
	__u64 capacity;
	__u32 flags;
	__u32 role;
};

FIXTURE_VARIANT_ADD(create, lossy_4k_producer) {
	.capacity = 4096, .flags = 0, .role = MYC_ROLE_PRODUCER,
};
FIXTURE_VARIANT_ADD(create, lossless_64k_consumer) {
	.capacity = 65536, .flags = MYC_CREATE_LOSSLESS, .role = MYC_ROLE_CONSUMER,
};
FIXTURE_VARIANT_ADD(create, persistent_1m_producer) {
	.capacity = 1 << 20, .flags = MYC_CREATE_PERSISTENT | MYC_CREATE_CLOEXEC,
	.role = MYC_ROLE_PRODUCER,
};

FIXTURE_SETUP(create)
{
	self->dev = myc_t_dev();
	ASSERT_LE(0, self->dev);
	myc_t_name(self->name, "create");
}

FIXTURE_TEARDOWN(create)
{
	if (variant->flags & MYC_CREATE_PERSISTENT)
		myc_t_unlink(self->dev, self->name);
	close(self->dev);
}

TEST_F(create, info_and_layout)
{
	struct myc_ioc_info i;
	struct myc_t_map m;
	int fd;

	fd = myc_t_create(self->dev, self->name, variant->capacity, variant->flags, variant->role);
	ASSERT_LE(0, fd);
	ASSERT_NE(fd, self->dev);
	ASSERT_EQ(0, myc_t_info(fd, &i));
	EXPECT_EQ(variant->role, i.role);
	EXPECT_EQ(0, i.slot);
	EXPECT_EQ(variant->capacity, i.capacity);
	EXPECT_EQ(variant->flags & (MYC_CREATE_LOSSLESS | MYC_CREATE_PERSISTENT), i.flags);
	EXPECT_EQ(0600, i.mode);
	EXPECT_EQ(getuid(), i.uid);
	EXPECT_EQ(variant->role == MYC_ROLE_PRODUCER, i.producers);
	EXPECT_EQ(variant->role == MYC_ROLE_CONSUMER, i.consumers);
	EXPECT_EQ(0, i.head_pos);
	EXPECT_EQ(1, i.head_seq);
	EXPECT_EQ(0, strcmp(self->name, i.name));
	EXPECT_EQ(variant->capacity / 2 - 32 < 65536 ? variant->capacity / 2 - 32 : 65536,
		  i.max_frame);
	if (variant->flags & MYC_CREATE_CLOEXEC)
		EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);

	ASSERT_EQ(0, myc_t_map(fd, PROT_READ, &m));
	EXPECT_EQ(MYC_RING_MAGIC, m.hdr->magic);
	EXPECT_EQ(MYC_RING_VERSION, m.hdr->version);
	EXPECT_EQ(sizeof(struct myc_ring_hdr), m.hdr->hdr_size);
	EXPECT_EQ(MYC_T_PAGE, m.hdr->page_size);
	EXPECT_EQ(variant->capacity, m.hdr->capacity);
	EXPECT_NE(0, m.hdr->flags & MYC_RING_HF_KERNEL);
	EXPECT_EQ(!!(variant->flags & MYC_CREATE_LOSSLESS), !!(m.hdr->flags & MYC_RING_HF_LOSSLESS));
	/* Areas page aligned, in order, not overlapping. */
	EXPECT_EQ(0, m.hdr->off_ctl % MYC_T_PAGE);
	EXPECT_EQ(0, m.hdr->off_cons % MYC_T_PAGE);
	EXPECT_EQ(0, m.hdr->off_data % MYC_T_PAGE);
	EXPECT_LE(m.hdr->off_ctl + sizeof(struct myc_ring_ctl), m.hdr->off_prod);
	EXPECT_LE(m.hdr->off_prod + 4ull * m.hdr->prod_stride, m.hdr->off_cons);
	EXPECT_LE(m.hdr->off_cons + 4ull * MYC_T_PAGE, m.hdr->off_data);
	EXPECT_EQ(m.hdr->off_data + variant->capacity, m.hdr->file_size);
	EXPECT_EQ(m.hdr->file_size + variant->capacity, m.hdr->map_size);
	EXPECT_EQ(i.map_size, m.hdr->map_size);
	EXPECT_EQ(4, m.hdr->max_producers);
	EXPECT_EQ(4, m.hdr->max_consumers);
	EXPECT_EQ(0, strcmp(self->name, m.hdr->name));
	EXPECT_EQ(0, m.ctl->head_pos);
	EXPECT_EQ(1, m.ctl->head_seq);
	myc_t_unmap(&m);
	close(fd);
}

TEST_F(create, duplicate_name_eexist)
{
	int fd, fd2;

	fd = myc_t_create(self->dev, self->name, variant->capacity, variant->flags, variant->role);
	ASSERT_LE(0, fd);
	fd2 = myc_t_create(self->dev, self->name, variant->capacity, variant->flags, variant->role);
	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(EEXIST, errno);
	close(fd);
}

TEST_F(create, open_both_roles)
{
	struct myc_ioc_info i;
	int fd, p, c;

	fd = myc_t_create(self->dev, self->name, variant->capacity, variant->flags, variant->role);
	ASSERT_LE(0, fd);
	p = myc_t_open(self->dev, self->name, MYC_ROLE_PRODUCER);
	ASSERT_LE(0, p);
	c = myc_t_open(self->dev, self->name, MYC_ROLE_CONSUMER);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, myc_t_info(c, &i));
	EXPECT_EQ(MYC_ROLE_CONSUMER, i.role);
	EXPECT_EQ(1 + (variant->role == MYC_ROLE_PRODUCER), i.producers);
	EXPECT_EQ(1 + (variant->role == MYC_ROLE_CONSUMER), i.consumers);
	/* Each fd has a slot of its own. */
	EXPECT_EQ(variant->role == MYC_ROLE_CONSUMER ? 1 : 0, i.slot);
	close(c);
	close(p);
	close(fd);
}

TEST_HARNESS_MAIN
