// SPDX-License-Identifier: MIT
/*
 * Description: myc_schema_msg_check() accepts a well-formed payload and
 * refuses, with -MYC_E_PAYLOAD, each way a received payload can be wrong:
 * wrong size (one short, one long), non-zero padding, a bool byte other
 * than 0/1 (scalar and array element), an array count above capacity,
 * non-zero elements beyond the count, and non-zero bytes after a string's
 * end.  NULL arguments give -EINVAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "test-top.h"

static struct myc_schema *s;

static int setup(void **state)
{
	char err[512];

	s = myc_schema_load(myc_test_path("tests/data/schema/ok-all-types.yaml"), err,
			    sizeof(err));
	if (!s)
		fail_msg("%s", err);
	return 0;
}

static int teardown(void **state)
{
	myc_schema_free(s);
	return 0;
}

static const struct myc_schema_field *member(const struct myc_schema_msg *m,
					     const char *name)
{
	for (uint32_t j = 0; j < m->nfields; j++)
		if (!strcmp(m->fields[j].name, name))
			return &m->fields[j];
	fail_msg("no member %s", name);
	return NULL;
}

/* A valid Containers payload: a 2-char tag, 1 price, 3 votes. */
static uint8_t *containers(const struct myc_schema_msg *m)
{
	uint8_t *p = calloc(1, m->size);
	double px = 1.5;

	memcpy(p + member(m, "tag")->offset, "ab", 2);
	p[member(m, "prices_len")->offset] = 1;
	memcpy(p + member(m, "prices")->offset, &px, 8);
	p[member(m, "votes_len")->offset] = 3;
	p[member(m, "votes")->offset + 1] = 1;
	return p;
}

static void well_formed_passes(void **state)
{
	const struct myc_schema_msg *m = myc_schema_msg_by_name(s, "Containers");
	uint8_t *p = containers(m);

	assert_int_equal(myc_schema_msg_check(m, p, m->size), 0);
	free(p);
}

static void each_defect_refused(void **state)
{
	const struct myc_schema_msg *m = myc_schema_msg_by_name(s, "Containers");
	const struct myc_schema_msg *sc = myc_schema_msg_by_name(s, "Scalars");
	uint8_t *p;
	struct { const char *member; uint32_t at; uint8_t val; } bad[] = {
		{ "_pad10", 0, 1 },	/* padding */
		{ "_pad165", 2, 0x80 },	/* tail padding */
		{ "prices_len", 0, 4 },	/* count above capacity 3 */
		{ "prices", 8, 1 },	/* element 1 beyond count 1 */
		{ "votes", 0, 2 },	/* bool element not 0/1 */
		{ "votes", 3, 1 },	/* bool beyond count 3 */
		{ "tag", 3, 'x' },	/* byte after the string's end */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = containers(m);
		p[member(m, bad[i].member)->offset + bad[i].at] = bad[i].val;
		if (myc_schema_msg_check(m, p, m->size) != -MYC_E_PAYLOAD)
			fail_msg("defect in %s+%u not caught", bad[i].member, bad[i].at);
		free(p);
	}
	p = containers(m);
	assert_int_equal(myc_schema_msg_check(m, p, m->size - 1), -MYC_E_PAYLOAD);
	assert_int_equal(myc_schema_msg_check(m, p, m->size + 8), -MYC_E_PAYLOAD);
	free(p);

	p = calloc(1, sc->size);
	assert_int_equal(myc_schema_msg_check(sc, p, sc->size), 0);
	p[member(sc, "a_bool")->offset] = 2;
	assert_int_equal(myc_schema_msg_check(sc, p, sc->size), -MYC_E_PAYLOAD);
	free(p);
	assert_string_not_equal(myc_strerror(-MYC_E_PAYLOAD), "");
}

static void null_arguments(void **state)
{
	const struct myc_schema_msg *m = myc_schema_msg_by_name(s, "Tiny");
	uint8_t buf[8] = { 0 };

	assert_int_equal(myc_schema_msg_check(NULL, buf, 8), -EINVAL);
	assert_int_equal(myc_schema_msg_check(m, NULL, 8), -EINVAL);
	assert_int_equal(myc_schema_msg_check(m, buf, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(well_formed_passes),
		cmocka_unit_test(each_defect_refused),
		cmocka_unit_test(null_arguments),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
