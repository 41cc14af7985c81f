// SPDX-License-Identifier: MIT
/*
 * Description: a peer whose protocol version differs is refused at the
 * handshake: the dialler gets REJECT and reports -MYC_E_VERSION with the
 * peer's reason, the listener reports the same error for the peer it
 * refused, no data crosses, and a matching peer is served afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "nettest.h"

static void version_mismatch_refused_on_both_sides(void **state)
{
	assert_int_equal(tn_mismatch(TN_MISMATCH_VERSION), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_mismatch_refused_on_both_sides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
