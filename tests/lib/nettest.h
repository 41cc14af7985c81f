/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the transport tests (tests/unit/net-*.c): a test node wraps a
 * struct myc_net and records what its callbacks saw; children are real
 * processes started with tn_spawn(); results cross processes through small
 * files in the test's private directory (the runner's cwd).  Waits are
 * bounded only as a safety net (a hung test fails instead of hanging); no
 * test asserts on how long anything took.
 */
#ifndef MYC_TEST_NETTEST_H
#define MYC_TEST_NETTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "net.h"

#define TN_TYPES	16
#define TN_WAIT_MS	20000	/* safety net for "until" loops */

struct tn {
	struct myc_net *net;
	uint64_t rx[TN_TYPES];		/* frames delivered, per type */
	uint64_t first_seq[TN_TYPES];	/* first seq seen, per type */
	uint64_t last_seq[TN_TYPES];	/* highest seq seen, per type */
	uint64_t dups[TN_TYPES];	/* seq <= last seen (duplicates) */
	uint64_t skips[TN_TYPES];	/* seq jumps (missing frames) */
	uint64_t corrupt;		/* payload did not match its seq */
	uint64_t replayed;		/* frames flagged MYC_FRAME_F_REPLAY */
	int ups, downs, rejected, refused, resumed;
	int last_err;			/* of the last DOWN/REJECTED/REFUSED */
	char last_text[256];
	char last_peer[64];
	int first_err;			/* of the first DOWN/REJECTED/REFUSED */
	char first_peer[64];
	uint64_t lost;			/* sum of RESUMED lost */
	struct myc_link *last_up;
	void (*on_frame)(struct tn *t, struct myc_link *l,
			 const struct myc_frame_hdr *h, const void *payload);
	void *user;
};

/* A node named @name; @o (may be NULL) supplies other options. */
struct tn *tn_new(const char *name, const struct myc_net_opts *o);
void tn_free(struct tn *t);

/*
 * Fill a payload of @size bytes for @seq (the first 8 bytes are the seq, the
 * rest a pattern derived from it) and publish it as @type.
 */
int tn_publish(struct tn *t, uint16_t type, uint64_t seq, uint32_t size);
/* Publish, polling through back-pressure until accepted (or -ETIMEDOUT). */
int tn_publish_wait(struct tn *t, uint16_t type, uint64_t seq, uint32_t size);

/* Poll until @cond(t, arg) holds (true) or TN_WAIT_MS passes (false). */
bool tn_until(struct tn *t, bool (*cond)(struct tn *t, void *arg), void *arg);
/* Poll for @ms milliseconds. */
void tn_run_for(struct tn *t, int ms);

/* Common conditions for tn_until. */
bool tn_cond_up(struct tn *t, void *link);	 /* the link is up */
bool tn_cond_wants(struct tn *t, void *type_and_link); /* struct tn_want */
bool tn_cond_rx(struct tn *t, void *rx_want);	 /* struct tn_rx */
bool tn_cond_downs(struct tn *t, void *n);	 /* t->downs >= *(int *)n */

struct tn_want {
	struct myc_link *link;	/* NULL: any link */
	uint16_t type;
};

struct tn_rx {
	uint16_t type;
	uint64_t n;
};

/* Fork a child that closes inherited fds, runs @fn(@arg) and exits with its
 * result. */
pid_t tn_spawn(int (*fn)(void *arg), void *arg);
/* Wait for @pid: its exit status, or 128 + signal. */
int tn_wait(pid_t pid);

/*
 * Poll until the link to peer @name exists, is up and (if @type is not 0)
 * the peer subscribed to @type.  NULL after TN_WAIT_MS.
 */
struct myc_link *tn_await_link(struct tn *t, const char *name, uint16_t type);

/* Poll @t until child @pid exits; its tn_wait() status (-1: hung, killed). */
int tn_serve(struct tn *t, pid_t pid);

/*
 * Round trip over @addr: a child process dials the parent, sends frames of
 * every size class (0 B .. MYC_PAYLOAD_MAX) as type 2, the parent echoes
 * each as type 1; both check count, order, payload.  0 on success.
 */
int tn_roundtrip(const char *addr);

/*
 * Handshake mismatch: a child with another schema digest (or protocol
 * version) dials; the parent refuses it and both sides report the named
 * error and its reason; then a matching child still gets data.  0 = pass.
 */
#define TN_MISMATCH_DIGEST	1
#define TN_MISMATCH_VERSION	2
int tn_mismatch(int kind);

/* Small result files shared by the processes of one test. */
void tn_put(const char *key, uint64_t v);
bool tn_get(const char *key, uint64_t *v);
/* Wait (without polling any net) until @key exists; false after TN_WAIT_MS. */
bool tn_wait_key(const char *key);

/* A unique abstract Unix address for this test run ("unix:@myc-test-PID-s"). */
const char *tn_unix_addr(const char *suffix);

/* Checks inside children: print the failed condition and return an exit
 * code naming the line. */
#define TN_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		return 100 + (__LINE__ % 100);				\
	}								\
} while (0)

#endif
