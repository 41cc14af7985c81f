// SPDX-License-Identifier: MIT
/*
 * Description: myc_bus_from_topology builds the bus of the node hosting a
 * service: the bus is named after the node, knows its service, and every
 * [topics.NAME] gets its policy, ring_size and max_size (a lossless topic
 * with ring_size 2 back-pressures the third message; a payload above
 * max_size is -EMSGSIZE; a topic the file does not list gets the defaults).
 * Two services of one node get two independent buses of the same name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"
#include "test-file.h"

static const char topo[] =
	"[[nodes]]\n"
	"name = \"md\"\n"
	"services = [\"feed\"]\n"
	"[[nodes]]\n"
	"name = \"engine\"\n"
	"services = [\"strategy\", \"risk\"]\n"
	"[topics.orders]\n"
	"type = 3\n"
	"policy = \"lossless\"\n"
	"ring_size = 2\n"
	"max_size = 16\n"
	"[topics.quotes]\n"
	"type = 1\n"
	"ring_size = 4\n"
	"max_size = 8\n";

static void settings_applied(void **state)
{
	char err[256] = "x", big[17] = { 0 };
	struct myc_bus *bus;
	struct myc_pub *pub;
	struct myc_sub *sub;
	struct myc_topic_stats st = { .sz = sizeof(st) };
	uint64_t v;

	test_write_file("t.toml", topo);
	bus = myc_bus_from_topology("t.toml", "risk", NULL, err, sizeof(err));
	if (!bus)
		fail_msg("%s", err);
	assert_string_equal(err, "");
	assert_string_equal(myc_bus_name(bus), "engine");
	assert_string_equal(myc_bus_service(bus), "risk");
	/* Both topics are declared, before any publisher. */
	assert_int_equal(myc_bus_topic_stats(bus, 3, &st), 0);
	assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
	assert_int_equal(myc_bus_topic_stats(bus, 2, &st), -ENOENT);
	/* Redeclaring with other settings clashes: they were applied. */
	assert_int_equal(bt_topic(bus, 3, MYC_LOSSLESS, 2, 16), 0);
	assert_int_equal(bt_topic(bus, 3, MYC_LOSSY, 2, 16), -EBUSY);
	assert_int_equal(bt_topic(bus, 1, MYC_LOSSY, 4, 8), 0);

	/* orders: lossless, depth 2, max_size 16. */
	pub = myc_pub_new(bus, 3, NULL);
	sub = myc_sub_new(bus, 3, NULL);
	assert_non_null(pub);
	assert_non_null(sub);
	assert_int_equal(myc_pub_send(pub, big, 17), -EMSGSIZE);
	assert_int_equal(bt_send_u64(pub, 1), 0);
	assert_int_equal(bt_send_u64(pub, 2), 0);
	assert_int_equal(bt_send_u64(pub, 3), -MYC_E_BACK_PRESSURED);
	assert_int_equal(bt_recv_u64(sub, &v, 0), 0);
	assert_int_equal(v, 1);
	assert_int_equal(bt_send_u64(pub, 3), 0);
	myc_pub_free(pub);
	myc_sub_free(sub);

	/* quotes: lossy, depth 4: six sends lose the two oldest. */
	pub = myc_pub_new(bus, 1, NULL);
	sub = myc_sub_new(bus, 1, NULL);
	for (v = 0; v < 6; v++)
		assert_int_equal(bt_send_u64(pub, v), 0);
	assert_int_equal(bt_recv_u64(sub, &v, 0), 0);
	assert_int_equal(v, 2);
	assert_int_equal(myc_sub_lost(sub), 2);
	myc_pub_free(pub);
	myc_sub_free(sub);
	myc_bus_free(bus);
}

static void one_bus_per_call(void **state)
{
	struct myc_topic_stats st = { .sz = sizeof(st) };
	struct myc_bus *a, *b;
	struct myc_pub *pub;

	test_write_file("t.toml", topo);
	a = myc_bus_from_topology("t.toml", "strategy", NULL, NULL, 0);
	b = myc_bus_from_topology("t.toml", "risk", NULL, NULL, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(myc_bus_name(a), myc_bus_name(b));
	assert_string_equal(myc_bus_service(a), "strategy");
	/* No global state: a publisher of one is not the other's.  (Whether
	 * a message crosses depends on the topology: both meet on the
	 * topology's rings, like two processes would.) */
	pub = myc_pub_new(a, 1, NULL);
	assert_non_null(pub);
	assert_int_equal(myc_bus_topic_stats(a, 1, &st), 0);
	assert_int_equal(st.pubs, 1);
	assert_int_equal(myc_bus_topic_stats(b, 1, &st), 0);
	assert_int_equal(st.pubs, 0);
	myc_pub_free(pub);
	myc_bus_free(a);
	myc_bus_free(b);
}

static void plain_bus_has_no_service(void **state)
{
	struct myc_bus_opts o = { .sz = sizeof(o), .name = "solo" };
	struct myc_bus *bus = myc_bus_new(&o);

	assert_non_null(bus);
	assert_string_equal(myc_bus_name(bus), "solo");
	assert_null(myc_bus_service(bus));
	assert_null(myc_bus_service(NULL));
	assert_null(myc_bus_name(NULL));
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_applied),
		cmocka_unit_test(one_bus_per_call),
		cmocka_unit_test(plain_bus_has_no_service),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
