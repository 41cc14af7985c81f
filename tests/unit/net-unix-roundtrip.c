// SPDX-License-Identifier: MIT
/*
 * Description: two processes exchange frames over a Unix stream socket: the
 * child dials, both handshake, the child sends frames of every size class up
 * to the largest payload and the parent echoes each one back; every frame
 * arrives once, in order, with its payload intact.  Run for a path-named
 * socket and for an abstract one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "nettest.h"

static void path_socket(void **state)
{
	char addr[128];

	snprintf(addr, sizeof(addr), "unix:./net-rt-%d.sock", getpid());
	assert_int_equal(tn_roundtrip(addr), 0);
	/* the listener removes its socket file when the net is freed */
	assert_int_not_equal(access(addr + 5, F_OK), 0);
}

static void abstract_socket(void **state)
{
	assert_int_equal(tn_roundtrip(tn_unix_addr("rt")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_socket),
		cmocka_unit_test(abstract_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
