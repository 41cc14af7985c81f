// SPDX-License-Identifier: MIT
/*
 * Description: the connection between two buses is dropped every 3000
 * messages (myc_bus_net_reset) while a lossless publisher streams over
 * TCP; the subscriber in the other process still gets every message
 * exactly once, in order, and counts no loss.
 * Sanitizers: tsan
 */
#include "busnet.h"
#include "ringtest.h"

int main(void)
{
	RT_EQ(bn_stream("tcp:127.0.0.1:0", BN_RECV, MYC_LOSSLESS, 20000, 3000), 0);
	return 0;
}
