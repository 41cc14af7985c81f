// SPDX-License-Identifier: MIT
/*
 * _mycelium: CPython extension over libmyc.  The Python layer
 * (mycelium/__init__.py) builds the user-facing API on these types.
 * Blocking calls release the GIL; the payload is copied while the GIL is
 * held.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <myc.h>

static PyObject *MyceliumError;
static PyObject *error_classes;	/* code -> subclass, filled by __init__.py */

/* Raise MyceliumError (or the subclass registered for the code) with args
 * (code, message) for a negative result. */
static PyObject *myc_raise(int err)
{
	PyObject *args, *key, *cls = NULL;

	if (err < 0)
		err = -err;
	key = PyLong_FromLong(err);
	if (key && error_classes)
		cls = PyDict_GetItemWithError(error_classes, key);
	Py_XDECREF(key);
	if (PyErr_Occurred())
		return NULL;
	args = Py_BuildValue("(is)", err, myc_strerror(err));
	if (args) {
		PyErr_SetObject(cls ? cls : MyceliumError, args);
		Py_DECREF(args);
	}
	return NULL;
}

static int type_id_ok(int type_id)
{
	if (type_id < 0 || type_id > 0xffff) {
		myc_raise(-EINVAL);
		return 0;
	}
	return 1;
}

static PyObject *header_tuple(const struct myc_frame_hdr *h)
{
	return Py_BuildValue("(IHHKKI)", h->len, h->type, h->flags,
			     (unsigned long long)h->seq,
			     (unsigned long long)h->ts_ns, h->src);
}

/* ---- Bus ---------------------------------------------------------------- */

/*
 * A bus owns its publishers and subscribers: libmyc frees leftovers with
 * the bus and their handles die with it, so Bus.close() first closes every
 * live child (tracked by weak reference) and a child never outlives the C
 * bus.  Children hold a strong reference to their Bus object, so plain
 * reference counting frees them before the bus.
 */
typedef struct {
	PyObject_HEAD
	struct myc_bus *bus;
	PyObject *children;	/* list of weakrefs to Publisher/Subscriber */
} BusObject;

static int bus_adopt(BusObject *bus, PyObject *child)
{
	PyObject *ref = PyWeakref_NewRef(child, NULL);
	int ret;

	if (!ref)
		return -1;
	if (!bus->children && !(bus->children = PyList_New(0))) {
		Py_DECREF(ref);
		return -1;
	}
	ret = PyList_Append(bus->children, ref);
	Py_DECREF(ref);
	return ret;
}

/* Publisher and Subscriber both start with this. */
typedef struct {
	PyObject_HEAD
	void *handle;
	PyObject *bus;
	PyObject *weakrefs;
	int busy;
} ChildObject;

static PyObject *Child_close(ChildObject *self, PyObject *unused);
static void Child_dealloc(ChildObject *self);

/* Closing an object another thread is blocked in would free memory under
 * it: refuse with EBUSY instead. */
static int bus_children_busy(BusObject *bus)
{
	Py_ssize_t i;

	for (i = 0; bus->children && i < PyList_GET_SIZE(bus->children); i++) {
		PyObject *child = PyWeakref_GetObject(
			PyList_GET_ITEM(bus->children, i));

		if (child != Py_None && ((ChildObject *)child)->busy)
			return 1;
	}
	return 0;
}

static void bus_close_children(BusObject *bus)
{
	Py_ssize_t i;

	if (!bus->children)
		return;
	for (i = 0; i < PyList_GET_SIZE(bus->children); i++) {
		PyObject *child = PyWeakref_GetObject(
			PyList_GET_ITEM(bus->children, i));
		PyObject *r;

		if (child == Py_None)
			continue;
		Py_INCREF(child);
		r = PyObject_CallMethod(child, "close", NULL);
		Py_XDECREF(r);
		if (!r)
			PyErr_Clear();
		Py_DECREF(child);
	}
	Py_CLEAR(bus->children);
}

/* Raise MyceliumError(code, text) with the library's one-line message. */
static void myc_raise_text(int err, const char *text)
{
	PyObject *args = Py_BuildValue("(is)", err < 0 ? -err : err,
				       text[0] ? text : myc_strerror(err));

	if (args) {
		PyErr_SetObject(MyceliumError, args);
		Py_DECREF(args);
	}
}

/* The bus of @service's node in a topology file; @schema (a YAML path or
 * None) resolves topics without a type id.  The libraries' file:line
 * messages become the exception text. */
static struct myc_bus *bus_from_topology(PyObject *topology, const char *service,
					 PyObject *schema_path, const char *ring_domain,
					 uint32_t ring_flags)
{
	struct myc_bus_topo_opts o = { .sz = sizeof(o), .ring_domain = ring_domain,
				       .ring_flags = ring_flags };
	struct myc_schema *schema = NULL;
	struct myc_bus *bus;
	char err[512] = "";
	int eno;

	if (schema_path != Py_None) {
		schema = myc_schema_load(PyBytes_AS_STRING(schema_path), err, sizeof(err));
		if (!schema) {
			myc_raise_text(errno, err);
			return NULL;
		}
	}
	o.schema = schema;
	Py_BEGIN_ALLOW_THREADS
	bus = myc_bus_from_topology(PyBytes_AS_STRING(topology), service, &o, err,
				    sizeof(err));
	eno = errno;
	Py_END_ALLOW_THREADS
	myc_schema_free(schema);
	if (!bus)
		myc_raise_text(eno, err);
	return bus;
}

static int Bus_init(BusObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "topology", "service", "schema",
				  "ring_domain", "ring_force", NULL };
	struct myc_bus_opts o = { .sz = sizeof(o) };
	PyObject *topology = NULL, *schema = Py_None;
	const char *name = NULL, *service = NULL, *ring_domain = NULL;
	uint32_t ring_flags;
	int ring_force = 0;
	struct myc_bus *bus;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|zO&zO&zp", kwlist, &name,
					 PyUnicode_FSConverter, &topology, &service,
					 PyUnicode_FSConverter, &schema, &ring_domain,
					 &ring_force))
		return -1;
	/* Forcing without a domain is left to libmyc to reject (EINVAL). */
	ring_flags = ring_force ? MYC_BUS_RING_FORCE : 0;
	if (topology) {
		if (!service) {
			Py_DECREF(topology);
			if (schema != Py_None)
				Py_DECREF(schema);
			PyErr_SetString(PyExc_TypeError,
					"a bus from a topology needs a service");
			return -1;
		}
		bus = bus_from_topology(topology, service, schema, ring_domain, ring_flags);
		Py_DECREF(topology);
		if (schema != Py_None)
			Py_DECREF(schema);
		if (!bus)
			return -1;
	} else {
		if (schema != Py_None)
			Py_DECREF(schema);
		o.name = name;
		o.ring_domain = ring_domain;
		o.ring_flags = ring_flags;
		bus = myc_bus_new(&o);
		if (!bus) {
			myc_raise(-errno);
			return -1;
		}
	}
	myc_bus_free(self->bus);
	self->bus = bus;
	return 0;
}

static PyObject *Bus_name(BusObject *self, void *closure)
{
	if (!self->bus)
		return myc_raise(-EBADF);
	return PyUnicode_FromString(myc_bus_name(self->bus));
}

static PyObject *Bus_service(BusObject *self, void *closure)
{
	const char *s;

	if (!self->bus)
		return myc_raise(-EBADF);
	s = myc_bus_service(self->bus);
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_FromString(s);
}

/* Creating a publisher/subscriber failed with @eno: ENOENT with a service
 * name means the name is not one of the topology's services. */
static void raise_service(int eno, const char *service)
{
	char text[160];

	if (eno == ENOENT && service) {
		snprintf(text, sizeof(text),
			 "service \"%.64s\" is not a service of the bus's topology", service);
		myc_raise_text(eno, text);
	} else if (eno == EINVAL && service) {
		snprintf(text, sizeof(text), "bad service name \"%.64s\" (1..63 bytes)",
			 service);
		myc_raise_text(eno, text);
	} else {
		myc_raise(-eno);
	}
}

static PyGetSetDef Bus_getset[] = {
	{ "name", (getter)Bus_name, NULL, "bus (node) name", NULL },
	{ "service", (getter)Bus_service, NULL,
	  "service the bus was made for (from a topology), else None", NULL },
	{ NULL }
};

static struct myc_bus *live_bus(BusObject *b)
{
	if (!b->bus)
		myc_raise(-EBADF);
	return b->bus;
}

static PyObject *Bus_close(BusObject *self, PyObject *unused)
{
	if (bus_children_busy(self))
		return myc_raise(-EBUSY);
	bus_close_children(self);
	myc_bus_free(self->bus);
	self->bus = NULL;
	Py_RETURN_NONE;
}

static PyObject *Bus_topic(BusObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "type_id", "policy", "depth", "max_size", NULL };
	struct myc_topic_opts o = { .sz = sizeof(o) };
	int type_id, err;
	unsigned int policy = 0, depth = 0, max_size = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "i|III", kwlist, &type_id,
					 &policy, &depth, &max_size))
		return NULL;
	if (!type_id_ok(type_id) || !live_bus(self))
		return NULL;
	o.policy = policy;
	o.depth = depth;
	o.max_size = max_size;
	err = myc_bus_topic(self->bus, (uint16_t)type_id, &o);
	if (err < 0)
		return myc_raise(err);
	Py_RETURN_NONE;
}

/* ---- the net bridge (docs/api.md, "Across hosts: the net bridge") ------ */

/* listen/connect(addr): the library refuses a bad address or bus name
 * (EINVAL).  Neither blocks (numeric addresses; connect dials in the
 * background, redialled until close), so the GIL stays held: Bus.close()
 * from another thread cannot free the bus under the call. */
static PyObject *Bus_net_listen(BusObject *self, PyObject *arg)
{
	const char *addr = PyUnicode_AsUTF8(arg);
	int err;

	if (!addr || !live_bus(self))
		return NULL;
	err = myc_bus_net_listen(self->bus, addr);
	if (err < 0)
		return myc_raise(err);
	Py_RETURN_NONE;
}

static PyObject *Bus_net_connect(BusObject *self, PyObject *arg)
{
	const char *addr = PyUnicode_AsUTF8(arg);
	int err;

	if (!addr || !live_bus(self))
		return NULL;
	err = myc_bus_net_connect(self->bus, addr);
	if (err < 0)
		return myc_raise(err);
	Py_RETURN_NONE;
}

static PyObject *Bus_net_addr(BusObject *self, PyObject *unused)
{
	char buf[128];
	int err;

	if (!live_bus(self))
		return NULL;
	err = myc_bus_net_addr(self->bus, buf, sizeof(buf));
	if (err < 0)
		return myc_raise(err);
	return PyUnicode_FromString(buf);
}

/* net_peer_wants(peer, type_id) -> bool; raises ENOENT for no such peer. */
static PyObject *Bus_net_peer_wants(BusObject *self, PyObject *args)
{
	const char *peer;
	int type_id, ret;

	if (!PyArg_ParseTuple(args, "si", &peer, &type_id))
		return NULL;
	if (!type_id_ok(type_id) || !live_bus(self))
		return NULL;
	ret = myc_bus_net_peer_wants(self->bus, peer, (uint16_t)type_id);
	if (ret < 0)
		return myc_raise(ret);
	return PyBool_FromLong(ret);
}

static void Bus_dealloc(BusObject *self)
{
	Py_CLEAR(self->children);	/* children are gone: they held us */
	myc_bus_free(self->bus);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Bus_methods[] = {
	{ "close", (PyCFunction)Bus_close, METH_NOARGS, "Free the bus." },
	{ "topic", (PyCFunction)(void (*)(void))Bus_topic,
	  METH_VARARGS | METH_KEYWORDS,
	  "topic(type_id, policy=0, depth=0, max_size=0): configure a topic." },
	{ "net_listen", (PyCFunction)Bus_net_listen, METH_O,
	  "net_listen(addr): carry every topic to peers that dial addr." },
	{ "net_connect", (PyCFunction)Bus_net_connect, METH_O,
	  "net_connect(addr): dial a peer's listener (redialled until close)." },
	{ "net_addr", (PyCFunction)Bus_net_addr, METH_NOARGS,
	  "net_addr() -> the address the last listener bound." },
	{ "net_peer_wants", (PyCFunction)Bus_net_peer_wants, METH_VARARGS,
	  "net_peer_wants(peer, type_id) -> True once peer's link is up and it subscribed." },
	{ NULL }
};

static PyTypeObject BusType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mycelium._mycelium.Bus",
	.tp_basicsize = sizeof(BusObject),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Bus(name=None, topology=None, service=None, schema=None, ring_domain=None, ring_force=False): a libmyc bus,\n"
		  "plain or of @service's node in a topology file.",
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)Bus_init,
	.tp_dealloc = (destructor)Bus_dealloc,
	.tp_methods = Bus_methods,
	.tp_getset = Bus_getset,
};

/* ---- Publisher ---------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	union {
		struct myc_pub *pub;
		void *handle;
	};
	PyObject *bus;		/* keeps the bus alive */
	PyObject *weakrefs;
	int busy;		/* threads inside a GIL-released call */
	int may_block;
} PubObject;

static int Pub_init(PubObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "bus", "type_id", "timeout_ms", "to", NULL };
	struct myc_pub_opts o = { .sz = sizeof(o) };
	PyObject *bus;
	int type_id, timeout_ms = 0;
	const char *to = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O!i|iz", kwlist, &BusType,
					 &bus, &type_id, &timeout_ms, &to))
		return -1;
	if (!type_id_ok(type_id) || !live_bus((BusObject *)bus))
		return -1;
	o.timeout_ms = timeout_ms;
	o.to = to;
	myc_pub_free(self->pub);
	self->pub = myc_pub_new(((BusObject *)bus)->bus, (uint16_t)type_id, &o);
	if (!self->pub) {
		raise_service(errno, to);
		return -1;
	}
	if (bus_adopt((BusObject *)bus, (PyObject *)self) < 0)
		return -1;
	Py_INCREF(bus);
	Py_XSETREF(self->bus, bus);
	self->may_block = timeout_ms != 0;
	return 0;
}

static PyObject *Pub_send(PubObject *self, PyObject *arg)
{
	Py_buffer view;
	void *buf;
	int err;

	if (!self->pub)
		return myc_raise(-EBADF);
	if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
		return NULL;
	if (self->may_block) {
		/* may wait for a subscriber served by another Python thread */
		self->busy++;
		Py_BEGIN_ALLOW_THREADS
		err = myc_pub_claim(self->pub, (size_t)view.len, &buf);
		Py_END_ALLOW_THREADS
		self->busy--;
	} else {
		err = myc_pub_claim(self->pub, (size_t)view.len, &buf);
	}
	if (err < 0) {
		PyBuffer_Release(&view);
		return myc_raise(err);
	}
	memcpy(buf, view.buf, (size_t)view.len);
	PyBuffer_Release(&view);
	err = myc_pub_commit(self->pub, buf);
	if (err < 0)
		return myc_raise(err);
	Py_RETURN_NONE;
}

static PyMethodDef Pub_methods[] = {
	{ "send", (PyCFunction)Pub_send, METH_O,
	  "send(bytes_like): publish one message (copied)." },
	{ "close", (PyCFunction)Child_close, METH_NOARGS, "Free the publisher." },
	{ NULL }
};

static PyTypeObject PubType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mycelium._mycelium.Publisher",
	.tp_weaklistoffset = offsetof(PubObject, weakrefs),
	.tp_basicsize = sizeof(PubObject),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Publisher(bus, type_id, timeout_ms=0, to=None)",
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)Pub_init,
	.tp_dealloc = (destructor)Child_dealloc,
	.tp_methods = Pub_methods,
};

/* ---- Subscriber --------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	union {
		struct myc_sub *sub;
		void *handle;
	};
	PyObject *bus;
	PyObject *weakrefs;
	int busy;		/* threads inside a GIL-released call */
} SubObject;

#define SAME_HEAD(T, f) \
	_Static_assert(offsetof(T, f) == offsetof(ChildObject, f), #T " head")
SAME_HEAD(PubObject, bus);
SAME_HEAD(PubObject, busy);
SAME_HEAD(SubObject, bus);
SAME_HEAD(SubObject, busy);
SAME_HEAD(PubObject, handle);
SAME_HEAD(SubObject, handle);

static PyTypeObject SubType;

/* Free a publisher's or subscriber's handle and drop its bus. */
static void child_release(ChildObject *c)
{
	if (Py_TYPE(c) == &SubType)
		myc_sub_free(c->handle);
	else
		myc_pub_free(c->handle);
	c->handle = NULL;
	Py_CLEAR(c->bus);
}

static PyObject *Child_close(ChildObject *self, PyObject *unused)
{
	if (self->busy)
		return myc_raise(-EBUSY);
	child_release(self);
	Py_RETURN_NONE;
}

static void Child_dealloc(ChildObject *self)
{
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	child_release(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Sub_init(SubObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "bus", "type_id", "service", NULL };
	struct myc_sub_opts o = { .sz = sizeof(o) };
	PyObject *bus;
	int type_id;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O!i|z", kwlist, &BusType,
					 &bus, &type_id, &o.service))
		return -1;
	if (!type_id_ok(type_id) || !live_bus((BusObject *)bus))
		return -1;
	myc_sub_free(self->sub);
	self->sub = myc_sub_new(((BusObject *)bus)->bus, (uint16_t)type_id, &o);
	if (!self->sub) {
		raise_service(errno, o.service);
		return -1;
	}
	if (bus_adopt((BusObject *)bus, (PyObject *)self) < 0)
		return -1;
	Py_INCREF(bus);
	Py_XSETREF(self->bus, bus);
	return 0;
}

/* recv(timeout_ms=-1) -> (header_tuple, bytes) or None on timeout */
static PyObject *Sub_recv(SubObject *self, PyObject *args)
{
	int timeout_ms = -1, err;
	struct myc_msg *m;
	PyObject *hdr, *data, *ret;

	if (!PyArg_ParseTuple(args, "|i", &timeout_ms))
		return NULL;
	if (!self->sub)
		return myc_raise(-EBADF);
	/* poll with the GIL held first: no GIL round trip while busy */
	err = myc_sub_recv(self->sub, &m, 0);
	if (err == -EAGAIN && timeout_ms != 0) {
		self->busy++;
		Py_BEGIN_ALLOW_THREADS
		err = myc_sub_recv(self->sub, &m, timeout_ms);
		Py_END_ALLOW_THREADS
		self->busy--;
	}
	if (err == -EAGAIN || err == -ETIMEDOUT)
		Py_RETURN_NONE;
	if (err < 0)
		return myc_raise(err);
	hdr = header_tuple(myc_msg_hdr(m));
	data = PyBytes_FromStringAndSize(myc_msg_data(m),
					 (Py_ssize_t)myc_msg_size(m));
	myc_msg_release(m);
	if (!hdr || !data) {
		Py_XDECREF(hdr);
		Py_XDECREF(data);
		return NULL;
	}
	ret = PyTuple_Pack(2, hdr, data);
	Py_DECREF(hdr);
	Py_DECREF(data);
	return ret;
}

static PyObject *Sub_lost(SubObject *self, void *closure)
{
	if (!self->sub)
		return myc_raise(-EBADF);
	return PyLong_FromUnsignedLongLong(myc_sub_lost(self->sub));
}

static PyObject *Sub_fileno(SubObject *self, PyObject *unused)
{
	int fd;

	if (!self->sub)
		return myc_raise(-EBADF);
	fd = myc_sub_fd(self->sub);
	if (fd < 0)
		return myc_raise(fd);
	return PyLong_FromLong(fd);
}

static PyMethodDef Sub_methods[] = {
	{ "recv", (PyCFunction)Sub_recv, METH_VARARGS,
	  "recv(timeout_ms=-1) -> (header, payload) or None on timeout." },
	{ "fileno", (PyCFunction)Sub_fileno, METH_NOARGS,
	  "An fd that polls readable while messages are pending." },
	{ "close", (PyCFunction)Child_close, METH_NOARGS, "Free the subscriber." },
	{ NULL }
};

static PyObject *Sub_busy(SubObject *self, void *closure)
{
	return PyLong_FromLong(self->busy);
}

static PyGetSetDef Sub_getset[] = {
	{ "lost", (getter)Sub_lost, NULL, "messages lost to overflow", NULL },
	{ "busy", (getter)Sub_busy, NULL,
	  "threads waiting in recv with the GIL released", NULL },
	{ NULL }
};

static PyTypeObject SubType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mycelium._mycelium.Subscriber",
	.tp_weaklistoffset = offsetof(SubObject, weakrefs),
	.tp_basicsize = sizeof(SubObject),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Subscriber(bus, type_id, service=None)",
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)Sub_init,
	.tp_dealloc = (destructor)Child_dealloc,
	.tp_methods = Sub_methods,
	.tp_getset = Sub_getset,
};

/* ---- frames ------------------------------------------------------------- */

static PyObject *frame_encode(PyObject *mod, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "type_id", "payload", "flags", "seq", "ts_ns",
				  "src", NULL };
	struct myc_frame_hdr h = { 0 };
	int type_id, flags = 0;
	unsigned long long seq = 0, ts = 0;
	unsigned int src = 0;
	Py_buffer view;
	PyObject *out;
	int span;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "iy*|iKKI", kwlist, &type_id,
					 &view, &flags, &seq, &ts, &src))
		return NULL;
	if (!type_id_ok(type_id) || flags < 0 || flags > 0xffff) {
		PyBuffer_Release(&view);
		return PyErr_Occurred() ? NULL : myc_raise(-EINVAL);
	}
	if ((size_t)view.len > MYC_PAYLOAD_MAX) {
		PyBuffer_Release(&view);
		return myc_raise(-MYC_E_FRAME_OVERSIZE);
	}
	h.type = (uint16_t)type_id;
	h.flags = (uint16_t)flags;
	h.seq = seq;
	h.ts_ns = ts;
	h.src = src;
	out = PyBytes_FromStringAndSize(NULL,
		myc_frame_span((uint32_t)(MYC_FRAME_HDR_SIZE + view.len)));
	if (!out) {
		PyBuffer_Release(&view);
		return NULL;
	}
	span = myc_frame_encode(PyBytes_AS_STRING(out), PyBytes_GET_SIZE(out),
				&h, view.buf, (size_t)view.len);
	PyBuffer_Release(&view);
	if (span < 0) {
		Py_DECREF(out);
		return myc_raise(span);
	}
	return out;
}

/* frame_decode(buf) -> (header_tuple, payload, span) */
static PyObject *frame_decode(PyObject *mod, PyObject *arg)
{
	struct myc_frame_hdr h;
	const void *payload;
	Py_buffer view;
	PyObject *hdr, *data, *ret;
	int span;

	if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
		return NULL;
	span = myc_frame_decode(view.buf, (size_t)view.len, &h, &payload);
	if (span < 0) {
		PyBuffer_Release(&view);
		return myc_raise(span);
	}
	hdr = header_tuple(&h);
	data = PyBytes_FromStringAndSize(payload, h.len - MYC_FRAME_HDR_SIZE);
	PyBuffer_Release(&view);
	if (!hdr || !data) {
		Py_XDECREF(hdr);
		Py_XDECREF(data);
		return NULL;
	}
	ret = Py_BuildValue("(OOi)", hdr, data, span);
	Py_DECREF(hdr);
	Py_DECREF(data);
	return ret;
}

static PyObject *strerror_py(PyObject *mod, PyObject *arg)
{
	long e = PyLong_AsLong(arg);

	if (e == -1 && PyErr_Occurred())
		return NULL;
	return PyUnicode_FromString(myc_strerror((int)e));
}

static PyMethodDef module_methods[] = {
	{ "frame_encode", (PyCFunction)(void (*)(void))frame_encode,
	  METH_VARARGS | METH_KEYWORDS,
	  "frame_encode(type_id, payload, flags=0, seq=0, ts_ns=0, src=0) -> bytes" },
	{ "frame_decode", frame_decode, METH_O,
	  "frame_decode(buf) -> (header, payload, span)" },
	{ "strerror", strerror_py, METH_O, "strerror(code) -> str" },
	{ NULL }
};

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT, "_mycelium",
	"C extension over libmyc (use the mycelium package).", -1,
	module_methods,
};

PyMODINIT_FUNC PyInit__mycelium(void)
{
	PyObject *m;

	if (PyType_Ready(&BusType) < 0 || PyType_Ready(&PubType) < 0 ||
	    PyType_Ready(&SubType) < 0)
		return NULL;
	m = PyModule_Create(&module_def);
	if (!m)
		return NULL;
	MyceliumError = PyErr_NewExceptionWithDoc(
		"mycelium._mycelium.MyceliumError",
		"An error from libmyc: args are (code, message).", NULL, NULL);
	if (!MyceliumError)
		goto fail;
	Py_INCREF(MyceliumError);
	Py_INCREF(&BusType);
	Py_INCREF(&PubType);
	Py_INCREF(&SubType);
	error_classes = PyDict_New();
	if (!error_classes)
		goto fail;
	Py_INCREF(error_classes);
	if (PyModule_AddObject(m, "error_classes", error_classes) < 0 ||
	    PyModule_AddObject(m, "MyceliumError", MyceliumError) < 0 ||
	    PyModule_AddObject(m, "Bus", (PyObject *)&BusType) < 0 ||
	    PyModule_AddObject(m, "Publisher", (PyObject *)&PubType) < 0 ||
	    PyModule_AddObject(m, "Subscriber", (PyObject *)&SubType) < 0 ||
	    PyModule_AddIntConstant(m, "E_BACK_PRESSURED", MYC_E_BACK_PRESSURED) < 0 ||
	    PyModule_AddIntConstant(m, "E_DIGEST", MYC_E_DIGEST) < 0 ||
	    PyModule_AddIntConstant(m, "ERRNO_BASE", MYC_ERRNO__START) < 0 ||
	    PyModule_AddIntConstant(m, "LOSSY", MYC_LOSSY) < 0 ||
	    PyModule_AddIntConstant(m, "LOSSLESS", MYC_LOSSLESS) < 0 ||
	    PyModule_AddIntConstant(m, "FRAME_HDR_SIZE", MYC_FRAME_HDR_SIZE) < 0 ||
	    PyModule_AddIntConstant(m, "PAYLOAD_MAX", MYC_PAYLOAD_MAX) < 0)
		goto fail;
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}
