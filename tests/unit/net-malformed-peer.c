// SPDX-License-Identifier: MIT
/*
 * Description: a hostile peer costs only its own connection.  Raw socket
 * clients (separate processes) send, before or after a valid HELLO: a frame
 * truncated by EOF, a length below the header, an oversize length, unknown
 * flags, a bad type, a reserved field, non-zero padding, plain garbage, a
 * data frame before the handshake, a malformed HELLO and a malformed
 * SUBSCRIBE.  Each time the listener closes that connection and reports the
 * named error, the raw client sees the close, and a well-behaved peer keeps
 * receiving a lossless stream throughout: every frame once, in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "nettest.h"
#include "net-wire.h"

enum raw_kind {
	RAW_TRUNCATED, RAW_LEN_SMALL, RAW_OVERSIZE, RAW_FLAGS, RAW_TYPE,
	RAW_RESERVED, RAW_PADDING, RAW_GARBAGE, RAW_DATA_FIRST,
	RAW_BAD_HELLO, RAW_BAD_SUBSCRIBE, RAW_GARBAGE_FIRST, RAW__N
};

static const struct {
	bool hello;		/* send a valid HELLO first */
	int err;		/* what the listener reports */
} cases[RAW__N] = {
	[RAW_TRUNCATED] = { true, -MYC_E_FRAME_TRUNCATED },
	[RAW_LEN_SMALL] = { true, -MYC_E_FRAME_LEN_SMALL },
	[RAW_OVERSIZE] = { true, -MYC_E_FRAME_OVERSIZE },
	[RAW_FLAGS] = { true, -MYC_E_FRAME_FLAGS },
	[RAW_TYPE] = { true, -MYC_E_FRAME_TYPE },
	[RAW_RESERVED] = { true, -MYC_E_FRAME_RESERVED },
	[RAW_PADDING] = { true, -MYC_E_FRAME_PADDING },
	[RAW_GARBAGE] = { true, -MYC_E_FRAME_OVERSIZE },
	[RAW_DATA_FIRST] = { false, -EPROTO },
	[RAW_BAD_HELLO] = { false, -EPROTO },
	[RAW_BAD_SUBSCRIBE] = { true, -EPROTO },
	[RAW_GARBAGE_FIRST] = { false, -MYC_E_FRAME_OVERSIZE },
};

struct raw {
	struct sockaddr_in sin;
	const char *addr;
	enum raw_kind kind;
	char name[16];
};

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static int frame(uint8_t *buf, uint16_t type, uint16_t flags, const void *p,
		 uint32_t n)
{
	struct myc_frame_hdr h = { .type = type, .flags = flags, .seq = 1 };

	return myc_frame_encode(buf, 4096, &h, p, n);
}

/* Wait until the other side closes (EOF or reset): 0, or 1 if it never does. */
static int wait_closed(int fd)
{
	char buf[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, TN_WAIT_MS) <= 0)
			return 1;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return 0;
	}
}

static int raw_child(void *arg)
{
	struct raw *r = arg;
	uint8_t buf[4096], hello[MYC_HELLO_SIZE];
	struct myc_hello h = {
		.version = MYC_NET_PROTO_VERSION, .incarnation = 77,
		.hb_interval_ms = 1000, .ack_bytes = 65536,
	};
	struct myc_sub_entry e = { .type = 0xff05, .policy = 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;

	TN_CHECK(fd >= 0);
	TN_CHECK(connect(fd, (struct sockaddr *)&r->sin, sizeof(r->sin)) == 0);
	snprintf(h.name, sizeof(h.name), "%s", r->name);
	myc_hello_encode(hello, &h);
	if (cases[r->kind].hello) {
		n = frame(buf, MYC_SYS_HELLO, MYC_FRAME_F_SYSTEM, hello, sizeof(hello));
		TN_CHECK(write(fd, buf, (size_t)n) == n);
	}
	n = frame(buf, 7, 0, "payload!", 8);	/* a valid data frame, 40 B */
	switch (r->kind) {
	case RAW_TRUNCATED:
		put32(buf, 100);
		n = 60;
		break;
	case RAW_LEN_SMALL:
		put32(buf, 16);
		break;
	case RAW_OVERSIZE:
		put32(buf, 1u << 20);
		break;
	case RAW_FLAGS:
		buf[6] = 0x80;
		break;
	case RAW_TYPE:
		buf[6] = MYC_FRAME_F_SYSTEM;	/* system flag on a user type */
		break;
	case RAW_RESERVED:
		buf[28] = 1;
		break;
	case RAW_PADDING:
		put32(buf, 36);			/* 4 bytes of non-zero padding */
		break;
	case RAW_GARBAGE:
	case RAW_GARBAGE_FIRST:
		n = snprintf((char *)buf, sizeof(buf),
			     "GET / HTTP/1.1\r\nHost: x\r\n\r\n%32s", "");
		break;
	case RAW_DATA_FIRST:
		break;
	case RAW_BAD_HELLO:
		n = frame(buf, MYC_SYS_HELLO, MYC_FRAME_F_SYSTEM, hello, 100);
		break;
	case RAW_BAD_SUBSCRIBE: {
		uint8_t p[16];
		int ps = myc_sub_encode(p, 0, &e, 1);

		n = frame(buf, MYC_SYS_SUBSCRIBE, MYC_FRAME_F_SYSTEM, p, (uint32_t)ps);
		break;
	}
	default:
		return 2;
	}
	TN_CHECK(write(fd, buf, (size_t)n) == n);
	if (r->kind == RAW_TRUNCATED)
		shutdown(fd, SHUT_WR);
	TN_CHECK(wait_closed(fd) == 0);
	close(fd);
	return 0;
}

#define GOOD_TYPE 1
#define END_TYPE 2

static int good_child(void *arg)
{
	struct raw *r = arg;
	struct tn *t = tn_new("good", NULL);
	struct tn_rx end = { .type = END_TYPE, .n = 1 };

	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, GOOD_TYPE, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_subscribe(t->net, END_TYPE, MYC_LOSSLESS) == 0);
	TN_CHECK(myc_net_connect(t->net, r->addr));
	TN_CHECK(tn_until(t, tn_cond_rx, &end));
	/* the END frame's seq is the number of GOOD frames sent before it */
	TN_CHECK(t->rx[GOOD_TYPE] == t->last_seq[END_TYPE]);
	TN_CHECK(t->dups[GOOD_TYPE] == 0 && t->skips[GOOD_TYPE] == 0);
	TN_CHECK(t->corrupt == 0 && t->downs == 0 && t->ups == 1);
	tn_free(t);
	return 0;
}

static void hostile_peers_cost_only_their_connection(void **state)
{
	struct tn *t = tn_new("server", NULL);
	struct raw r = { 0 };
	struct tn_want w = { .type = GOOD_TYPE };
	struct myc_link_stats st;
	uint64_t seq = 0;
	pid_t good;
	int k;

	assert_non_null(t);
	assert_int_equal(myc_net_listen(t->net, "tcp:127.0.0.1:0"), 0);
	r.addr = myc_net_listen_addr(t->net);
	r.sin.sin_family = AF_INET;
	r.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r.sin.sin_port = htons((uint16_t)atoi(strrchr(r.addr, ':') + 1));
	good = tn_spawn(good_child, &r);
	w.link = tn_await_link(t, "good", GOOD_TYPE);
	assert_non_null(w.link);

	for (k = 0; k < RAW__N; k++) {
		int downs = t->downs, refused = t->refused, st_raw = -1;
		pid_t pid;

		r.kind = (enum raw_kind)k;
		snprintf(r.name, sizeof(r.name), "raw-%d", k);
		pid = tn_spawn(raw_child, &r);
		for (;;) {
			int status;

			assert_int_equal(tn_publish_wait(t, GOOD_TYPE, ++seq, 64), 1);
			myc_net_poll(t->net, 5);
			if (waitpid(pid, &status, WNOHANG) == pid) {
				st_raw = WIFEXITED(status) ? WEXITSTATUS(status) : 200;
				break;
			}
		}
		assert_int_equal(st_raw, 0);
		/* the listener named the problem for exactly that peer */
		assert_int_equal(t->downs + t->refused, downs + refused + 1);
		assert_int_equal(t->last_err, cases[k].err);
		if (cases[k].hello)
			assert_string_equal(t->last_peer, r.name);
	}
	assert_int_equal(tn_publish_wait(t, END_TYPE, seq, 8), 1);
	assert_int_equal(tn_serve(t, good), 0);
	myc_link_stats(w.link, &st);
	assert_int_equal(st.tx_frames, seq + 1);
	tn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile_peers_cost_only_their_connection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
