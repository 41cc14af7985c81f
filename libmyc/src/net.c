// SPDX-License-Identifier: MIT
/*
 * Unix and TCP transport: links, connections, send queues, handshake,
 * subscriptions, heartbeats, reconnect and lossless resume (docs/net.md,
 * docs/handshake.md).  One epoll loop per struct myc_net, driven by the
 * caller through myc_net_poll(); no threads, no global state.
 *
 * Per link, three byte queues of encoded frames feed one sendmsg() each time
 * the socket is written (write batching: every frame queued since the last
 * write goes out in the same syscall):
 *
 *   ctl       system frames of the current connection (unbounded by policy,
 *             small; dropped with the connection)
 *   lossless  frames of types the peer asked for losslessly; kept after
 *             being written until the peer acknowledges them, so a new
 *             connection can replay them.  Full = back-pressure.
 *   lossy     frames of the other types; full = drop the oldest (counted)
 *
 * Queue layout (struct nq; offsets into buf, never wrapping; the live part
 * is moved to the front when the tail reaches the end):
 *
 *   0        keep          wframe    wpos            tail          cap
 *   |  free  | written, kept | frame being | queued, not  |   free   |
 *   |        | (lossless:    | written     | written yet  |          |
 *   |        |  not acked)   |             |              |          |
 *
 * For ctl and lossy, keep == wframe: written frames are forgotten at once.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <fcntl.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "net.h"
#include "net-wire.h"

#define NET_RBUF_SIZE		(256u * 1024u)	/* > 2 max frames */
#define NET_CTL_MAX		(1024u * 1024u)	/* ctl queue hard bound */
#define NET_MAX_PENDING		256u	/* accepted, not yet HELLOed */
#define NET_GAP_SLOTS		64u
#define NET_EVENTS		64
#define NET_TEXT		256
#define NET_TYPES		65536u
#define BITMAP_BYTES		(NET_TYPES / 8)

#define unlikely(x)		__builtin_expect(!!(x), 0)

struct list {
	struct list *next, *prev;
};

static void list_init(struct list *l)
{
	l->next = l->prev = l;
}

static void list_add_tail(struct list *n, struct list *head)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static void list_del(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
#define list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); \
	     pos = tmp, tmp = pos->next)

static bool bit_get(const uint8_t *map, uint16_t t)
{
	return map[t >> 3] & (1u << (t & 7));
}

static void bit_set(uint8_t *map, uint16_t t, bool v)
{
	if (v)
		map[t >> 3] |= (uint8_t)(1u << (t & 7));
	else
		map[t >> 3] &= (uint8_t)~(1u << (t & 7));
}

/* ---- byte queues of frames ---------------------------------------------- */

struct nq {
	uint8_t *buf;
	uint32_t cap;
	uint32_t keep, wframe, wpos, tail;
};

static uint32_t nq_span_at(const struct nq *q, uint32_t off)
{
	uint32_t len;

	memcpy(&len, q->buf + off, 4);
	return myc_frame_span(le32toh(len));
}

static int nq_init(struct nq *q, uint32_t cap)
{
	q->buf = malloc(cap);
	q->cap = cap;
	q->keep = q->wframe = q->wpos = q->tail = 0;
	return q->buf ? 0 : -ENOMEM;
}

static uint32_t nq_used(const struct nq *q)
{
	return q->tail - q->keep;
}

static uint32_t nq_pending(const struct nq *q)
{
	return q->tail - q->wpos;
}

/*
 * Make room for @span bytes at the tail.  The live part is moved down only
 * when it is no longer than the free space in front of it, so each byte is
 * moved at most once on average; a queue whose live part sits high counts
 * as full until the writer catches up (effective capacity >= cap / 2).
 */
static uint8_t *nq_reserve(struct nq *q, uint32_t span)
{
	if (nq_used(q) + span > q->cap)
		return NULL;
	if (q->tail + span > q->cap) {
		uint32_t k = q->keep;

		if (nq_used(q) > k)
			return NULL;

		memmove(q->buf, q->buf + k, q->tail - k);
		q->keep -= k;
		q->wframe -= k;
		q->wpos -= k;
		q->tail -= k;
	}
	return q->buf + q->tail;
}

/* Would nq_reserve(@span) succeed? */
static bool nq_room(const struct nq *q, uint32_t span)
{
	if (nq_used(q) + span > q->cap)
		return false;
	return q->tail + span <= q->cap || nq_used(q) <= q->keep;
}

/* @n more bytes were written; forget whole frames unless @retain. */
static void nq_advance(struct nq *q, uint32_t n, bool retain)
{
	q->wpos += n;
	while (q->wframe < q->wpos &&
	       q->wframe + nq_span_at(q, q->wframe) <= q->wpos)
		q->wframe += nq_span_at(q, q->wframe);
	if (!retain)
		q->keep = q->wframe;
	if (q->keep == q->tail)
		q->keep = q->wframe = q->wpos = q->tail = 0;
}

/* Count and drop every frame from @from to the tail. */
static uint64_t nq_truncate(struct nq *q, uint32_t from)
{
	uint64_t n = 0;
	uint32_t off;

	for (off = from; off < q->tail; off += nq_span_at(q, off))
		n++;
	q->tail = from;
	if (q->keep == q->tail)
		q->keep = q->wframe = q->wpos = q->tail = 0;
	return n;
}

/*
 * Lossy queue full: drop the oldest frames not yet started (a frame partly
 * in the socket must be finished) until a quarter of the queue is free, so
 * a sustained overload moves memory once per many drops.
 */
static uint64_t nq_drop_oldest(struct nq *q, uint32_t need)
{
	uint32_t start = q->wframe, end;
	uint64_t n = 0;

	if (q->wpos != q->wframe)
		start += nq_span_at(q, q->wframe);
	end = start;
	while (end < q->tail &&
	       (nq_used(q) - (end - start) + need > q->cap - q->cap / 4)) {
		end += nq_span_at(q, end);
		n++;
	}
	memmove(q->buf + start, q->buf + end, q->tail - end);
	q->tail -= end - start;
	if (q->keep == q->tail)
		q->keep = q->wframe = q->wpos = q->tail = 0;
	return n;
}

/* ---- objects ------------------------------------------------------------ */

enum nfd_kind { NFD_LISTENER = 1, NFD_CONN };

struct nfd {
	enum nfd_kind kind;
	int fd;
};

struct listener {
	struct nfd nfd;
	struct list node;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];	/* to unlink */
};

enum conn_state {
	C_CONNECTING,	/* dialler: connect() in progress */
	C_HELLO_SENT,	/* dialler: waiting for WELCOME/REJECT */
	C_WAIT_HELLO,	/* acceptor: waiting for HELLO */
	C_UP,
	C_CLOSING,	/* REJECT queued: flush, then wait for EOF */
	C_DEAD,		/* reaped at the end of the poll */
};

struct conn {
	struct nfd nfd;
	struct list node;
	struct myc_net *net;
	struct myc_link *link;
	enum conn_state state;
	bool resumed;		/* peer sent RESUME: lossless may flow */
	bool want_out;		/* EPOLLOUT armed */
	bool tcp;
	bool progressed;	/* wrote since the last timer run */
	bool shut;		/* closing: our write side is shut down */
	uint8_t *rbuf;
	uint32_t rlen;
	struct nq ctl;
	uint64_t last_rx_ns, last_hb_ns, progress_ns, deadline_ns;
	uint64_t acked;		/* last ack value sent */
	uint64_t unacked_bytes;	/* lossless bytes received since */
	uint32_t peer_hb_ms;
	uint32_t peer_ack_bytes;	/* the peer wants an ack this often */
	int err;
	char text[NET_TEXT];
};

struct gap_slot {
	uint32_t src;
	uint16_t type;
	bool used;
	uint64_t last;
};

struct myc_link {
	struct list node;
	struct myc_net *net;
	struct conn *conn;
	bool dialer;
	struct sockaddr_storage sa;
	socklen_t salen;
	uint32_t backoff_ms;
	uint64_t redial_ns;
	uint64_t down_since_ns;	/* 0: up, or lossless already released */
	char name[MYC_NET_NAME_MAX + 1];
	uint64_t peer_inc;	/* incarnation of the peer we last saw */
	uint8_t peer_want[BITMAP_BYTES], peer_lossless[BITMAP_BYTES];
	struct nq lossless, lossy;
	uint64_t keep_ord, next_ord;	/* ordinals: frame at keep, next */
	uint64_t rx_inc, rx_count;	/* lossless frames counted from rx_inc */
	struct gap_slot gaps[NET_GAP_SLOTS];
	struct myc_link_stats st;
	int err;
	char text[NET_TEXT];
};

struct myc_net {
	int epfd;
	struct myc_net_opts o;
	char node[MYC_NET_NAME_MAX + 1];
	uint8_t digest[MYC_NET_DIGEST_SIZE];
	uint64_t incarnation, rng, now;
	uint64_t hb_ns, hb_timeout_ns, linger_ns;
	uint8_t want[BITMAP_BYTES], lossless[BITMAP_BYTES], policy_set[BITMAP_BYTES];
	struct list links, conns, listeners;
	uint32_t npending;
	int delivered;
	char listen_addr[160];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t net_rand(struct myc_net *net)
{
	/* xorshift64*: jitter only, not security */
	net->rng ^= net->rng >> 12;
	net->rng ^= net->rng << 25;
	net->rng ^= net->rng >> 27;
	return net->rng * 2685821657736338717ull;
}

static void emit(struct myc_net *net, struct myc_link *link,
		 enum myc_net_event_kind kind, int err, const char *peer,
		 const char *text, uint64_t lost)
{
	struct myc_net_event ev = {
		.kind = kind, .err = err, .peer = peer ? peer : "",
		.text = text ? text : "", .lost = lost,
	};

	if (net->o.on_event)
		net->o.on_event(net, link, &ev, net->o.ctx);
}

/* ---- connection failure and teardown ------------------------------------ */

static void conn_fail(struct conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Mark @c dead (reaped at the end of the poll); the first reason wins. */
static void conn_fail(struct conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->state == C_DEAD)
		return;
	c->state = C_DEAD;
	c->err = err;
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
}

static void link_set_err(struct myc_link *l, int err, const char *text)
{
	l->err = err;
	snprintf(l->text, sizeof(l->text), "%s", text);
}

static void link_schedule_redial(struct myc_link *l)
{
	struct myc_net *net = l->net;
	uint64_t half = l->backoff_ms / 2;
	uint64_t delay = half + net_rand(net) % (half + 1);

	l->redial_ns = net->now + delay * 1000000ull;
	l->backoff_ms *= 2;
	if (l->backoff_ms > net->o.backoff_max_ms)
		l->backoff_ms = net->o.backoff_max_ms;
}

/*
 * The connection of @l went away: lossy frames still queued are lost
 * (counted); lossless frames written but not acknowledged are flagged
 * MYC_FRAME_F_REPLAY and rewound so the next connection resends them.
 */
static void link_detach(struct myc_link *l)
{
	struct nq *q = &l->lossless;
	uint32_t off;

	l->conn = NULL;
	l->down_since_ns = l->net->now ? l->net->now : 1;
	l->st.tx_dropped += nq_truncate(&l->lossy, l->lossy.wframe);
	l->lossy.wpos = l->lossy.wframe = l->lossy.keep = l->lossy.tail;
	for (off = q->keep; off < q->wpos; off += nq_span_at(q, off)) {
		uint16_t flags;

		memcpy(&flags, q->buf + off + 6, 2);
		flags = htole16(le16toh(flags) | MYC_FRAME_F_REPLAY);
		memcpy(q->buf + off + 6, &flags, 2);
	}
	q->wframe = q->wpos = q->keep;
}

/*
 * The peer has been away for the linger time: stop holding lossless frames
 * for it (they are counted in tx_dropped and, if it comes back, reported to
 * it exactly as lost by RESUMED) and forget what it subscribed to, so a
 * vanished subscriber cannot hold its publishers in back-pressure forever.
 */
static void link_release(struct myc_link *l)
{
	struct nq *q = &l->lossless;
	uint64_t n = nq_truncate(q, q->keep);

	l->st.tx_dropped += n;
	l->keep_ord = l->next_ord;
	memset(l->peer_want, 0, sizeof(l->peer_want));
	memset(l->peer_lossless, 0, sizeof(l->peer_lossless));
	l->down_since_ns = 0;
}

static void conn_free(struct conn *c)
{
	struct myc_net *net = c->net;

	epoll_ctl(net->epfd, EPOLL_CTL_DEL, c->nfd.fd, NULL);
	close(c->nfd.fd);
	if (!c->link && net->npending)
		net->npending--;
	list_del(&c->node);
	free(c->rbuf);
	free(c->ctl.buf);
	free(c);
}

static void reap(struct myc_net *net)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &net->conns) {
		struct conn *c = container_of(pos, struct conn, node);
		struct myc_link *l = c->link;
		bool was_up;

		if (c->state != C_DEAD)
			continue;
		was_up = l && l->conn == c;
		if (l && c->err && (was_up || !l->conn))
			link_set_err(l, c->err, c->text);
		if (was_up) {
			link_detach(l);
			l->st.disconnects++;
		}
		if (l && l->dialer && (was_up || !l->conn))
			link_schedule_redial(l);
		if (was_up) {
			conn_free(c);
			emit(net, l, MYC_NET_EV_DOWN, l->err, l->name, l->text, 0);
		} else if (!l && c->err) {
			/* never got past the handshake: still say why it died */
			char text[NET_TEXT];
			int err = c->err;

			memcpy(text, c->text, sizeof(text));
			conn_free(c);
			emit(net, NULL, MYC_NET_EV_DOWN, err, "", text, 0);
		} else {
			conn_free(c);
		}
	}
}

/* ---- writing ------------------------------------------------------------ */

static void conn_arm_out(struct conn *c, bool on)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0),
		.data.ptr = &c->nfd,
	};

	if (c->want_out == on)
		return;
	c->want_out = on;
	epoll_ctl(c->net->epfd, EPOLL_CTL_MOD, c->nfd.fd, &ev);
}

/*
 * Write as much as the socket takes, ctl first, then lossless, then lossy,
 * all in one sendmsg(); a frame cut by a short write is finished first next
 * time so frames never interleave.
 */
static void conn_write(struct conn *c)
{
	struct myc_link *l = c->link;

	if (c->state == C_DEAD || c->state == C_CONNECTING)
		return;
	for (;;) {
		struct nq *qs[3], *order[3];
		bool retain[3];
		struct iovec iov[3];
		struct msghdr mh = { .msg_iov = iov };
		size_t total = 0;
		ssize_t n;
		int i, nq = 0, k;

		qs[0] = &c->ctl;
		qs[1] = qs[2] = NULL;
		if (c->state == C_UP && l == c->link && l && l->conn == c) {
			if (c->resumed)
				qs[1] = &l->lossless;
			qs[2] = &l->lossy;
		}
		/* the queue with a frame cut in half goes first */
		for (i = 0; i < 3; i++)
			if (qs[i] && qs[i]->wpos != qs[i]->wframe)
				order[nq++] = qs[i];
		for (i = 0; i < 3; i++)
			if (qs[i] && (nq == 0 || order[0] != qs[i]))
				order[nq++] = qs[i];
		for (i = 0, k = 0; i < nq; i++) {
			uint32_t p = nq_pending(order[i]);

			retain[i] = order[i] == qs[1];
			if (!p)
				continue;
			iov[k].iov_base = order[i]->buf + order[i]->wpos;
			iov[k].iov_len = p;
			order[k] = order[i];
			retain[k] = retain[i];
			total += p;
			k++;
		}
		if (!total) {
			conn_arm_out(c, false);
			if (c->state == C_CLOSING && !c->shut) {
				/* REJECT is out: EOF tells the peer, and we
				 * close once it has read it and closed */
				shutdown(c->nfd.fd, SHUT_WR);
				c->shut = true;
			}
			return;
		}
		mh.msg_iovlen = (size_t)k;
		n = sendmsg(c->nfd.fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				conn_arm_out(c, true);
				return;
			}
			conn_fail(c, -errno, "write: %s", strerror(errno));
			return;
		}
		c->progressed = true;
		if (l) {
			l->st.tx_writes++;
			l->st.tx_bytes += (uint64_t)n;
		}
		for (i = 0; i < k && n > 0; i++) {
			uint32_t take = (size_t)n < iov[i].iov_len ?
					(uint32_t)n : (uint32_t)iov[i].iov_len;

			nq_advance(order[i], take, retain[i]);
			n -= take;
		}
		if (nq_pending(&c->ctl) || (qs[1] && nq_pending(qs[1])) ||
		    (qs[2] && nq_pending(qs[2])))
			continue;	/* loop: sendmsg returns EAGAIN if full */
	}
}

/* Queue a system frame on @c. */
static int ctl_send(struct conn *c, uint16_t type, const void *payload,
		    uint32_t size)
{
	struct myc_frame_hdr h = {
		.type = type, .flags = MYC_FRAME_F_SYSTEM,
	};
	uint32_t span = myc_frame_span(MYC_FRAME_HDR_SIZE + size);
	uint8_t *p;

	if (c->state == C_DEAD)
		return -EPIPE;
	while (nq_used(&c->ctl) + span > c->ctl.cap) {
		uint8_t *nb;

		if (c->ctl.cap * 2 > NET_CTL_MAX) {
			conn_fail(c, -ENOBUFS, "control queue full: peer not reading");
			return -ENOBUFS;
		}
		nb = realloc(c->ctl.buf, c->ctl.cap * 2);
		if (!nb) {
			conn_fail(c, -ENOMEM, "out of memory");
			return -ENOMEM;
		}
		c->ctl.buf = nb;
		c->ctl.cap *= 2;
	}
	p = nq_reserve(&c->ctl, span);
	h.ts_ns = myc_now_ns();
	myc_frame_encode(p, span, &h, payload, size);
	c->ctl.tail += span;
	return 0;
}

static void send_heartbeat(struct conn *c)
{
	uint8_t p[MYC_HEARTBEAT_SIZE];

	c->acked = c->link ? c->link->rx_count : 0;
	c->unacked_bytes = 0;
	myc_u64_encode(p, c->acked);
	ctl_send(c, MYC_SYS_HEARTBEAT, p, sizeof(p));
	c->last_hb_ns = c->net->now;
}

/* Our whole subscription set (first frame replaces the peer's view). */
static void send_interest(struct conn *c)
{
	struct myc_net *net = c->net;
	struct myc_sub_entry e[MYC_SUB_MAX];
	uint8_t p[MYC_SUB_HDR_SIZE + 4 * MYC_SUB_MAX];
	uint16_t flags = MYC_SUB_F_RESET;
	uint32_t t, n = 0;

	for (t = 1; t <= MYC_TYPE_USER_MAX; t++) {
		if (!bit_get(net->want, (uint16_t)t))
			continue;
		e[n].type = (uint16_t)t;
		e[n].policy = bit_get(net->lossless, (uint16_t)t);
		if (++n == MYC_SUB_MAX) {
			ctl_send(c, MYC_SYS_SUBSCRIBE, p,
				 (uint32_t)myc_sub_encode(p, flags, e, n));
			flags = 0;
			n = 0;
		}
	}
	if (n || flags)
		ctl_send(c, MYC_SYS_SUBSCRIBE, p,
			 (uint32_t)myc_sub_encode(p, flags, e, n));
}

/* ---- handshake ---------------------------------------------------------- */

static void hello_fill(struct myc_net *net, struct myc_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->version = net->o.proto_version;
	h->incarnation = net->incarnation;
	memcpy(h->digest, net->digest, sizeof(h->digest));
	h->hb_interval_ms = net->o.hb_interval_ms;
	h->ack_bytes = net->o.lossless_bytes / 4;
	snprintf(h->name, sizeof(h->name), "%s", net->node);
}

static void send_hello(struct conn *c, uint16_t type)
{
	struct myc_hello h;
	uint8_t p[MYC_HELLO_SIZE];

	hello_fill(c->net, &h);
	myc_hello_encode(p, &h);
	ctl_send(c, type, p, sizeof(p));
}

static void hex8(char *out, const uint8_t *d)
{
	for (int i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/*
 * Check a peer's HELLO or WELCOME against ours.  Returns 0 or the error and
 * the reason in @why.
 */
static int hello_check(struct myc_net *net, const uint8_t *p, uint32_t size,
		       struct myc_hello *h, char *why, size_t whylen)
{
	uint32_t version;
	char a[17], b[17];

	h->name[0] = '\0';
	if (myc_hello_version(p, size, &version)) {
		snprintf(why, whylen, "malformed handshake (%u bytes)", size);
		return -EPROTO;
	}
	if (version != net->o.proto_version) {
		snprintf(why, whylen,
			 "protocol version mismatch: node '%s' speaks %u, peer %u",
			 net->node, net->o.proto_version, version);
		return -MYC_E_VERSION;
	}
	if (myc_hello_decode(p, size, h)) {
		snprintf(why, whylen, "malformed handshake (%u bytes)", size);
		return -EPROTO;
	}
	if (memcmp(h->digest, net->digest, MYC_NET_DIGEST_SIZE)) {
		hex8(a, net->digest);
		hex8(b, h->digest);
		snprintf(why, whylen,
			 "schema digest mismatch: node '%s' has %s..., node '%s' has %s...",
			 net->node, a, h->name, b);
		return -MYC_E_DIGEST;
	}
	return 0;
}

/* A new peer incarnation: forget what the old one asked for. */
static void link_peer_incarnation(struct myc_link *l, uint64_t inc)
{
	if (l->peer_inc == inc)
		return;
	l->peer_inc = inc;
	memset(l->peer_want, 0, sizeof(l->peer_want));
	memset(l->peer_lossless, 0, sizeof(l->peer_lossless));
	memset(l->gaps, 0, sizeof(l->gaps));
	l->st.tx_dropped += nq_truncate(&l->lossy, l->lossy.wpos);
}

static void conn_up(struct conn *c, const struct myc_hello *h)
{
	struct myc_link *l = c->link;
	uint8_t p[MYC_RESUME_SIZE];

	c->state = C_UP;
	c->peer_hb_ms = h->hb_interval_ms;
	c->peer_ack_bytes = h->ack_bytes;
	c->last_rx_ns = c->net->now;
	l->conn = c;
	l->down_since_ns = 0;
	l->backoff_ms = c->net->o.backoff_min_ms;
	l->st.connects++;
	snprintf(l->name, sizeof(l->name), "%s", h->name);
	link_peer_incarnation(l, h->incarnation);
	myc_u64pair_encode(p, l->rx_inc, l->rx_count);
	ctl_send(c, MYC_SYS_RESUME, p, sizeof(p));
	send_interest(c);
	send_heartbeat(c);
	link_set_err(l, 0, "");
	emit(c->net, l, MYC_NET_EV_UP, 0, l->name, "", 0);
}

static int link_queues_init(struct myc_link *l, const struct myc_net_opts *o)
{
	if (nq_init(&l->lossless, o->lossless_bytes) ||
	    nq_init(&l->lossy, o->lossy_bytes))
		return -ENOMEM;
	l->keep_ord = l->next_ord = 1;
	return 0;
}

static void link_free(struct myc_link *l)
{
	free(l->lossless.buf);
	free(l->lossy.buf);
	free(l);
}

static struct myc_link *link_new(struct myc_net *net, bool dialer)
{
	struct myc_link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->net = net;
	l->dialer = dialer;
	l->backoff_ms = net->o.backoff_min_ms;
	if (link_queues_init(l, &net->o)) {
		link_free(l);
		return NULL;
	}
	list_add_tail(&l->node, &net->links);
	return l;
}

static void refuse(struct conn *c, int err, const char *peer, const char *why)
{
	uint8_t p[MYC_REJECT_SIZE];

	myc_reject_encode(p, myc_reject_code(err), why);
	ctl_send(c, MYC_SYS_REJECT, p, sizeof(p));
	c->state = C_CLOSING;
	c->deadline_ns = c->net->now + c->net->hb_timeout_ns;
	snprintf(c->text, sizeof(c->text), "%s", why);
	emit(c->net, NULL, MYC_NET_EV_REFUSED, err, peer, why, 0);
}

static void on_hello(struct conn *c, const uint8_t *p, uint32_t size)
{
	struct myc_net *net = c->net;
	struct myc_hello h;
	struct myc_link *l = NULL;
	struct list *pos;
	char why[NET_TEXT];
	int err;

	err = hello_check(net, p, size, &h, why, sizeof(why));
	if (!err && !strcmp(h.name, net->node)) {
		snprintf(why, sizeof(why), "peer uses our own node name '%s'",
			 net->node);
		err = -MYC_E_REJECTED;
	}
	if (err) {
		refuse(c, err, h.name, why);
		return;
	}
	for (pos = net->links.next; pos != &net->links; pos = pos->next) {
		struct myc_link *x = container_of(pos, struct myc_link, node);

		if (!x->dialer && !strcmp(x->name, h.name)) {
			l = x;
			break;
		}
	}
	if (!l) {
		l = link_new(net, false);
		if (!l) {
			conn_fail(c, -ENOMEM, "out of memory");
			return;
		}
	}
	if (l->conn) {
		/* the old connection is probably half-open: the peer moved on */
		conn_fail(l->conn, -ECONNRESET, "replaced by a new connection from '%s'",
			  h.name);
		link_set_err(l, -ECONNRESET, l->conn->text);
		link_detach(l);
		l->st.disconnects++;
		emit(net, l, MYC_NET_EV_DOWN, l->err, h.name, l->text, 0);
	}
	c->link = l;
	net->npending--;
	send_hello(c, MYC_SYS_WELCOME);
	conn_up(c, &h);
}

static void on_welcome(struct conn *c, uint16_t type, const uint8_t *p,
		       uint32_t size)
{
	struct myc_net *net = c->net;
	struct myc_link *l = c->link;
	struct myc_reject r;
	struct myc_hello h;
	char why[NET_TEXT];
	int err;

	if (type == MYC_SYS_REJECT) {
		if (myc_reject_decode(p, size, &r)) {
			conn_fail(c, -EPROTO, "malformed REJECT");
			return;
		}
		err = myc_reject_err(r.code);
		conn_fail(c, err, "rejected by peer: %s", r.text);
		link_set_err(l, err, c->text);
		emit(net, l, MYC_NET_EV_REJECTED, err, l->name, c->text, 0);
		return;
	}
	err = hello_check(net, p, size, &h, why, sizeof(why));
	if (err) {
		conn_fail(c, err, "%s", why);
		link_set_err(l, err, why);
		emit(net, l, MYC_NET_EV_REFUSED, err, h.name, why, 0);
		return;
	}
	conn_up(c, &h);
}

/* ---- control frames on an up connection --------------------------------- */

/* The peer resumes our lossless stream: skip what it has, replay the rest. */
static void on_resume(struct conn *c, uint64_t inc, uint64_t got)
{
	struct myc_link *l = c->link;
	struct nq *q = &l->lossless;
	uint64_t lost = 0;
	uint8_t p[MYC_RESUME_SIZE];
	uint32_t off;

	if (inc == c->net->incarnation && got < l->next_ord) {
		if (got + 1 < l->keep_ord)
			lost = l->keep_ord - 1 - got;	/* acked, then forgot */
		while (q->keep < q->tail && l->keep_ord <= got) {
			q->keep += nq_span_at(q, q->keep);
			l->keep_ord++;
		}
	} else {
		/*
		 * A receiver that does not know this incarnation (it restarted,
		 * or never saw us): what we held for its predecessor is not its
		 * stream.  Drop it and say exactly how much.
		 */
		lost = nq_truncate(q, q->keep);
		l->keep_ord = l->next_ord;
	}
	if (q->keep == q->tail)
		q->keep = q->tail = 0;
	q->wframe = q->wpos = q->keep;
	for (off = q->keep; off < q->tail; off += nq_span_at(q, off)) {
		uint16_t flags;

		memcpy(&flags, q->buf + off + 6, 2);
		if (!(le16toh(flags) & MYC_FRAME_F_REPLAY))
			break;
		l->st.tx_replayed++;
	}
	myc_u64pair_encode(p, l->keep_ord - 1, lost);
	ctl_send(c, MYC_SYS_RESUMED, p, sizeof(p));
	c->resumed = true;
}

static void on_ack(struct myc_link *l, uint64_t ack)
{
	struct nq *q = &l->lossless;

	while (q->keep < q->wframe && l->keep_ord <= ack) {
		q->keep += nq_span_at(q, q->keep);
		l->keep_ord++;
	}
	if (q->keep == q->tail)
		q->keep = q->wframe = q->wpos = q->tail = 0;
}

static void on_system_up(struct conn *c, const struct myc_frame_hdr *h,
			 const uint8_t *p)
{
	struct myc_link *l = c->link;
	uint32_t size = h->len - MYC_FRAME_HDR_SIZE;
	struct myc_sub_entry e[MYC_SUB_MAX];
	uint16_t types[MYC_SUB_MAX], flags;
	uint64_t a, b;
	int n, i;

	switch (h->type) {
	case MYC_SYS_HEARTBEAT:
		if (myc_u64_decode(p, size, &a))
			goto bad;
		on_ack(l, a);
		return;
	case MYC_SYS_SUBSCRIBE:
		n = myc_sub_decode(p, size, &flags, e, MYC_SUB_MAX);
		if (n < 0)
			goto bad;
		if (flags & MYC_SUB_F_RESET) {
			memset(l->peer_want, 0, sizeof(l->peer_want));
			memset(l->peer_lossless, 0, sizeof(l->peer_lossless));
		}
		for (i = 0; i < n; i++) {
			bit_set(l->peer_want, e[i].type, true);
			bit_set(l->peer_lossless, e[i].type,
				e[i].policy == MYC_LOSSLESS);
		}
		emit(c->net, l, MYC_NET_EV_INTEREST, 0, l->name, "", 0);
		return;
	case MYC_SYS_UNSUBSCRIBE:
		n = myc_unsub_decode(p, size, types, MYC_SUB_MAX);
		if (n < 0)
			goto bad;
		for (i = 0; i < n; i++)
			bit_set(l->peer_want, types[i], false);
		emit(c->net, l, MYC_NET_EV_INTEREST, 0, l->name, "", 0);
		return;
	case MYC_SYS_RESUME:
		if (myc_u64pair_decode(p, size, &a, &b) || c->resumed)
			goto bad;
		on_resume(c, a, b);
		return;
	case MYC_SYS_RESUMED:
		if (myc_u64pair_decode(p, size, &a, &b))
			goto bad;
		l->rx_inc = l->peer_inc;
		l->rx_count = a;
		l->st.rx_lost += b;
		emit(c->net, l, MYC_NET_EV_RESUMED, 0, l->name, "", b);
		return;
	default:
		break;
	}
bad:
	conn_fail(c, -EPROTO, "bad or unexpected system frame 0x%04x (%u bytes)",
		  h->type, size);
}

/* ---- reading ------------------------------------------------------------ */

static void track_gap(struct myc_link *l, const struct myc_frame_hdr *h)
{
	uint32_t i, slot = (h->src * 31u + h->type) % NET_GAP_SLOTS;

	if (!h->seq)
		return;
	for (i = 0; i < NET_GAP_SLOTS; i++) {
		struct gap_slot *g = &l->gaps[(slot + i) % NET_GAP_SLOTS];

		if (!g->used) {
			g->used = true;
			g->src = h->src;
			g->type = h->type;
			g->last = h->seq;
			return;
		}
		if (g->src == h->src && g->type == h->type) {
			if (h->seq > g->last + 1)
				l->st.rx_gap += h->seq - g->last - 1;
			if (h->seq > g->last)
				g->last = h->seq;
			return;
		}
	}
}

static void on_data(struct conn *c, const struct myc_frame_hdr *h,
		    const void *payload, const uint8_t *frame, uint32_t span)
{
	struct myc_net *net = c->net;
	struct myc_link *l = c->link;

	if (h->flags & MYC_FRAME_F_PAD)
		return;
	if (bit_get(net->lossless, h->type)) {
		/* ack early enough that the sender's replay buffer never
		 * fills while we keep up */
		l->rx_count++;
		c->unacked_bytes += span;
		if (c->unacked_bytes >= c->peer_ack_bytes)
			send_heartbeat(c);
	} else {
		track_gap(l, h);
	}
	if (!bit_get(net->want, h->type)) {
		l->st.rx_unwanted++;
		return;
	}
	l->st.rx_frames++;
	l->st.rx_bytes += span;
	net->delivered++;
	if (net->o.on_frame)
		net->o.on_frame(net, l, h, payload, frame, span, net->o.ctx);
}

static void on_frame(struct conn *c, const struct myc_frame_hdr *h,
		     const uint8_t *payload, const uint8_t *frame, uint32_t span)
{
	if (!(h->flags & MYC_FRAME_F_SYSTEM)) {
		if (c->state != C_UP) {
			conn_fail(c, -EPROTO, "data frame before the handshake");
			return;
		}
		on_data(c, h, payload, frame, span);
		return;
	}
	switch (c->state) {
	case C_WAIT_HELLO:
		if (h->type == MYC_SYS_HELLO)
			on_hello(c, payload, h->len - MYC_FRAME_HDR_SIZE);
		else
			conn_fail(c, -EPROTO, "expected HELLO, got 0x%04x", h->type);
		return;
	case C_HELLO_SENT:
		if (h->type == MYC_SYS_WELCOME || h->type == MYC_SYS_REJECT)
			on_welcome(c, h->type, payload, h->len - MYC_FRAME_HDR_SIZE);
		else
			conn_fail(c, -EPROTO, "expected WELCOME, got 0x%04x", h->type);
		return;
	case C_UP:
		on_system_up(c, h, payload);
		return;
	default:
		return;		/* closing: ignore */
	}
}

static void conn_read(struct conn *c)
{
	struct myc_net *net = c->net;

	while (c->state != C_DEAD) {
		uint32_t off = 0, room = NET_RBUF_SIZE - c->rlen;
		ssize_t n = read(c->nfd.fd, c->rbuf + c->rlen, room);

		if (n == 0) {
			if (c->state == C_CLOSING)
				conn_fail(c, 0, "closed after refusal");
			else if (c->rlen)
				conn_fail(c, -MYC_E_FRAME_TRUNCATED,
					  "peer closed the connection inside a frame");
			else
				conn_fail(c, -MYC_E_PEER_DEAD, "peer closed the connection");
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_fail(c, -errno, "read: %s", strerror(errno));
			return;
		}
		c->rlen += (uint32_t)n;
		c->last_rx_ns = net->now;
		while (off < c->rlen && c->state != C_DEAD) {
			struct myc_frame_hdr h;
			const void *payload;
			int r = myc_frame_decode(c->rbuf + off, c->rlen - off,
						 &h, &payload);

			if (r == -MYC_E_FRAME_SHORT || r == -MYC_E_FRAME_TRUNCATED) {
				uint32_t len;

				/* a smaller transport limit is checked early */
				if (c->rlen - off >= 4) {
					memcpy(&len, c->rbuf + off, 4);
					if (le32toh(len) > net->o.max_frame)
						r = -MYC_E_FRAME_OVERSIZE;
				}
				if (r != -MYC_E_FRAME_OVERSIZE)
					break;
			} else if (r > 0 && h.len > net->o.max_frame) {
				r = -MYC_E_FRAME_OVERSIZE;
			}
			if (r < 0) {
				conn_fail(c, r, "malformed frame: %s", myc_strerror(r));
				return;
			}
			on_frame(c, &h, payload, c->rbuf + off, (uint32_t)r);
			off += (uint32_t)r;
		}
		if (off) {
			memmove(c->rbuf, c->rbuf + off, c->rlen - off);
			c->rlen -= off;
		}
		if ((uint32_t)n < room)
			return;		/* drained */
	}
}

/* ---- sockets and addresses ---------------------------------------------- */

static int parse_addr(const char *addr, struct sockaddr_storage *ss,
		      socklen_t *len, bool *tcp)
{
	memset(ss, 0, sizeof(*ss));
	if (!addr)
		return -EINVAL;
	if (!strncmp(addr, "unix:", 5)) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;
		const char *p = addr + 5;
		size_t n = strlen(p);

		if (!n || n >= sizeof(un->sun_path))
			return -EINVAL;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, p, n);
		if (p[0] == '@')
			un->sun_path[0] = '\0';	/* abstract namespace */
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
				   (p[0] == '@' ? 0 : 1));
		*tcp = false;
		return 0;
	}
	if (!strncmp(addr, "tcp:", 4)) {
		char host[64];
		const char *p = addr + 4, *colon;
		char *end;
		unsigned long port;
		size_t hl;

		if (*p == '[') {
			const char *rb = strchr(p, ']');

			if (!rb || rb[1] != ':')
				return -EINVAL;
			hl = (size_t)(rb - p - 1);
			p++;
			colon = rb + 1;
		} else {
			colon = strrchr(p, ':');
			if (!colon)
				return -EINVAL;
			hl = (size_t)(colon - p);
		}
		if (!hl || hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, p, hl);
		host[hl] = '\0';
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno || *end || end == colon + 1 || port > 65535)
			return -EINVAL;
		*tcp = true;
		if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
			((struct sockaddr_in *)ss)->sin_family = AF_INET;
			((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
			*len = sizeof(struct sockaddr_in);
			return 0;
		}
		if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
			((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
			((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
			*len = sizeof(struct sockaddr_in6);
			return 0;
		}
	}
	return -EINVAL;
}

static void sock_tune(int fd, bool tcp)
{
	int one = 1;

	if (tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static struct conn *conn_new(struct myc_net *net, int fd, bool tcp,
			     enum conn_state state, uint32_t events)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = { .events = events };

	if (!c)
		return NULL;
	c->nfd.kind = NFD_CONN;
	c->nfd.fd = fd;
	c->net = net;
	c->tcp = tcp;
	c->state = state;
	c->rbuf = malloc(NET_RBUF_SIZE);
	if (!c->rbuf || nq_init(&c->ctl, 4096)) {
		free(c->rbuf);
		free(c->ctl.buf);
		free(c);
		return NULL;
	}
	c->want_out = events & EPOLLOUT;
	c->last_rx_ns = c->progress_ns = c->last_hb_ns = net->now;
	c->deadline_ns = net->now + net->hb_timeout_ns;
	ev.data.ptr = &c->nfd;
	if (epoll_ctl(net->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		free(c->rbuf);
		free(c->ctl.buf);
		free(c);
		return NULL;
	}
	list_add_tail(&c->node, &net->conns);
	return c;
}

static void link_dial(struct myc_link *l)
{
	struct myc_net *net = l->net;
	bool tcp = l->sa.ss_family != AF_UNIX;
	int fd, r;

	l->redial_ns = 0;
	fd = socket(l->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	sock_tune(fd, tcp);
	r = connect(fd, (struct sockaddr *)&l->sa, l->salen);
	if (r && errno != EINPROGRESS)
		goto fail;
	l->conn = NULL;
	{
		struct conn *c = conn_new(net, fd, tcp, C_CONNECTING,
					  EPOLLIN | EPOLLOUT | EPOLLRDHUP);

		if (!c) {
			errno = ENOMEM;
			goto fail;
		}
		c->link = l;
		/* l->conn is set at WELCOME; until then the link is down */
		l->redial_ns = UINT64_MAX;	/* pending on c */
	}
	return;
fail:
	{
		char t[NET_TEXT];

		snprintf(t, sizeof(t), "connect: %s", strerror(errno));
		link_set_err(l, -errno, t);
	}
	if (fd >= 0)
		close(fd);
	link_schedule_redial(l);
}

static void conn_connected(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	getsockopt(c->nfd.fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		conn_fail(c, -err, "connect: %s", strerror(err));
		return;
	}
	c->state = C_HELLO_SENT;
	c->deadline_ns = c->net->now + c->net->hb_timeout_ns;
	send_hello(c, MYC_SYS_HELLO);
	conn_write(c);
}

static void listener_accept(struct myc_net *net, struct listener *ls)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(ls->nfd.fd, (struct sockaddr *)&ss, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		bool tcp;

		if (fd < 0)
			return;	/* EAGAIN, or a transient error: retried on the
				 * next readiness */
		if (net->npending >= NET_MAX_PENDING) {
			close(fd);	/* handshake flood: shed new arrivals */
			continue;
		}
		tcp = ss.ss_family != AF_UNIX;
		sock_tune(fd, tcp);
		if (!conn_new(net, fd, tcp, C_WAIT_HELLO, EPOLLIN | EPOLLRDHUP)) {
			close(fd);
			continue;
		}
		net->npending++;
	}
}

int myc_net_listen(struct myc_net *net, const char *addr)
{
	struct sockaddr_storage ss;
	struct epoll_event ev = { .events = EPOLLIN };
	struct listener *ls;
	socklen_t len, alen;
	bool tcp;
	int fd, one = 1, err;

	if (!net)
		return -EINVAL;
	err = parse_addr(addr, &ss, &len, &tcp);
	if (err)
		return err;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ls = calloc(1, sizeof(*ls));
	if (!ls) {
		close(fd);
		return -ENOMEM;
	}
	if (tcp) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	} else if (((struct sockaddr_un *)&ss)->sun_path[0]) {
		const char *path = ((struct sockaddr_un *)&ss)->sun_path;
		struct stat st;

		/* only a stale socket is removed, never another file */
		if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
			unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		goto fail;
	/* ours from now on: removed on failure and by myc_net_free() */
	if (!tcp && ((struct sockaddr_un *)&ss)->sun_path[0])
		memcpy(ls->path, ((struct sockaddr_un *)&ss)->sun_path,
		       sizeof(ls->path) - 1);
	if (listen(fd, 128))
		goto fail;
	ls->nfd.kind = NFD_LISTENER;
	ls->nfd.fd = fd;
	ev.data.ptr = &ls->nfd;
	if (epoll_ctl(net->epfd, EPOLL_CTL_ADD, fd, &ev))
		goto fail;
	list_add_tail(&ls->node, &net->listeners);
	alen = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &alen);
	if (ss.ss_family == AF_INET) {
		char h[INET_ADDRSTRLEN];
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, h, sizeof(h));
		snprintf(net->listen_addr, sizeof(net->listen_addr), "tcp:%s:%u",
			 h, ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		char h[INET6_ADDRSTRLEN];
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, h, sizeof(h));
		snprintf(net->listen_addr, sizeof(net->listen_addr), "tcp:[%s]:%u",
			 h, ntohs(in6->sin6_port));
	} else {
		snprintf(net->listen_addr, sizeof(net->listen_addr), "%s", addr);
	}
	return 0;
fail:
	err = -errno;
	close(fd);
	if (ls->path[0])
		unlink(ls->path);
	free(ls);
	return err;
}

const char *myc_net_listen_addr(const struct myc_net *net)
{
	return net && net->listen_addr[0] ? net->listen_addr : NULL;
}

struct myc_link *myc_net_connect(struct myc_net *net, const char *addr)
{
	struct myc_link *l;
	bool tcp;
	int err;

	if (!net) {
		errno = EINVAL;
		return NULL;
	}
	l = link_new(net, true);
	if (!l) {
		errno = ENOMEM;
		return NULL;
	}
	err = parse_addr(addr, &l->sa, &l->salen, &tcp);
	if (err) {
		list_del(&l->node);
		link_free(l);
		errno = -err;
		return NULL;
	}
	net->now = now_ns();
	link_dial(l);
	return l;
}

/* ---- the net ------------------------------------------------------------ */

struct myc_net *myc_net_new(const struct myc_net_opts *opts)
{
	struct myc_net *net;
	size_t n;

	if (!opts || opts->sz < offsetof(struct myc_net_opts, ctx) ||
	    !opts->node || !myc_node_name_ok(opts->node, strlen(opts->node)) ||
	    opts->max_frame > MYC_FRAME_MAX ||
	    (opts->max_frame && opts->max_frame < MYC_FRAME_HDR_SIZE + 8)) {
		errno = EINVAL;
		return NULL;
	}
	/* a newer caller's options we do not know must be unset */
	for (n = sizeof(*opts); n < opts->sz; n++) {
		if (((const uint8_t *)opts)[n]) {
			errno = EINVAL;
			return NULL;
		}
	}
	net = calloc(1, sizeof(*net));
	if (!net)
		return NULL;
	n = opts->sz < sizeof(net->o) ? opts->sz : sizeof(net->o);
	memcpy(&net->o, opts, n);
	net->o.sz = sizeof(net->o);
	snprintf(net->node, sizeof(net->node), "%s", opts->node);
	net->o.node = net->node;
	if (opts->digest)
		memcpy(net->digest, opts->digest, sizeof(net->digest));
	if (!net->o.proto_version)
		net->o.proto_version = MYC_NET_PROTO_VERSION;
	if (!net->o.hb_interval_ms)
		net->o.hb_interval_ms = 200;
	if (!net->o.hb_timeout_ms)
		net->o.hb_timeout_ms = 5 * net->o.hb_interval_ms;
	if (!net->o.backoff_min_ms)
		net->o.backoff_min_ms = 20;
	if (!net->o.backoff_max_ms)
		net->o.backoff_max_ms = 2000;
	if (net->o.backoff_max_ms < net->o.backoff_min_ms)
		net->o.backoff_max_ms = net->o.backoff_min_ms;
	if (!net->o.lossy_bytes)
		net->o.lossy_bytes = 1u << 20;
	if (!net->o.lossless_bytes)
		net->o.lossless_bytes = 4u << 20;
	if (net->o.lossy_bytes < 2 * MYC_FRAME_MAX)
		net->o.lossy_bytes = 2 * MYC_FRAME_MAX;
	if (net->o.lossless_bytes < 2 * MYC_FRAME_MAX)
		net->o.lossless_bytes = 2 * MYC_FRAME_MAX;
	if (!net->o.flush_bytes)
		net->o.flush_bytes = 64u << 10;
	if (!net->o.max_frame)
		net->o.max_frame = MYC_FRAME_MAX;
	net->hb_ns = (uint64_t)net->o.hb_interval_ms * 1000000ull;
	net->hb_timeout_ns = (uint64_t)net->o.hb_timeout_ms * 1000000ull;
	if (!net->o.linger_ms)
		net->o.linger_ms = 30000;
	net->linger_ns = (uint64_t)net->o.linger_ms * 1000000ull;
	list_init(&net->links);
	list_init(&net->conns);
	list_init(&net->listeners);
	if (getrandom(&net->incarnation, sizeof(net->incarnation), 0) !=
	    sizeof(net->incarnation))
		net->incarnation = now_ns() ^ ((uint64_t)getpid() << 32);
	net->incarnation |= 1;	/* never 0: 0 means "unknown" on the wire */
	net->rng = net->incarnation;
	net->now = now_ns();
	net->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (net->epfd < 0) {
		free(net);
		return NULL;
	}
	return net;
}

void myc_net_free(struct myc_net *net)
{
	struct list *pos, *tmp;

	if (!net)
		return;
	list_for_each_safe(pos, tmp, &net->conns)
		conn_free(container_of(pos, struct conn, node));
	list_for_each_safe(pos, tmp, &net->links) {
		struct myc_link *l = container_of(pos, struct myc_link, node);

		list_del(pos);
		link_free(l);
	}
	list_for_each_safe(pos, tmp, &net->listeners) {
		struct listener *ls = container_of(pos, struct listener, node);

		close(ls->nfd.fd);
		if (ls->path[0])
			unlink(ls->path);
		list_del(pos);
		free(ls);
	}
	close(net->epfd);
	free(net);
}

int myc_net_fd(const struct myc_net *net)
{
	return net ? net->epfd : -EINVAL;
}

void myc_net_flush(struct myc_net *net)
{
	struct list *pos;

	if (!net)
		return;
	for (pos = net->conns.next; pos != &net->conns; pos = pos->next) {
		struct conn *c = container_of(pos, struct conn, node);

		if (!c->want_out)
			conn_write(c);
	}
}

/* Timers: handshake deadlines, heartbeats, dead peers, stalled writers. */
static uint64_t run_timers(struct myc_net *net)
{
	uint64_t next = UINT64_MAX, now = net->now;
	struct list *pos;

	for (pos = net->conns.next; pos != &net->conns; pos = pos->next) {
		struct conn *c = container_of(pos, struct conn, node);
		uint64_t dead_after, t;

		if (c->progressed) {
			c->progress_ns = now;
			c->progressed = false;
		}
		switch (c->state) {
		case C_UP:
			dead_after = net->hb_timeout_ns;
			t = 5ull * c->peer_hb_ms * 1000000ull;
			if (t > dead_after)
				dead_after = t;
			if (now - c->last_rx_ns >= dead_after) {
				conn_fail(c, -ETIMEDOUT,
					  "no heartbeat from '%s' for %llu ms",
					  c->link->name,
					  (unsigned long long)((now - c->last_rx_ns) / 1000000));
				continue;
			}
			if (c->want_out && now - c->progress_ns >= dead_after) {
				conn_fail(c, -ETIMEDOUT,
					  "'%s' stopped reading for %llu ms",
					  c->link->name,
					  (unsigned long long)((now - c->progress_ns) / 1000000));
				continue;
			}
			if (now - c->last_hb_ns >= net->hb_ns)
				send_heartbeat(c);
			t = c->last_hb_ns + net->hb_ns;
			if (t < next)
				next = t;
			t = c->last_rx_ns + dead_after;
			if (t < next)
				next = t;
			if (c->want_out && c->progress_ns + dead_after < next)
				next = c->progress_ns + dead_after;
			break;
		case C_DEAD:
			break;
		default:
			if (now >= c->deadline_ns) {
				if (c->state == C_CLOSING)
					conn_fail(c, 0, "closed after refusal");
				else
					conn_fail(c, -ETIMEDOUT, "handshake timed out");
				continue;
			}
			if (c->deadline_ns < next)
				next = c->deadline_ns;
		}
	}
	for (pos = net->links.next; pos != &net->links; pos = pos->next) {
		struct myc_link *l = container_of(pos, struct myc_link, node);

		if (l->down_since_ns && !l->conn) {
			uint64_t t = l->down_since_ns + net->linger_ns;

			if (now >= t)
				link_release(l);
			else if (t < next)
				next = t;
		}
		if (!l->dialer || l->conn || l->redial_ns == UINT64_MAX)
			continue;
		if (l->redial_ns <= now)
			link_dial(l);
		if (l->redial_ns < next)
			next = l->redial_ns;
	}
	return next;
}

int myc_net_poll(struct myc_net *net, int timeout_ms)
{
	struct epoll_event evs[NET_EVENTS];
	uint64_t next;
	int n, i, wait;

	if (!net)
		return -EINVAL;
	net->delivered = 0;
	net->now = now_ns();
	myc_net_flush(net);
	next = run_timers(net);
	reap(net);
	wait = timeout_ms;
	if (next != UINT64_MAX) {
		uint64_t ms = next > net->now ?
			      (next - net->now + 999999) / 1000000 : 0;

		if (wait < 0 || (uint64_t)wait > ms)
			wait = (int)ms;
	}
	n = 0;
	if (wait && net->o.spin_us) {
		/* latency-critical: look for input without sleeping first,
		 * saving the wake-up when the peer answers within the budget */
		uint64_t until = now_ns() + net->o.spin_us * 1000ull;

		while (!(n = epoll_wait(net->epfd, evs, NET_EVENTS, 0)) &&
		       now_ns() < until)
			;
	}
	if (!n)
		n = epoll_wait(net->epfd, evs, NET_EVENTS, wait);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	net->now = now_ns();
	for (i = 0; i < n; i++) {
		struct nfd *f = evs[i].data.ptr;
		struct conn *c;

		if (f->kind == NFD_LISTENER) {
			listener_accept(net, container_of(f, struct listener, nfd));
			continue;
		}
		c = container_of(f, struct conn, nfd);
		if (c->state == C_CONNECTING) {
			if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				conn_connected(c);
			if (c->state != C_DEAD)
				conn_arm_out(c, false);
			continue;
		}
		if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
			conn_read(c);
		if ((evs[i].events & EPOLLOUT) && c->state != C_DEAD) {
			conn_write(c);
		}
	}
	myc_net_flush(net);
	reap(net);
	return net->delivered;
}

/* ---- interest and sending ----------------------------------------------- */

static bool user_type_ok(uint16_t type)
{
	return type != MYC_TYPE_INVALID && type <= MYC_TYPE_USER_MAX;
}

static void broadcast_ctl(struct myc_net *net, uint16_t type, const void *p,
			  uint32_t size)
{
	struct list *pos;

	for (pos = net->conns.next; pos != &net->conns; pos = pos->next) {
		struct conn *c = container_of(pos, struct conn, node);

		if (c->state == C_UP)
			ctl_send(c, type, p, size);
	}
}

int myc_net_subscribe(struct myc_net *net, uint16_t type, uint32_t policy)
{
	struct myc_sub_entry e = { .type = type, .policy = (uint8_t)policy };
	uint8_t p[MYC_SUB_HDR_SIZE + 4];

	if (!net || !user_type_ok(type) || policy > MYC_LOSSLESS)
		return -EINVAL;
	if (bit_get(net->policy_set, type) &&
	    bit_get(net->lossless, type) != (policy == MYC_LOSSLESS))
		return -EBUSY;
	bit_set(net->policy_set, type, true);
	bit_set(net->lossless, type, policy == MYC_LOSSLESS);
	if (bit_get(net->want, type))
		return 0;
	bit_set(net->want, type, true);
	broadcast_ctl(net, MYC_SYS_SUBSCRIBE, p,
		      (uint32_t)myc_sub_encode(p, 0, &e, 1));
	return 0;
}

int myc_net_unsubscribe(struct myc_net *net, uint16_t type)
{
	uint8_t p[MYC_SUB_HDR_SIZE + 2];

	if (!net || !user_type_ok(type))
		return -EINVAL;
	if (!bit_get(net->want, type))
		return 0;
	bit_set(net->want, type, false);
	broadcast_ctl(net, MYC_SYS_UNSUBSCRIBE, p,
		      (uint32_t)myc_unsub_encode(p, &type, 1));
	return 0;
}

static bool link_live(const struct myc_link *l)
{
	return l->conn && l->conn->state == C_UP;
}

bool myc_net_wanted(const struct myc_net *net, uint16_t type)
{
	const struct list *pos;

	for (pos = net->links.next; pos != &net->links; pos = pos->next)
		if (bit_get(container_of(pos, struct myc_link, node)->peer_want, type))
			return true;
	return false;
}

/* Does a lossless peer of @type lack room for @span bytes?  (@count: in
 * its tx_backpressured.) */
static bool links_room(struct myc_net *net, uint16_t type, uint32_t span,
		       bool count)
{
	struct list *pos;
	bool bp = false;

	for (pos = net->links.next; pos != &net->links; pos = pos->next) {
		struct myc_link *l = container_of(pos, struct myc_link, node);

		if (bit_get(l->peer_want, type) &&
		    bit_get(l->peer_lossless, type) &&
		    !nq_room(&l->lossless, span)) {
			if (count)
				l->st.tx_backpressured++;
			bp = true;
		}
	}
	return bp;
}

int myc_net_room(struct myc_net *net, uint16_t type, uint32_t len)
{
	if (!net || len < MYC_FRAME_HDR_SIZE || len > net->o.max_frame)
		return -EINVAL;
	return links_room(net, type, myc_frame_span(len), false) ?
		-MYC_E_BACK_PRESSURED : 0;
}

/* Queue one frame (from @hdr + @payload, or the bytes of @raw). */
static int net_send(struct myc_net *net, const struct myc_frame_hdr *h,
		    const void *payload, const void *raw)
{
	uint32_t span = myc_frame_span(h->len);
	struct list *pos;
	int n = 0;

	/* pass 1: every lossless peer must have room, or nobody gets it */
	if (links_room(net, h->type, span, true))
		return -MYC_E_BACK_PRESSURED;
	for (pos = net->links.next; pos != &net->links; pos = pos->next) {
		struct myc_link *l = container_of(pos, struct myc_link, node);
		bool lossless = bit_get(l->peer_lossless, h->type);
		struct nq *q = lossless ? &l->lossless : &l->lossy;
		uint8_t *p;

		if (!bit_get(l->peer_want, h->type))
			continue;
		if (!lossless && !link_live(l)) {
			l->st.tx_dropped++;
			continue;
		}
		p = nq_reserve(q, span);
		if (!p) {
			l->st.tx_dropped += nq_drop_oldest(q, span);
			p = nq_reserve(q, span);
			if (!p) {
				l->st.tx_dropped++;
				continue;
			}
		}
		if (raw) {
			memcpy(p, raw, span);
		} else {
			myc_frame_hdr_store(p, h);
			memcpy(p + MYC_FRAME_HDR_SIZE, payload,
			       h->len - MYC_FRAME_HDR_SIZE);
			memset(p + h->len, 0, span - h->len);
		}
		q->tail += span;
		if (lossless)
			l->next_ord++;
		l->st.tx_frames++;
		n++;
		if (link_live(l) && !l->conn->want_out &&
		    nq_pending(q) >= net->o.flush_bytes)
			conn_write(l->conn);
	}
	return n;
}

int myc_net_publish(struct myc_net *net, const struct myc_frame_hdr *hdr,
		    const void *payload, size_t size)
{
	struct myc_frame_hdr h;
	int err;

	if (!net || !hdr || (size && !payload))
		return -EINVAL;
	if (size > MYC_PAYLOAD_MAX ||
	    MYC_FRAME_HDR_SIZE + size > net->o.max_frame)
		return -MYC_E_FRAME_OVERSIZE;
	h = *hdr;
	h.len = (uint32_t)(MYC_FRAME_HDR_SIZE + size);
	err = myc_frame_check(&h);
	if (err)
		return err;
	if (h.flags & MYC_FRAME_F_SYSTEM)
		return -EINVAL;
	return net_send(net, &h, payload, NULL);
}

int myc_net_forward(struct myc_net *net, const void *frame, size_t span)
{
	struct myc_frame_hdr h;
	int r;

	if (!net || !frame)
		return -EINVAL;
	r = myc_frame_decode(frame, span, &h, NULL);
	if (r < 0)
		return r;
	if ((size_t)r != span || (h.flags & MYC_FRAME_F_SYSTEM))
		return -EINVAL;
	if (h.len > net->o.max_frame)
		return -MYC_E_FRAME_OVERSIZE;
	return net_send(net, &h, NULL, frame);
}

/* ---- link accessors ----------------------------------------------------- */

const char *myc_link_name(const struct myc_link *link)
{
	return link ? link->name : "";
}

bool myc_link_up(const struct myc_link *link)
{
	return link && link_live(link);
}

bool myc_link_peer_wants(const struct myc_link *link, uint16_t type)
{
	return link && bit_get(link->peer_want, type);
}

void myc_link_stats(const struct myc_link *link, struct myc_link_stats *st)
{
	if (!link || !st)
		return;
	*st = link->st;
	st->tx_pending = nq_pending(&link->lossy) + nq_pending(&link->lossless) +
			 (link->conn ? nq_pending(&link->conn->ctl) : 0);
	st->tx_retained = link->next_ord - link->keep_ord;
}

int myc_link_reset(struct myc_link *link)
{
	if (!link)
		return -EINVAL;
	if (!link->conn)
		return -ENOTCONN;
	conn_fail(link->conn, -ECONNABORTED, "connection reset by request");
	reap(link->net);
	return 0;
}

int myc_link_error(const struct myc_link *link, const char **text)
{
	if (text)
		*text = link ? link->text : "";
	return link ? link->err : -EINVAL;
}

struct myc_link *myc_net_link(struct myc_net *net, const char *name)
{
	struct list *pos;

	if (!net || !name)
		return NULL;
	for (pos = net->links.next; pos != &net->links; pos = pos->next) {
		struct myc_link *l = container_of(pos, struct myc_link, node);

		if (!strcmp(l->name, name))
			return l;
	}
	return NULL;
}
