// SPDX-License-Identifier: MIT
/*
 * Description: every way myc_bus_from_topology refuses, each with its
 * errno and a one-line message: NULL path/service or a zero options size
 * (EINVAL), a missing file (ENOENT, names the file), a syntax or
 * validation error (EINVAL, the loader's FILE:LINE:COL: KEY: text passed
 * through), a service in no node (ENOENT, lists the known services), a
 * topic without a type id and no schema, or not in the schema (EINVAL),
 * a type id that disagrees with the schema, a max_size below the schema
 * message's size (EINVAL, FILE:LINE: topics.NAME:).  A NULL error buffer
 * is allowed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "test-file.h"

#define NODES "[[nodes]]\nname = \"n\"\nservices = [\"a\", \"b\"]\n"

static struct myc_schema *schema;

static void expect_fail(const char *file, const char *service,
			const struct myc_bus_topo_opts *o, int eno, const char *msg)
{
	char err[256] = "";

	errno = 0;
	assert_null(myc_bus_from_topology(file, service, o, err, sizeof(err)));
	assert_int_equal(errno, eno);
	if (!strstr(err, msg))
		fail_msg("expected \"%s\" in \"%s\"", msg, err);
	/* The same without an error buffer. */
	errno = 0;
	assert_null(myc_bus_from_topology(file, service, o, NULL, 0));
	assert_int_equal(errno, eno);
}

static void bad_arguments(void **state)
{
	struct myc_bus_topo_opts o = { .sz = 0 };

	test_write_file("t.toml", NODES);
	expect_fail(NULL, "a", NULL, EINVAL, "missing path");
	expect_fail("t.toml", NULL, NULL, EINVAL, "missing path, service");
	expect_fail("t.toml", "a", &o, EINVAL, "options size");
}

static void missing_file(void **state)
{
	expect_fail("nope.toml", "a", NULL, ENOENT, "nope.toml");
}

static void loader_errors_pass_through(void **state)
{
	test_write_file("syntax.toml", NODES "[topics.q\n");
	expect_fail("syntax.toml", "a", NULL, EINVAL, "syntax.toml:4:");
	test_write_file("bad.toml", NODES "[topics.q]\ntype = 1\npolicy = \"drop\"\n");
	expect_fail("bad.toml", "a", NULL, EINVAL,
		    "bad.toml:6:10: topics.q.policy: unknown policy \"drop\"");
}

static void unknown_service(void **state)
{
	test_write_file("t.toml", NODES);
	expect_fail("t.toml", "zz", NULL, ENOENT,
		    "t.toml: service \"zz\" is in no node (services: a, b)");
}

static void topic_without_type(void **state)
{
	struct myc_bus_topo_opts o = { .sz = sizeof(o), .schema = schema };

	test_write_file("t.toml", NODES "[topics.q]\nring_size = 8\n");
	expect_fail("t.toml", "a", NULL, EINVAL,
		    "t.toml:4: topics.q: no type id: give \"type\" or a schema");
	expect_fail("t.toml", "a", &o, EINVAL,
		    "t.toml:4: topics.q: no type id: give \"type\" or a schema message");
}

static void schema_disagrees(void **state)
{
	struct myc_bus_topo_opts o = { .sz = sizeof(o), .schema = schema };

	test_write_file("id.toml", NODES "[topics.\"md.quote\"]\ntype = 7\n");
	expect_fail("id.toml", "a", &o, EINVAL,
		    "id.toml:4: topics.md.quote: type 7, but the schema's Quote (topic md.quote) is 257");
	test_write_file("size.toml", NODES "[topics.\"md.quote\"]\nmax_size = 8\n");
	expect_fail("size.toml", "a", &o, EINVAL,
		    "size.toml:4: topics.md.quote: max_size 8 is below the size of Quote (16 bytes)");
}

static int setup(void **state)
{
	static const char text[] =
		"schema: t\n"
		"messages:\n"
		"  - name: Quote\n"
		"    id: 0x0101\n"
		"    topic: md.quote\n"
		"    fields:\n"
		"      - { name: px, type: i64 }\n"
		"      - { name: qty, type: u32 }\n";

	schema = myc_schema_parse(text, strlen(text), "t.yaml", NULL, 0);
	return schema ? 0 : -1;
}

static int teardown(void **state)
{
	myc_schema_free(schema);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(loader_errors_pass_through),
		cmocka_unit_test(unknown_service),
		cmocka_unit_test(topic_without_type),
		cmocka_unit_test(schema_disagrees),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
