// SPDX-License-Identifier: MIT
/*
 * The generated C <msg>_init() and <msg>_check() functions (alltypes.h from
 * tests/data/schema/ok-all-types.yaml): init gives a valid all-zero message
 * and check refuses each defect.  Prints PASS/FAIL lines for
 * tests/suites/schema-codegen.sh.
 */
#include <stdio.h>
#include <string.h>

#include "alltypes.h"

static int failures;

static void report(const char *name, int ok)
{
	printf("%s c-check-%s\n", ok ? "PASS" : "FAIL", name);
	failures += !ok;
}

int main(void)
{
	struct alltypes_containers c, bad;
	struct alltypes_scalars s;
	static const uint8_t digest[32] = ALLTYPES_SCHEMA_DIGEST;
	char hex[65];

	alltypes_containers_init(&c);
	report("init-zero", alltypes__zero(&c, sizeof(c)) && !alltypes_containers_check(&c));
	memcpy(c.tag, "ab", 2);
	c.prices_len = 1;
	c.prices[0] = 1.5;
	c.votes_len = 2;
	c.votes[1] = 1;
	report("valid", !alltypes_containers_check(&c));

	bad = c; bad._pad10[3] = 1;
	report("pad", alltypes_containers_check(&bad) == -1);
	bad = c; bad._pad165[0] = 1;
	report("tail-pad", alltypes_containers_check(&bad) == -1);
	bad = c; bad.prices_len = 4;
	report("count", alltypes_containers_check(&bad) == -1);
	bad = c; bad.prices[1] = 2.0;
	report("beyond-count", alltypes_containers_check(&bad) == -1);
	bad = c; bad.votes[0] = 2;
	report("bool-element", alltypes_containers_check(&bad) == -1);
	bad = c; bad.tag[3] = 'x';
	report("string-tail", alltypes_containers_check(&bad) == -1);
	memcpy(c.tag, "abcde", 5);	/* full: no terminator needed */
	report("string-full", !alltypes_containers_check(&c));
	alltypes_scalars_init(&s);
	s.a_bool = 2;
	report("bool", alltypes_scalars_check(&s) == -1);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	report("digest", !strcmp(hex, ALLTYPES_SCHEMA_DIGEST_HEX));
	report("constants", ALLTYPES_CONTAINERS_ID == 0xfeff && ALLTYPES_CONTAINERS_SIZE ==
	       sizeof(struct alltypes_containers) && !strcmp(ALLTYPES_CONTAINERS_TOPIC,
							      "test/containers"));
	return failures ? 1 : 0;
}
