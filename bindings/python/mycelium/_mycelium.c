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

/* Publisher and Subscriber both start with this.  @msg_class: the
 * message class given at creation (None: raw bytes), whose pack()/unpack()
 * publish()/recv() call; @type_id: the topic, kept for Python. */
typedef struct {
	PyObject_HEAD
	void *handle;
	PyObject *bus;
	PyObject *weakrefs;
	int busy;
	int type_id;
	PyObject *msg_class;
} ChildObject;

static PyObject *Child_close(ChildObject *self, PyObject *unused);
static void Child_dealloc(ChildObject *self);

/* A child's message class: None or a class (anything callable with the
 * pack/unpack protocol is checked when used, not here). */
static int child_set_class(ChildObject *c, int type_id, PyObject *msg_class)
{
	if (msg_class != Py_None && !PyType_Check(msg_class)) {
		PyErr_SetString(PyExc_TypeError, "msg_class must be a class or None");
		return -1;
	}
	c->type_id = type_id;
	Py_INCREF(msg_class);
	Py_XSETREF(c->msg_class, msg_class);
	return 0;
}

static PyMemberDef Child_members[] = {
	{ "type_id", T_INT, offsetof(ChildObject, type_id), READONLY, "the topic's type id" },
	{ "msg_class", T_OBJECT, offsetof(ChildObject, msg_class), READONLY,
	  "the message class, or None (raw bytes)" },
	{ NULL }
};

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

/*
 * The schema digest argument: None, or a bytes-like object of exactly
 * MYC_SCHEMA_DIGEST_LEN bytes (TypeError / ValueError otherwise), copied
 * into @out.  Returns 1 with a digest, 0 for None, -1 with an exception.
 */
static int digest_arg(PyObject *arg, uint8_t out[MYC_SCHEMA_DIGEST_LEN])
{
	Py_buffer view;
	int ok;

	if (arg == Py_None)
		return 0;
	if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
		PyErr_Format(PyExc_TypeError,
			     "digest must be %u bytes (a generated module's SCHEMA_DIGEST), not %.80s",
			     MYC_SCHEMA_DIGEST_LEN, Py_TYPE(arg)->tp_name);
		return -1;
	}
	ok = view.len == MYC_SCHEMA_DIGEST_LEN;
	if (ok)
		memcpy(out, view.buf, MYC_SCHEMA_DIGEST_LEN);
	else
		PyErr_Format(PyExc_ValueError,
			     "digest must be exactly %u bytes, got %zd",
			     MYC_SCHEMA_DIGEST_LEN, view.len);
	PyBuffer_Release(&view);
	return ok ? 1 : -1;
}

static int Bus_init(BusObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "topology", "service", "schema",
				  "ring_domain", "ring_force", "digest", NULL };
	struct myc_bus_opts o = { .sz = sizeof(o) };
	PyObject *topology = NULL, *schema = Py_None, *digest_obj = Py_None;
	const char *name = NULL, *service = NULL, *ring_domain = NULL;
	uint8_t digest[MYC_SCHEMA_DIGEST_LEN];
	uint32_t ring_flags;
	int ring_force = 0, has_digest;
	struct myc_bus *bus;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|zO&zO&zpO", kwlist, &name,
					 PyUnicode_FSConverter, &topology, &service,
					 PyUnicode_FSConverter, &schema, &ring_domain,
					 &ring_force, &digest_obj))
		return -1;
	has_digest = digest_arg(digest_obj, digest);
	if (has_digest > 0 && topology) {
		/* myc_bus_topo_opts has no digest: the schema gives it. */
		PyErr_SetString(PyExc_TypeError,
				"a bus from a topology takes its digest from the schema");
		has_digest = -1;
	}
	if (has_digest < 0) {
		Py_XDECREF(topology);
		if (schema != Py_None)
			Py_DECREF(schema);
		return -1;
	}
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
		o.schema_digest = has_digest ? digest : NULL;
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
/* @arg as a C string for the library: a str with a NUL inside would be
 * read cut short, so it is refused (EINVAL) rather than half-used. */
static const char *net_addr_arg(PyObject *arg)
{
	Py_ssize_t len;
	const char *s = PyUnicode_AsUTF8AndSize(arg, &len);

	if (s && strlen(s) != (size_t)len) {
		myc_raise(-EINVAL);
		return NULL;
	}
	return s;
}

/* net_listen / net_connect: @fn on the bus with the checked address. */
static PyObject *bus_net_call(BusObject *self, PyObject *arg,
			      int (*fn)(struct myc_bus *, const char *))
{
	const char *addr = net_addr_arg(arg);
	int err;

	if (!addr || !live_bus(self))
		return NULL;
	err = fn(self->bus, addr);
	if (err < 0)
		return myc_raise(err);
	Py_RETURN_NONE;
}

static PyObject *Bus_net_listen(BusObject *self, PyObject *arg)
{
	return bus_net_call(self, arg, myc_bus_net_listen);
}

static PyObject *Bus_net_connect(BusObject *self, PyObject *arg)
{
	return bus_net_call(self, arg, myc_bus_net_connect);
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

/*
 * net_error() -> None, or (code, text) of the bus's last refused handshake
 * (myc_bus_net_error: "we refused peer 'a': schema digest mismatch: ..."
 * on the refusing side, "rejected by peer: ..." on the other).  Raises
 * ENOENT when the bus never listened nor dialled.
 */
static PyObject *Bus_net_error(BusObject *self, PyObject *unused)
{
	char buf[512];
	int ret;

	if (!live_bus(self))
		return NULL;
	ret = myc_bus_net_error(self->bus, buf, sizeof(buf));
	if (ret == 0)
		Py_RETURN_NONE;
	if (ret == -ENOENT || ret == -EINVAL)
		return myc_raise(ret);
	return Py_BuildValue("(is)", -ret, buf[0] ? buf : myc_strerror(-ret));
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
	{ "net_error", (PyCFunction)Bus_net_error, METH_NOARGS,
	  "net_error() -> None or (code, text) of the last refused handshake." },
	{ NULL }
};

static PyTypeObject BusType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mycelium._mycelium.Bus",
	.tp_basicsize = sizeof(BusObject),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Bus(name=None, topology=None, service=None, schema=None, ring_domain=None, ring_force=False, digest=None): a libmyc bus,\n"
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
	int type_id;
	PyObject *msg_class;	/* None: bytes only */
	int may_block;
} PubObject;

static int Pub_init(PubObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "bus", "type_id", "timeout_ms", "to", "msg_class",
				  NULL };
	struct myc_pub_opts o = { .sz = sizeof(o) };
	PyObject *bus, *msg_class = Py_None;
	int type_id, timeout_ms = 0;
	const char *to = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O!i|izO", kwlist, &BusType,
					 &bus, &type_id, &timeout_ms, &to, &msg_class))
		return -1;
	if (!type_id_ok(type_id) || !live_bus((BusObject *)bus) ||
	    child_set_class((ChildObject *)self, type_id, msg_class) < 0)
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

static PyObject *str_pack, *str_unpack;	/* interned method names */

/* Copy @len bytes at @data into a claimed buffer and commit it.  @data
 * must stay valid while the GIL is released (bytes, or an exported
 * buffer). */
static PyObject *pub_copy(PubObject *self, const void *data, size_t len)
{
	void *buf;
	int err;

	if (self->may_block) {
		/* may wait for a subscriber served by another Python thread */
		self->busy++;
		Py_BEGIN_ALLOW_THREADS
		err = myc_pub_claim(self->pub, len, &buf);
		Py_END_ALLOW_THREADS
		self->busy--;
	} else {
		err = myc_pub_claim(self->pub, len, &buf);
	}
	if (err < 0)
		return myc_raise(err);
	memcpy(buf, data, len);
	err = myc_pub_commit(self->pub, buf);
	if (err < 0)
		return myc_raise(err);
	Py_RETURN_NONE;
}

/* Publish bytes (pointer taken directly: immutable) or any other buffer
 * (exported for the call, so it cannot be resized under a blocking claim). */
static PyObject *pub_data(PubObject *self, PyObject *data)
{
	Py_buffer view;
	PyObject *ret;

	if (PyBytes_CheckExact(data))
		return pub_copy(self, PyBytes_AS_STRING(data),
				(size_t)PyBytes_GET_SIZE(data));
	if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
		return NULL;
	ret = pub_copy(self, view.buf, (size_t)view.len);
	PyBuffer_Release(&view);
	return ret;
}

/*
 * What publish(msg) sends: an instance of the publisher's message class
 * (its pack() checks and lays out the fields) or a bytes-like object.
 * Returns a new reference to an object with a buffer (the packed bytes,
 * or @msg itself), or NULL with TypeError.  The class test is a pointer
 * compare for the exact class.
 */
static PyObject *pub_bytes(PubObject *self, PyObject *msg)
{
	PyObject *cls = self->msg_class;
	int is;

	is = cls && cls != Py_None &&
	     (Py_IS_TYPE(msg, (PyTypeObject *)cls) || PyObject_IsInstance(msg, cls) == 1);
	if (PyErr_Occurred())
		return NULL;
	if (is)
		return PyObject_CallMethodNoArgs(msg, str_pack);
	if (PyObject_CheckBuffer(msg)) {
		Py_INCREF(msg);
		return msg;
	}
	if (cls && cls != Py_None)
		return PyErr_Format(PyExc_TypeError, "expected %s or bytes, got %s",
				    ((PyTypeObject *)cls)->tp_name, Py_TYPE(msg)->tp_name);
	return PyErr_Format(PyExc_TypeError, "expected bytes, got %s", Py_TYPE(msg)->tp_name);
}

/* publish(msg): the whole call is C: no Python frame, no argument tuple. */
static PyObject *Pub_publish(PubObject *self, PyObject *msg)
{
	PyObject *data, *ret;

	if (!self->pub)
		return myc_raise(-EBADF);
	data = pub_bytes(self, msg);
	if (!data)
		return NULL;
	ret = pub_data(self, data);
	Py_DECREF(data);
	return ret;
}

/*
 * The bytes of one message of a publish_many() burst: @*keep is what
 * holds them (a new reference) and @view their exported buffer, both
 * released by burst_free().
 */
static int burst_item(PubObject *self, PyObject *msg, PyObject **keep,
		      Py_buffer *view)
{
	*keep = pub_bytes(self, msg);
	if (!*keep)
		return -1;
	if (PyObject_GetBuffer(*keep, view, PyBUF_SIMPLE) < 0) {
		Py_CLEAR(*keep);
		return -1;
	}
	return 0;
}

static void burst_free(PyObject **keep, Py_buffer *views, Py_ssize_t n)
{
	for (Py_ssize_t i = 0; i < n; i++) {
		PyBuffer_Release(&views[i]);
		Py_DECREF(keep[i]);
	}
	PyMem_Free(keep);
	PyMem_Free(views);
}

/*
 * publish_many(msgs): an iterable of messages (each as publish() takes it)
 * published in order as one burst (myc_pub_sendv()).  Returns how many
 * were published, from the first: all, or fewer when a lossless topic
 * filled up after the first.  Every message is checked and packed before
 * any is published; a bad one raises and publishes none.
 */
static PyObject *Pub_publish_many(PubObject *self, PyObject *msgs)
{
	PyObject *seq, **keep = NULL;
	Py_buffer *views = NULL;
	struct myc_iov *iov = NULL;
	Py_ssize_t n, done = 0;
	int ret = 0;

	if (!self->pub)
		return myc_raise(-EBADF);
	/* A tuple of our own: a pack() that edits the caller's list cannot
	 * move the items under us. */
	seq = PySequence_Tuple(msgs);
	if (!seq)
		return NULL;
	n = PyTuple_GET_SIZE(seq);
	if (n > INT_MAX) {
		Py_DECREF(seq);
		return PyErr_Format(PyExc_ValueError, "publish_many(): %zd messages, "
				    "at most %d in one burst", n, INT_MAX);
	}
	if (n == 0) {
		Py_DECREF(seq);
		return PyLong_FromLong(0);
	}
	keep = PyMem_Calloc((size_t)n, sizeof(*keep));
	views = PyMem_Calloc((size_t)n, sizeof(*views));
	iov = PyMem_Calloc((size_t)n, sizeof(*iov));
	if (!keep || !views || !iov) {
		PyErr_NoMemory();
		goto out;
	}
	for (; done < n; done++) {
		if (burst_item(self, PyTuple_GET_ITEM(seq, done),
			       &keep[done], &views[done]) < 0)
			goto out;
		iov[done].base = views[done].buf;
		iov[done].len = (size_t)views[done].len;
	}
	/* The buffers stay exported until burst_free(): valid without the
	 * GIL, which a lossless burst may wait without. */
	if (self->may_block) {
		self->busy++;
		Py_BEGIN_ALLOW_THREADS
		ret = myc_pub_sendv(self->pub, iov, (size_t)n);
		Py_END_ALLOW_THREADS
		self->busy--;
	} else {
		ret = myc_pub_sendv(self->pub, iov, (size_t)n);
	}
	if (ret < 0)
		myc_raise(ret);
out:
	burst_free(keep, views, done);	/* done is 0 when keep is NULL */
	PyMem_Free(iov);
	Py_DECREF(seq);
	if (PyErr_Occurred())
		return NULL;
	return PyLong_FromLong(ret);
}

static PyMethodDef Pub_methods[] = {
	{ "publish", (PyCFunction)Pub_publish, METH_O,
	  "publish(msg): a message-class instance or bytes-like (copied)." },
	{ "publish_many", (PyCFunction)Pub_publish_many, METH_O,
	  "publish_many(msgs): publish a sequence of messages as one burst; "
	  "returns how many were published." },
	{ "send", (PyCFunction)Pub_publish, METH_O, "send(msg): publish(msg)." },
	{ "close", (PyCFunction)Child_close, METH_NOARGS, "Free the publisher." },
	{ NULL }
};

static PyTypeObject PubType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mycelium._mycelium.Publisher",
	.tp_weaklistoffset = offsetof(PubObject, weakrefs),
	.tp_basicsize = sizeof(PubObject),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Publisher(bus, type_id, timeout_ms=0, to=None, msg_class=None)",
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)Pub_init,
	.tp_dealloc = (destructor)Child_dealloc,
	.tp_methods = Pub_methods,
	.tp_members = Child_members,
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
	int type_id;
	PyObject *msg_class;	/* None: raw Message objects */
} SubObject;

#define SAME_HEAD(T, f) \
	_Static_assert(offsetof(T, f) == offsetof(ChildObject, f), #T " head")
SAME_HEAD(PubObject, bus);
SAME_HEAD(PubObject, busy);
SAME_HEAD(SubObject, bus);
SAME_HEAD(SubObject, busy);
SAME_HEAD(PubObject, handle);
SAME_HEAD(SubObject, handle);
SAME_HEAD(PubObject, type_id);
SAME_HEAD(SubObject, type_id);
SAME_HEAD(PubObject, msg_class);
SAME_HEAD(SubObject, msg_class);

static PyTypeObject SubType;

/* Free a publisher's or subscriber's handle and drop its bus. */
static void child_release(ChildObject *c)
{
	if (PyObject_TypeCheck(c, &SubType))	/* or a Python subclass */
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
	Py_CLEAR(self->msg_class);
	Py_TYPE(self)->tp_free((PyObject *)self);
}



static int Sub_init(SubObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "bus", "type_id", "service", "msg_class", NULL };
	struct myc_sub_opts o = { .sz = sizeof(o) };
	PyObject *bus, *msg_class = Py_None;
	int type_id;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O!i|zO", kwlist, &BusType,
					 &bus, &type_id, &o.service, &msg_class))
		return -1;
	if (!type_id_ok(type_id) || !live_bus((BusObject *)bus) ||
	    child_set_class((ChildObject *)self, type_id, msg_class) < 0)
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

/* One message into @m: poll with the GIL held first (no GIL round trip
 * while messages are ready), then wait with it released.  0, or -EAGAIN /
 * -ETIMEDOUT for nothing in time, or another -errno. */
static int sub_next(SubObject *self, int timeout_ms, struct myc_msg **m)
{
	int err = myc_sub_recv(self->sub, m, 0);

	if (err == -EAGAIN && timeout_ms != 0) {
		self->busy++;
		Py_BEGIN_ALLOW_THREADS
		err = myc_sub_recv(self->sub, m, timeout_ms);
		Py_END_ALLOW_THREADS
		self->busy--;
	}
	return err;
}

/* recv_ms(timeout_ms=-1) -> (header_tuple, bytes) or None on timeout */
static PyObject *Sub_recv_ms(SubObject *self, PyObject *args)
{
	int timeout_ms = -1, err;
	struct myc_msg *m;
	PyObject *hdr, *data, *ret;

	if (!PyArg_ParseTuple(args, "|i", &timeout_ms))
		return NULL;
	if (!self->sub)
		return myc_raise(-EBADF);
	err = sub_next(self, timeout_ms, &m);
	if (err == -EAGAIN || err == -ETIMEDOUT)
		Py_RETURN_NONE;
	if (err < 0)
		return myc_raise(err);
	hdr = header_tuple(myc_msg_hdr(m));
	data = PyBytes_FromStringAndSize(myc_msg_data(m),
					 (Py_ssize_t)myc_msg_size(m));
	myc_sub_release(self->sub, m);
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

/* The optional "timeout" argument (seconds; None = forever, 0 = poll) of
 * a fastcall method as milliseconds, or -2 with an exception set. */
static int timeout_arg(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
	PyObject *t = Py_None;
	double sec;

	if (nargs > 1 || (kwnames && PyTuple_GET_SIZE(kwnames) + nargs > 1))
		goto usage;
	if (nargs == 1) {
		t = args[0];
	} else if (kwnames && PyTuple_GET_SIZE(kwnames) == 1) {
		if (!PyUnicode_Check(PyTuple_GET_ITEM(kwnames, 0)) ||
		    PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "timeout"))
			goto usage;
		t = args[0];
	}
	if (t == Py_None)
		return -1;
	if (PyLong_CheckExact(t) && PyLong_AsLong(t) == 0)
		return 0;	/* the common poll, without a float round trip */
	sec = PyFloat_AsDouble(t);
	if (sec == -1.0 && PyErr_Occurred())
		return -2;
	if (!(sec >= 0)) {	/* negative or NaN */
		PyErr_SetString(PyExc_ValueError, "timeout must be >= 0 or None");
		return -2;
	}
	return sec * 1000 >= INT_MAX ? INT_MAX - 1 : (int)(sec * 1000);
usage:
	PyErr_SetString(PyExc_TypeError, "expected one optional argument, timeout");
	return -2;
}

static PyObject *message_new(const struct myc_frame_hdr *h, PyObject *payload);

/* recv / recv_raw: next message decoded by the message class (@raw false
 * and a class given) or as a Message(header, payload), None on timeout. */
static PyObject *sub_recv(SubObject *self, PyObject *const *args, Py_ssize_t nargs,
			  PyObject *kwnames, int raw)
{
	int timeout_ms = timeout_arg(args, nargs, kwnames), err;
	struct myc_msg *m;
	PyObject *data, *ret;

	if (timeout_ms == -2)
		return NULL;
	if (!self->sub)
		return myc_raise(-EBADF);
	err = sub_next(self, timeout_ms, &m);
	if (err == -EAGAIN || err == -ETIMEDOUT)
		Py_RETURN_NONE;
	if (err < 0)
		return myc_raise(err);
	data = PyBytes_FromStringAndSize(myc_msg_data(m), (Py_ssize_t)myc_msg_size(m));
	if (!data) {
		myc_sub_release(self->sub, m);
		return NULL;
	}
	if (raw || self->msg_class == Py_None || !self->msg_class) {
		ret = message_new(myc_msg_hdr(m), data);
		myc_sub_release(self->sub, m);
		return ret;
	}
	myc_sub_release(self->sub, m);
	ret = PyObject_CallMethodOneArg(self->msg_class, str_unpack, data);
	Py_DECREF(data);
	return ret;
}

static PyObject *Sub_recv(SubObject *self, PyObject *const *args, Py_ssize_t nargs,
			  PyObject *kwnames)
{
	return sub_recv(self, args, nargs, kwnames, 0);
}

static PyObject *Sub_recv_raw(SubObject *self, PyObject *const *args, Py_ssize_t nargs,
			      PyObject *kwnames)
{
	return sub_recv(self, args, nargs, kwnames, 1);
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
	{ "recv", (PyCFunction)(void (*)(void))Sub_recv, METH_FASTCALL | METH_KEYWORDS,
	  "recv(timeout=None) -> the next message (decoded by the message class,\n"
	  "else a Message), or None after timeout seconds (None: wait forever;\n"
	  "0: poll)." },
	{ "recv_raw", (PyCFunction)(void (*)(void))Sub_recv_raw,
	  METH_FASTCALL | METH_KEYWORDS,
	  "recv_raw(timeout=None) -> Message(header, payload) or None." },
	{ "recv_ms", (PyCFunction)Sub_recv_ms, METH_VARARGS,
	  "recv_ms(timeout_ms=-1) -> (header tuple, payload) or None on timeout." },
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
	.tp_doc = "Subscriber(bus, type_id, service=None, msg_class=None)",
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)Sub_init,
	.tp_dealloc = (destructor)Child_dealloc,
	.tp_methods = Sub_methods,
	.tp_members = Child_members,
	.tp_getset = Sub_getset,
};

/* ---- Message ------------------------------------------------------------ */

/*
 * A received raw message: .header and .payload, also a pair (len 2,
 * indexing, unpacking "header, payload = msg", equality with another
 * Message or a 2-tuple).  The header is built (as the mycelium.Header
 * namedtuple registered by __init__.py) only when first read: a receive
 * loop that looks at the payload alone pays for one object and the bytes.
 */
typedef struct {
	PyObject_HEAD
	struct myc_frame_hdr hdr;
	PyObject *header;	/* NULL until read */
	PyObject *payload;
} MsgObject;

static PyTypeObject MsgType;
static PyObject *header_class;	/* mycelium.Header, set by __init__.py */

static PyObject *message_new(const struct myc_frame_hdr *h, PyObject *payload)
{
	MsgObject *m = PyObject_New(MsgObject, &MsgType);

	if (!m) {
		Py_DECREF(payload);
		return NULL;
	}
	m->hdr = *h;
	m->header = NULL;
	m->payload = payload;	/* reference passed in */
	return (PyObject *)m;
}

static PyObject *Msg_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "header", "payload", NULL };
	PyObject *header, *payload;
	MsgObject *m;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO", kwlist, &header, &payload))
		return NULL;
	m = (MsgObject *)type->tp_alloc(type, 0);
	if (!m)
		return NULL;
	Py_INCREF(header);
	Py_INCREF(payload);
	m->header = header;
	m->payload = payload;
	return (PyObject *)m;
}

static void Msg_dealloc(MsgObject *self)
{
	Py_XDECREF(self->header);
	Py_XDECREF(self->payload);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Msg_header(MsgObject *self, void *closure)
{
	if (!self->header) {
		PyObject *t = header_tuple(&self->hdr);

		if (t && header_class) {
			Py_SETREF(t, PyObject_Call(header_class, t, NULL));
		}
		self->header = t;
		if (!t)
			return NULL;
	}
	Py_INCREF(self->header);
	return self->header;
}

static PyObject *Msg_payload(MsgObject *self, void *closure)
{
	Py_INCREF(self->payload);
	return self->payload;
}

static Py_ssize_t Msg_len(MsgObject *self)
{
	return 2;
}

static PyObject *Msg_item(MsgObject *self, Py_ssize_t i)
{
	if (i == 0)
		return Msg_header(self, NULL);
	if (i == 1)
		return Msg_payload(self, NULL);
	PyErr_SetString(PyExc_IndexError, "Message index out of range");
	return NULL;
}

/* (header, payload) as a tuple, for comparisons and repr. */
static PyObject *Msg_pair(MsgObject *self)
{
	PyObject *h = Msg_header(self, NULL), *t;

	if (!h)
		return NULL;
	t = PyTuple_Pack(2, h, self->payload);
	Py_DECREF(h);
	return t;
}

static PyObject *Msg_richcompare(PyObject *a, PyObject *b, int op)
{
	PyObject *ta, *tb, *ret;

	if (!PyObject_TypeCheck(a, &MsgType) ||
	    !(PyObject_TypeCheck(b, &MsgType) || PyTuple_Check(b)))
		Py_RETURN_NOTIMPLEMENTED;
	ta = Msg_pair((MsgObject *)a);
	if (!ta)
		return NULL;
	if (PyTuple_Check(b)) {
		tb = b;
		Py_INCREF(tb);
	} else if (!(tb = Msg_pair((MsgObject *)b))) {
		Py_DECREF(ta);
		return NULL;
	}
	ret = PyObject_RichCompare(ta, tb, op);
	Py_DECREF(ta);
	Py_DECREF(tb);
	return ret;
}

static PyObject *Msg_repr(MsgObject *self)
{
	PyObject *h = Msg_header(self, NULL), *r;

	if (!h)
		return NULL;
	r = PyUnicode_FromFormat("Message(header=%R, payload=%R)", h, self->payload);
	Py_DECREF(h);
	return r;
}

static PySequenceMethods Msg_seq = {
	.sq_length = (lenfunc)Msg_len,
	.sq_item = (ssizeargfunc)Msg_item,
};

static PyGetSetDef Msg_getset[] = {
	{ "header", (getter)Msg_header, NULL,
	  "Header(len, type_id, flags, seq, ts_ns, src)", NULL },
	{ "payload", (getter)Msg_payload, NULL, "the payload bytes", NULL },
	{ NULL }
};

static PyTypeObject MsgType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mycelium.Message",
	.tp_basicsize = sizeof(MsgObject),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Message(header, payload): a received raw message; also a pair.",
	.tp_new = Msg_new,
	.tp_dealloc = (destructor)Msg_dealloc,
	.tp_repr = (reprfunc)Msg_repr,
	.tp_richcompare = Msg_richcompare,
	.tp_as_sequence = &Msg_seq,
	.tp_getset = Msg_getset,
};

static PyObject *set_header_class(PyObject *mod, PyObject *cls)
{
	Py_INCREF(cls);
	Py_XSETREF(header_class, cls);
	Py_RETURN_NONE;
}

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
	{ "set_header_class", set_header_class, METH_O,
	  "set_header_class(cls): Message.header is cls(len, type_id, flags, seq, ts_ns, src)." },
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
	    PyType_Ready(&SubType) < 0 || PyType_Ready(&MsgType) < 0)
		return NULL;
	str_pack = PyUnicode_InternFromString("pack");
	str_unpack = PyUnicode_InternFromString("unpack");
	if (!str_pack || !str_unpack)
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
	Py_INCREF(&MsgType);
	error_classes = PyDict_New();
	if (!error_classes)
		goto fail;
	Py_INCREF(error_classes);
	if (PyModule_AddObject(m, "error_classes", error_classes) < 0 ||
	    PyModule_AddObject(m, "MyceliumError", MyceliumError) < 0 ||
	    PyModule_AddObject(m, "Bus", (PyObject *)&BusType) < 0 ||
	    PyModule_AddObject(m, "Publisher", (PyObject *)&PubType) < 0 ||
	    PyModule_AddObject(m, "Subscriber", (PyObject *)&SubType) < 0 ||
	    PyModule_AddObject(m, "Message", (PyObject *)&MsgType) < 0 ||
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
