// SPDX-License-Identifier: MIT
/* OCaml stubs over libmyc (see mycelium.mli). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <caml/alloc.h>
#include <caml/callback.h>
#include <caml/custom.h>
#include <caml/fail.h>
#include <caml/memory.h>
#include <caml/mlvalues.h>
#include <caml/threads.h>

#include <myc.h>

/* Raise Mycelium.Error (code, message) for a negative result. */
static void myc_raise(int err)
{
	static const value *exn;
	value args[2];

	if (!exn)
		exn = caml_named_value("Mycelium.Error");
	if (err < 0)
		err = -err;
	args[0] = Val_int(err);
	args[1] = caml_copy_string(myc_strerror(err));
	caml_raise_with_args(*exn, 2, args);
}

/* The same with the library's own one-line text (file:line messages). */
static void myc_raise_text(int err, const char *text)
{
	static const value *exn;
	value args[2];

	if (!exn)
		exn = caml_named_value("Mycelium.Error");
	if (err < 0)
		err = -err;
	args[0] = Val_int(err);
	args[1] = caml_copy_string(text[0] ? text : myc_strerror(err));
	caml_raise_with_args(*exn, 2, args);
}

/* Creating a publisher/subscriber named @service failed with @eno. */
static void raise_service(int eno, const char *service)
{
	char text[160];

	if (eno == ENOENT)
		snprintf(text, sizeof(text),
			 "service \"%.64s\" is not a service of the bus's topology", service);
	else if (eno == EINVAL)
		snprintf(text, sizeof(text), "bad service name \"%.64s\" (1..63 bytes)",
			 service);
	else
		text[0] = 0;
	myc_raise_text(eno, text);
}

/*
 * Ownership.  libmyc frees a bus's leftover publishers and subscribers with
 * the bus, and OCaml finalises blocks in any order, so:
 *  - a bus block points to a C-side bus_node, reference counted by the bus
 *    block and by every child (publisher/subscriber) block;
 *  - the myc_bus is freed by an explicit Bus.close (which first frees every
 *    child handle) or when the last reference goes;
 *  - closing something another thread is blocked in (with the runtime lock
 *    released) is refused with EBUSY instead of freeing memory under it.
 */
struct child;

struct bus_node {
	struct myc_bus *bus;
	struct child *children;
	int refs;
};

struct child {
	void *h;		/* struct myc_pub * or struct myc_sub * */
	int is_sub;
	int busy;		/* threads inside a lock-released call */
	struct bus_node *node;
	struct child *prev, *next;
};

#define NODE(v) (*(struct bus_node **)Data_custom_val(v))
#define CHILD(v) (*(struct child **)Data_custom_val(v))

static void child_free_handle(struct child *c)
{
	if (c->is_sub)
		myc_sub_free(c->h);
	else
		myc_pub_free(c->h);
	c->h = NULL;
}

static void node_unref(struct bus_node *n)
{
	if (--n->refs)
		return;
	myc_bus_free(n->bus);
	free(n);
}

static void child_detach(struct child *c)
{
	struct bus_node *n = c->node;

	if (!n)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		n->children = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->node = NULL;
	node_unref(n);
}

static void bus_finalize(value v)
{
	if (NODE(v))
		node_unref(NODE(v));
}

static void child_finalize(value v)
{
	struct child *c = CHILD(v);

	if (c->h)
		child_free_handle(c);
	child_detach(c);
	free(c);
}

static struct custom_operations bus_ops = {
	"mycelium.bus", bus_finalize, custom_compare_default,
	custom_hash_default, custom_serialize_default,
	custom_deserialize_default, custom_compare_ext_default,
	custom_fixed_length_default
};
static struct custom_operations child_ops = {
	"mycelium.child", child_finalize, custom_compare_default,
	custom_hash_default, custom_serialize_default,
	custom_deserialize_default, custom_compare_ext_default,
	custom_fixed_length_default
};

static struct myc_bus *live_bus(value v)
{
	struct bus_node *n = NODE(v);

	if (!n->bus)
		myc_raise(-EBADF);
	return n->bus;
}

static struct child *live_child(value v)
{
	struct child *c = CHILD(v);

	if (!c->h)
		myc_raise(-EBADF);
	return c;
}

/* Wrap a new publisher/subscriber handle as a child of @bus. */
static value adopt(value bus, void *h, int is_sub)
{
	struct bus_node *n = NODE(bus);
	struct child *c;
	value v;

	if (!h)
		myc_raise(-errno);
	c = calloc(1, sizeof(*c));
	if (!c) {
		is_sub ? myc_sub_free(h) : myc_pub_free(h);
		caml_raise_out_of_memory();
	}
	c->h = h;
	c->is_sub = is_sub;
	c->node = n;
	c->next = n->children;
	if (c->next)
		c->next->prev = c;
	n->children = c;
	n->refs++;
	v = caml_alloc_custom(&child_ops, sizeof(c), 0, 1);
	CHILD(v) = c;
	return v;
}

/* A type id from OCaml, range-checked. */
static uint16_t type_id_of(value v)
{
	if (Int_val(v) < 0 || Int_val(v) > 0xffff)
		myc_raise(-EINVAL);
	return (uint16_t)Int_val(v);
}

/* A header as the OCaml record Frame.header:
 * { len; type_id; flags; seq; ts_ns; src } */
static value header_to_ml(const struct myc_frame_hdr *h)
{
	CAMLparam0();
	CAMLlocal1(r);

	r = caml_alloc_tuple(6);
	Store_field(r, 0, Val_int(h->len));
	Store_field(r, 1, Val_int(h->type));
	Store_field(r, 2, Val_int(h->flags));
	Store_field(r, 3, caml_copy_int64((int64_t)h->seq));
	Store_field(r, 4, caml_copy_int64((int64_t)h->ts_ns));
	Store_field(r, 5, caml_copy_int32((int32_t)h->src));
	CAMLreturn(r);
}

value caml_myc_frame_encode(value type_id, value flags, value seq, value ts,
			    value src, value payload)
{
	CAMLparam5(type_id, flags, seq, ts, src);
	CAMLxparam1(payload);
	CAMLlocal1(out);
	struct myc_frame_hdr h = {
		.type = type_id_of(type_id),
		.flags = (uint16_t)Int_val(flags),
		.seq = (uint64_t)Int64_val(seq),
		.ts_ns = (uint64_t)Int64_val(ts),
		.src = (uint32_t)Int32_val(src),
	};
	size_t n = caml_string_length(payload);
	int span;

	if (Int_val(flags) < 0 || Int_val(flags) > 0xffff)
		myc_raise(-EINVAL);
	if (n > MYC_PAYLOAD_MAX)
		myc_raise(-MYC_E_FRAME_OVERSIZE);
	out = caml_alloc_string(myc_frame_span((uint32_t)(MYC_FRAME_HDR_SIZE + n)));
	span = myc_frame_encode(Bytes_val(out), caml_string_length(out), &h,
				Bytes_val(payload), n);
	if (span < 0)
		myc_raise(span);
	CAMLreturn(out);
}

value caml_myc_frame_encode_bc(value *argv, int argc)
{
	return caml_myc_frame_encode(argv[0], argv[1], argv[2], argv[3],
				     argv[4], argv[5]);
}

/* Returns (header, payload, span). */
value caml_myc_frame_decode(value buf)
{
	CAMLparam1(buf);
	CAMLlocal3(r, hd, pl);
	struct myc_frame_hdr h;
	const void *payload;
	int span;

	span = myc_frame_decode(Bytes_val(buf), caml_string_length(buf), &h,
				&payload);
	if (span < 0)
		myc_raise(span);
	hd = header_to_ml(&h);
	pl = caml_alloc_initialized_string(h.len - MYC_FRAME_HDR_SIZE, payload);
	r = caml_alloc_tuple(3);
	Store_field(r, 0, hd);
	Store_field(r, 1, pl);
	Store_field(r, 2, Val_int(span));
	CAMLreturn(r);
}

/* Wrap a new myc_bus as a Bus.t. */
static value bus_wrap(struct myc_bus *bus)
{
	struct bus_node *n = calloc(1, sizeof(*n));
	value v;

	if (!n) {
		myc_bus_free(bus);
		caml_raise_out_of_memory();
	}
	n->bus = bus;
	n->refs = 1;
	v = caml_alloc_custom(&bus_ops, sizeof(n), 0, 1);
	NODE(v) = n;
	return v;
}

/* Bus.create: @ring_domain a string option, @ring_force a bool (forcing
 * without a domain is left to libmyc to refuse with EINVAL), @digest a
 * string option of MYC_SCHEMA_DIGEST_LEN bytes (mycelium.ml checks the
 * length with a clear message; here a wrong one is EINVAL, never a read
 * past the string). */
value caml_myc_bus_new(value name, value ring_domain, value ring_force,
		       value digest)
{
	CAMLparam4(name, ring_domain, ring_force, digest);
	struct myc_bus_opts o = { .sz = sizeof(o) };
	struct myc_bus *bus;

	if (Is_some(name))
		o.name = String_val(Some_val(name));
	if (Is_some(ring_domain))
		o.ring_domain = String_val(Some_val(ring_domain));
	o.ring_flags = Bool_val(ring_force) ? MYC_BUS_RING_FORCE : 0;
	if (Is_some(digest)) {
		if (caml_string_length(Some_val(digest)) != MYC_SCHEMA_DIGEST_LEN)
			myc_raise(-EINVAL);
		/* copied by myc_bus_new, before the GC can move the string */
		o.schema_digest = (const uint8_t *)String_val(Some_val(digest));
	}
	bus = myc_bus_new(&o);
	if (!bus)
		myc_raise(-errno);
	CAMLreturn(bus_wrap(bus));
}

/* Bus.from_topology: @schema is a YAML path option. */
value caml_myc_bus_from_topology(value path, value service, value schema_path,
				 value ring_domain, value ring_force)
{
	CAMLparam5(path, service, schema_path, ring_domain, ring_force);
	struct myc_bus_topo_opts o = { .sz = sizeof(o) };
	struct myc_schema *schema = NULL;
	struct myc_bus *bus;
	char err[512] = "";

	if (Is_some(schema_path)) {
		schema = myc_schema_load(String_val(Some_val(schema_path)), err,
					 sizeof(err));
		if (!schema)
			myc_raise_text(errno, err);
	}
	o.schema = schema;
	if (Is_some(ring_domain))
		o.ring_domain = String_val(Some_val(ring_domain));
	o.ring_flags = Bool_val(ring_force) ? MYC_BUS_RING_FORCE : 0;
	bus = myc_bus_from_topology(String_val(path), String_val(service), &o, err,
				    sizeof(err));
	if (!bus) {
		int eno = errno;

		myc_schema_free(schema);
		myc_raise_text(eno, err);
	}
	myc_schema_free(schema);
	CAMLreturn(bus_wrap(bus));
}

value caml_myc_bus_name(value bus)
{
	CAMLparam1(bus);
	CAMLreturn(caml_copy_string(myc_bus_name(live_bus(bus))));
}

value caml_myc_bus_service(value bus)
{
	CAMLparam1(bus);
	CAMLlocal1(s);
	const char *svc = myc_bus_service(live_bus(bus));

	if (!svc)
		CAMLreturn(Val_none);
	s = caml_copy_string(svc);
	CAMLreturn(caml_alloc_some(s));
}

value caml_myc_bus_close(value bus)
{
	CAMLparam1(bus);
	struct bus_node *n = NODE(bus);
	struct child *c;

	for (c = n->children; c; c = c->next)
		if (c->busy)
			myc_raise(-EBUSY);
	while (n->children) {
		c = n->children;
		if (c->h)
			child_free_handle(c);
		child_detach(c);
	}
	myc_bus_free(n->bus);
	n->bus = NULL;
	CAMLreturn(Val_unit);
}

value caml_myc_bus_topic(value bus, value type_id, value policy, value depth,
			 value max_size)
{
	CAMLparam5(bus, type_id, policy, depth, max_size);
	struct myc_topic_opts o = {
		.sz = sizeof(o),
		.policy = (uint32_t)Int_val(policy),
		.depth = (uint32_t)Int_val(depth),
		.max_size = (uint32_t)Int_val(max_size),
	};
	int err;

	err = myc_bus_topic(live_bus(bus), type_id_of(type_id), &o);
	if (err < 0)
		myc_raise(err);
	CAMLreturn(Val_unit);
}

/* An OCaml string as a C string: one with a NUL inside would be read
 * cut short, so it is refused (EINVAL) rather than half-used. */
static const char *c_string(value s)
{
	if (!caml_string_is_c_safe(s))
		myc_raise(-EINVAL);
	return String_val(s);
}

/* The net bridge (docs/api.md, "Across hosts").  listen/connect do not
 * block (numeric addresses; a dialled peer is redialled in the background),
 * so the runtime lock stays held and Bus.close cannot run under them. */
value caml_myc_bus_net_listen(value bus, value addr)
{
	CAMLparam2(bus, addr);
	int err = myc_bus_net_listen(live_bus(bus), c_string(addr));

	if (err < 0)
		myc_raise(err);
	CAMLreturn(Val_unit);
}

value caml_myc_bus_net_connect(value bus, value addr)
{
	CAMLparam2(bus, addr);
	int err = myc_bus_net_connect(live_bus(bus), c_string(addr));

	if (err < 0)
		myc_raise(err);
	CAMLreturn(Val_unit);
}

value caml_myc_bus_net_addr(value bus)
{
	CAMLparam1(bus);
	char buf[128];
	int err = myc_bus_net_addr(live_bus(bus), buf, sizeof(buf));

	if (err < 0)
		myc_raise(err);
	CAMLreturn(caml_copy_string(buf));
}

value caml_myc_bus_net_peer_wants(value bus, value peer, value type_id)
{
	CAMLparam3(bus, peer, type_id);
	struct myc_bus *b = live_bus(bus);
	int ret = myc_bus_net_peer_wants(b, c_string(peer), type_id_of(type_id));

	if (ret < 0)
		myc_raise(ret);
	CAMLreturn(Val_bool(ret));
}

/* Bus.net_error: None, or Some (code, text) of the last refused
 * handshake; Error ENOENT when the bus never listened nor dialled. */
value caml_myc_bus_net_error(value bus)
{
	CAMLparam1(bus);
	CAMLlocal2(text, pair);
	char buf[512];
	int ret = myc_bus_net_error(live_bus(bus), buf, sizeof(buf));

	if (ret == 0)
		CAMLreturn(Val_none);
	if (ret == -ENOENT || ret == -EINVAL)
		myc_raise(ret);
	text = caml_copy_string(buf[0] ? buf : myc_strerror(-ret));
	pair = caml_alloc_tuple(2);
	Store_field(pair, 0, Val_int(-ret));
	Store_field(pair, 1, text);
	CAMLreturn(caml_alloc_some(pair));
}

value caml_myc_pub_new(value bus, value type_id, value timeout_ms, value to)
{
	CAMLparam4(bus, type_id, timeout_ms, to);
	struct myc_pub_opts o = { .sz = sizeof(o),
				  .timeout_ms = Int_val(timeout_ms) };
	struct myc_pub *p;

	if (Is_some(to))
		o.to = String_val(Some_val(to));
	p = myc_pub_new(live_bus(bus), type_id_of(type_id), &o);
	if (!p && o.to)
		raise_service(errno, o.to);
	CAMLreturn(adopt(bus, p, 0));
}

/* Publisher.close and Subscriber.close. */
value caml_myc_child_close(value child)
{
	CAMLparam1(child);
	struct child *c = CHILD(child);

	if (c->busy)
		myc_raise(-EBUSY);
	if (c->h)
		child_free_handle(c);
	CAMLreturn(Val_unit);
}

value caml_myc_pub_send(value pub, value data, value may_block)
{
	CAMLparam3(pub, data, may_block);
	struct child *c = live_child(pub);
	struct myc_pub *p = c->h;
	size_t n = caml_string_length(data);
	void *buf;
	int err;

	/* A lossless claim may wait for a subscriber, possibly one running
	 * on another OCaml thread: wait without the runtime lock.  The
	 * payload is copied once the lock is back (@data is a root, so the
	 * GC keeps its address current). */
	if (Bool_val(may_block)) {
		c->busy++;
		caml_release_runtime_system();
		err = myc_pub_claim(p, n, &buf);
		caml_acquire_runtime_system();
		c->busy--;
	} else {
		err = myc_pub_claim(p, n, &buf);
	}
	if (err < 0)
		myc_raise(err);
	memcpy(buf, Bytes_val(data), n);
	err = myc_pub_commit(p, buf);
	if (err < 0)
		myc_raise(err);
	CAMLreturn(Val_unit);
}

/*
 * Publisher.send_many: the messages of @msgs (a bytes array) in order as
 * one burst; returns how many were published.  Without blocking the
 * payloads are read in place (nothing here allocates on the OCaml heap).
 * A blocking burst may wait without the runtime lock, while the GC may
 * move the messages: it sends copies made first.
 */
value caml_myc_pub_sendv(value pub, value msgs, value may_block)
{
	CAMLparam3(pub, msgs, may_block);
	struct child *c = live_child(pub);
	size_t n = Wosize_val(msgs), total = 0, i;
	struct myc_iov *iov;
	uint8_t *copy = NULL;
	int ret;

	if (n == 0)
		CAMLreturn(Val_int(0));
	iov = calloc(n, sizeof(*iov));
	if (!iov)
		caml_raise_out_of_memory();
	for (i = 0; i < n; i++) {
		iov[i].base = Bytes_val(Field(msgs, i));
		iov[i].len = caml_string_length(Field(msgs, i));
		total += iov[i].len;
	}
	if (Bool_val(may_block)) {
		copy = malloc(total ? total : 1);
		if (!copy) {
			free(iov);
			caml_raise_out_of_memory();
		}
		for (i = 0, total = 0; i < n; i++) {
			memcpy(copy + total, iov[i].base, iov[i].len);
			iov[i].base = copy + total;
			total += iov[i].len;
		}
		c->busy++;
		caml_release_runtime_system();
		ret = myc_pub_sendv(c->h, iov, n);
		caml_acquire_runtime_system();
		c->busy--;
	} else {
		ret = myc_pub_sendv(c->h, iov, n);
	}
	free(copy);
	free(iov);
	if (ret < 0)
		myc_raise(ret);
	CAMLreturn(Val_int(ret));
}

value caml_myc_sub_new(value bus, value type_id, value service)
{
	CAMLparam3(bus, type_id, service);
	struct myc_sub_opts o = { .sz = sizeof(o) };
	struct myc_sub *s;

	if (Is_some(service))
		o.service = String_val(Some_val(service));
	s = myc_sub_new(live_bus(bus), type_id_of(type_id), &o);
	if (!s && o.service)
		raise_service(errno, o.service);
	CAMLreturn(adopt(bus, s, 1));
}

/* Returns (header, payload) option. */
value caml_myc_sub_recv(value sub, value timeout_ms)
{
	CAMLparam2(sub, timeout_ms);
	CAMLlocal3(r, hd, pl);
	struct child *c = live_child(sub);
	struct myc_sub *s = c->h;
	int timeout = Int_val(timeout_ms), err;
	struct myc_msg *m;

	/* Poll first with the lock held: the common case when messages are
	 * flowing costs no runtime-lock round trip. */
	err = myc_sub_recv(s, &m, 0);
	if (err == -EAGAIN && timeout != 0) {
		c->busy++;
		caml_release_runtime_system();
		err = myc_sub_recv(s, &m, timeout);
		caml_acquire_runtime_system();
		c->busy--;
	}
	if (err == -EAGAIN || err == -ETIMEDOUT)
		CAMLreturn(Val_none);
	if (err < 0)
		myc_raise(err);
	hd = header_to_ml(myc_msg_hdr(m));
	pl = caml_alloc_initialized_string(myc_msg_size(m), myc_msg_data(m));
	myc_msg_release(m);
	r = caml_alloc_tuple(2);
	Store_field(r, 0, hd);
	Store_field(r, 1, pl);
	CAMLreturn(caml_alloc_some(r));
}

value caml_myc_sub_lost(value sub)
{
	CAMLparam1(sub);
	CAMLreturn(caml_copy_int64((int64_t)myc_sub_lost(live_child(sub)->h)));
}

value caml_myc_sub_fd(value sub)
{
	CAMLparam1(sub);
	int fd = myc_sub_fd(live_child(sub)->h);

	if (fd < 0)
		myc_raise(fd);
	CAMLreturn(Val_int(fd));
}

value caml_myc_error_code(value name)
{
	const char *n = String_val(name);

	if (!strcmp(n, "eagain"))
		return Val_int(EAGAIN);
	if (!strcmp(n, "etimedout"))
		return Val_int(ETIMEDOUT);
	if (!strcmp(n, "enoent"))
		return Val_int(ENOENT);
	if (!strcmp(n, "back_pressured"))
		return Val_int(MYC_E_BACK_PRESSURED);
	if (!strcmp(n, "digest"))
		return Val_int(MYC_E_DIGEST);
	return Val_int(-1);
}

/* Mycelium.now_ns: CLOCK_MONOTONIC in ns, the clock of frame timestamps
 * (and of Python's time.monotonic_ns), for latency measurements. */
value caml_myc_now_ns(value unit)
{
	struct timespec ts;

	(void)unit;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return caml_copy_int64((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}
