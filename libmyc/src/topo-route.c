// SPDX-License-Identifier: MIT
/*
 * The routing rules: which transport a message takes from one service to
 * another, given where the topology puts them (docs/topology.md).
 *
 *   same node                       -> in-process bus
 *   same host, both endpoints "shm" -> shared-memory ring
 *   same host, either asks "unix"   -> Unix socket (the asking node's
 *                                      isolation wins over shm)
 *   same host, either asks "tcp"    -> TCP
 *   other host                      -> TCP to the destination's port
 *
 * On one host the more isolated endpoint kind of the two nodes wins
 * (shm < unix < tcp), so a route and its reverse use the same transport.
 * Also the accessors of the topology handles.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "myc.h"
#include "topo.h"

static bool is_loopback(const char *h)
{
	return !strcmp(h, "localhost") || !strcmp(h, "127.0.0.1") ||
	       !strcmp(h, "::1");
}

bool topo_same_host(const char *a, const char *b)
{
	return !strcmp(a, b) || (is_loopback(a) && is_loopback(b));
}

const struct topo_node *topo_gateway_of(const struct myc_topo *t, const char *host)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (!t->nodes[i].nservices && topo_same_host(t->nodes[i].host, host))
			return &t->nodes[i];
	return NULL;
}

const char *myc_transport_name(uint32_t transport)
{
	switch (transport) {
	case MYC_TRANSPORT_INPROC: return "inproc";
	case MYC_TRANSPORT_SHM: return "shm";
	case MYC_TRANSPORT_UNIX: return "unix";
	case MYC_TRANSPORT_TCP: return "tcp";
	}
	return "?";
}

static const struct topo_node *node_of(const struct myc_topo *t,
				       const char *service)
{
	size_t i, j;

	for (i = 0; i < t->nnodes; i++)
		for (j = 0; j < t->nodes[i].nservices; j++)
			if (!strcmp(t->nodes[i].services[j], service))
				return &t->nodes[i];
	return NULL;
}

/* Terminate the reason of a caller's route of @sz bytes (which may end
 * inside the reason, or hold fields after it). */
static void reason_end(struct myc_route *route, size_t sz)
{
	size_t n = sz - offsetof(struct myc_route, reason);

	if (n > sizeof(route->reason))
		n = sizeof(route->reason);
	route->reason[n - 1] = 0;
}

int myc_topo_route(const struct myc_topo *t, const char *from, const char *to,
		   struct myc_route *route)
{
	struct myc_route r = { .sz = sizeof(r) };
	const struct topo_node *a, *b, *w;
	size_t sz;

	if (!t || !from || !to || !route || route->sz < offsetof(struct myc_route, reason) + 1)
		return -EINVAL;
	sz = route->sz < sizeof(r) ? route->sz : sizeof(r);
	a = node_of(t, from);
	b = node_of(t, to);
	if (!a || !b) {
		snprintf(r.reason, sizeof(r.reason),
			 "service \"%s\" is not in any node of %s", !a ? from : to,
			 t->file);
		r.sz = sz;
		memcpy(route, &r, sz);
		reason_end(route, sz);
		return -ENOENT;
	}
	r.from_node = a->name;
	r.to_node = b->name;
	r.host = b->host;
	if (a == b) {
		r.transport = MYC_TRANSPORT_INPROC;
		snprintf(r.reason, sizeof(r.reason),
			 "same node \"%s\": in-process bus, zero-copy", a->name);
	} else if (!topo_same_host(a->host, b->host)) {
		const struct topo_node *ga = topo_gateway_of(t, a->host);
		const struct topo_node *gb = topo_gateway_of(t, b->host);

		r.transport = MYC_TRANSPORT_TCP;
		if (ga && gb) {
			/* Both hosts have a gateway: rings to it, one TCP
			 * connection between the gateways. */
			r.port = (uint32_t)gb->tcp_port;
			r.from_gateway = ga->name;
			r.to_gateway = gb->name;
			snprintf(r.reason, sizeof(r.reason),
				 "other host: \"%s\" is on %s, \"%s\" on %s: ring to gateway \"%s\", TCP to gateway \"%s\" at %s:%d, ring",
				 a->name, a->host, b->name, b->host, ga->name, gb->name,
				 gb->host, gb->tcp_port);
		} else {
			r.port = (uint32_t)b->tcp_port;
			snprintf(r.reason, sizeof(r.reason),
				 "other host: \"%s\" is on %s, \"%s\" on %s: TCP to %s:%d",
				 a->name, a->host, b->name, b->host, b->host, b->tcp_port);
		}
	} else {
		/* same host: the more isolated endpoint kind wins */
		w = b->kind >= a->kind ? b : a;
		switch (w->kind) {
		case MYC_ENDPOINT_SHM:
			r.transport = MYC_TRANSPORT_SHM;
			r.path = b->path;
			snprintf(r.reason, sizeof(r.reason),
				 "same host %s, nodes \"%s\" and \"%s\": shared-memory ring %s",
				 b->host, a->name, b->name, b->path);
			break;
		case MYC_ENDPOINT_UNIX:
			r.transport = MYC_TRANSPORT_UNIX;
			r.path = w->path;
			snprintf(r.reason, sizeof(r.reason),
				 "same host %s, node \"%s\" asks for endpoint kind \"unix\": Unix socket %s",
				 b->host, w->name, w->path);
			break;
		case MYC_ENDPOINT_TCP:
			r.transport = MYC_TRANSPORT_TCP;
			r.port = (uint32_t)w->tcp_port;
			snprintf(r.reason, sizeof(r.reason),
				 "same host %s, node \"%s\" asks for endpoint kind \"tcp\": TCP to %s:%d",
				 b->host, w->name, w->host, w->tcp_port);
			break;
		}
	}
	r.sz = sz;
	memcpy(route, &r, sz);
	reason_end(route, sz);
	return 0;
}

/* ---- accessors --------------------------------------------------------- */

#define NODE(h) (&(h)->n)
#define TOPIC(h) (&(h)->t)

const char *myc_topo_socket_dir(const struct myc_topo *t)
{
	return t ? t->socket_dir : NULL;
}

const char *myc_topo_ring_domain(const struct myc_topo *t)
{
	return t ? t->ring_domain : NULL;
}

size_t myc_topo_node_count(const struct myc_topo *t)
{
	return t ? t->nnodes : 0;
}

const struct myc_topo_node *myc_topo_node_at(const struct myc_topo *t, size_t i)
{
	if (!t || i >= t->nnodes) {
		errno = ERANGE;
		return NULL;
	}
	return (const struct myc_topo_node *)&t->nodes[i];
}

const struct myc_topo_node *myc_topo_node_by_name(const struct myc_topo *t,
						  const char *name)
{
	size_t i;

	for (i = 0; t && name && i < t->nnodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return (const struct myc_topo_node *)&t->nodes[i];
	errno = ENOENT;
	return NULL;
}

const struct myc_topo_node *myc_topo_node_of(const struct myc_topo *t,
					     const char *service)
{
	const struct topo_node *n = t && service ? node_of(t, service) : NULL;

	if (!n)
		errno = ENOENT;
	return (const struct myc_topo_node *)n;
}

const char *myc_topo_node_name(const struct myc_topo_node *n)
{
	return n ? NODE(n)->name : NULL;
}

const char *myc_topo_node_host(const struct myc_topo_node *n)
{
	return n ? NODE(n)->host : NULL;
}

int myc_topo_node_port(const struct myc_topo_node *n)
{
	return n ? NODE(n)->port : 0;
}

enum myc_endpoint_kind myc_topo_node_endpoint(const struct myc_topo_node *n)
{
	return n ? NODE(n)->kind : MYC_ENDPOINT_SHM;
}

const char *myc_topo_node_path(const struct myc_topo_node *n)
{
	return n ? NODE(n)->path : NULL;
}

const char *myc_topo_node_addr(const struct myc_topo_node *n)
{
	return n ? NODE(n)->addr : NULL;
}

size_t myc_topo_node_service_count(const struct myc_topo_node *n)
{
	return n ? NODE(n)->nservices : 0;
}

const char *myc_topo_node_service(const struct myc_topo_node *n, size_t i)
{
	if (!n || i >= NODE(n)->nservices) {
		errno = ERANGE;
		return NULL;
	}
	return NODE(n)->services[i];
}

size_t myc_topo_topic_count(const struct myc_topo *t)
{
	return t ? t->ntopics : 0;
}

const struct myc_topo_topic *myc_topo_topic_at(const struct myc_topo *t,
					       size_t i)
{
	if (!t || i >= t->ntopics) {
		errno = ERANGE;
		return NULL;
	}
	return (const struct myc_topo_topic *)&t->topics[i];
}

const struct myc_topo_topic *myc_topo_topic_by_name(const struct myc_topo *t,
						    const char *name)
{
	size_t i;

	for (i = 0; t && name && i < t->ntopics; i++)
		if (!strcmp(t->topics[i].name, name))
			return (const struct myc_topo_topic *)&t->topics[i];
	errno = ENOENT;
	return NULL;
}

const struct myc_topo_topic *myc_topo_topic_by_type(const struct myc_topo *t,
						    uint16_t type)
{
	size_t i;

	for (i = 0; t && type && i < t->ntopics; i++)
		if (t->topics[i].type == type)
			return (const struct myc_topo_topic *)&t->topics[i];
	errno = ENOENT;
	return NULL;
}

const char *myc_topo_topic_name(const struct myc_topo_topic *tp)
{
	return tp ? TOPIC(tp)->name : NULL;
}

uint16_t myc_topo_topic_type(const struct myc_topo_topic *tp)
{
	return tp ? TOPIC(tp)->type : 0;
}

int myc_topo_topic_opts(const struct myc_topo_topic *tp,
			struct myc_topic_opts *opts)
{
	struct myc_topic_opts o = { .sz = sizeof(o) };

	if (!tp || !opts || opts->sz < offsetof(struct myc_topic_opts, policy) +
	    sizeof(opts->policy))
		return -EINVAL;
	o.policy = TOPIC(tp)->policy;
	o.depth = TOPIC(tp)->ring_size;
	o.max_size = TOPIC(tp)->max_size;
	o.sz = opts->sz < sizeof(o) ? opts->sz : sizeof(o);
	memcpy(opts, &o, o.sz);
	return 0;
}

