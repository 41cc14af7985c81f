// SPDX-License-Identifier: MIT
/*
 * Description: heartbeats find a half-open connection, the kind a vanished
 * host leaves behind: the socket stays open but nothing arrives.  A raw
 * client process completes the handshake and goes silent: the listener
 * drops it with -ETIMEDOUT, naming the peer, while another peer keeps its
 * connection.  The other way round, a raw listener answers the handshake
 * and goes silent: the dialler drops the connection with -ETIMEDOUT and
 * dials again by itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "nettest.h"
#include "net-wire.h"

static const struct myc_net_opts fast_hb = {
	.sz = sizeof(fast_hb), .hb_interval_ms = 50, .hb_timeout_ms = 400,
};

static socklen_t abstract_sa(struct sockaddr_un *un, const char *addr)
{
	const char *name = addr + strlen("unix:@");
	size_t n = strlen(name);

	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* Send our HELLO (@type) on @fd. */
static int send_hello(int fd, uint16_t type, const char *name)
{
	struct myc_hello h = {
		.version = MYC_NET_PROTO_VERSION, .incarnation = 99,
		.hb_interval_ms = 50, .ack_bytes = 65536,
	};
	struct myc_frame_hdr fh = { .type = type, .flags = MYC_FRAME_F_SYSTEM };
	uint8_t p[MYC_HELLO_SIZE], buf[256];
	int n;

	snprintf(h.name, sizeof(h.name), "%s", name);
	myc_hello_encode(p, &h);
	n = myc_frame_encode(buf, sizeof(buf), &fh, p, sizeof(p));
	return write(fd, buf, (size_t)n) == n ? 0 : -1;
}

/* Wait for the other side to close @fd; reads (and ignores) what comes. */
static int wait_closed(int fd)
{
	char buf[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, TN_WAIT_MS) <= 0)
			return -1;
		if (read(fd, buf, sizeof(buf)) <= 0)
			return 0;
	}
}

struct arg {
	const char *addr;
};

/* Handshake, then silence: no heartbeat, no reading. */
static int silent_client(void *p)
{
	struct arg *a = p;
	struct sockaddr_un un;
	socklen_t len = abstract_sa(&un, a->addr);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	uint64_t done;

	TN_CHECK(connect(fd, (struct sockaddr *)&un, len) == 0);
	TN_CHECK(send_hello(fd, MYC_SYS_HELLO, "silent") == 0);
	while (!tn_get("silent-dropped", &done))
		usleep(10000);
	close(fd);
	return 0;
}

static int quiet_peer(void *p)
{
	struct arg *a = p;
	struct tn *t = tn_new("chatty", &fast_hb);
	uint64_t done;

	TN_CHECK(t);
	TN_CHECK(myc_net_connect(t->net, a->addr));
	while (!tn_get("silent-dropped", &done))
		myc_net_poll(t->net, 10);
	TN_CHECK(t->ups == 1 && t->downs == 0);
	tn_free(t);
	return 0;
}

static void silent_client_dropped(void **state)
{
	struct tn *t = tn_new("server", &fast_hb);
	struct arg a;
	struct myc_link *chatty;
	pid_t silent, other;
	int one = 1;

	assert_non_null(t);
	assert_int_equal(myc_net_listen(t->net, tn_unix_addr("silent")), 0);
	a.addr = myc_net_listen_addr(t->net);
	other = tn_spawn(quiet_peer, &a);
	chatty = tn_await_link(t, "chatty", 0);
	assert_non_null(chatty);
	silent = tn_spawn(silent_client, &a);
	assert_true(tn_until(t, tn_cond_downs, &one));
	assert_int_equal(t->first_err, -ETIMEDOUT);
	assert_string_equal(t->first_peer, "silent");
	assert_true(myc_link_up(chatty));
	tn_put("silent-dropped", 1);
	assert_int_equal(tn_serve(t, silent), 0);
	assert_int_equal(tn_serve(t, other), 0);
	tn_free(t);
}

/* Accept, answer the handshake, go silent; twice (the dialler comes back). */
static int silent_server(void *p)
{
	struct arg *a = p;
	struct sockaddr_un un;
	socklen_t len = abstract_sa(&un, a->addr);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0), i;

	TN_CHECK(bind(ls, (struct sockaddr *)&un, len) == 0);
	TN_CHECK(listen(ls, 4) == 0);
	tn_put("listening", 1);
	for (i = 0; i < 2; i++) {
		int fd = accept(ls, NULL, NULL);

		TN_CHECK(fd >= 0);
		TN_CHECK(send_hello(fd, MYC_SYS_WELCOME, "mute") == 0);
		/* the dialler must give up on us by itself */
		TN_CHECK(wait_closed(fd) == 0);
		close(fd);
	}
	close(ls);
	return 0;
}

static void silent_server_dropped_and_redialled(void **state)
{
	struct tn *t = tn_new("dialer", &fast_hb);
	struct arg a = { .addr = tn_unix_addr("mute") };
	struct myc_link_stats st;
	struct myc_link *l;
	uint64_t x;
	pid_t pid;

	assert_non_null(t);
	pid = tn_spawn(silent_server, &a);
	while (!tn_get("listening", &x))
		usleep(10000);
	l = myc_net_connect(t->net, a.addr);
	assert_non_null(l);
	assert_int_equal(tn_serve(t, pid), 0);
	myc_link_stats(l, &st);
	assert_int_equal(st.connects, 2);
	assert_true(st.disconnects >= 2);
	assert_int_equal(t->first_err, -ETIMEDOUT);
	assert_string_equal(t->first_peer, "mute");
	tn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(silent_client_dropped),
		cmocka_unit_test(silent_server_dropped_and_redialled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
