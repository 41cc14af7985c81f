// SPDX-License-Identifier: MIT
/*
 * Description: a bus from a topology takes its schema digest from the
 * options (myc_bus_topo_opts.schema_digest) when the program has the
 * generated code's digest but no schema file: the rings it creates carry
 * it, a process of the same topology with another digest cannot
 * subscribe (MYC_E_DIGEST), one with the same digest publishes and every
 * value arrives.  A digest in the options that contradicts the schema
 * given with it is refused (EINVAL, with a message).  No ring is left.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bus-test.h"
#include "ringtest.h"
#include "test-file.h"

#define N	500u
#define TYPE	5

static uint8_t d1[MYC_SCHEMA_DIGEST_LEN], d2[MYC_SCHEMA_DIGEST_LEN];
static struct rt_sync go_other, go_same;

static struct myc_bus *node_bus(const char *service, const uint8_t *digest)
{
	struct myc_bus_topo_opts o = { .sz = sizeof(o), .schema_digest = digest };
	char err[512];
	struct myc_bus *bus = myc_bus_from_topology("t.toml", service, &o, err, sizeof(err));

	if (!bus)
		fprintf(stderr, "%s: %s\n", service, err);
	RT_CHECK(bus);
	return bus;
}

static int other_digest(void *arg)
{
	struct myc_bus *bus;

	(void)arg;
	RT_EQ(rt_sync_wait(&go_other, 10000), 0);
	bus = node_bus("b", d2);
	RT_CHECK(!myc_sub_new(bus, TYPE, NULL));
	RT_EQ(errno, MYC_E_DIGEST);
	myc_bus_free(bus);
	return 0;
}

static int same_digest(void *arg)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	struct myc_bus *bus;
	struct myc_pub *pub;

	(void)arg;
	RT_EQ(rt_sync_wait(&go_same, 10000), 0);
	bus = node_bus("b", d1);
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	for (uint64_t i = 0; i < N; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	return 0;
}

static const char schema_text[] =
	"schema: t\n"
	"messages:\n"
	"  - name: Tick\n"
	"    id: 0x0105\n"
	"    topic: other\n"
	"    fields:\n"
	"      - { name: v, type: u64 }\n";

int main(void)
{
	char dir[] = "/tmp/myc-topo-dg-XXXXXX", ring[96], err[512];
	struct myc_bus_topo_opts o = { .sz = sizeof(o) };
	struct myc_schema *s;
	struct myc_bus *bus;
	struct myc_sub *sub;
	struct myc_topo *t;
	uint64_t v;
	pid_t a, c;

	RT_CHECK(mkdtemp(dir));
	RT_EQ(chdir(dir), 0);
	test_write_file("t.toml",
		"[[nodes]]\nname = \"na\"\nservices = [\"a\"]\n"
		"[[nodes]]\nname = \"nb\"\nservices = [\"b\"]\n"
		"[topics.ticks]\ntype = 5\npolicy = \"lossless\"\nmax_size = 64\n");
	t = myc_topo_load("t.toml", NULL, 0);
	RT_CHECK(t);
	snprintf(ring, sizeof(ring), "%s.%d", myc_topo_ring_domain(t), TYPE);
	myc_topo_free(t);
	memset(d1, 0xd1, sizeof(d1));
	memset(d2, 0xd2, sizeof(d2));

	/* Fork first: our bus's receive thread does not exist yet. */
	rt_sync_init(&go_other);
	rt_sync_init(&go_same);
	a = rt_spawn(other_digest, NULL);
	c = rt_spawn(same_digest, NULL);
	bus = node_bus("a", d1);
	sub = myc_sub_new(bus, TYPE, NULL);
	RT_CHECK(sub);
	rt_sync_post(&go_other);
	RT_EQ(rt_wait(a), 0);
	rt_sync_post(&go_same);
	for (uint64_t i = 0; i < N; i++) {
		RT_EQ(bt_recv_u64(sub, &v, 10000), 0);
		RT_EQ(v, i);
	}
	RT_EQ(rt_wait(c), 0);
	myc_sub_free(sub);
	myc_bus_free(bus);
	RT_CHECK(!rt_ring_exists(ring));

	/* Options and schema disagree: refused; agree: fine. */
	s = myc_schema_parse(schema_text, strlen(schema_text), "s.yaml", err, sizeof(err));
	RT_CHECK(s);
	o.schema = s;
	o.schema_digest = d1;
	errno = 0;
	RT_CHECK(!myc_bus_from_topology("t.toml", "a", &o, err, sizeof(err)));
	RT_EQ(errno, EINVAL);
	RT_CHECK(strstr(err, "t.toml: options: schema_digest differs from the schema's digest"));
	o.schema_digest = myc_schema_digest(s);
	bus = myc_bus_from_topology("t.toml", "a", &o, err, sizeof(err));
	RT_CHECK(bus);
	myc_bus_free(bus);
	myc_schema_free(s);

	RT_EQ(unlink("t.toml"), 0);
	RT_EQ(chdir("/"), 0);
	RT_EQ(rmdir(dir), 0);
	return 0;
}
