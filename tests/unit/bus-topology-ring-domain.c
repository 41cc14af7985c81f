// SPDX-License-Identifier: MIT
/*
 * Description: two processes whose nodes share a host talk over rings with
 * no ring domain in the options: myc_bus_from_topology takes the
 * topology's.  Without a `ring_domain` key that is "myc-" and 12 hex
 * digits of the SHA-256 of the file's real path, the same for every
 * process loading that file and different for a file of the same content
 * elsewhere; with the key it is the key.  A node with no same-host peer
 * gets no ring bridge, and a domain given in the options wins.  Every
 * value arrives in order, and no ring is left behind.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "myc.h"
#include "bus-test.h"
#include "busring.h"
#include "ringtest.h"
#include "test-file.h"

#define NMSG	2000u
#define TYPE	5

static struct rt_sync ready;
static const char *file;

static struct myc_bus *node_bus(const char *service, const char *want_domain)
{
	char err[512];
	struct myc_bus *bus = myc_bus_from_topology(file, service, NULL, err, sizeof(err));

	if (!bus) {
		fprintf(stderr, "%s: %s\n", service, err);
		return NULL;
	}
	if (strcmp(myc_bus_ring_domain(bus) ? myc_bus_ring_domain(bus) : "(none)",
		   want_domain)) {
		fprintf(stderr, "%s: ring domain %s, want %s\n", service,
			myc_bus_ring_domain(bus), want_domain);
		myc_bus_free(bus);
		return NULL;
	}
	return bus;
}

static const char *file_domain(const char *path)
{
	static char d[64];
	struct myc_topo *t = myc_topo_load(path, NULL, 0);

	RT_CHECK(t);
	snprintf(d, sizeof(d), "%s", myc_topo_ring_domain(t));
	myc_topo_free(t);
	return d;
}

static int subscriber(void *arg)
{
	struct myc_bus *bus = node_bus("b", arg);
	struct myc_sub *sub;
	uint64_t v;

	if (!bus)
		return 1;
	sub = myc_sub_new(bus, TYPE, NULL);
	if (!sub)
		return 1;
	rt_sync_post(&ready);
	for (uint64_t i = 0; i < NMSG; i++)
		if (bt_recv_u64(sub, &v, 20000) || v != i) {
			fprintf(stderr, "value %llu: got %llu\n", (unsigned long long)i,
				(unsigned long long)v);
			return 1;
		}
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

/* Node "a" publishes 0..NMSG-1 to node "b" in another process. */
static void exchange(const char *domain)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	char ring[80];
	struct myc_bus *bus;
	struct myc_pub *pub;
	pid_t c;

	rt_sync_init(&ready);
	c = rt_spawn(subscriber, (void *)domain);
	RT_EQ(rt_sync_wait(&ready, 20000), 0);
	bus = node_bus("a", domain);
	RT_CHECK(bus);
	pub = myc_pub_new(bus, TYPE, &po);
	RT_CHECK(pub);
	for (uint64_t i = 0; i < NMSG; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(rt_wait(c), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
	snprintf(ring, sizeof(ring), "%s.%d", domain, TYPE);
	RT_CHECK(!rt_ring_exists(ring));
}

#define TWO_NODES							\
	"[[nodes]]\nname = \"na\"\nservices = [\"a\"]\n"		\
	"[[nodes]]\nname = \"nb\"\nservices = [\"b\"]\n"		\
	"[topics.ticks]\ntype = 5\npolicy = \"lossless\"\nmax_size = 64\n"

int main(void)
{
	char dir[] = "/tmp/myc-topo-dom-XXXXXX", text[512], explicit[32], d1[64];
	struct myc_bus_topo_opts o = { .sz = sizeof(o) };
	struct myc_bus *bus;
	char err[512];

	RT_CHECK(mkdtemp(dir));
	RT_EQ(chdir(dir), 0);
	RT_EQ(mkdir("other", 0700), 0);
	test_write_file("t.toml", TWO_NODES);
	test_write_file("other/t.toml", TWO_NODES);

	/* The default: from the real path, the same however it is named. */
	snprintf(d1, sizeof(d1), "%s", file_domain("t.toml"));
	RT_EQ(strlen(d1), 16);
	RT_CHECK(!strncmp(d1, "myc-", 4));
	for (int i = 4; i < 16; i++)
		RT_CHECK(isxdigit((unsigned char)d1[i]) && !isupper((unsigned char)d1[i]));
	RT_CHECK(!strcmp(file_domain("./other/../t.toml"), d1));
	RT_CHECK(strcmp(file_domain("other/t.toml"), d1));
	file = "t.toml";
	exchange(d1);

	/* The key names it. */
	snprintf(explicit, sizeof(explicit), "dom-%d", (int)getpid());
	snprintf(text, sizeof(text), "ring_domain = \"%s\"\n" TWO_NODES, explicit);
	test_write_file("k.toml", text);
	file = "k.toml";
	exchange(explicit);

	/* The options win over the file. */
	snprintf(explicit, sizeof(explicit), "opt-%d", (int)getpid());
	o.ring_domain = explicit;
	bus = myc_bus_from_topology("k.toml", "a", &o, err, sizeof(err));
	RT_CHECK(bus);
	RT_CHECK(!strcmp(myc_bus_ring_domain(bus), explicit));
	myc_bus_free(bus);

	/* One node on its own: no rings. */
	test_write_file("alone.toml", "[[nodes]]\nname = \"n\"\nservices = [\"a\", \"b\"]\n");
	file = "alone.toml";
	bus = node_bus("a", "(none)");
	RT_CHECK(bus);
	myc_bus_free(bus);
	RT_EQ(unlink("t.toml"), 0);
	RT_EQ(unlink("other/t.toml"), 0);
	RT_EQ(rmdir("other"), 0);
	RT_EQ(unlink("k.toml"), 0);
	RT_EQ(unlink("alone.toml"), 0);
	RT_EQ(chdir("/"), 0);
	RT_EQ(rmdir(dir), 0);
	return 0;
}
