// SPDX-License-Identifier: MIT
/*
 * Description: schemas at the limits load, and their errors are still found
 * at the right line: a message of 65504 one-byte fields (a full payload)
 * beside 3000 other messages loads with the expected layout; the same
 * schema with one duplicate field name at the very end, or one duplicate
 * type id in the last message, is refused naming that line and the line of
 * the first use (lines beyond 65535 included).  (Duplicate
 * detection is O(n log n); a pairwise scan would make these inputs crawl.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"

#define NFIELDS 65504u
#define NMSGS 3000u

struct text {
	char *buf;
	size_t len, cap;
	unsigned lines;
};

__attribute__((format(printf, 2, 3)))
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->cap - t->len < 256) {
		t->cap = t->cap ? 2 * t->cap : 1 << 20;
		t->buf = realloc(t->buf, t->cap);
		assert_non_null(t->buf);
	}
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
	t->lines++;		/* every add() is one line */
}

/* @dup_field: repeat field 0's name as the last field; @dup_id: give the
 * last message the id of the one before it (both beyond line 65535).
 * Returns the line of the defect. */
static unsigned build(struct text *t, int dup_field, int dup_id)
{
	unsigned bad = 0;

	memset(t, 0, sizeof(*t));
	add(t, "schema: big\n");
	add(t, "messages:\n");
	add(t, "  - {name: Big, id: 1, topic: big, fields: [\n");
	for (unsigned i = 0; i < NFIELDS; i++) {
		if (dup_field && i == NFIELDS - 1) {
			add(t, "      {name: f0, type: u8}]}\n");
			bad = t->lines;
		} else {
			add(t, "      {name: f%u, type: u8}%s\n", i, i == NFIELDS - 1 ? "]}" : ",");
		}
	}
	for (unsigned m = 0; m < NMSGS; m++) {
		unsigned id = dup_id && m == NMSGS - 1 ? m + 1 : m + 2;

		add(t, "  - {name: M%u, id: %u, topic: t%u, fields: [{name: x, type: u64}]}\n",
		    m, id, m);
		if (dup_id && m == NMSGS - 1)
			bad = t->lines;
	}
	return bad;
}

static void limits_load(void **state)
{
	struct text t;
	char err[256];
	struct myc_schema *s;
	const struct myc_schema_msg *m;

	build(&t, 0, 0);
	s = myc_schema_parse(t.buf, t.len, "big.yaml", err, sizeof(err));
	if (!s)
		fail_msg("%s", err);
	assert_int_equal(myc_schema_msg_count(s), NMSGS + 1);
	m = myc_schema_msg_by_id(s, 1);
	assert_int_equal(m->size, NFIELDS);
	assert_int_equal(m->nfields, NFIELDS);	/* already 8-aligned: no pad */
	assert_int_equal(m->fields[NFIELDS - 1].offset, NFIELDS - 1);
	myc_schema_free(s);
	free(t.buf);
}

static void expect_refused(int dup_field, int dup_id, const char *what)
{
	struct text t;
	char err[256], prefix[64];
	unsigned line = build(&t, dup_field, dup_id);

	assert_null(myc_schema_parse(t.buf, t.len, "big.yaml", err, sizeof(err)));
	assert_int_equal(errno, MYC_E_INVALID);
	snprintf(prefix, sizeof(prefix), "big.yaml:%u: ", line);
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, what))
		fail_msg("got '%s', want '%s... %s'", err, prefix, what);
	free(t.buf);
}

static void late_duplicates_found(void **state)
{
	char want[128];

	expect_refused(1, 0, "duplicate field name 'f0' (first at line 4)");
	/* 2 header lines, the Big message's NFIELDS + 1, then M0 .. */
	snprintf(want, sizeof(want), "duplicate type id 0x%04x (already used by 'M%u' at line %u)",
		 NMSGS, NMSGS - 2, 2 + NFIELDS + 1 + NMSGS - 1);
	expect_refused(0, 1, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(limits_load),
		cmocka_unit_test(late_duplicates_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
