/* SPDX-License-Identifier: MIT */
/*
 * myc.h - the Mycelium public C API.
 *
 * Conventions (see docs/api.md):
 *  - Handles are opaque.  Names are myc_<object>_<verb>().
 *  - Functions returning int return 0 (or a count) on success and a negative
 *    error on failure: either -errno or -MYC_E_* (values >= MYC_ERRNO__START).
 *  - Functions returning pointers return NULL and set errno (positive).
 *  - Every _free() accepts NULL.
 *  - Option structs begin with "size_t sz" (set it to sizeof the struct) so
 *    they can grow without breaking callers; a NULL option pointer means
 *    defaults.  Unknown trailing bytes must be zero.
 *  - The library never prints; it returns errors.  myc_strerror() names them.
 */
#ifndef MYC_H
#define MYC_H

#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MYC_API __attribute__((visibility("default")))

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Mycelium-specific errors.  Returned negated, like errno values; they start
 * above the errno range so the two never collide.
 */
enum myc_error {
	MYC_ERRNO__START = 4000,
	MYC_E_FRAME_SHORT = MYC_ERRNO__START, /* buffer shorter than a header */
	MYC_E_FRAME_LEN_SMALL,	/* length field below the header size */
	MYC_E_FRAME_TRUNCATED,	/* length field beyond the buffer */
	MYC_E_FRAME_OVERSIZE,	/* length field above MYC_FRAME_MAX */
	MYC_E_FRAME_FLAGS,	/* unknown flag bits set */
	MYC_E_FRAME_TYPE,	/* type id 0, or system flag/range mismatch */
	MYC_E_FRAME_RESERVED,	/* reserved header field not zero */
	MYC_E_FRAME_PADDING,	/* alignment padding not zero */
	MYC_E_BACK_PRESSURED,	/* lossless: a subscriber/consumer is full */
	MYC_E_NO_BUFS,		/* no free buffer (should not happen if sized) */
	MYC_E_LAPPED,		/* consumer was overrun; frames were lost */
	MYC_E_PEER_DEAD,	/* the other side went away */
	MYC_E_DIGEST,		/* schema digest mismatch */
	MYC_E_VERSION,		/* protocol/layout version mismatch */
	MYC_E_REJECTED,		/* handshake rejected by the peer */
	MYC_E_CORRUPT,		/* shared memory failed validation */
	MYC_E_PARSE,		/* syntax error in an input file */
	MYC_E_INVALID,		/* semantic error in an input file */
	MYC_ERRNO__END,
};

/* Human-readable name of a (negative or positive) error code. */
MYC_API const char *myc_strerror(int err);

/* ------------------------------------------------------------------------ */
/* Frames: one header on rings and sockets alike (docs/frame-format.md)      */
/* ------------------------------------------------------------------------ */

#define MYC_FRAME_HDR_SIZE	32u
#define MYC_FRAME_ALIGN		8u
#define MYC_FRAME_MAX		(64u * 1024u)	/* header + payload */
#define MYC_PAYLOAD_MAX		(MYC_FRAME_MAX - MYC_FRAME_HDR_SIZE)

/* Type ids: 0 is invalid; 0xff00..0xffff are reserved for the system. */
#define MYC_TYPE_INVALID	0x0000u
#define MYC_TYPE_USER_MAX	0xfeffu
#define MYC_TYPE_SYS_MIN	0xff00u

/* Header flags. */
#define MYC_FRAME_F_SYSTEM	0x0001u	/* control frame, system type id */
#define MYC_FRAME_F_PAD		0x0002u	/* padding/skip: payload is meaningless */
#define MYC_FRAME_F_REPLAY	0x0004u	/* resent after a reconnect */
#define MYC_FRAME_F_KNOWN	0x0007u

/* Host-order view of a frame header.  On the wire it is little-endian. */
struct myc_frame_hdr {
	uint32_t len;	/* header + payload bytes, without alignment padding */
	uint16_t type;	/* message type id */
	uint16_t flags;	/* MYC_FRAME_F_* */
	uint64_t seq;	/* sequence number, per (source, type) stream */
	uint64_t ts_ns;	/* publish time, CLOCK_REALTIME nanoseconds */
	uint32_t src;	/* publisher id, 0 when unknown */
	uint32_t resv;	/* must be zero */
};

/* Bytes a frame of @len occupies in a stream or ring: len rounded up to 8. */
static inline uint32_t myc_frame_span(uint32_t len)
{
	return (len + (MYC_FRAME_ALIGN - 1)) & ~(MYC_FRAME_ALIGN - 1);
}

/*
 * Encode @hdr (its len is computed from @size) and @size payload bytes into
 * @buf.  Returns the span written (header + payload + zero padding) or a
 * negative error: -MYC_E_FRAME_OVERSIZE, -MYC_E_FRAME_FLAGS,
 * -MYC_E_FRAME_TYPE, -MYC_E_FRAME_RESERVED, -ENOSPC.
 */
MYC_API int myc_frame_encode(void *buf, size_t buflen,
			     const struct myc_frame_hdr *hdr,
			     const void *payload, size_t size);

/*
 * Validate and decode the frame at the start of @buf (@buflen bytes).
 * On success fills @hdr, points @payload at the payload (payload size is
 * hdr->len - MYC_FRAME_HDR_SIZE) and returns the span consumed.  Errors:
 * -MYC_E_FRAME_SHORT (fewer than MYC_FRAME_HDR_SIZE bytes),
 * -MYC_E_FRAME_LEN_SMALL, -MYC_E_FRAME_OVERSIZE, -MYC_E_FRAME_TRUNCATED
 * (the span runs past @buflen), -MYC_E_FRAME_FLAGS, -MYC_E_FRAME_TYPE,
 * -MYC_E_FRAME_RESERVED, -MYC_E_FRAME_PADDING.  A stream reader treats
 * SHORT and TRUNCATED as "need more bytes"; every other error is fatal for
 * the stream.
 */
MYC_API int myc_frame_decode(const void *buf, size_t buflen,
			     struct myc_frame_hdr *hdr, const void **payload);

/* Current CLOCK_REALTIME in nanoseconds (the frame timestamp clock). */
MYC_API uint64_t myc_now_ns(void);

/* ------------------------------------------------------------------------ */
/* The bus (docs/api.md)                                                     */
/* ------------------------------------------------------------------------ */

/*
 * Threading rules (details in docs/api.md):
 *  - A bus and its topics may be used from any number of threads.
 *  - A publisher is used by one thread at a time (claim/commit/abort/send).
 *  - A subscriber is consumed by one thread at a time (recv/dispatch/fd
 *    handling); myc_sub_lost() may be read from anywhere.
 *  - A message may be released from any thread.
 *  - myc_pub_new/myc_sub_new/myc_sub_free may run concurrently with
 *    publishing on the same topic, and may be called from a callback
 *    (myc_sub_free there defers reclaiming the subscriber's memory to the
 *    next myc_sub_new/myc_sub_free/myc_bus_free on that bus).
 *  - Free every publisher and subscriber, and release every message, before
 *    myc_bus_free(); the bus frees leftovers, but their handles die with it.
 */

struct myc_bus;		/* a set of topics; no global state, many per process */
struct myc_pub;		/* a publisher of one type on one bus */
struct myc_sub;		/* a subscriber to one type on one bus */
struct myc_msg;		/* a received message (zero-copy, reference counted) */

struct myc_bus_opts {
	size_t sz;
	const char *name;	/* node/service name, for diagnostics (copied) */
};

MYC_API struct myc_bus *myc_bus_new(const struct myc_bus_opts *opts);
MYC_API void myc_bus_free(struct myc_bus *bus);

/* Overflow policy of a topic. */
enum myc_policy {
	MYC_LOSSY = 0,		/* publishers never wait; slow subscribers lose
				 * the oldest and are told exactly how many */
	MYC_LOSSLESS = 1,	/* publishers get -MYC_E_BACK_PRESSURED or wait
				 * up to their timeout */
};

#define MYC_TOPIC_DEPTH_DEFAULT	1024u
#define MYC_TOPIC_DEPTH_MAX	(1u << 20)
#define MYC_TOPIC_SIZE_DEFAULT	1024u

struct myc_topic_opts {
	size_t sz;
	uint32_t policy;	/* enum myc_policy, default MYC_LOSSY */
	uint32_t depth;		/* per-subscriber queue depth (power of two,
				 * 2..MYC_TOPIC_DEPTH_MAX), default 1024 */
	uint32_t max_size;	/* largest payload in bytes, default 1024,
				 * at most MYC_PAYLOAD_MAX */
};

/*
 * Declare or configure topic @type before its first publisher or
 * subscriber (a topic used without a declaration gets the defaults).
 * Declaring again with the same settings is a no-op.  Returns 0, -EINVAL
 * (NULL bus, bad options, type 0 or in the system range) or -EBUSY (the
 * topic already exists with other settings).
 */
MYC_API int myc_bus_topic(struct myc_bus *bus, uint16_t type,
			  const struct myc_topic_opts *opts);

/* Counters of one topic (a snapshot; approximate while traffic flows). */
struct myc_topic_stats {
	size_t sz;
	uint32_t pubs;		/* live publishers */
	uint32_t subs;		/* live subscribers (queued + inline) */
	uint32_t bufs_total;	/* buffers in the topic's pool */
	uint32_t bufs_free;	/* buffers not held by anyone */
	uint64_t published;	/* messages committed */
};

/* Fill @st (st->sz must be set).  Returns 0, -EINVAL or -ENOENT. */
MYC_API int myc_bus_topic_stats(struct myc_bus *bus, uint16_t type,
				struct myc_topic_stats *st);

struct myc_pub_opts {
	size_t sz;
	int timeout_ms;		/* lossless: how long claim may block waiting
				 * for room; 0 = fail at once (default),
				 * -1 = forever */
	uint32_t spin_ns;	/* lossless wait: spin this long before
				 * sleeping, default 50000 */
};

MYC_API struct myc_pub *myc_pub_new(struct myc_bus *bus, uint16_t type,
				    const struct myc_pub_opts *opts);
MYC_API void myc_pub_free(struct myc_pub *pub);
/* The publisher id stamped into frames as src (unique within the bus). */
MYC_API uint32_t myc_pub_id(const struct myc_pub *pub);

/*
 * Claim a buffer for a payload of @size bytes; fill it, then commit or
 * abort it.  One claim per publisher at a time.  Returns 0 and *@buf, or
 * -EINVAL (NULL arguments), -EMSGSIZE (@size above the topic's max_size),
 * -EBUSY (a claim is already open), -MYC_E_BACK_PRESSURED (lossless, a
 * subscriber queue is full and timeout_ms is 0), -ETIMEDOUT (lossless,
 * still full after timeout_ms), -MYC_E_NO_BUFS (subscribers hold more
 * messages than they declared with max_held).
 */
MYC_API int myc_pub_claim(struct myc_pub *pub, size_t size, void **buf);
/*
 * Publish the claimed buffer to every subscriber: fills the frame header
 * (len, type, seq, ts_ns = myc_now_ns(), src) and never blocks, allocates
 * or enters the kernel unless a subscriber announced it is sleeping.
 * Returns 0, or -EINVAL when @buf is not this publisher's open claim.
 */
MYC_API int myc_pub_commit(struct myc_pub *pub, void *buf);
/* Give back an open claim unpublished; ignored if @buf is not the claim. */
MYC_API void myc_pub_abort(struct myc_pub *pub, void *buf);
/* claim + copy + commit; same results as myc_pub_claim. */
MYC_API int myc_pub_send(struct myc_pub *pub, const void *data, size_t size);

typedef void (*myc_msg_fn)(const struct myc_msg *msg, void *ctx);

#define MYC_SUB_F_INLINE 0x1u	/* call cb on the publisher's thread, in
				 * commit (synchronous; for backtests) */
#define MYC_SUB_F_KNOWN	 0x1u

#define MYC_SUB_SPIN_DEFAULT	50000u
#define MYC_SUB_HELD_DEFAULT	64u

struct myc_sub_opts {
	size_t sz;
	myc_msg_fn cb;		/* callback subscriber when non-NULL */
	void *ctx;
	uint32_t flags;		/* MYC_SUB_F_* */
	uint32_t spin_ns;	/* wait: spin this long before sleeping,
				 * default 50000 */
	uint32_t max_held;	/* messages this subscriber may hold
				 * (received, not yet released) at once;
				 * sizes the pool; default 64 */
};

MYC_API struct myc_sub *myc_sub_new(struct myc_bus *bus, uint16_t type,
				    const struct myc_sub_opts *opts);
/* Unsubscribe; queued messages are dropped.  Messages already received
 * stay valid until released. */
MYC_API void myc_sub_free(struct myc_sub *sub);

/*
 * Pull one message.  @timeout_ms: 0 = poll, -1 = forever.  Returns 0 and a
 * message that must be released, -EAGAIN (nothing, timeout 0), -ETIMEDOUT,
 * -EINVAL (NULL arguments or an inline subscriber).
 */
MYC_API int myc_sub_recv(struct myc_sub *sub, struct myc_msg **msg,
			 int timeout_ms);
/* Run the callback for up to @max pending messages (waiting up to
 * @timeout_ms for the first).  Returns the number dispatched (0 when
 * nothing came) or -EINVAL (no callback, inline subscriber, max <= 0). */
MYC_API int myc_sub_dispatch(struct myc_sub *sub, int max, int timeout_ms);
/*
 * An fd (eventfd, owned by the subscriber) that polls readable while
 * messages may be pending; epoll-able.  Edge rule: after it polls readable,
 * call recv/dispatch with timeout 0 until it returns -EAGAIN / 0, which
 * re-arms it.  Returns the fd or -errno.
 */
MYC_API int myc_sub_fd(struct myc_sub *sub);
/* Messages this subscriber lost to overflow (lossy topics), exact. */
MYC_API uint64_t myc_sub_lost(const struct myc_sub *sub);

MYC_API const struct myc_frame_hdr *myc_msg_hdr(const struct myc_msg *msg);
MYC_API const void *myc_msg_data(const struct myc_msg *msg);
MYC_API size_t myc_msg_size(const struct myc_msg *msg);
/* Take one more reference (a callback keeping a message does this); drop
 * it with myc_msg_release() on the returned pointer. */
MYC_API struct myc_msg *myc_msg_retain(const struct myc_msg *msg);
/* Drop a reference; NULL is ignored. */
MYC_API void myc_msg_release(struct myc_msg *msg);

#ifdef __cplusplus
}
#endif
#endif /* MYC_H */
