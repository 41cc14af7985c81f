// SPDX-License-Identifier: MIT
/*
 * Description: with a schema, myc_bus_from_topology gives a topic without
 * a type id the id of the schema message whose topic has its name (and a
 * topic that has an id keeps it when the schema agrees), so generated
 * code and the topology meet on the same type ids.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "myc.h"
#include "test-file.h"

static const char schema_text[] =
	"schema: t\n"
	"messages:\n"
	"  - name: Quote\n"
	"    id: 0x0101\n"
	"    topic: md.quote\n"
	"    fields:\n"
	"      - { name: px, type: i64 }\n"
	"  - name: Order\n"
	"    id: 0x0301\n"
	"    topic: oms.order\n"
	"    fields:\n"
	"      - { name: qty, type: u32 }\n";

static void ids_from_schema(void **state)
{
	struct myc_bus_topo_opts o = { .sz = sizeof(o) };
	struct myc_topic_stats st = { .sz = sizeof(st) };
	struct myc_topic_opts to = { .sz = sizeof(to), .policy = MYC_LOSSLESS,
				     .depth = 64, .max_size = 8 };
	struct myc_schema *s;
	struct myc_bus *bus;
	char err[256];

	s = myc_schema_parse(schema_text, strlen(schema_text), "t.yaml", err, sizeof(err));
	if (!s)
		fail_msg("%s", err);
	test_write_file("t.toml",
			"[[nodes]]\n"
			"name = \"n\"\n"
			"services = [\"a\"]\n"
			"[topics.\"md.quote\"]\n"
			"ring_size = 64\n"
			"max_size = 8\n"
			"[topics.\"oms.order\"]\n"
			"type = 0x0301\n"
			"policy = \"lossless\"\n"
			"ring_size = 64\n"
			"max_size = 8\n");
	o.schema = s;
	bus = myc_bus_from_topology("t.toml", "a", &o, err, sizeof(err));
	if (!bus)
		fail_msg("%s", err);
	/* md.quote got Quote's id with the file's settings. */
	assert_int_equal(myc_bus_topic_stats(bus, 0x0101, &st), 0);
	to.policy = MYC_LOSSY;
	assert_int_equal(myc_bus_topic(bus, 0x0101, &to), 0);
	to.policy = MYC_LOSSLESS;
	assert_int_equal(myc_bus_topic(bus, 0x0301, &to), 0);
	myc_bus_free(bus);
	myc_schema_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_from_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
