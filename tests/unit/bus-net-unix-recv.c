// SPDX-License-Identifier: MIT
/*
 * Description: a subscriber in another process, whose bus dialled ours over
 * a Unix socket, receives through myc_sub_recv every message a lossless
 * publisher commits after the subscription reached us: payloads in order,
 * nothing more, nothing lost.
 * Sanitizers: tsan
 */
#include "busnet.h"
#include "nettest.h"
#include "ringtest.h"

int main(void)
{
	RT_EQ(bn_stream(tn_unix_addr("bn-recv"), BN_RECV, MYC_LOSSLESS, 20000, 0), 0);
	return 0;
}
