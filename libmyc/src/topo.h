/* SPDX-License-Identifier: MIT */
/*
 * topo.h - the in-memory topology shared by the loader (topology.c) and
 * the route resolver (topo-route.c).  See docs/topology.md.
 */
#ifndef MYC_TOPO_H
#define MYC_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "myc.h"

/* Node, service and topic names: they end up in file and ring names. */
#define MYC_TOPO_NAME_MAX		63
/* longest DNS name */
#define MYC_TOPO_HOST_MAX		253
/* sizeof(sockaddr_un.sun_path) - 1 */
#define MYC_TOPO_SUN_PATH_MAX		107
#define MYC_TOPO_SOCKET_DIR_DEFAULT	"/run/mycelium"
/* ring_size: slots per ring or per-subscriber queue, a power of two */
#define MYC_TOPO_RING_MIN		2
#define MYC_TOPO_RING_MAX		(1 << 24)
#define MYC_TOPO_RING_DEFAULT		1024
#define MYC_TOPO_MAX_SIZE_DEFAULT	1024

struct topo_node {
	char *name;
	char *host;		/* "localhost" when not given */
	char *path;		/* unix: socket path; shm: ring name prefix */
	char *addr;		/* tcp: listen address, or NULL */
	char **services;
	uint32_t *svc_line;	/* line of each service string */
	size_t nservices;
	int port;		/* 0 = none */
	int tcp_port;		/* port, else the port of addr, else 0 */
	enum myc_endpoint_kind kind;
	uint32_t line, col;	/* the [[nodes]] entry */
	uint32_t name_line;
	uint32_t host_line, host_col;	/* 0 when host not given */
};

struct myc_topo_node {
	struct topo_node n;	/* public handle is the node itself */
};

struct topo_topic {
	char *name;
	uint16_t type;		/* 0 = not given */
	uint32_t policy;	/* enum myc_policy */
	uint32_t ring_size;
	uint32_t max_size;
	uint32_t line;
};

struct myc_topo_topic {
	struct topo_topic t;	/* public handle is the topic itself */
};

struct myc_topo {
	char *file;
	char *socket_dir;
	char *ring_domain;	/* `ring_domain`, or the default (topology.c) */
	struct topo_node *nodes;
	size_t nnodes;
	struct topo_topic *topics;
	size_t ntopics;
};

/* Ring domain names (bus-ring.c): 1-MYC_RING_DOMAIN_MAX of A-Z a-z 0-9
 * . _ -, not starting with '.'. */
#define MYC_RING_DOMAIN_MAX	57u	/* + ".65279" fits a 63-byte ring name */
#define MYC_RING_DOMAIN_RULE	"expected 1-57 of A-Z a-z 0-9 . _ -, not starting with '.'"
_Static_assert(MYC_RING_DOMAIN_MAX == 57, "MYC_RING_DOMAIN_RULE names the limit");
bool ring_domain_ok(const char *d);

/* Hosts are names compared as written, except that every loopback
 * spelling ("localhost", "127.0.0.1", "::1") is the same host. */
bool topo_same_host(const char *a, const char *b);
/* The gateway node of @host: the first node there with no services
 * (docs/operations.md, "Gateways"), or NULL. */
const struct topo_node *topo_gateway_of(const struct myc_topo *t, const char *host);

#endif /* MYC_TOPO_H */
