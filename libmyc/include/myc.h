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
	MYC_E_PAYLOAD,		/* payload does not match its schema type */
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
 *    handling/myc_sub_release); myc_sub_lost() may be read from anywhere.
 *  - A message may be released from any thread.
 *  - myc_pub_new/myc_sub_new/myc_sub_free may run concurrently with
 *    publishing on the same topic, and may be called from a callback
 *    (myc_sub_free there defers reclaiming the subscriber's memory to the
 *    next myc_sub_new/myc_sub_free/myc_bus_free on that bus).
 *  - Free every publisher and subscriber, and release every message, before
 *    myc_bus_free(); the bus frees leftovers, but their handles die with it.
 *  - A bus with a ring_domain runs one receive thread per subscribed topic
 *    (inline callbacks of frames from other processes run there);
 *    myc_bus_free() stops them first.
 */

struct myc_bus;		/* a set of topics; no global state, many per process */
struct myc_pub;		/* a publisher of one type on one bus */
struct myc_sub;		/* a subscriber to one type on one bus */
struct myc_msg;		/* a received message (zero-copy, reference counted) */

struct myc_bus_opts {
	size_t sz;
	const char *name;	/* node/service name, for diagnostics (copied) */
	/*
	 * Cross-process bus (docs/api.md, "Across processes"): when set,
	 * every topic is bridged to the shared-memory ring
	 * "<ring_domain>.<type id>" (decimal), so buses of other processes
	 * with the same domain publish to and receive from this one.  At
	 * most 57 characters of [A-Za-z0-9._-], not starting with '.'.
	 * NULL (default): in-process only, nothing changes.
	 */
	const char *ring_domain;
	uint32_t ring_flags;	/* MYC_BUS_RING_*, default 0 */
	/*
	 * MYC_SCHEMA_DIGEST_LEN bytes (myc_schema_digest()), copied: sent in
	 * the net bridge's HELLO, where a peer with another digest is
	 * refused (both sides: -MYC_E_DIGEST, myc_bus_net_error()), and
	 * stored in the rings this bus creates / required of the rings it
	 * opens (another digest: the claim or myc_sub_new fails with
	 * MYC_E_DIGEST).  NULL (default): all zero, rings not checked.
	 */
	const uint8_t *schema_digest;
};

/* myc_bus_opts.ring_flags */
#define MYC_BUS_RING_FORCE	0x1u	/* publish to the ring even when no
					 * other process consumes it (the
					 * topology directs the type there) */
#define MYC_BUS_RING_KNOWN	0x1u

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
	uint32_t solo;		/* 1: the one publisher reserves room (and,
				 * while subscribers spin, enqueues) without
				 * locked instructions (docs/api.md, "Solo
				 * publisher") */
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
	const char *to;		/* publisher-to-service: deliver only to
				 * subscribers tagged with this service
				 * (see myc_pub_new_to); NULL = everyone */
};

MYC_API struct myc_pub *myc_pub_new(struct myc_bus *bus, uint16_t type,
				    const struct myc_pub_opts *opts);
/*
 * A directed publisher: its messages reach only subscribers whose service
 * tag (myc_sub_opts.service) is @service; others never see them (lossless
 * topics: only those subscribers back-pressure it).  Same as myc_pub_new
 * with opts->to = @service (@service wins over opts->to).  Errors (errno):
 * EINVAL (bad arguments, empty or over-long name), ENOENT (@service is not
 * a service of the bus's topology; a bus made with myc_bus_new accepts any
 * name).
 */
MYC_API struct myc_pub *myc_pub_new_to(struct myc_bus *bus, uint16_t type,
				       const char *service,
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
 * (len, type, seq, ts_ns, src; ts_ns is CLOCK_REALTIME read through the
 * TSC where the kernel keeps time with it, within about 1 us of
 * myc_now_ns()) and never blocks, allocates or enters the kernel unless a
 * subscriber announced it is sleeping.
 * Returns 0, or -EINVAL when @buf is not this publisher's open claim.
 */
MYC_API int myc_pub_commit(struct myc_pub *pub, void *buf);
/* Give back an open claim unpublished; ignored if @buf is not the claim. */
MYC_API void myc_pub_abort(struct myc_pub *pub, void *buf);
/* claim + copy + commit; same results as myc_pub_claim. */
MYC_API int myc_pub_send(struct myc_pub *pub, const void *data, size_t size);

/* One message of a batch: @len bytes at @base (NULL when @len is 0). */
struct myc_iov {
	const void *base;
	size_t len;
};
/*
 * Publish @n messages, in order, copying each (myc_pub_send() for a burst).
 * Up to 16 of them at a time share one reservation and one queue-position
 * update per subscriber and one timestamp (their ts_ns are equal): about
 * twice the 64-byte throughput of myc_pub_send() in a loop (see
 * docs/PERFORMANCE.md).  Directed publishers and topics with bridges
 * publish them one at a time inside the call.
 * Returns how many were published, from the first: all @n, or fewer when a
 * lossless subscriber queue filled up, or the pool ran dry, after the
 * first one (the call then returns rather than waiting).  Before the
 * first it waits and fails as myc_pub_claim() does (-MYC_E_BACK_PRESSURED,
 * -ETIMEDOUT, -MYC_E_NO_BUFS).  Checked before anything is published:
 * -EINVAL (NULL @pub, NULL @msgs with @n > 0, a NULL base with a length,
 * @n above INT_MAX), -EMSGSIZE (a message above max_size), -EBUSY (a
 * claim is open).  0 for @n == 0.
 */
MYC_API int myc_pub_sendv(struct myc_pub *pub, const struct myc_iov *msgs, size_t n);

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
	const char *service;	/* service tag: directed publishers to this
				 * service reach this subscriber.  Default:
				 * the bus's service (myc_bus_from_topology),
				 * else none (only undirected messages).
				 * ENOENT if not in the bus's topology. */
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
/*
 * Drop a reference to a message received from @sub, from the thread that
 * consumes @sub (as recv).  Same effect as myc_msg_release(), but buffers
 * are returned to the pool in batches (one shared-line CAS per 16): the
 * fast way to release in a receive loop.  Cached buffers go back when the
 * batch fills, when recv with timeout 0 or dispatch returns with nothing
 * ready, when a waiting recv goes to sleep, and at myc_sub_free().  NULL @msg is ignored; a NULL @sub, an inline subscriber
 * or a message of another topic means a plain myc_msg_release().
 */
MYC_API void myc_sub_release(struct myc_sub *sub, struct myc_msg *msg);

/* ------------------------------------------------------------------------ */
/* A bus from a topology file (docs/api.md, docs/topology.md)               */
/* ------------------------------------------------------------------------ */

struct myc_schema;

struct myc_bus_topo_opts {
	size_t sz;
	/* Resolves topics without a type id by name (myc_schema_msg_by_topic)
	 * and checks the others: same id, max_size large enough.  Optional;
	 * only read during the call. */
	const struct myc_schema *schema;
	/* As myc_bus_opts.ring_domain / ring_flags: bridge the bus to the
	 * shared-memory rings of this domain.  NULL: the topology's
	 * (myc_topo_ring_domain()) if the node reaches another one over
	 * rings (a same-host `shm` route, or through gateways), else none. */
	const char *ring_domain;
	uint32_t ring_flags;
	/* As myc_bus_opts.schema_digest, for a program that has the
	 * generated code's digest but not the schema file; @schema, when
	 * given, supplies its own digest and this must be NULL or equal
	 * (else EINVAL). */
	const uint8_t *schema_digest;
};

/*
 * Create the bus of the node that hosts @service in the topology at
 * @path: the bus is named after the node, every [topics.NAME] is declared
 * with its policy, ring_size (depth) and max_size, and subscribers are
 * tagged with @service unless they name another.  The topology's services
 * are the names directed publishers and subscriber tags may use.
 *
 * On failure returns NULL, sets errno and writes one line to @err (if not
 * NULL): the topology loader's "FILE:LINE:COL: KEY: problem" for a bad
 * file (errno EINVAL, or the open error such as ENOENT), "FILE: service
 * "x" is in no node (services: ...)" (ENOENT), or "FILE:LINE: topics.NAME:
 * problem" for a topic without a type id and no schema entry, an id or
 * size that disagrees with the schema (EINVAL).
 */
MYC_API struct myc_bus *myc_bus_from_topology(const char *path, const char *service,
					      const struct myc_bus_topo_opts *opts,
					      char *err, size_t errlen);
/*
 * A gateway (docs/operations.md, "Gateways"): the bus of node @node of the
 * topology at @path, a node with no services (one per host).  It bridges
 * the host's rings (opts->ring_domain, default the topology's, and
 * ring_flags; @opts may be NULL) to the
 * gateway nodes of the other hosts over TCP: one connection per pair of
 * hosts, the node whose name sorts last listens on its port.  Frames
 * received on one side go out on the other (never back, never from one
 * peer to another).  Call myc_gateway_poll() every few tens of ms.
 *
 * NULL, errno and one line in @err: the loader's errors as for
 * myc_bus_from_topology, "FILE: no node "x"" (ENOENT), a node with
 * services or two gateway nodes on one host (EINVAL), no gateway on
 * another host (ENOENT), or "FILE: gateway "x": listen on / connect to
 * ADDR (...): ERROR".
 */
MYC_API struct myc_bus *myc_gateway_new(const char *path, const char *node,
					const struct myc_bus_topo_opts *opts,
					char *err, size_t errlen);
/*
 * Follow interest: subscribe on the net to the types processes of this
 * host consume from its rings (unsubscribe when they stop), and start
 * consuming the rings of the types a peer wants.  Returns the number of
 * changes made, or -EINVAL (not a gateway) or another -errno.
 */
MYC_API int myc_gateway_poll(struct myc_bus *bus);
/* The bus's name (node name when made from a topology). */
MYC_API const char *myc_bus_name(const struct myc_bus *bus);
/* The bus's ring domain, or NULL if it has no ring bridge. */
MYC_API const char *myc_bus_ring_domain(const struct myc_bus *bus);
/* The service the bus was made for, or NULL (myc_bus_new). */
MYC_API const char *myc_bus_service(const struct myc_bus *bus);

/*
 * Across hosts (docs/api.md, "Across hosts: the net bridge"): carry every
 * topic over Unix/TCP links.  The first call starts the bus's net thread
 * (node name = the bus name, [A-Za-z0-9._-], at most 63 bytes; peers
 * must have distinct names).  Addresses: "unix:/path", "unix:@abstract",
 * "tcp:HOST:PORT" (numeric host; port 0 = any).  A peer receives only the
 * types it subscribed; lossless topics back-pressure at claim and survive
 * reconnects (docs/net.md).  Off unless called.
 *
 * listen/connect: 0 or -errno (-EINVAL: bad address or bus name).  A
 * dialled peer is redialled with back-off until the bus is freed.
 */
MYC_API int myc_bus_net_listen(struct myc_bus *bus, const char *addr);
MYC_API int myc_bus_net_connect(struct myc_bus *bus, const char *addr);
/* The address of the last listener into @buf ("tcp:127.0.0.1:41234"):
 * 0, -ENOENT (none), -ENAMETOOLONG. */
MYC_API int myc_bus_net_addr(struct myc_bus *bus, char *buf, size_t len);
/* 1 if the link to node @peer is up and it subscribed @type, 0 if not,
 * -ENOENT if there is no such peer (yet). */
MYC_API int myc_bus_net_peer_wants(struct myc_bus *bus, const char *peer,
				   uint16_t type);
/* Drop the connection to @peer now (it reconnects; lossless frames are
 * replayed): 0, -ENOENT, -ENOTCONN. */
MYC_API int myc_bus_net_reset(struct myc_bus *bus, const char *peer);
/*
 * The last handshake failure of the bus's net: 0 (none), or the error
 * (-MYC_E_DIGEST, -MYC_E_VERSION, -MYC_E_REJECTED, ...) with its reason
 * in @buf: "we refused peer 'a': schema digest mismatch: node 'b' has
 * 1f2e..., node 'a' has 9c0d..." on the side that refused the HELLO,
 * "rejected by peer: schema digest mismatch: ..." on the other.  -ENOENT when
 * the bus never listened nor connected, -EINVAL for bad arguments.
 */
MYC_API int myc_bus_net_error(struct myc_bus *bus, char *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Message schemas (docs/schema.md)                                          */
/* ------------------------------------------------------------------------ */

/*
 * A schema is loaded from YAML, validated, laid out (natural alignment,
 * explicit padding, sizes a multiple of 8) and digested.  The digest is the
 * SHA-256 of the canonical form (docs/schema.md): peers and rings compare it
 * so two sides never disagree about a layout.
 */
struct myc_schema;

#define MYC_SCHEMA_DIGEST_LEN	32u
#define MYC_SCHEMA_NAME_MAX	64u	/* identifier length limit */
#define MYC_SCHEMA_TOPIC_MAX	128u	/* topic length limit */

/* Kinds of layout members. */
enum myc_kind {
	MYC_K_U8 = 1, MYC_K_U16, MYC_K_U32, MYC_K_U64,
	MYC_K_I8, MYC_K_I16, MYC_K_I32, MYC_K_I64,
	MYC_K_F32, MYC_K_F64, MYC_K_BOOL,
	MYC_K_BYTES,		/* cap bytes, all significant */
	MYC_K_STRING,		/* up to cap bytes of UTF-8, zero-filled */
	MYC_K_ARRAY,		/* cap elements of kind elem; count in the
				 * MYC_ROLE_LEN member just before it */
	MYC_K_PAD,		/* explicit padding, must be zero */
};

enum myc_role {
	MYC_ROLE_FIELD = 0,	/* a field written in the schema */
	MYC_ROLE_LEN = 1,	/* u16 element count of the array that follows */
	MYC_ROLE_PAD = 2,	/* alignment padding (name "_padOFFSET") */
};

/* One member of a message's C layout, in offset order.  Read-only. */
struct myc_schema_field {
	const char *name;
	const char *desc;	/* "" when the schema has none */
	uint16_t kind;		/* enum myc_kind */
	uint16_t elem;		/* element kind of an array, else 0 */
	uint16_t role;		/* enum myc_role */
	uint16_t resv;
	uint32_t line;		/* schema line of the field */
	uint32_t offset;	/* bytes from the start of the payload */
	uint32_t size;		/* bytes */
	uint32_t cap;		/* capacity of bytes/string/array, else 0 */
};

/* One message type.  Read-only; lives as long as its schema. */
struct myc_schema_msg {
	const char *name;	/* CamelCase, as in the schema */
	const char *snake;	/* snake_case form used in C and OCaml */
	const char *topic;
	const char *desc;
	uint16_t id;		/* type id, 1..MYC_TYPE_USER_MAX */
	uint16_t resv;
	uint32_t line;		/* schema line of the message */
	uint32_t size;		/* payload bytes, a multiple of 8 */
	uint32_t nfields;	/* layout members, including pads and counts */
	const struct myc_schema_field *fields;
};

/*
 * Load and validate the schema at @path.  On failure returns NULL, sets
 * errno (MYC_E_PARSE for YAML syntax, MYC_E_INVALID for a schema error,
 * or a system errno such as ENOENT) and, when @errbuf is not NULL, writes
 * "FILE:LINE: what is wrong" into it (truncated to @errlen).
 */
MYC_API struct myc_schema *myc_schema_load(const char *path, char *errbuf,
					   size_t errlen);
/* The same from a buffer; @filename is used only in error messages. */
MYC_API struct myc_schema *myc_schema_parse(const void *text, size_t len,
					    const char *filename,
					    char *errbuf, size_t errlen);
MYC_API void myc_schema_free(struct myc_schema *schema);

/* The schema's name (the "schema:" key), used as the code prefix. */
MYC_API const char *myc_schema_name(const struct myc_schema *schema);
/* 32-byte SHA-256 digest of the canonical form. */
MYC_API const uint8_t *myc_schema_digest(const struct myc_schema *schema);
/* The digest as 64 lowercase hex digits + NUL into @hex. */
MYC_API void myc_schema_digest_hex(const struct myc_schema *schema,
				   char hex[2 * MYC_SCHEMA_DIGEST_LEN + 1]);
/* The canonical text that is hashed (NUL-terminated). */
MYC_API const char *myc_schema_canonical(const struct myc_schema *schema);

/* Message types in schema order; NULL when out of range / not found. */
MYC_API unsigned myc_schema_msg_count(const struct myc_schema *schema);
MYC_API const struct myc_schema_msg *
myc_schema_msg_at(const struct myc_schema *schema, unsigned i);
MYC_API const struct myc_schema_msg *
myc_schema_msg_by_id(const struct myc_schema *schema, uint16_t id);
MYC_API const struct myc_schema_msg *
myc_schema_msg_by_name(const struct myc_schema *schema, const char *name);
MYC_API const struct myc_schema_msg *
myc_schema_msg_by_topic(const struct myc_schema *schema, const char *topic);

/*
 * Check a received payload against its message type: @size equals the
 * type's size, padding is zero, bools are 0 or 1, array counts are within
 * capacity and strings are zero-filled after their end.  Returns 0 or
 * -MYC_E_PAYLOAD.
 */
MYC_API int myc_schema_msg_check(const struct myc_schema_msg *msg,
				 const void *payload, size_t size);

/*
 * Format a payload as one line of text for logs and "myc tail":
 *   Quote{instrument=5, tradable=true, bid_px=-3, symbol="AAPL", px=[1.5, 2]}
 * Integers in decimal, floats with enough digits to round-trip, strings
 * quoted with \" \\ and \xNN escapes, bytes as 0x-hex, arrays in [].
 * Padding and counts are not shown.  The payload is checked first
 * (myc_schema_msg_check).  Like snprintf: writes at most @len bytes
 * including the NUL and returns the length the full text needs, or
 * -MYC_E_PAYLOAD / -EINVAL.
 */
MYC_API int myc_schema_msg_format(const struct myc_schema_msg *msg,
				  const void *payload, size_t size,
				  char *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Topology: where services run and how they reach each other              */
/* (docs/topology.md)                                                        */
/* ------------------------------------------------------------------------ */

struct myc_topo;	/* a loaded, validated topology.toml */
struct myc_topo_node;	/* one [[nodes]] entry */
struct myc_topo_topic;	/* one [topics.NAME] entry */

/* How a node wants same-host peers to reach it (endpoint.kind). */
enum myc_endpoint_kind {
	MYC_ENDPOINT_SHM = 0,	/* shared-memory rings (the default) */
	MYC_ENDPOINT_UNIX = 1,	/* a Unix socket, for isolation */
	MYC_ENDPOINT_TCP = 2,	/* TCP even on the same host */
};

/* The transport a message takes from one service to another. */
enum myc_transport {
	MYC_TRANSPORT_INPROC = 0,	/* same node: in-process bus */
	MYC_TRANSPORT_SHM = 1,		/* same host: shared-memory ring */
	MYC_TRANSPORT_UNIX = 2,		/* same host: Unix socket */
	MYC_TRANSPORT_TCP = 3,		/* other host (or asked for): TCP */
};

/* "inproc", "shm", "unix", "tcp" ("?" for anything else). */
MYC_API const char *myc_transport_name(uint32_t transport);

/*
 * Load and validate a topology file.  On failure returns NULL, sets errno
 * (EINVAL for a syntax or validation error, else the open/read error) and
 * writes one line to @err (if not NULL): "FILE:LINE:COL: KEY: problem",
 * e.g. "topo.toml:14:8: nodes[2].port: 70000 is not a port (1..65535)".
 */
MYC_API struct myc_topo *myc_topo_load(const char *path, char *err,
				       size_t errlen);
/*
 * The same from a buffer; @name stands for the file name in errors and
 * relative paths (socket_dir) resolve against the current directory.
 */
MYC_API struct myc_topo *myc_topo_parse(const char *text, size_t len,
					const char *name, char *err,
					size_t errlen);
MYC_API void myc_topo_free(struct myc_topo *topo);

/* Directory for Unix sockets (absolute, or relative to the cwd). */
MYC_API const char *myc_topo_socket_dir(const struct myc_topo *topo);
/* Ring domain of the topology's buses: its `ring_domain`, or "myc-" and
 * 12 hex digits of the SHA-256 of the file's real path (docs/topology.md). */
MYC_API const char *myc_topo_ring_domain(const struct myc_topo *topo);

MYC_API size_t myc_topo_node_count(const struct myc_topo *topo);
/* The @i-th node in file order, or NULL (errno ERANGE). */
MYC_API const struct myc_topo_node *myc_topo_node_at(const struct myc_topo *topo,
						     size_t i);
/* The node called @name / running @service, or NULL (errno ENOENT). */
MYC_API const struct myc_topo_node *myc_topo_node_by_name(const struct myc_topo *topo,
							  const char *name);
MYC_API const struct myc_topo_node *myc_topo_node_of(const struct myc_topo *topo,
						     const char *service);

MYC_API const char *myc_topo_node_name(const struct myc_topo_node *node);
/* Host name; "localhost" when the file gives none. */
MYC_API const char *myc_topo_node_host(const struct myc_topo_node *node);
/* TCP port the node listens on, 0 when none. */
MYC_API int myc_topo_node_port(const struct myc_topo_node *node);
MYC_API enum myc_endpoint_kind myc_topo_node_endpoint(const struct myc_topo_node *node);
/* Unix: the socket path; shm: the ring name prefix.  Never NULL for
 * those kinds (defaults filled in); NULL for tcp. */
MYC_API const char *myc_topo_node_path(const struct myc_topo_node *node);
/* tcp: the listen address "HOST:PORT" given as endpoint.addr, or NULL. */
MYC_API const char *myc_topo_node_addr(const struct myc_topo_node *node);
MYC_API size_t myc_topo_node_service_count(const struct myc_topo_node *node);
MYC_API const char *myc_topo_node_service(const struct myc_topo_node *node,
					  size_t i);

MYC_API size_t myc_topo_topic_count(const struct myc_topo *topo);
MYC_API const struct myc_topo_topic *myc_topo_topic_at(const struct myc_topo *topo,
						       size_t i);
MYC_API const struct myc_topo_topic *myc_topo_topic_by_name(const struct myc_topo *topo,
							    const char *name);
/* Topic with type id @type, or NULL (errno ENOENT). */
MYC_API const struct myc_topo_topic *myc_topo_topic_by_type(const struct myc_topo *topo,
							    uint16_t type);
MYC_API const char *myc_topo_topic_name(const struct myc_topo_topic *topic);
/* Type id given in the file, 0 when none (resolved from the schema). */
MYC_API uint16_t myc_topo_topic_type(const struct myc_topo_topic *topic);
/*
 * Fill @opts (whose sz the caller set) with the topic's settings, ready for
 * myc_bus_topic(): policy, depth (= ring_size) and max_size; defaults where
 * the file says nothing.  Returns 0 or -EINVAL.
 */
MYC_API int myc_topo_topic_opts(const struct myc_topo_topic *topic,
				struct myc_topic_opts *opts);

/* Where messages from one service to another go, and why. */
struct myc_route {
	size_t sz;		/* set by the caller: sizeof(struct myc_route) */
	uint32_t transport;	/* enum myc_transport */
	uint32_t port;		/* TCP: destination port */
	const char *from_node;	/* node names (owned by the topology) */
	const char *to_node;
	const char *host;	/* destination host */
	const char *path;	/* UNIX: socket path; SHM: ring name prefix */
	char reason[224];	/* one human sentence */
	/* TCP across hosts that both have a gateway node: the two gateways
	 * (the route is ring -> from_gateway -> TCP -> to_gateway -> ring;
	 * port is to_gateway's), else NULL. */
	const char *from_gateway;
	const char *to_gateway;
};

/*
 * Resolve the route from service @from to service @to.  Rules: same node
 * -> in-process; same host -> shared-memory ring, or a Unix socket (or TCP)
 * when either node's endpoint.kind asks for it; other host -> TCP to the
 * destination's host and port, or, when both hosts have a gateway node
 * (services = []), through the two gateways.  Returns 0, -ENOENT (unknown service; the
 * reason names it) or -EINVAL (bad arguments).
 */
MYC_API int myc_topo_route(const struct myc_topo *topo, const char *from,
			   const char *to, struct myc_route *route);

/* Shared-memory rings between processes (docs/ring-format.md)              */
/* ------------------------------------------------------------------------ */

/*
 * A ring is a named shared-memory object carrying frames from any number of
 * producer processes to any number of consumer processes; every consumer
 * sees every frame (fan-out without copies).  A handle is one role on one
 * ring: open a ring twice to be both producer and consumer.  Handles are
 * not shared across fork(): open rings in the process that uses them.  A
 * handle is used by one thread at a time.
 */
struct myc_ring;

/* myc_ring_open() flags */
#define MYC_RING_PRODUCER	0x1u	/* open to publish */
#define MYC_RING_CONSUMER	0x2u	/* open to receive (own cursor) */
#define MYC_RING_CREATE		0x4u	/* create the ring if it does not
					 * exist (or only dead users hold it) */
#define MYC_RING_EXCL		0x8u	/* with CREATE: -EEXIST if it exists */

struct myc_ring_opts {
	size_t sz;
	uint32_t policy;	/* create: MYC_LOSSY (default) or MYC_LOSSLESS */
	uint32_t mode;		/* create: file mode, default 0600 */
	uint64_t capacity;	/* create: data bytes, a power of two between
				 * 4 KiB and 4 GiB, default 1 MiB */
	uint32_t max_frame;	/* create: largest frame (header + payload),
				 * default and maximum the smaller of
				 * MYC_FRAME_MAX and capacity / 2 - 32 */
	uint32_t max_producers;	/* create: default 8, at most 255 */
	uint32_t max_consumers;	/* create: default 8, at most 1024 */
	uint32_t spin_ns;	/* consumer: spin this long before sleeping on
				 * the futex, default 50000; 0 = sleep at once */
	const uint8_t *digest;	/* 32-byte schema digest: stored at create,
				 * required to match at open (NULL: zeros at
				 * create, not checked at open) */
	uint32_t flags;		/* MYC_RING_O_* */
};

#define MYC_RING_O_NO_TIMESTAMP	0x1u	/* producer: leave ts_ns 0 (saves a
					 * clock read per frame) */

/*
 * Where rings live.  MYC_MODE=auto (default): kernel mode when /dev/mycelium
 * is present and opens read-write (the mycelium module is loaded), else pure
 * userspace mode; MYC_MODE=user or kernel forces one.  Both modes have the
 * same layout, API and semantics (docs/operations.md, "Modes").
 */
enum myc_ring_mode {
	MYC_RING_MODE_USER = 1,		/* /dev/shm files, OFD locks, futex */
	MYC_RING_MODE_KERNEL = 2,	/* /dev/mycelium ring fds */
};
/* The mode myc_ring_open() would use now: MYC_RING_MODE_*, -EINVAL
 * (MYC_MODE is not auto, user or kernel) or -ENODEV (MYC_MODE=kernel and no
 * /dev/mycelium: the module is not loaded) or -errno (kernel forced and
 * the device cannot be opened, e.g. -EACCES). */
MYC_API int myc_ring_mode(void);

/*
 * Open ring @name ([A-Za-z0-9._-], 1..63 characters, not starting with '.')
 * with role MYC_RING_PRODUCER or MYC_RING_CONSUMER (or neither, to inspect
 * it with myc_ring_info()).  In pure userspace mode the ring is the file
 * /dev/shm/myc.<name>, removed when its last handle is freed; in kernel
 * mode it is a /dev/mycelium ring, freed by the kernel with its last fd.
 * NULL and errno: EINVAL (bad name, flags or options, or a bad MYC_MODE),
 * ENODEV (MYC_MODE=kernel without the module), ENOENT (no such ring and no
 * MYC_RING_CREATE), EEXIST (MYC_RING_EXCL), EUSERS (all producer or
 * consumer slots taken), MYC_E_CORRUPT (the ring's header failed
 * validation), MYC_E_VERSION, MYC_E_DIGEST, or a system errno.
 */
MYC_API struct myc_ring *myc_ring_open(const char *name, uint32_t flags,
				       const struct myc_ring_opts *opts);
/* Release the handle (an open claim is aborted); the last user removes
 * the ring. */
MYC_API void myc_ring_free(struct myc_ring *ring);

/*
 * Producer: claim room for a payload of @size bytes and point *@payload at
 * it, inside the ring; fill it, then myc_ring_commit() or myc_ring_abort().
 * One claim per handle at a time.  @timeout_ms (lossless rings): 0 = fail at
 * once when consumers are full, -1 = wait forever, else wait up to that
 * long.  Returns 0, -EINVAL, -EMSGSIZE (above the ring's max frame), -EBUSY
 * (a claim is open), -EPERM (not a producer), -MYC_E_BACK_PRESSURED,
 * -ETIMEDOUT, -MYC_E_CORRUPT.
 */
MYC_API int myc_ring_claim(struct myc_ring *ring, size_t size, void **payload,
			   int timeout_ms);
/* Publish the claimed frame with type id @type (stamps seq and time).
 * Returns 0, -EINVAL (no claim) or -MYC_E_FRAME_TYPE. */
MYC_API int myc_ring_commit(struct myc_ring *ring, uint16_t type);
/* Give the claim up; consumers skip it as padding. */
MYC_API void myc_ring_abort(struct myc_ring *ring);
/* claim + copy + commit */
MYC_API int myc_ring_send(struct myc_ring *ring, uint16_t type,
			  const void *data, size_t size, int timeout_ms);

/*
 * Consumer: wait up to @timeout_ms (0 = poll, -1 = forever) for the next
 * frame and return its payload size; *@hdr gets its validated header and
 * *@payload points at the payload inside the ring (valid until
 * myc_ring_release()).  Padding frames are skipped.  Errors: -EAGAIN
 * (nothing, timeout 0), -ETIMEDOUT, -EPERM (not a consumer), -EBUSY (a peek
 * is not released), -MYC_E_CORRUPT (the ring failed validation; the handle
 * stays broken).  Lost frames are counted (myc_ring_lost()).
 */
MYC_API int myc_ring_peek(struct myc_ring *ring, struct myc_frame_hdr *hdr,
			  const void **payload, int timeout_ms);
/*
 * Done with the peeked frame.  Returns 0, or -MYC_E_LAPPED on a lossy ring
 * when a producer may have overwritten it while it was read: the caller
 * must discard what it read (the frame counts as lost).
 */
MYC_API int myc_ring_release(struct myc_ring *ring);
/* peek + copy + release (never delivers a torn frame).  Copies the payload
 * into @buf; -EMSGSIZE (frame not consumed) when @buflen is too small. */
MYC_API int myc_ring_recv(struct myc_ring *ring, struct myc_frame_hdr *hdr,
			  void *buf, size_t buflen, int timeout_ms);
/* Frames this consumer lost because it was lapped (lossy rings), exact. */
MYC_API uint64_t myc_ring_lost(const struct myc_ring *ring);

/* A snapshot of a ring (myc stat). */
struct myc_ring_info {
	size_t sz;
	uint32_t policy;	/* enum myc_policy */
	uint32_t flags;		/* MYC_RING_HF_* from the header */
	uint64_t capacity;
	uint32_t max_frame;
	uint32_t producers;	/* live producer handles */
	uint32_t consumers;	/* live consumer handles */
	uint32_t waiters;	/* consumers asleep on the futex */
	uint64_t head_pos;	/* next claim position */
	uint64_t head_seq;	/* next frame's seq */
	uint64_t wakeups;	/* futex wakes issued by producers */
	uint64_t recovered;	/* dead producers' claims padded */
	uint64_t reclaimed;	/* dead consumers' cursors freed */
	uint64_t handle_syscalls; /* futex and membarrier (or, kernel mode,
				   * WAIT/WAKE/EVENTS ioctl) calls made
				   * through this handle: the only syscalls
				   * on the data path */
	uint32_t mode;		/* MYC_RING_MODE_USER or _KERNEL */
	uint32_t sleepers;	/* userspace mode: consumers that may sleep
				 * (producers fence their commits) */
	uint64_t waits;		/* kernel mode: WAIT calls that slept */
	uint64_t peer_deaths;	/* kernel mode: producer fds released */
};

struct myc_ring_cons_info {
	size_t sz;
	uint32_t index;		/* consumer slot */
	uint32_t pid;
	uint64_t cursor;
	uint64_t lag;		/* head_pos - cursor, bytes */
	uint64_t delivered;
	uint64_t lost;
	uint64_t overruns;
};

/* Fill @info (set info->sz first).  Returns 0 or -EINVAL. */
MYC_API int myc_ring_info(struct myc_ring *ring, struct myc_ring_info *info);
/* Fill @ci for consumer slot @index.  Returns 0, -ENOENT (slot free or its
 * owner dead), -ERANGE (past the last slot), -EINVAL. */
MYC_API int myc_ring_cons_info(struct myc_ring *ring, uint32_t index,
			       struct myc_ring_cons_info *ci);
/* The ring's name. */
MYC_API const char *myc_ring_name(const struct myc_ring *ring);

/*
 * Call @fn for every ring name: in /dev/shm (userspace mode) or, kernel
 * mode, in /sys/kernel/debug/mycelium/rings (root; -EACCES otherwise).  Stops when @fn
 * returns non-zero and returns that; else 0 or -errno.
 */
MYC_API int myc_ring_list(int (*fn)(const char *name, void *ctx), void *ctx);
/* Remove every userspace-mode ring (/dev/shm) whose users have all died
 * (kernel rings need no collecting).  Returns how many or -errno. */
MYC_API int myc_ring_gc(void);

#ifdef __cplusplus
}
#endif
#endif /* MYC_H */
