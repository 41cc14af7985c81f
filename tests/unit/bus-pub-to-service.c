// SPDX-License-Identifier: MIT
/*
 * Description: publisher-to-service.  A directed publisher
 * (myc_pub_new_to, or myc_pub_opts.to) delivers only to subscribers tagged
 * with that service (queued and inline ones), undirected publishers reach
 * every subscriber, and a message nobody is tagged for goes straight back
 * to the pool.  Subscribers of a topology bus are tagged with the bus's
 * service unless they name another; subscribers of a plain bus are
 * untagged.  On a lossless topic only the target subscribers
 * back-pressure a directed publisher, and an aborted claim gives their
 * room back.  Errors: a service not in the topology is ENOENT (publisher
 * and subscriber), a NULL or empty name EINVAL; a plain bus accepts any
 * name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <cmocka.h>

#include "myc.h"
#include "bus-test.h"
#include "test-file.h"

static int inline_calls;

static void count_cb(const struct myc_msg *m, void *ctx)
{
	inline_calls++;
}

static struct myc_bus *topo_bus(const char *service)
{
	char err[256];
	struct myc_bus *bus;

	test_write_file("t.toml",
			"[[nodes]]\nname = \"engine\"\nservices = [\"strategy\", \"risk\"]\n"
			"[[nodes]]\nname = \"gw\"\nservices = [\"execution\"]\n"
			"[topics.orders]\ntype = 3\npolicy = \"lossless\"\nring_size = 2\n"
			"[topics.quotes]\ntype = 1\n");
	bus = myc_bus_from_topology("t.toml", service, NULL, err, sizeof(err));
	if (!bus)
		fail_msg("%s", err);
	return bus;
}

static void directed_reaches_only_its_service(void **state)
{
	struct myc_bus *bus = topo_bus("strategy");
	struct myc_sub_opts risk_o = { .sz = sizeof(risk_o), .service = "risk" };
	struct myc_sub_opts inl_o = { .sz = sizeof(inl_o), .service = "risk",
				      .cb = count_cb, .flags = MYC_SUB_F_INLINE };
	struct myc_sub_opts inl_other = { .sz = sizeof(inl_other), .cb = count_cb,
					  .flags = MYC_SUB_F_INLINE };
	struct myc_sub *own = myc_sub_new(bus, 1, NULL);	/* tagged strategy */
	struct myc_sub *risk = myc_sub_new(bus, 1, &risk_o);
	struct myc_sub *inl = myc_sub_new(bus, 1, &inl_o);
	struct myc_sub *inl2 = myc_sub_new(bus, 1, &inl_other);
	struct myc_pub *to_risk = myc_pub_new_to(bus, 1, "risk", NULL);
	struct myc_pub_opts po = { .sz = sizeof(po), .to = "strategy" };
	struct myc_pub *to_strat = myc_pub_new(bus, 1, &po);
	struct myc_pub *to_exec = myc_pub_new_to(bus, 1, "execution", NULL);
	struct myc_pub *all = myc_pub_new(bus, 1, NULL);
	uint64_t v;

	assert_non_null(own);
	assert_non_null(risk);
	assert_non_null(inl);
	assert_non_null(inl2);
	assert_non_null(to_risk);
	assert_non_null(to_strat);
	assert_non_null(to_exec);
	assert_non_null(all);

	inline_calls = 0;
	assert_int_equal(bt_send_u64(to_risk, 10), 0);
	assert_int_equal(inline_calls, 1);
	assert_int_equal(bt_recv_u64(risk, &v, 0), 0);
	assert_int_equal(v, 10);
	assert_int_equal(bt_recv_u64(own, &v, 0), -EAGAIN);

	assert_int_equal(bt_send_u64(to_strat, 20), 0);
	assert_int_equal(inline_calls, 2);	/* inl2 is tagged strategy */
	assert_int_equal(bt_recv_u64(own, &v, 0), 0);
	assert_int_equal(v, 20);
	assert_int_equal(bt_recv_u64(risk, &v, 0), -EAGAIN);

	/* Nobody here serves execution: the buffer goes back at once. */
	assert_int_equal(bt_send_u64(to_exec, 30), 0);
	assert_int_equal(inline_calls, 2);
	assert_int_equal(bt_recv_u64(own, &v, 0), -EAGAIN);
	assert_int_equal(bt_recv_u64(risk, &v, 0), -EAGAIN);

	assert_int_equal(bt_send_u64(all, 40), 0);
	assert_int_equal(inline_calls, 4);
	assert_int_equal(bt_recv_u64(own, &v, 0), 0);
	assert_int_equal(v, 40);
	assert_int_equal(bt_recv_u64(risk, &v, 0), 0);
	assert_int_equal(v, 40);

	/* Every buffer came back: nothing leaked by the filtering. */
	myc_pub_free(to_risk);
	myc_pub_free(to_strat);
	myc_pub_free(to_exec);
	myc_pub_free(all);
	{
		struct myc_topic_stats st = { .sz = sizeof(st) };

		assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
		assert_int_equal(st.bufs_free, st.bufs_total);
		assert_int_equal(st.published, 4);
	}
	myc_sub_free(own);
	myc_sub_free(risk);
	myc_sub_free(inl);
	myc_sub_free(inl2);
	myc_bus_free(bus);
}

static void lossless_only_target_back_pressures(void **state)
{
	struct myc_bus *bus = topo_bus("strategy");
	struct myc_sub_opts risk_o = { .sz = sizeof(risk_o), .service = "risk" };
	struct myc_sub *own = myc_sub_new(bus, 3, NULL);
	struct myc_sub *risk = myc_sub_new(bus, 3, &risk_o);
	struct myc_pub *to_risk = myc_pub_new_to(bus, 3, "risk", NULL);
	struct myc_pub *all = myc_pub_new(bus, 3, NULL);
	uint64_t v;
	void *buf;

	/* Fill the strategy subscriber (depth 2) with undirected messages. */
	assert_int_equal(bt_send_u64(all, 1), 0);
	assert_int_equal(bt_send_u64(all, 2), 0);
	assert_int_equal(bt_recv_u64(risk, &v, 0), 0);
	assert_int_equal(bt_recv_u64(risk, &v, 0), 0);
	assert_int_equal(bt_send_u64(all, 3), -MYC_E_BACK_PRESSURED);
	/* The full strategy queue does not hold back messages for risk. */
	assert_int_equal(bt_send_u64(to_risk, 4), 0);
	/* A claim reserves room in risk only; abort gives it back. */
	assert_int_equal(myc_pub_claim(to_risk, 8, &buf), 0);
	myc_pub_abort(to_risk, buf);
	assert_int_equal(bt_send_u64(to_risk, 5), 0);
	assert_int_equal(bt_send_u64(to_risk, 6), -MYC_E_BACK_PRESSURED);
	assert_int_equal(bt_recv_u64(risk, &v, 0), 0);
	assert_int_equal(v, 4);
	assert_int_equal(bt_send_u64(to_risk, 6), 0);
	assert_int_equal(bt_recv_u64(risk, &v, 0), 0);
	assert_int_equal(v, 5);
	assert_int_equal(bt_recv_u64(risk, &v, 0), 0);
	assert_int_equal(v, 6);
	/* The strategy queue still holds exactly the undirected two. */
	assert_int_equal(bt_recv_u64(own, &v, 0), 0);
	assert_int_equal(v, 1);
	assert_int_equal(bt_recv_u64(own, &v, 0), 0);
	assert_int_equal(v, 2);
	assert_int_equal(bt_recv_u64(own, &v, 0), -EAGAIN);
	myc_bus_free(bus);
}

static void unknown_service_errors(void **state)
{
	struct myc_bus *bus = topo_bus("risk");
	struct myc_sub_opts so = { .sz = sizeof(so), .service = "nobody" };
	struct myc_pub_opts po = { .sz = sizeof(po), .to = "nobody" };

	errno = 0;
	assert_null(myc_pub_new_to(bus, 1, "nobody", NULL));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(myc_pub_new(bus, 1, &po));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(myc_sub_new(bus, 1, &so));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(myc_pub_new_to(bus, 1, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(myc_pub_new_to(bus, 1, "", NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(myc_pub_new_to(NULL, 1, "risk", NULL));
	assert_int_equal(errno, EINVAL);
	/* Nothing was left half-made: the topic has no publisher. */
	{
		struct myc_topic_stats st = { .sz = sizeof(st) };

		assert_int_equal(myc_bus_topic_stats(bus, 1, &st), 0);
		assert_int_equal(st.pubs, 0);
		assert_int_equal(st.subs, 0);
	}
	myc_bus_free(bus);
}

static void plain_bus_any_name(void **state)
{
	struct myc_bus *bus = myc_bus_new(NULL);
	struct myc_sub_opts so = { .sz = sizeof(so), .service = "x" };
	struct myc_sub *untagged = myc_sub_new(bus, 5, NULL);
	struct myc_sub *x = myc_sub_new(bus, 5, &so);
	struct myc_pub *to_x = myc_pub_new_to(bus, 5, "x", NULL);
	struct myc_pub *to_y = myc_pub_new_to(bus, 5, "y", NULL);
	uint64_t v;

	assert_non_null(untagged);
	assert_non_null(x);
	assert_non_null(to_x);
	assert_non_null(to_y);
	assert_int_equal(bt_send_u64(to_x, 1), 0);
	assert_int_equal(bt_send_u64(to_y, 2), 0);
	assert_int_equal(bt_recv_u64(x, &v, 0), 0);
	assert_int_equal(v, 1);
	assert_int_equal(bt_recv_u64(x, &v, 0), -EAGAIN);
	assert_int_equal(bt_recv_u64(untagged, &v, 0), -EAGAIN);
	errno = 0;
	so.service = "";
	assert_null(myc_sub_new(bus, 5, &so));
	assert_int_equal(errno, EINVAL);
	myc_bus_free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(directed_reaches_only_its_service),
		cmocka_unit_test(lossless_only_target_back_pressures),
		cmocka_unit_test(unknown_service_errors),
		cmocka_unit_test(plain_bus_any_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
