// SPDX-License-Identifier: MIT
/*
 * Description: the bus carries its schema digest (myc_bus_opts.
 * schema_digest) in the net HELLO.  Two processes with the same digest
 * connect and a lossless stream crosses (no handshake error on either
 * side).  A process with another digest is refused: the listener reports
 * -MYC_E_DIGEST "we refused peer 'dg-c': schema digest mismatch ..." and
 * the dialler -MYC_E_DIGEST "rejected by peer: schema digest mismatch:
 * node 'dg-a' has ...", both naming the two digests, and no link comes up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bus-test.h"
#include "busnet.h"
#include "nettest.h"
#include "ringtest.h"

#define N	200u

static const uint8_t d1[MYC_SCHEMA_DIGEST_LEN] = {
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
};
static uint8_t d2[MYC_SCHEMA_DIGEST_LEN];

static struct myc_bus *dg_bus(const char *node, const uint8_t *digest)
{
	struct myc_bus_opts o = { .sz = sizeof(o), .name = node,
				  .schema_digest = digest };
	struct myc_bus *bus = myc_bus_new(&o);

	RT_CHECK(bus);
	RT_EQ(bt_topic(bus, BN_TYPE, MYC_LOSSLESS, 64, 64), 0);
	return bus;
}

/* Wait until the bus reports a handshake error; it and its text. */
static int wait_error(struct myc_bus *bus, char *text, size_t len)
{
	for (int ms = 0; ms < BN_WAIT_MS; ms += 5) {
		int r = myc_bus_net_error(bus, text, len);

		if (r)
			return r;
		nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
	}
	return 0;
}

static int child_match(void *arg)
{
	struct myc_bus *bus = dg_bus("dg-b", d1);
	struct myc_sub *sub = myc_sub_new(bus, BN_TYPE, NULL);
	char text[320];
	uint64_t v;

	RT_CHECK(sub);
	RT_EQ(myc_bus_net_connect(bus, arg), 0);
	for (uint64_t i = 0; i < N; i++) {
		RT_EQ(bt_recv_u64(sub, &v, BN_WAIT_MS), 0);
		RT_EQ(v, i);
	}
	RT_EQ(myc_bus_net_error(bus, text, sizeof(text)), 0);
	RT_EQ(text[0], 0);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

static void same_digest_connects(void)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = -1 };
	const char *addr = tn_unix_addr("dg-match");
	struct myc_bus *bus = dg_bus("dg-a", d1);
	struct myc_pub *pub;
	char text[320];
	pid_t c;

	RT_EQ(myc_bus_net_listen(bus, addr), 0);
	pub = myc_pub_new(bus, BN_TYPE, &po);
	RT_CHECK(pub);
	c = tn_spawn(child_match, (void *)addr);
	RT_CHECK(bn_wait_peer(bus, "dg-b", BN_TYPE));
	for (uint64_t i = 0; i < N; i++)
		RT_EQ(bt_send_u64(pub, i), 0);
	RT_EQ(tn_wait(c), 0);
	RT_EQ(myc_bus_net_error(bus, text, sizeof(text)), 0);
	myc_pub_free(pub);
	myc_bus_free(bus);
}

static int child_mismatch(void *arg)
{
	struct myc_bus *bus = dg_bus("dg-c", d2);
	struct myc_sub *sub = myc_sub_new(bus, BN_TYPE, NULL);
	char text[320];

	RT_CHECK(sub);
	RT_EQ(myc_bus_net_connect(bus, arg), 0);
	RT_EQ(wait_error(bus, text, sizeof(text)), -MYC_E_DIGEST);
	fprintf(stderr, "dialler: %s\n", text);
	RT_CHECK(strstr(text, "rejected by peer: schema digest mismatch: node 'dg-a'"));
	RT_CHECK(strstr(text, "1111111111111111") && strstr(text, "2222222222222222"));
	RT_EQ(myc_bus_net_peer_wants(bus, "dg-a", BN_TYPE), -ENOENT);
	myc_sub_free(sub);
	myc_bus_free(bus);
	return 0;
}

static void other_digest_refused_on_both_sides(void)
{
	const char *addr = tn_unix_addr("dg-mismatch");
	struct myc_bus *bus = dg_bus("dg-a", d1);
	char text[320];
	pid_t c;

	RT_EQ(myc_bus_net_listen(bus, addr), 0);
	c = tn_spawn(child_mismatch, (void *)addr);
	RT_EQ(wait_error(bus, text, sizeof(text)), -MYC_E_DIGEST);
	fprintf(stderr, "listener: %s\n", text);
	RT_CHECK(strstr(text, "we refused peer 'dg-c': schema digest mismatch"));
	RT_CHECK(strstr(text, "1111111111111111") && strstr(text, "2222222222222222"));
	RT_EQ(tn_wait(c), 0);
	RT_EQ(myc_bus_net_peer_wants(bus, "dg-c", BN_TYPE), -ENOENT);
	myc_bus_free(bus);
}

int main(void)
{
	memset(d2, 0x22, sizeof(d2));
	same_digest_connects();
	other_digest_refused_on_both_sides();
	return 0;
}
