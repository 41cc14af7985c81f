/* SPDX-License-Identifier: MIT */
/*
 * net.h - the Unix and TCP transport layer (internal to libmyc; used by the
 * bus and the gateway, and by tests and the myc tool which link libmyc.a).
 * Behaviour and API walkthrough: docs/net.md.  Wire: docs/frame-format.md
 * and docs/handshake.md.
 *
 * Objects:
 *   struct myc_net   one event loop (an epoll fd) holding listeners, links and
 *                    connections.  Caller-driven: nothing happens outside
 *                    myc_net_poll()/myc_net_flush()/myc_net_publish().  One
 *                    thread at a time per net; no global state.
 *   struct myc_link  one peer node.  It outlives its connections: the send
 *                    queues, the lossless replay buffer, the peer's
 *                    subscriptions and the resume position stay with the link
 *                    while it reconnects.  A dialled link is created by
 *                    myc_net_connect(); an accepted link is created when a
 *                    new peer name completes the handshake on a listener.
 *
 * Callbacks run inside myc_net_poll() (and myc_net_flush()); they may publish,
 * subscribe and flush, but must not free the net.
 */
#ifndef MYC_NET_H
#define MYC_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "myc.h"

#define MYC_NET_PROTO_VERSION	1u
#define MYC_NET_DIGEST_SIZE	32u
#define MYC_NET_NAME_MAX	63u	/* node name bytes, [A-Za-z0-9._-] */

struct myc_net;
struct myc_link;

enum myc_net_event_kind {
	MYC_NET_EV_UP = 1,	/* handshake done, link usable */
	MYC_NET_EV_DOWN,	/* connection lost; err says why */
	MYC_NET_EV_REJECTED,	/* the peer refused our HELLO: err is
				 * -MYC_E_VERSION, -MYC_E_DIGEST or
				 * -MYC_E_REJECTED; text is the peer's reason */
	MYC_NET_EV_REFUSED,	/* we refused a peer's HELLO (link is NULL):
				 * same err codes, text is our reason */
	MYC_NET_EV_RESUMED,	/* lossless stream resumed on a new
				 * connection; lost = frames the sender could
				 * no longer replay (exact) */
	MYC_NET_EV_INTEREST,	/* the peer's subscription set changed */
};

struct myc_net_event {
	enum myc_net_event_kind kind;
	int err;		/* 0 or a negative error code */
	const char *peer;	/* peer node name ("" if not known yet) */
	const char *text;	/* reason text, never NULL */
	uint64_t lost;		/* MYC_NET_EV_RESUMED */
};

/*
 * @link is NULL for MYC_NET_EV_REFUSED and for MYC_NET_EV_DOWN of a
 * connection that failed before its handshake completed (e.g. a malformed
 * frame instead of a HELLO).
 */
typedef void (*myc_net_event_fn)(struct myc_net *net, struct myc_link *link,
				 const struct myc_net_event *ev, void *ctx);

/*
 * A validated data frame from @link.  @frame/@span are the frame's bytes as
 * received (for forwarding without re-encoding); @payload has
 * hdr->len - MYC_FRAME_HDR_SIZE bytes.  All pointers are valid only during
 * the call.  Only types this net subscribed to are delivered.
 */
typedef void (*myc_net_frame_fn)(struct myc_net *net, struct myc_link *link,
				 const struct myc_frame_hdr *hdr,
				 const void *payload, const void *frame,
				 uint32_t span, void *ctx);

struct myc_net_opts {
	size_t sz;
	const char *node;		/* our node name (required) */
	const uint8_t *digest;		/* MYC_NET_DIGEST_SIZE bytes schema
					 * digest; NULL = all zero */
	uint32_t proto_version;		/* 0 = MYC_NET_PROTO_VERSION (others
					 * only to test version refusal) */
	uint32_t hb_interval_ms;	/* heartbeat period, default 200 */
	uint32_t hb_timeout_ms;		/* peer silent (or not reading) this
					 * long = dead; default 5 x interval */
	uint32_t backoff_min_ms;	/* reconnect back-off, default 20 */
	uint32_t backoff_max_ms;	/* default 2000 */
	uint32_t lossy_bytes;		/* per-link lossy queue, default 1 MiB */
	uint32_t lossless_bytes;	/* per-link lossless queue + replay
					 * buffer, default 4 MiB */
	uint32_t flush_bytes;		/* publish writes inline once this much
					 * is pending, default 64 KiB */
	uint32_t max_frame;		/* largest accepted frame, default and
					 * at most MYC_FRAME_MAX */
	myc_net_event_fn on_event;
	myc_net_frame_fn on_frame;
	void *ctx;
	uint32_t linger_ms;		/* a link down this long releases its
					 * lossless frames (counted, reported
					 * as lost if the peer returns) and the
					 * peer's subscriptions; default 30000 */
	uint32_t spin_us;		/* myc_net_poll() polls without sleeping
					 * this long before it blocks (burns a
					 * core; latency-critical links), 0 */
};

/* NULL + errno (EINVAL: bad options, ENOMEM, or an epoll error). */
struct myc_net *myc_net_new(const struct myc_net_opts *opts);
/* Closes every socket (accepted links, dialled links, listeners). */
void myc_net_free(struct myc_net *net);

/*
 * Addresses: "unix:/path", "unix:@abstract-name", "tcp:HOST:PORT" (HOST a
 * numeric IPv4/IPv6 address, "[v6]:port" accepted, PORT 0 = any).
 *
 * Listen on @addr.  A Unix path is unlinked first if it is a stale socket,
 * and unlinked again by myc_net_free().  Returns 0 or -errno (-EINVAL for a
 * bad address).
 */
int myc_net_listen(struct myc_net *net, const char *addr);
/* The address of the last listener ("tcp:127.0.0.1:41234"), or NULL. */
const char *myc_net_listen_addr(const struct myc_net *net);

/*
 * Dial @addr and keep the link up: reconnect with exponential back-off and
 * jitter after any failure.  Returns the link (usable at once: lossless
 * frames are queued until the peer says what it wants) or NULL + errno.
 */
struct myc_link *myc_net_connect(struct myc_net *net, const char *addr);

/*
 * Run the loop once: wait up to @timeout_ms (-1 forever, 0 poll) for socket
 * activity or a timer, then read, dispatch, write, heartbeat, reap dead
 * connections and redial.  Returns the number of frames delivered or -errno.
 */
int myc_net_poll(struct myc_net *net, int timeout_ms);
/* The epoll fd (readable when myc_net_poll has work), for outer loops. */
int myc_net_fd(const struct myc_net *net);
/* Write whatever is queued on every connection (never blocks). */
void myc_net_flush(struct myc_net *net);

/*
 * Local interest.  Subscribing sends SUBSCRIBE to every peer, which from then
 * on forwards frames of @type here.  @policy (enum myc_policy) chooses how
 * peers queue the type for us; it is fixed for the life of the net once set
 * (-EBUSY for another policy).  -EINVAL for a system or invalid type.
 */
int myc_net_subscribe(struct myc_net *net, uint16_t type, uint32_t policy);
int myc_net_unsubscribe(struct myc_net *net, uint16_t type);
/* Does any peer (up, or lingering with its subscriptions) want @type? */
bool myc_net_wanted(const struct myc_net *net, uint16_t type);

/*
 * Send a frame to every link whose peer subscribed to hdr->type, queued by
 * the peer's policy: lossy queues drop their oldest frame when full (counted
 * in tx_dropped); a full lossless queue fails the whole call with
 * -MYC_E_BACK_PRESSURED before anything is queued, so a retry never
 * duplicates.  hdr->len is computed; hdr->seq/ts_ns/src are sent as given.
 * Returns the number of links the frame was queued on, or a negative error
 * (frame errors as myc_frame_encode).
 */
int myc_net_publish(struct myc_net *net, const struct myc_frame_hdr *hdr,
		    const void *payload, size_t size);
/*
 * Would a lossless frame of @type, @len bytes (header included), be queued
 * now?  0, or -MYC_E_BACK_PRESSURED when a peer that subscribed @type
 * lossless has no room (the check myc_net_publish makes first; the bus net
 * bridge makes it at claim).  -EINVAL for a bad length.
 */
int myc_net_room(struct myc_net *net, uint16_t type, uint32_t len);
/* The same for an already encoded frame (@span bytes, validated first). */
int myc_net_forward(struct myc_net *net, const void *frame, size_t span);

struct myc_link_stats {
	uint64_t tx_frames;	/* data frames queued for the peer */
	uint64_t tx_bytes;	/* bytes handed to the kernel */
	uint64_t tx_writes;	/* write syscalls (batching = frames/writes) */
	uint64_t tx_dropped;	/* lossy frames dropped (full queue, link
				 * down), exact */
	uint64_t tx_replayed;	/* lossless frames sent again on resume */
	uint64_t tx_backpressured; /* publish calls refused for this link */
	uint64_t rx_frames;	/* data frames delivered */
	uint64_t rx_bytes;
	uint64_t rx_gap;	/* lossy frames missing from the peer's
				 * seq streams (exact per (src, type) for up
				 * to 64 streams per link) */
	uint64_t rx_lost;	/* lossless frames the peer could not replay */
	uint64_t rx_unwanted;	/* frames of types we do not subscribe to */
	uint64_t connects;	/* handshakes completed */
	uint64_t disconnects;
	uint64_t tx_pending;	/* bytes queued, not yet written (now) */
	uint64_t tx_retained;	/* lossless frames kept for replay (now) */
};

const char *myc_link_name(const struct myc_link *link);	/* "" until known */
bool myc_link_up(const struct myc_link *link);
/* Does the peer currently subscribe to @type? */
bool myc_link_peer_wants(const struct myc_link *link, uint16_t type);
void myc_link_stats(const struct myc_link *link, struct myc_link_stats *st);
/* Last error on this link (0 if none) and its text (never NULL). */
int myc_link_error(const struct myc_link *link, const char **text);
/*
 * Drop @link's current connection at once (unread input is discarded, so
 * the peer sees a reset); a dialled link reconnects, an accepted one waits
 * for the peer.  Lossless frames not acknowledged are replayed.  -ENOTCONN
 * when the link has no connection.  Not from inside a callback.
 */
int myc_link_reset(struct myc_link *link);
/* Find a link by peer node name, NULL if none. */
struct myc_link *myc_net_link(struct myc_net *net, const char *name);

#endif
