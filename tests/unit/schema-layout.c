// SPDX-License-Identifier: MIT
/*
 * Description: the layout rules of docs/schema.md hold for every message of
 * the all-types and trading schemas: members in schema order tile the
 * payload with no gap or overlap, every member sits at its natural
 * alignment, padding is explicit (named "_padOFFSET") and only where
 * alignment needs it, each array is preceded by its u16 count, and sizes are
 * multiples of 8.  Spot checks pin exact offsets.  Lookups by id, name and
 * topic find the right message and return NULL for unknown keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "test-top.h"

static struct myc_schema *load(const char *rel)
{
	char err[512];
	struct myc_schema *s = myc_schema_load(myc_test_path(rel), err, sizeof(err));

	if (!s)
		fail_msg("%s", err);
	return s;
}

static uint32_t align_of(const struct myc_schema_field *f)
{
	switch (f->kind) {
	case MYC_K_U16: case MYC_K_I16: return 2;
	case MYC_K_U32: case MYC_K_I32: case MYC_K_F32: return 4;
	case MYC_K_U64: case MYC_K_I64: case MYC_K_F64: return 8;
	case MYC_K_ARRAY: {
		struct myc_schema_field e = *f;

		e.kind = f->elem;
		return align_of(&e);
	}
	default: return 1;
	}
}

static void check_rules(const struct myc_schema *s)
{
	for (unsigned i = 0; i < myc_schema_msg_count(s); i++) {
		const struct myc_schema_msg *m = myc_schema_msg_at(s, i);
		uint32_t off = 0;

		assert_true(m->size % 8 == 0);
		assert_true(m->size > 0 && m->size <= MYC_PAYLOAD_MAX);
		for (uint32_t j = 0; j < m->nfields; j++) {
			const struct myc_schema_field *f = &m->fields[j];

			assert_int_equal(f->offset, off);	/* no gap, no overlap */
			assert_int_equal(f->offset % align_of(f), 0);
			if (f->role == MYC_ROLE_PAD) {
				char name[24];
				const struct myc_schema_field *next =
					j + 1 < m->nfields ? &m->fields[j + 1] : NULL;

				snprintf(name, sizeof(name), "_pad%u", f->offset);
				assert_string_equal(f->name, name);
				assert_int_equal(f->kind, MYC_K_PAD);
				/* needed: the next member (or the end) is not aligned here */
				if (next)
					assert_true(f->offset % align_of(next) != 0);
				else
					assert_true(f->offset % 8 != 0);
				assert_true(f->size < (next ? align_of(next) : 8));
			}
			if (f->kind == MYC_K_ARRAY) {
				const struct myc_schema_field *len = NULL;

				for (uint32_t k = j; k-- > 0;)
					if (m->fields[k].role != MYC_ROLE_PAD) {
						len = &m->fields[k];
						break;
					}
				assert_non_null(len);
				assert_int_equal(len->role, MYC_ROLE_LEN);
				assert_int_equal(len->kind, MYC_K_U16);
				assert_true(!strncmp(len->name, f->name, strlen(f->name)));
				assert_string_equal(len->name + strlen(f->name), "_len");
			}
			off += f->size;
		}
		assert_int_equal(off, m->size);
	}
}

static const struct myc_schema_field *member(const struct myc_schema_msg *m,
					     const char *name)
{
	for (uint32_t j = 0; j < m->nfields; j++)
		if (!strcmp(m->fields[j].name, name))
			return &m->fields[j];
	fail_msg("%s has no member %s", m->name, name);
	return NULL;
}

static void all_types_rules(void **state)
{
	struct myc_schema *s = load("tests/data/schema/ok-all-types.yaml");

	check_rules(s);
	myc_schema_free(s);
}

static void trading_rules(void **state)
{
	struct myc_schema *s = load("examples/schema/trading.yaml");

	check_rules(s);
	myc_schema_free(s);
}

static void spot_offsets(void **state)
{
	struct myc_schema *s = load("tests/data/schema/ok-all-types.yaml");
	const struct myc_schema_msg *p = myc_schema_msg_by_name(s, "Padded");
	const struct myc_schema_msg *c = myc_schema_msg_by_name(s, "Containers");

	assert_non_null(p);
	/* flag@0, pad 1..7, wide@8, small@16, pad 17..19, mid@20, last@24,
	 * tail pad 26..31 */
	assert_int_equal(p->size, 32);
	assert_int_equal(member(p, "_pad1")->size, 7);
	assert_int_equal(member(p, "wide")->offset, 8);
	assert_int_equal(member(p, "_pad17")->size, 3);
	assert_int_equal(member(p, "mid")->offset, 20);
	assert_int_equal(member(p, "_pad26")->size, 6);
	assert_non_null(c);
	/* tag[5]@0, raw[3]@5, prices_len@8, pad 10..15, prices@16 */
	assert_int_equal(member(c, "prices_len")->offset, 8);
	assert_int_equal(member(c, "prices")->offset, 16);
	assert_int_equal(member(c, "prices")->cap, 3);
	assert_int_equal(member(c, "prices")->size, 24);
	assert_int_equal(member(c, "prices")->elem, MYC_K_F64);
	assert_string_equal(c->snake, "containers");
	myc_schema_free(s);
}

static void lookups(void **state)
{
	struct myc_schema *s = load("examples/schema/trading.yaml");
	const struct myc_schema_msg *m;

	assert_string_equal(myc_schema_name(s), "trading");
	assert_int_equal(myc_schema_msg_count(s), 6);
	m = myc_schema_msg_by_id(s, 0x0302);
	assert_non_null(m);
	assert_string_equal(m->name, "RiskDecision");
	assert_string_equal(m->snake, "risk_decision");
	assert_ptr_equal(myc_schema_msg_by_topic(s, "risk.decision"), m);
	assert_ptr_equal(myc_schema_msg_by_name(s, "RiskDecision"), m);
	assert_ptr_equal(myc_schema_msg_at(s, 4), m);
	assert_null(myc_schema_msg_by_id(s, 0x0303));
	assert_null(myc_schema_msg_by_topic(s, "nope"));
	assert_null(myc_schema_msg_by_name(s, "riskdecision"));
	assert_null(myc_schema_msg_at(s, 6));
	/* NULL-safe accessors */
	assert_null(myc_schema_msg_by_id(NULL, 1));
	assert_null(myc_schema_msg_by_name(s, NULL));
	assert_int_equal(myc_schema_msg_count(NULL), 0);
	assert_null(myc_schema_name(NULL));
	assert_null(myc_schema_digest(NULL));
	myc_schema_free(NULL);
	myc_schema_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_types_rules),
		cmocka_unit_test(trading_rules),
		cmocka_unit_test(spot_offsets),
		cmocka_unit_test(lookups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
