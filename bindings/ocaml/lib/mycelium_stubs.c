// SPDX-License-Identifier: MIT
/* OCaml stubs over libmyc (see mycelium.mli). */
#include <errno.h>
#include <string.h>

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

/* Handles are custom blocks holding a pointer; close sets it to NULL and
 * the finaliser frees whatever is left. */
#define HANDLE(v) (*(void **)Data_custom_val(v))

static void *live(value v)
{
	void *p = HANDLE(v);

	if (!p)
		myc_raise(-EBADF);
	return p;
}

static void bus_finalize(value v) { myc_bus_free(HANDLE(v)); }
static void pub_finalize(value v) { myc_pub_free(HANDLE(v)); }
static void sub_finalize(value v) { myc_sub_free(HANDLE(v)); }

static struct custom_operations bus_ops = {
	"mycelium.bus", bus_finalize, custom_compare_default,
	custom_hash_default, custom_serialize_default,
	custom_deserialize_default, custom_compare_ext_default,
	custom_fixed_length_default
};
static struct custom_operations pub_ops = {
	"mycelium.pub", pub_finalize, custom_compare_default,
	custom_hash_default, custom_serialize_default,
	custom_deserialize_default, custom_compare_ext_default,
	custom_fixed_length_default
};
static struct custom_operations sub_ops = {
	"mycelium.sub", sub_finalize, custom_compare_default,
	custom_hash_default, custom_serialize_default,
	custom_deserialize_default, custom_compare_ext_default,
	custom_fixed_length_default
};

static value wrap(struct custom_operations *ops, void *p)
{
	value v;

	if (!p)
		myc_raise(-errno);
	v = caml_alloc_custom(ops, sizeof(void *), 0, 1);
	HANDLE(v) = p;
	return v;
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
		.type = (uint16_t)Int_val(type_id),
		.flags = (uint16_t)Int_val(flags),
		.seq = (uint64_t)Int64_val(seq),
		.ts_ns = (uint64_t)Int64_val(ts),
		.src = (uint32_t)Int32_val(src),
	};
	size_t n = caml_string_length(payload);
	int span;

	if (Int_val(type_id) < 0 || Int_val(type_id) > 0xffff ||
	    Int_val(flags) < 0 || Int_val(flags) > 0xffff)
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

value caml_myc_bus_new(value name)
{
	CAMLparam1(name);
	struct myc_bus_opts o = { .sz = sizeof(o) };

	if (Is_some(name))
		o.name = String_val(Some_val(name));
	CAMLreturn(wrap(&bus_ops, myc_bus_new(&o)));
}

value caml_myc_bus_close(value bus)
{
	CAMLparam1(bus);
	myc_bus_free(HANDLE(bus));
	HANDLE(bus) = NULL;
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

	if (Int_val(type_id) < 0 || Int_val(type_id) > 0xffff)
		myc_raise(-EINVAL);
	err = myc_bus_topic(live(bus), (uint16_t)Int_val(type_id), &o);
	if (err < 0)
		myc_raise(err);
	CAMLreturn(Val_unit);
}

value caml_myc_pub_new(value bus, value type_id, value timeout_ms)
{
	CAMLparam3(bus, type_id, timeout_ms);
	struct myc_pub_opts o = { .sz = sizeof(o),
				  .timeout_ms = Int_val(timeout_ms) };

	if (Int_val(type_id) < 0 || Int_val(type_id) > 0xffff)
		myc_raise(-EINVAL);
	CAMLreturn(wrap(&pub_ops, myc_pub_new(live(bus),
					      (uint16_t)Int_val(type_id), &o)));
}

value caml_myc_pub_close(value pub)
{
	CAMLparam1(pub);
	myc_pub_free(HANDLE(pub));
	HANDLE(pub) = NULL;
	CAMLreturn(Val_unit);
}

value caml_myc_pub_send(value pub, value data, value may_block)
{
	CAMLparam3(pub, data, may_block);
	struct myc_pub *p = live(pub);
	size_t n = caml_string_length(data);
	void *buf;
	int err;

	/* A lossless claim may wait for a subscriber, possibly one running
	 * on another OCaml thread: wait without the runtime lock.  The
	 * payload is copied once the lock is back (@data is a root, so the
	 * GC keeps its address current). */
	if (Bool_val(may_block)) {
		caml_release_runtime_system();
		err = myc_pub_claim(p, n, &buf);
		caml_acquire_runtime_system();
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

value caml_myc_sub_new(value bus, value type_id)
{
	CAMLparam2(bus, type_id);
	struct myc_sub_opts o = { .sz = sizeof(o) };

	if (Int_val(type_id) < 0 || Int_val(type_id) > 0xffff)
		myc_raise(-EINVAL);
	CAMLreturn(wrap(&sub_ops, myc_sub_new(live(bus),
					      (uint16_t)Int_val(type_id), &o)));
}

value caml_myc_sub_close(value sub)
{
	CAMLparam1(sub);
	myc_sub_free(HANDLE(sub));
	HANDLE(sub) = NULL;
	CAMLreturn(Val_unit);
}

/* Returns (header, payload) option. */
value caml_myc_sub_recv(value sub, value timeout_ms)
{
	CAMLparam2(sub, timeout_ms);
	CAMLlocal3(r, hd, pl);
	struct myc_sub *s = live(sub);
	int timeout = Int_val(timeout_ms), err;
	struct myc_msg *m;

	/* Poll first with the lock held: the common case when messages are
	 * flowing costs no runtime-lock round trip. */
	err = myc_sub_recv(s, &m, 0);
	if (err == -EAGAIN && timeout != 0) {
		caml_release_runtime_system();
		err = myc_sub_recv(s, &m, timeout);
		caml_acquire_runtime_system();
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
	CAMLreturn(caml_copy_int64((int64_t)myc_sub_lost(live(sub))));
}

value caml_myc_sub_fd(value sub)
{
	CAMLparam1(sub);
	int fd = myc_sub_fd(live(sub));

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
	if (!strcmp(n, "back_pressured"))
		return Val_int(MYC_E_BACK_PRESSURED);
	if (!strcmp(n, "digest"))
		return Val_int(MYC_E_DIGEST);
	return Val_int(-1);
}
