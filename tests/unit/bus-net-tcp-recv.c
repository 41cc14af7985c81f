// SPDX-License-Identifier: MIT
/*
 * Description: a subscriber in another process, whose bus dialled ours over
 * TCP loopback, receives through myc_sub_recv every message a lossless
 * publisher commits after the subscription reached us: payloads in order,
 * nothing more, nothing lost.
 */
#include "busnet.h"
#include "ringtest.h"

int main(void)
{
	RT_EQ(bn_stream("tcp:127.0.0.1:0", BN_RECV, MYC_LOSSLESS, 20000, 0), 0);
	return 0;
}
