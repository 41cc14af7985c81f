// SPDX-License-Identifier: MIT
/*
 * Description: the transport API refuses bad input with a named error and
 * no side effect: options without a node name, with an invalid name, an
 * oversize or tiny frame limit, unknown trailing option bytes; malformed
 * listen/connect addresses; a Unix path that is not a socket is never
 * removed; publishing system, invalid or oversize frames; subscribing to
 * system types or with an unknown policy; resetting a link with no
 * connection; NULL handles everywhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "net.h"

static void bad_options(void **state)
{
	struct myc_net_opts o = { .sz = sizeof(o) };
	struct {
		struct myc_net_opts o;
		uint64_t future;
	} big = { .o = { .sz = sizeof(big), .node = "n" }, .future = 1 };
	struct myc_net *net;

	errno = 0;
	assert_null(myc_net_new(NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(myc_net_new(&o));			/* no node name */
	o.node = "has space";
	assert_null(myc_net_new(&o));
	o.node = "0123456789012345678901234567890123456789012345678901234567890123";
	assert_null(myc_net_new(&o));			/* 64 bytes */
	o.node = "ok";
	o.max_frame = MYC_FRAME_MAX + 8;
	assert_null(myc_net_new(&o));
	o.max_frame = 16;
	assert_null(myc_net_new(&o));
	errno = 0;
	assert_null(myc_net_new(&big.o));		/* unknown option set */
	assert_int_equal(errno, EINVAL);
	big.future = 0;
	net = myc_net_new(&big.o);			/* unknown option zero */
	assert_non_null(net);
	myc_net_free(net);
	myc_net_free(NULL);
}

static void bad_addresses(void **state)
{
	struct myc_net_opts o = { .sz = sizeof(o), .node = "n" };
	struct myc_net *net = myc_net_new(&o);
	static const char *const bad[] = {
		NULL, "", "unix:", "tcp:", "tcp:127.0.0.1", "tcp:127.0.0.1:",
		"tcp:127.0.0.1:65536", "tcp:127.0.0.1:12x", "tcp:host.name:80",
		"tcp:[::1:80", "udp:1.2.3.4:5", "tcp::80",
	};
	char path[4096];
	struct stat st;
	FILE *f;

	assert_non_null(net);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(myc_net_listen(net, bad[i]), -EINVAL);
		errno = 0;
		assert_null(myc_net_connect(net, bad[i]));
		assert_int_equal(errno, EINVAL);
	}
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	memcpy(path, "unix:", 5);
	assert_int_equal(myc_net_listen(net, path), -EINVAL);	/* too long */
	/* a regular file where the socket should go is left alone */
	f = fopen("net-api-errors.file", "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(myc_net_listen(net, "unix:net-api-errors.file"), -EADDRINUSE);
	assert_int_equal(stat("net-api-errors.file", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink("net-api-errors.file");
	assert_null(myc_net_listen_addr(net));
	assert_int_equal(myc_net_listen(NULL, "tcp:127.0.0.1:0"), -EINVAL);
	assert_null(myc_net_connect(NULL, "tcp:127.0.0.1:1"));
	myc_net_free(net);
}

static void bad_frames_and_interest(void **state)
{
	struct myc_net_opts o = { .sz = sizeof(o), .node = "n", .max_frame = 1024 };
	struct myc_net *net = myc_net_new(&o);
	struct myc_frame_hdr h = { .type = 5 };
	static uint8_t big[MYC_PAYLOAD_MAX + 1];
	uint8_t frame[64];
	struct myc_link *l;

	assert_non_null(net);
	assert_int_equal(myc_net_publish(net, &h, big, 0), 0);	/* nobody */
	assert_int_equal(myc_net_publish(net, &h, big, 1024), -MYC_E_FRAME_OVERSIZE);
	assert_int_equal(myc_net_publish(net, &h, big, sizeof(big)),
			 -MYC_E_FRAME_OVERSIZE);
	assert_int_equal(myc_net_publish(net, &h, NULL, 4), -EINVAL);
	assert_int_equal(myc_net_publish(NULL, &h, big, 4), -EINVAL);
	h.flags = 0x100;
	assert_int_equal(myc_net_publish(net, &h, big, 4), -MYC_E_FRAME_FLAGS);
	h.flags = MYC_FRAME_F_SYSTEM;
	h.type = 0xff05;
	assert_int_equal(myc_net_publish(net, &h, big, 8), -EINVAL);
	h.flags = 0;
	h.type = 0;
	assert_int_equal(myc_net_publish(net, &h, big, 8), -MYC_E_FRAME_TYPE);
	h.type = 9;
	assert_int_equal(myc_frame_encode(frame, sizeof(frame), &h, "abc", 3), 40);
	assert_int_equal(myc_net_forward(net, frame, 40), 0);
	assert_int_equal(myc_net_forward(net, frame, 39), -MYC_E_FRAME_TRUNCATED);
	assert_int_equal(myc_net_forward(net, frame, 48), -EINVAL);	/* trailing */
	frame[28] = 1;
	assert_int_equal(myc_net_forward(net, frame, 40), -MYC_E_FRAME_RESERVED);

	assert_int_equal(myc_net_subscribe(net, 0xff00, MYC_LOSSY), -EINVAL);
	assert_int_equal(myc_net_subscribe(net, 0, MYC_LOSSY), -EINVAL);
	assert_int_equal(myc_net_subscribe(net, 7, 2), -EINVAL);
	assert_int_equal(myc_net_subscribe(net, 7, MYC_LOSSLESS), 0);
	assert_int_equal(myc_net_subscribe(net, 7, MYC_LOSSLESS), 0);
	assert_int_equal(myc_net_subscribe(net, 7, MYC_LOSSY), -EBUSY);
	assert_int_equal(myc_net_unsubscribe(net, 7), 0);
	assert_int_equal(myc_net_subscribe(net, 7, MYC_LOSSY), -EBUSY);
	assert_int_equal(myc_net_unsubscribe(net, 0xffff), -EINVAL);

	l = myc_net_connect(net, "unix:@myc-nobody-listens-here");
	assert_non_null(l);
	assert_false(myc_link_up(l));
	assert_int_equal(myc_link_reset(l), -ENOTCONN);
	assert_int_equal(myc_link_reset(NULL), -EINVAL);
	assert_int_equal(myc_net_poll(net, 0) >= 0, 1);
	assert_string_equal(myc_link_name(l), "");
	assert_string_equal(myc_link_name(NULL), "");
	assert_false(myc_link_up(NULL));
	assert_null(myc_net_link(net, "nobody"));
	assert_int_equal(myc_net_poll(NULL, 0), -EINVAL);
	myc_net_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_options),
		cmocka_unit_test(bad_addresses),
		cmocka_unit_test(bad_frames_and_interest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
