// SPDX-License-Identifier: MIT
/* Transport test helpers (see nettest.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nettest.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void fill(uint8_t *p, uint64_t seq, uint32_t size)
{
	uint32_t i;

	for (i = 0; i < size; i++)
		p[i] = (uint8_t)(seq * 7 + i);
	memcpy(p, &seq, size < 8 ? size : 8);
}

static bool check(const uint8_t *p, uint64_t seq, uint32_t size)
{
	uint8_t want[MYC_PAYLOAD_MAX];

	fill(want, seq, size);
	return !memcmp(p, want, size);
}

static void tn_event(struct myc_net *net, struct myc_link *link,
		     const struct myc_net_event *ev, void *ctx)
{
	struct tn *t = ctx;

	switch (ev->kind) {
	case MYC_NET_EV_UP:
		t->ups++;
		t->last_up = link;
		return;
	case MYC_NET_EV_RESUMED:
		t->resumed++;
		t->lost += ev->lost;
		return;
	case MYC_NET_EV_INTEREST:
		return;
	case MYC_NET_EV_DOWN:
		t->downs++;
		break;
	case MYC_NET_EV_REJECTED:
		t->rejected++;
		break;
	case MYC_NET_EV_REFUSED:
		t->refused++;
		break;
	}
	if (t->downs + t->rejected + t->refused == 1) {
		t->first_err = ev->err;
		snprintf(t->first_peer, sizeof(t->first_peer), "%s", ev->peer);
	}
	t->last_err = ev->err;
	snprintf(t->last_text, sizeof(t->last_text), "%s", ev->text);
	snprintf(t->last_peer, sizeof(t->last_peer), "%s", ev->peer);
	if (getenv("MYC_TEST_VERBOSE"))
		fprintf(stderr, "[%d] event %d err %d (%s) peer '%s': %s\n",
			getpid(), ev->kind, ev->err, myc_strerror(ev->err),
			ev->peer, ev->text);
}

static void tn_frame(struct myc_net *net, struct myc_link *link,
		     const struct myc_frame_hdr *h, const void *payload,
		     const void *frame, uint32_t span, void *ctx)
{
	struct tn *t = ctx;
	uint32_t size = h->len - MYC_FRAME_HDR_SIZE;
	uint16_t ty = h->type < TN_TYPES ? h->type : 0;

	if (!check(payload, h->seq, size))
		t->corrupt++;
	if (h->flags & MYC_FRAME_F_REPLAY)
		t->replayed++;
	if (!t->rx[ty])
		t->first_seq[ty] = h->seq;
	if (t->rx[ty] && h->seq <= t->last_seq[ty])
		t->dups[ty]++;
	else if (h->seq > t->last_seq[ty] + 1)
		t->skips[ty] += h->seq - t->last_seq[ty] - 1;
	if (h->seq > t->last_seq[ty])
		t->last_seq[ty] = h->seq;
	t->rx[ty]++;
	if (t->on_frame)
		t->on_frame(t, link, h, payload);
}

struct tn *tn_new(const char *name, const struct myc_net_opts *o)
{
	struct myc_net_opts opts = { .sz = sizeof(opts) };
	struct tn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (o)
		opts = *o;
	opts.sz = sizeof(opts);
	opts.node = name;
	opts.on_event = tn_event;
	opts.on_frame = tn_frame;
	opts.ctx = t;
	t->net = myc_net_new(&opts);
	if (!t->net) {
		free(t);
		return NULL;
	}
	return t;
}

void tn_free(struct tn *t)
{
	if (!t)
		return;
	myc_net_free(t->net);
	free(t);
}

int tn_publish(struct tn *t, uint16_t type, uint64_t seq, uint32_t size)
{
	static uint8_t buf[MYC_PAYLOAD_MAX];
	struct myc_frame_hdr h = { .type = type, .seq = seq, .src = 1 };

	fill(buf, seq, size);
	h.ts_ns = myc_now_ns();
	return myc_net_publish(t->net, &h, buf, size);
}

int tn_publish_wait(struct tn *t, uint16_t type, uint64_t seq, uint32_t size)
{
	uint64_t end = mono_ms() + TN_WAIT_MS;
	int r;

	while ((r = tn_publish(t, type, seq, size)) == -MYC_E_BACK_PRESSURED) {
		if (mono_ms() > end)
			return -ETIMEDOUT;
		myc_net_poll(t->net, 10);
	}
	return r;
}

bool tn_until(struct tn *t, bool (*cond)(struct tn *t, void *arg), void *arg)
{
	uint64_t end = mono_ms() + TN_WAIT_MS;

	while (!cond(t, arg)) {
		if (mono_ms() > end)
			return false;
		myc_net_poll(t->net, 20);
	}
	return true;
}

void tn_run_for(struct tn *t, int ms)
{
	uint64_t end = mono_ms() + (uint64_t)ms, now;

	while ((now = mono_ms()) < end)
		myc_net_poll(t->net, (int)(end - now));
}

bool tn_cond_up(struct tn *t, void *link)
{
	return myc_link_up(link);
}

bool tn_cond_wants(struct tn *t, void *arg)
{
	struct tn_want *w = arg;

	return myc_link_up(w->link) && myc_link_peer_wants(w->link, w->type);
}

bool tn_cond_rx(struct tn *t, void *arg)
{
	struct tn_rx *r = arg;

	return t->rx[r->type] >= r->n;
}

bool tn_cond_downs(struct tn *t, void *n)
{
	return t->downs >= *(int *)n;
}

pid_t tn_spawn(int (*fn)(void *arg), void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	/* a child must not hold the parent's sockets or epoll fd open */
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	_exit(fn(arg));
}

int tn_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

void tn_put(const char *key, uint64_t v)
{
	char path[128], tmp[140];
	FILE *f;

	snprintf(path, sizeof(path), "tn-%s", key);
	snprintf(tmp, sizeof(tmp), "%s.%d", path, getpid());
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%llu\n", (unsigned long long)v);
	fclose(f);
	rename(tmp, path);
}

bool tn_get(const char *key, uint64_t *v)
{
	char path[128];
	unsigned long long x;
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "tn-%s", key);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (ok)
		*v = x;
	return ok;
}

const char *tn_unix_addr(const char *suffix)
{
	static char buf[8][96];
	static int i;
	char *b = buf[i++ % 8];

	static pid_t pid;

	if (!pid)
		pid = getpid();	/* children inherit the parent's names */
	snprintf(b, 96, "unix:@myc-test-%d-%s", (int)pid, suffix);
	return b;
}

int tn_serve(struct tn *t, pid_t pid)
{
	uint64_t end = mono_ms() + 3 * TN_WAIT_MS;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0 && errno != EINTR)
			return -1;
		if (mono_ms() > end) {
			kill(pid, SIGKILL);
			tn_wait(pid);
			return -1;
		}
		myc_net_poll(t->net, 10);
	}
}

static const uint32_t rt_sizes[] = { 0, 1, 8, 64, 200, 1024, 4096, MYC_PAYLOAD_MAX };
#define RT_N 1500

struct rt {
	const char *addr;
};

/* parent side: echo every type-2 frame back as type 1 */
static void rt_echo(struct tn *t, struct myc_link *l,
		    const struct myc_frame_hdr *h, const void *payload)
{
	struct myc_frame_hdr e = *h;

	if (h->type != 2)
		return;
	e.type = 1;
	e.flags = 0;
	if (myc_net_publish(t->net, &e, payload, h->len - MYC_FRAME_HDR_SIZE) != 1)
		t->corrupt += 1000000;	/* echo refused: fails the test */
}

static int rt_child(void *arg)
{
	struct rt *rt = arg;
	struct tn *t = tn_new("rt-child", NULL);
	struct myc_link *l;
	struct tn_want w;
	struct tn_rx want = { .type = 1, .n = RT_N };
	uint64_t i;

	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, 1, MYC_LOSSLESS) == 0);
	l = myc_net_connect(t->net, rt->addr);
	TN_CHECK(l);
	w.link = l;
	w.type = 2;
	TN_CHECK(tn_until(t, tn_cond_wants, &w));
	TN_CHECK(!strcmp(myc_link_name(l), "rt-parent"));
	for (i = 1; i <= RT_N; i++)
		TN_CHECK(tn_publish_wait(t, 2, i, rt_sizes[i % 8]) == 1);
	TN_CHECK(tn_until(t, tn_cond_rx, &want));
	TN_CHECK(t->rx[1] == RT_N);
	TN_CHECK(t->corrupt == 0 && t->dups[1] == 0 && t->skips[1] == 0);
	TN_CHECK(t->downs == 0 && t->rejected == 0);
	tn_free(t);
	return 0;
}

int tn_roundtrip(const char *addr)
{
	/*
	 * The echo is published from the receive callback, which cannot wait
	 * out back-pressure: give the echo side room for the whole exchange
	 * (about 13 MB) so "refused" can only mean a bug.
	 */
	struct myc_net_opts o = { .sz = sizeof(o), .lossless_bytes = 32u << 20 };
	struct tn *t = tn_new("rt-parent", &o);
	struct rt rt;
	pid_t pid;
	int st, r;

	if (!t)
		return -1;
	t->on_frame = rt_echo;
	if (myc_net_subscribe(t->net, 2, MYC_LOSSLESS) ||
	    (r = myc_net_listen(t->net, addr))) {
		tn_free(t);
		return -2;
	}
	rt.addr = myc_net_listen_addr(t->net);
	pid = tn_spawn(rt_child, &rt);
	st = tn_serve(t, pid);
	if (!st && (t->rx[2] != RT_N || t->corrupt || t->dups[2] || t->skips[2]))
		st = -3;
	tn_free(t);
	return st;
}

struct mm {
	const char *addr;
	int kind;
	const char *name;
	bool good;
};

static int mm_child(void *arg)
{
	struct mm *mm = arg;
	struct myc_net_opts o = { .sz = sizeof(o) };
	uint8_t digest[MYC_NET_DIGEST_SIZE] = { 0xd1 };
	struct tn *t;
	struct myc_link *l;
	const char *text;
	int want = mm->kind == TN_MISMATCH_DIGEST ? -MYC_E_DIGEST : -MYC_E_VERSION;

	if (!mm->good) {
		if (mm->kind == TN_MISMATCH_DIGEST)
			digest[0] = 0xd2;
		else
			o.proto_version = MYC_NET_PROTO_VERSION + 1;
	}
	o.digest = digest;
	t = tn_new(mm->name, &o);
	TN_CHECK(t);
	TN_CHECK(myc_net_subscribe(t->net, 1, MYC_LOSSY) == 0);
	l = myc_net_connect(t->net, mm->addr);
	TN_CHECK(l);
	if (mm->good) {
		struct tn_rx rx = { .type = 1, .n = 1 };

		TN_CHECK(tn_until(t, tn_cond_rx, &rx));
		TN_CHECK(t->rejected == 0 && t->corrupt == 0);
		tn_free(t);
		return 0;
	}
	while (!t->rejected && !t->downs)
		myc_net_poll(t->net, 20);
	TN_CHECK(t->rejected == 1 && t->ups == 0);
	TN_CHECK(t->last_err == want);
	TN_CHECK(strstr(t->last_text, mm->kind == TN_MISMATCH_DIGEST ?
			"digest" : "version"));
	TN_CHECK(myc_link_error(l, &text) == want && strstr(text, "rejected"));
	TN_CHECK(!myc_link_up(l));
	tn_free(t);
	return 0;
}

static void mm_publish(struct tn *t, struct myc_link *l,
		       const struct myc_frame_hdr *h, const void *payload)
{
}

int tn_mismatch(int kind)
{
	struct myc_net_opts o = { .sz = sizeof(o) };
	uint8_t digest[MYC_NET_DIGEST_SIZE] = { 0xd1 };
	int want = kind == TN_MISMATCH_DIGEST ? -MYC_E_DIGEST : -MYC_E_VERSION;
	struct mm mm = { .kind = kind, .name = "bad-child" };
	struct tn *t;
	struct tn_want w = { .type = 1 };
	pid_t pid;
	int st;

	o.digest = digest;
	t = tn_new("mm-parent", &o);
	if (!t || myc_net_listen(t->net, "tcp:127.0.0.1:0"))
		return -1;
	t->on_frame = mm_publish;
	mm.addr = myc_net_listen_addr(t->net);
	/* 1: the mismatched peer is refused, and both sides say why */
	st = tn_serve(t, tn_spawn(mm_child, &mm));
	if (st)
		return st;
	if (t->refused < 1 || t->last_err != want || t->ups != 0 ||
	    !strstr(t->last_text, kind == TN_MISMATCH_DIGEST ? "digest" : "version"))
		return -2;
	if (kind == TN_MISMATCH_DIGEST && strcmp(t->last_peer, "bad-child"))
		return -3;
	/* 2: the refusal cost nothing else: a matching peer gets data */
	mm.good = true;
	mm.name = "good-child";
	pid = tn_spawn(mm_child, &mm);
	while (!(w.link = myc_net_link(t->net, "good-child")))
		myc_net_poll(t->net, 10);
	if (!tn_until(t, tn_cond_wants, &w) || tn_publish(t, 1, 1, 64) != 1)
		return -4;
	st = tn_serve(t, pid);
	tn_free(t);
	return st;
}

bool tn_wait_key(const char *key)
{
	uint64_t end = mono_ms() + TN_WAIT_MS, x;

	while (!tn_get(key, &x)) {
		if (mono_ms() > end)
			return false;
		usleep(10000);
	}
	return true;
}

struct myc_link *tn_await_link(struct tn *t, const char *name, uint16_t type)
{
	uint64_t end = mono_ms() + TN_WAIT_MS;
	struct myc_link *l;

	for (;;) {
		l = myc_net_link(t->net, name);
		if (l && myc_link_up(l) && (!type || myc_link_peer_wants(l, type)))
			return l;
		if (mono_ms() > end)
			return NULL;
		myc_net_poll(t->net, 10);
	}
}
