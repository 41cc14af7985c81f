// SPDX-License-Identifier: MIT
/*
 * Description: two processes exchange frames over TCP on loopback (IPv4 and
 * IPv6): the child dials the parent's ephemeral port, both handshake, the
 * child sends frames of every size class up to the largest payload and the
 * parent echoes each one back; every frame arrives once, in order, intact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "nettest.h"

static void ipv4(void **state)
{
	assert_int_equal(tn_roundtrip("tcp:127.0.0.1:0"), 0);
}

static void ipv6(void **state)
{
	struct tn *t = tn_new("probe", NULL);
	int r = myc_net_listen(t->net, "tcp:[::1]:0");

	tn_free(t);
	if (r) {
		skip();		/* no IPv6 loopback on this machine */
		return;
	}
	assert_int_equal(tn_roundtrip("tcp:[::1]:0"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4),
		cmocka_unit_test(ipv6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
