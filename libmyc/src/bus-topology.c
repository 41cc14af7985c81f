// SPDX-License-Identifier: MIT
/*
 * A bus built from a topology file, and the service names behind
 * publisher-to-service (docs/api.md, "A bus from a topology").
 *
 * Services are interned as small ids (index + 1) so a directed publish
 * compares integers, never strings.  A bus made from a topology knows
 * every service of the file and refuses other names; a plain bus learns
 * names as subscribers and publishers use them.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "topo.h"

/* ---- service names ------------------------------------------------------ */

static int svc_add(struct myc_bus *bus, const char *name)
{
	char **v = realloc(bus->svc, (bus->nsvc + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	bus->svc = v;
	v[bus->nsvc] = strdup(name);
	if (!v[bus->nsvc])
		return -ENOMEM;
	return (int)++bus->nsvc;
}

int bus_service_id(struct myc_bus *bus, const char *name)
{
	size_t len = strlen(name);

	if (!len || len > MYC_TOPO_NAME_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < bus->nsvc; i++)
		if (!strcmp(bus->svc[i], name))
			return (int)i + 1;
	if (bus->svc_fixed)
		return -ENOENT;
	return svc_add(bus, name);
}

void bus_services_free(struct myc_bus *bus)
{
	for (uint32_t i = 0; i < bus->nsvc; i++)
		free(bus->svc[i]);
	free(bus->svc);
	bus->svc = NULL;
	bus->nsvc = 0;
}

const char *myc_bus_name(const struct myc_bus *bus)
{
	return bus ? bus->name : NULL;
}

const char *myc_bus_service(const struct myc_bus *bus)
{
	return bus && bus->self_svc ? bus->svc[bus->self_svc - 1] : NULL;
}

/* ---- from a topology ---------------------------------------------------- */

static void __attribute__((format(printf, 3, 4)))
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "feed, strategy, ..." into @buf: the services a caller could have meant. */
static void service_list(const struct myc_topo *topo, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < topo->nnodes; i++)
		for (size_t j = 0; j < topo->nodes[i].nservices; j++) {
			int n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
					 topo->nodes[i].services[j]);

			if (n < 0 || (size_t)n >= len - off)
				return;
			off += (size_t)n;
		}
}

/*
 * Settings of one topic, with its type id from the file or the schema.
 * Returns 0 or -EINVAL with @err written.
 */
static int topic_resolve(const struct myc_topo *topo, const struct myc_topo_topic *tp,
			 const struct myc_schema *schema, uint16_t *type,
			 struct myc_topic_opts *o, char *err, size_t errlen)
{
	const struct topo_topic *t = &tp->t;
	const struct myc_schema_msg *m = schema ? myc_schema_msg_by_topic(schema, t->name) : NULL;

	myc_topo_topic_opts(tp, o);
	*type = t->type;
	if (!m) {
		if (t->type)
			return 0;
		errf(err, errlen, "%s:%u: topics.%s: no type id: give \"type\" or %s", topo->file,
		     t->line, t->name, schema ? "a schema message with this topic" : "a schema");
		return -EINVAL;
	}
	if (t->type && t->type != m->id) {
		errf(err, errlen, "%s:%u: topics.%s: type %u, but the schema's %s (topic %s) is %u",
		     topo->file, t->line, t->name, t->type, m->name, m->topic, m->id);
		return -EINVAL;
	}
	if (o->max_size < m->size) {
		errf(err, errlen, "%s:%u: topics.%s: max_size %u is below the size of %s (%u bytes)",
		     topo->file, t->line, t->name, o->max_size, m->name, m->size);
		return -EINVAL;
	}
	*type = m->id;
	return 0;
}

/* ---- links to other nodes (step 4 of docs/topology.md) ------------------- */

/* "tcp:HOST:PORT" with HOST numeric: loopback names are 127.0.0.1, other
 * names are resolved once (the net layer takes numeric hosts only). */
static int tcp_addr(char *buf, size_t len, const char *host, int port)
{
	char num[NI_MAXHOST];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;

	if (!strcmp(host, "localhost"))
		host = "127.0.0.1";
	if (getaddrinfo(host, NULL, &hints, &ai))
		return -EHOSTUNREACH;
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num), NULL, 0,
			NI_NUMERICHOST)) {
		freeaddrinfo(ai);
		return -EHOSTUNREACH;
	}
	snprintf(buf, len, ai->ai_family == AF_INET6 ? "tcp:[%s]:%d" : "tcp:%s:%d",
		 num, port);
	freeaddrinfo(ai);
	return 0;
}

/*
 * Which of two nodes on a unix/tcp route listens: the one whose endpoint
 * the route uses (myc_topo_route: the more isolated kind on one host, the
 * destination across hosts).  When each direction names the other (equal
 * kinds, or two hosts), the node with the greater name listens, so a pair
 * has exactly one connection.
 */
static const struct topo_node *pair_listener(const struct topo_node *a,
					     const struct topo_node *b)
{
	if (topo_same_host(a->host, b->host) && a->kind != b->kind)
		return a->kind > b->kind ? a : b;
	return strcmp(a->name, b->name) > 0 ? a : b;
}

static int node_addr(char *buf, size_t len, const struct topo_node *l,
		     uint32_t transport, bool same_host)
{
	if (transport == MYC_TRANSPORT_UNIX) {
		snprintf(buf, len, "unix:%s", l->path);
		return 0;
	}
	return tcp_addr(buf, len, same_host ? "127.0.0.1" : l->host, l->tcp_port);
}

static int listen_addr(char *buf, size_t len, const struct topo_node *n,
		       uint32_t transport)
{
	char host[MYC_TOPO_HOST_MAX + 1];
	const char *colon;

	if (transport == MYC_TRANSPORT_UNIX) {
		snprintf(buf, len, "unix:%s", n->path);
		return 0;
	}
	if (n->addr && (colon = strrchr(n->addr, ':')) &&
	    (size_t)(colon - n->addr) < sizeof(host)) {
		memcpy(host, n->addr, (size_t)(colon - n->addr));
		host[colon - n->addr] = 0;
		if (host[0] == '[') {	/* "[v6]:port" */
			memmove(host, host + 1, strlen(host));
			host[strcspn(host, "]")] = 0;
		}
		return tcp_addr(buf, len, host, n->tcp_port);
	}
	snprintf(buf, len, "tcp:0.0.0.0:%d", n->tcp_port);
	return 0;
}

/* Listen and dial as the routes between @self and every other node say. */
static int bus_link_nodes(struct myc_bus *bus, const struct myc_topo *topo,
			  const struct topo_node *self, char *err, size_t errlen)
{
	bool listening[4] = { false };
	char addr[MYC_TOPO_HOST_MAX + 128];
	int r;

	for (size_t i = 0; i < topo->nnodes; i++) {
		const struct topo_node *o = &topo->nodes[i], *l;
		struct myc_route rt = { .sz = sizeof(rt) };

		if (o == self || !o->nservices || !self->nservices)
			continue;
		r = myc_topo_route(topo, self->services[0], o->services[0], &rt);
		if (r)
			return r;
		if (rt.transport != MYC_TRANSPORT_UNIX && rt.transport != MYC_TRANSPORT_TCP)
			continue;	/* in-process, or rings (ring_domain) */
		if (rt.to_gateway)
			continue;	/* the hosts' gateways carry it: rings */
		l = pair_listener(self, o);
		if (l == self) {
			if (listening[rt.transport])
				continue;
			r = listen_addr(addr, sizeof(addr), self, rt.transport);
			if (!r)
				r = myc_bus_net_listen(bus, addr);
			listening[rt.transport] = true;
		} else {
			r = node_addr(addr, sizeof(addr), l, rt.transport,
				      topo_same_host(self->host, o->host));
			if (!r)
				r = myc_bus_net_connect(bus, addr);
		}
		if (r) {
			errf(err, errlen, "%s: node \"%s\": %s %s (route to \"%s\": %s): %s",
			     topo->file, self->name, l == self ? "listen on" : "connect to",
			     addr, o->name, rt.reason, myc_strerror(r));
			return r;
		}
	}
	return 0;
}

/*
 * Does @self reach another node over rings: a same-host `shm` route, or a
 * route through the hosts' gateways (which relay this host's rings)?  A
 * gateway node (no services) always does.
 */
static bool node_uses_rings(const struct myc_topo *topo, const struct topo_node *self)
{
	if (!self->nservices)
		return true;
	for (size_t i = 0; i < topo->nnodes; i++) {
		const struct topo_node *o = &topo->nodes[i];
		struct myc_route rt = { .sz = sizeof(rt) };

		if (o == self || !o->nservices ||
		    myc_topo_route(topo, self->services[0], o->services[0], &rt))
			continue;
		if (rt.transport == MYC_TRANSPORT_SHM || rt.to_gateway)
			return true;
	}
	return false;
}

/*
 * Steps 2 and 3: the bus of @node, named after it, knowing every service
 * of the file (self tag @service, or none), with the file's topics.  0 or
 * -errno with @err written.
 */
static int topo_bus_new(const struct myc_topo *topo, const struct topo_node *node,
			const char *service, const struct myc_bus_topo_opts *opts,
			bool gateway, struct myc_bus **out, char *err, size_t errlen)
{
	const struct myc_schema *schema = NULL;
	struct myc_bus_opts bo = { .sz = sizeof(bo) };
	struct myc_bus *bus;
	int r = 0;

	*out = NULL;
	if (opts && opts->sz >= offsetof(struct myc_bus_topo_opts, schema) + sizeof(schema))
		schema = opts->schema;
	bo.name = node->name;
	if (opts && opts->sz >= offsetof(struct myc_bus_topo_opts, schema_digest) +
				sizeof(opts->schema_digest))
		bo.schema_digest = opts->schema_digest;
	/* A bus that knows its schema says so to its peers and rings. */
	if (schema) {
		if (bo.schema_digest && memcmp(bo.schema_digest, myc_schema_digest(schema),
					       MYC_SCHEMA_DIGEST_LEN)) {
			errf(err, errlen, "%s: options: schema_digest differs from the schema's digest",
			     topo->file);
			return -EINVAL;
		}
		bo.schema_digest = myc_schema_digest(schema);
	}
	if (opts && opts->sz >= offsetof(struct myc_bus_topo_opts, ring_flags) +
				sizeof(opts->ring_flags)) {
		bo.ring_domain = opts->ring_domain;
		bo.ring_flags = opts->ring_flags;
	}
	/* Rings where the routes need them, in the file's domain unless the
	 * caller names one. */
	if (!bo.ring_domain && node_uses_rings(topo, node))
		bo.ring_domain = topo->ring_domain;
	bus = myc_bus_new(&bo);
	if (!bus) {
		r = -errno;
		if (r == -EINVAL && bo.ring_domain)
			errf(err, errlen, "%s: ring domain \"%s\": %s", topo->file,
			     bo.ring_domain, MYC_RING_DOMAIN_RULE);
		else
			errf(err, errlen, "%s: %s", topo->file, myc_strerror(r));
		return r;
	}
	/* Before any bridge exists (bridges appear with publishers). */
	bus->gateway = gateway;
	/* Every service of the file may be named; the set is then fixed. */
	for (size_t i = 0; i < topo->nnodes && r >= 0; i++)
		for (size_t j = 0; j < topo->nodes[i].nservices && r >= 0; j++)
			r = svc_add(bus, topo->nodes[i].services[j]);
	if (r < 0) {
		errf(err, errlen, "%s: %s", topo->file, myc_strerror(r));
		goto fail;
	}
	r = 0;
	bus->svc_fixed = true;
	if (service)
		bus->self_svc = (uint32_t)bus_service_id(bus, service);

	for (size_t i = 0; i < topo->ntopics; i++) {
		const struct myc_topo_topic *tp = myc_topo_topic_at(topo, i);
		struct myc_topic_opts o = { .sz = sizeof(o) };
		uint16_t type;

		r = topic_resolve(topo, tp, schema, &type, &o, err, errlen);
		if (r)
			goto fail;
		r = myc_bus_topic(bus, type, &o);
		if (r) {
			/* Cannot clash: the loader checked ids unique. */
			errf(err, errlen, "%s:%u: topics.%s: %s", topo->file, tp->t.line,
			     tp->t.name, myc_strerror(r));
			goto fail;
		}
	}
	*out = bus;
	return 0;
fail:
	myc_bus_free(bus);
	return r;
}

static int gateway_link(struct myc_bus *bus, const struct myc_topo *topo,
			const struct topo_node *self, char *err, size_t errlen);

/*
 * The common end of myc_bus_from_topology and myc_gateway_new: unless an
 * earlier check failed (@r), the bus of node @n, then its links (after the
 * topics: the net bridges every declared topic); frees @topo.
 */
static struct myc_bus *topo_finish(struct myc_topo *topo, const struct topo_node *n,
				   const char *service, const struct myc_bus_topo_opts *opts,
				   bool gateway, int r, char *err, size_t errlen)
{
	struct myc_bus *bus = NULL;

	if (!r)
		r = topo_bus_new(topo, n, service, opts, gateway, &bus, err, errlen);
	if (!r)
		r = gateway ? gateway_link(bus, topo, n, err, errlen) :
			      bus_link_nodes(bus, topo, n, err, errlen);
	myc_topo_free(topo);
	if (r) {
		myc_bus_free(bus);
		errno = -r;
		return NULL;
	}
	return bus;
}

struct myc_bus *myc_bus_from_topology(const char *path, const char *service,
				      const struct myc_bus_topo_opts *opts,
				      char *err, size_t errlen)
{
	const struct myc_topo_node *node;
	struct myc_topo *topo;
	int r = 0;

	if (err && errlen)
		err[0] = 0;
	if (!path || !service || (opts && opts->sz < sizeof(size_t))) {
		errf(err, errlen, "myc_bus_from_topology: missing path, service or options size");
		errno = EINVAL;
		return NULL;
	}
	topo = myc_topo_load(path, err, errlen);
	if (!topo)
		return NULL;	/* errno and the loader's message are set */
	node = myc_topo_node_of(topo, service);
	if (!node) {
		char list[256];

		service_list(topo, list, sizeof(list));
		errf(err, errlen, "%s: service \"%s\" is in no node (services: %s)", topo->file,
		     service, list);
		r = -ENOENT;
	}
	return topo_finish(topo, node ? &node->n : NULL, service, opts, false, r,
			   err, errlen);
}

/* ---- gateways (docs/operations.md, "Gateways") ------------------------- */

/* A gateway node runs no service: it only relays its host's rings. */
static bool is_gateway(const struct topo_node *n)
{
	return !n->nservices;
}

/* The other gateway node on @n's host, if any (at most one per host). */
static const struct topo_node *host_twin(const struct myc_topo *topo,
					 const struct topo_node *n)
{
	for (size_t i = 0; i < topo->nnodes; i++) {
		const struct topo_node *o = &topo->nodes[i];

		if (o != n && is_gateway(o) && topo_same_host(o->host, n->host))
			return o;
	}
	return NULL;
}

/*
 * One TCP connection per pair of hosts: between @self and the gateway of
 * every other host, the one whose name sorts last listens (pair_listener).
 */
static int gateway_link(struct myc_bus *bus, const struct myc_topo *topo,
			const struct topo_node *self, char *err, size_t errlen)
{
	char addr[MYC_TOPO_HOST_MAX + 128];
	bool listening = false;
	int r, peers = 0;

	for (size_t i = 0; i < topo->nnodes; i++) {
		const struct topo_node *o = &topo->nodes[i], *l, *twin;

		if (o == self || !is_gateway(o) || topo_same_host(self->host, o->host))
			continue;
		twin = host_twin(topo, o);
		if (twin) {
			errf(err, errlen, "%s: host %s has two gateway nodes, \"%s\" and \"%s\" (nodes with services = []); one per host",
			     topo->file, o->host, o->name, twin->name);
			return -EINVAL;
		}
		peers++;
		l = pair_listener(self, o);
		if (l == self) {
			if (listening)
				continue;
			r = listen_addr(addr, sizeof(addr), self, MYC_TRANSPORT_TCP);
			if (!r)
				r = myc_bus_net_listen(bus, addr);
			listening = true;
		} else {
			r = node_addr(addr, sizeof(addr), o, MYC_TRANSPORT_TCP, false);
			if (!r)
				r = myc_bus_net_connect(bus, addr);
		}
		if (r) {
			errf(err, errlen, "%s: gateway \"%s\": %s %s (gateway \"%s\" of host %s): %s",
			     topo->file, self->name, l == self ? "listen on" : "connect to",
			     addr, o->name, o->host, myc_strerror(r));
			return r;
		}
	}
	if (!peers) {
		errf(err, errlen, "%s: gateway \"%s\": no gateway node (services = []) on a host other than %s",
		     topo->file, self->name, self->host);
		return -ENOENT;
	}
	return 0;
}

struct myc_bus *myc_gateway_new(const char *path, const char *node,
				const struct myc_bus_topo_opts *opts,
				char *err, size_t errlen)
{
	const struct myc_topo_node *n;
	const struct topo_node *twin;
	struct myc_topo *topo;
	int r = 0;

	if (err && errlen)
		err[0] = 0;
	if (!path || !node || (opts && opts->sz < sizeof(size_t))) {
		errf(err, errlen, "myc_gateway_new: missing path, node or options size");
		errno = EINVAL;
		return NULL;
	}
	topo = myc_topo_load(path, err, errlen);
	if (!topo)
		return NULL;
	n = myc_topo_node_by_name(topo, node);
	if (!n) {
		errf(err, errlen, "%s: no node \"%s\"", topo->file, node);
		r = -ENOENT;
		goto out;
	}
	if (!is_gateway(&n->n)) {
		errf(err, errlen, "%s:%u: node \"%s\" runs %zu service(s) (\"%s\", ...): a gateway node has services = []",
		     topo->file, n->n.line, node, n->n.nservices, n->n.services[0]);
		r = -EINVAL;
		goto out;
	}
	twin = host_twin(topo, &n->n);
	if (twin) {
		errf(err, errlen, "%s: host %s has two gateway nodes, \"%s\" and \"%s\" (nodes with services = []); one per host",
		     topo->file, n->n.host, node, twin->name);
		r = -EINVAL;
		goto out;
	}
out:
	return topo_finish(topo, n ? &n->n : NULL, NULL, opts, true, r, err, errlen);
}
