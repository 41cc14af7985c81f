// SPDX-License-Identifier: MIT
/*
 * Description: myc_schema_msg_format() prints a payload as one line through
 * the schema: every field in order, integers signed or unsigned by type,
 * floats that round-trip, bools, escaped strings, hex bytes, arrays up to
 * their count; padding and counts hidden.  It behaves like snprintf
 * (truncates with a NUL, returns the full length, NULL buffer measures) and
 * refuses malformed payloads (-MYC_E_PAYLOAD) and NULL arguments.
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

static uint8_t *at(uint8_t *p, const struct myc_schema_msg *m, const char *name)
{
	for (uint32_t j = 0; j < m->nfields; j++)
		if (!strcmp(m->fields[j].name, name))
			return p + m->fields[j].offset;
	fail_msg("no member %s", name);
	return NULL;
}

static void scalars(void **state)
{
	const struct myc_schema_msg *m = myc_schema_msg_by_name(s, "Scalars");
	uint8_t p[48] = { 0 };
	char buf[512];
	float f = -1.25f;
	double d = 0.1;
	int64_t i64 = INT64_MIN;
	int n;

	*at(p, m, "a_u8") = 255;
	*at(p, m, "a_i8") = 0x80;			/* -128 */
	memcpy(at(p, m, "a_u16"), "\xff\xff", 2);	/* 65535 */
	memcpy(at(p, m, "a_i16"), "\xfe\xff", 2);	/* -2 */
	*at(p, m, "a_bool") = 1;
	memcpy(at(p, m, "a_u32"), "\x01\x02\x03\x04", 4);
	memcpy(at(p, m, "a_i32"), "\xff\xff\xff\xff", 4);
	memcpy(at(p, m, "a_f32"), &f, 4);
	memset(at(p, m, "a_u64"), 0xff, 8);
	memcpy(at(p, m, "a_i64"), &i64, 8);
	memcpy(at(p, m, "a_f64"), &d, 8);
	n = myc_schema_msg_format(m, p, sizeof(p), buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "Scalars{a_u8=255, a_i8=-128, a_u16=65535, a_i16=-2, "
			    "a_bool=true, a_u32=67305985, a_i32=-1, a_f32=-1.25, "
			    "a_u64=18446744073709551615, a_i64=-9223372036854775808, "
			    "a_f64=0.10000000000000001}");
}

static void containers(void **state)
{
	const struct myc_schema_msg *m = myc_schema_msg_by_name(s, "Containers");
	uint8_t *p = calloc(1, m->size);
	double px[2] = { 1.5, -2 };
	char buf[512];

	memcpy(at(p, m, "tag"), "a\"\\\x01", 4);
	memcpy(at(p, m, "raw"), "\x00\xab\x10", 3);
	*at(p, m, "prices_len") = 2;
	memcpy(at(p, m, "prices"), px, sizeof(px));
	*at(p, m, "votes_len") = 3;
	at(p, m, "votes")[1] = 1;
	*at(p, m, "bytes8_len") = 1;
	*at(p, m, "bytes8") = 0xf6;	/* -10 */
	myc_schema_msg_format(m, p, m->size, buf, sizeof(buf));
	assert_string_equal(buf, "Containers{tag=\"a\\\"\\\\\\x01\", raw=0x00ab10, "
			    "prices=[1.5, -2], ids=[], votes=[false, true, false], deltas=[], "
			    "ratios=[], big=[], neg=[], bytes8=[-10], u8s=[], u16s=[], i32s=[], "
			    "name=\"\"}");
	free(p);
}

static void like_snprintf(void **state)
{
	const struct myc_schema_msg *m = myc_schema_msg_by_name(s, "Tiny");
	uint8_t p[8] = { 42 };
	char buf[8];
	int n = myc_schema_msg_format(m, p, sizeof(p), NULL, 0);

	assert_int_equal(n, (int)strlen("Tiny{only=42}"));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(myc_schema_msg_format(m, p, sizeof(p), buf, sizeof(buf)), n);
	assert_string_equal(buf, "Tiny{on");
}

static void refuses_bad_input(void **state)
{
	const struct myc_schema_msg *m = myc_schema_msg_by_name(s, "Tiny");
	uint8_t p[8] = { 1, 0, 0, 1 };	/* padding not zero */
	char buf[64];

	assert_int_equal(myc_schema_msg_format(m, p, sizeof(p), buf, sizeof(buf)),
			 -MYC_E_PAYLOAD);
	p[3] = 0;
	assert_int_equal(myc_schema_msg_format(m, p, 7, buf, sizeof(buf)), -MYC_E_PAYLOAD);
	assert_int_equal(myc_schema_msg_format(NULL, p, 8, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(myc_schema_msg_format(m, NULL, 8, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scalars),
		cmocka_unit_test(containers),
		cmocka_unit_test(like_snprintf),
		cmocka_unit_test(refuses_bad_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
