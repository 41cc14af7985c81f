// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <unistd.h>
#include "kselftest_harness.h"

TEST(dev_open)
{
	int fd = open("/dev/mycelium", O_RDWR);

	ASSERT_LE(0, fd);
	close(fd);
}

TEST_HARNESS_MAIN
