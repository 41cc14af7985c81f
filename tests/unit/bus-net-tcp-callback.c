// SPDX-License-Identifier: MIT
/*
 * Description: a callback subscriber in another process, whose bus dialled
 * ours over TCP loopback, gets every message of a lossless publisher
 * through myc_sub_dispatch, in order, nothing more, nothing lost.
 */
#include "busnet.h"
#include "ringtest.h"

int main(void)
{
	RT_EQ(bn_stream("tcp:127.0.0.1:0", BN_CALLBACK, MYC_LOSSLESS, 20000, 0), 0);
	return 0;
}
