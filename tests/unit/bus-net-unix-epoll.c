// SPDX-License-Identifier: MIT
/*
 * Description: a subscriber in another process, whose bus dialled ours over
 * a Unix socket, waits on its myc_sub_fd in an epoll set and drains: it
 * gets every message of a lossless publisher, in order, nothing more,
 * nothing lost.
 */
#include "busnet.h"
#include "nettest.h"
#include "ringtest.h"

int main(void)
{
	RT_EQ(bn_stream(tn_unix_addr("bn-epoll"), BN_EPOLL, MYC_LOSSLESS, 20000, 0), 0);
	return 0;
}
