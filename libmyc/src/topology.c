// SPDX-License-Identifier: MIT
/*
 * topology.toml: loading and validation (docs/topology.md).
 *
 * The file is parsed with our TOML parser, then checked key by key against
 * the schema below.  Every problem is reported as
 *
 *	FILE:LINE:COL: KEY: what is wrong
 *
 * with KEY the dotted path in the file ("nodes[1].endpoint.kind"), so an
 * operator can go straight to it.  The first problem found stops the load.
 * Route resolution lives in topo-route.c; the shared structures in topo.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "myc.h"
#include "sha256.h"
#include "toml.h"
#include "topo.h"

struct vctx {
	const char *file;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 5, 6)))
static int verr(struct vctx *c, uint32_t line, uint32_t col, const char *key,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s:%u:%u: %s: %s", c->file, line, col,
			 key, msg);
	return -EINVAL;
}

/* A string value, fit for a message (see toml_printable). */
static const char *pr(const struct toml_value *v, char *buf, size_t size)
{
	return toml_printable(v->u.str.ptr, v->u.str.len, buf, size);
}

/* Names become file and ring names: keep them to a safe alphabet. */
static bool name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > MYC_TOPO_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		      ch == '.'))
			return false;
	}
	return s[0] != '.' && s[0] != '-';
}

/* Every key of @tbl must be one of @allowed (NULL-terminated). */
static int check_keys(struct vctx *c, const struct toml_value *tbl,
		      const char *path, const char *const *allowed)
{
	char key[160], list[160], kb[64];
	size_t i, o;
	int k;

	for (i = 0; i < tbl->u.table.n; i++) {
		const struct toml_kv *kv = &tbl->u.table.items[i];

		for (k = 0; allowed[k]; k++)
			if (kv->keylen == strlen(allowed[k]) &&
			    !memcmp(kv->key, allowed[k], kv->keylen))
				break;
		if (allowed[k])
			continue;
		for (o = 0, k = 0; allowed[k] && o < sizeof(list); k++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
					      k ? ", " : "", allowed[k]);
		if (*path)
			snprintf(key, sizeof(key), "%s.%s", path,
				 toml_printable(kv->key, kv->keylen, kb, sizeof(kb)));
		else
			snprintf(key, sizeof(key), "%s",
				 toml_printable(kv->key, kv->keylen, kb, sizeof(kb)));
		return verr(c, kv->line, kv->col, key,
			    "unknown key (expected one of: %s)", list);
	}
	return 0;
}

/* "nodes[1]" + "port" -> "nodes[1].port" */
static const char *join(char *buf, size_t size, const char *path,
			const char *key)
{
	snprintf(buf, size, "%s%s%s", path, *path ? "." : "", key);
	return buf;
}

/*
 * Look up @key in @tbl and check its type.  Returns 1 found, 0 absent (an
 * error if @required), negative on error.
 */
static int get(struct vctx *c, const struct toml_value *tbl, const char *path,
	       const char *key, enum toml_type type, bool required,
	       const struct toml_kv **out)
{
	const struct toml_kv *kv = toml_table_entry(tbl, key);
	char k[160];

	*out = kv;
	join(k, sizeof(k), path, key);
	if (!kv) {
		if (required)
			return verr(c, tbl->line, tbl->col, k,
				    "missing (required)");
		return 0;
	}
	if (kv->val->type != type)
		return verr(c, kv->val->line, kv->val->col, k,
			    "expected %s, found %s", toml_type_desc(type),
			    toml_type_desc(kv->val->type));
	return 1;
}

/* A string value that must also be a plain text (no NUL bytes). */
static int get_str(struct vctx *c, const struct toml_value *tbl,
		   const char *path, const char *key, bool required,
		   const struct toml_kv **out)
{
	char k[160];
	int r = get(c, tbl, path, key, TOML_STRING, required, out);

	if (r <= 0)
		return r;
	if (strlen((*out)->val->u.str.ptr) != (*out)->val->u.str.len ||
	    !(*out)->val->u.str.len)
		return verr(c, (*out)->val->line, (*out)->val->col,
			    join(k, sizeof(k), path, key),
			    "must be a non-empty string without NUL characters");
	return 1;
}

static int get_int(struct vctx *c, const struct toml_value *tbl,
		   const char *path, const char *key, int64_t min, int64_t max,
		   const char *what, int64_t *val, bool *found)
{
	const struct toml_kv *kv;
	char k[160];
	int r = get(c, tbl, path, key, TOML_INTEGER, false, &kv);

	*found = r > 0;
	if (r <= 0)
		return r;
	*val = kv->val->u.integer;
	if (*val < min || *val > max)
		return verr(c, kv->val->line, kv->val->col,
			    join(k, sizeof(k), path, key),
			    "%lld is not %s (%lld..%lld)", (long long)*val, what,
			    (long long)min, (long long)max);
	return 1;
}

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}


/* A DNS name, IPv4 or IPv6 address: letters, digits, '.', '-', ':'. */
static bool host_ok(const char *h)
{
	size_t n = strlen(h);

	return n && n <= MYC_TOPO_HOST_MAX &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789.-:_") == n;
}

/* "HOST:PORT" or "[V6]:PORT" with a port in 1..65535. */
static bool addr_ok(const char *a)
{
	const char *colon = strrchr(a, ':');
	char *end;
	long port;

	if (!colon || colon == a)
		return false;
	if (a[0] == '[' && colon[-1] != ']')
		return false;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	return !*end && colon[1] && !errno && port >= 1 && port <= 65535;
}

static int load_endpoint(struct vctx *c, const struct toml_kv *ekv,
			 const char *npath, struct topo_node *n)
{
	static const char *const keys[] = { "kind", "path", "addr", NULL };
	const struct toml_value *ep = ekv->val;
	const struct toml_kv *kind, *path, *addr;
	char p[128], k[160], pb[64];
	const char *s;
	int r;

	join(p, sizeof(p), npath, "endpoint");
	if ((r = check_keys(c, ep, p, keys)) ||
	    (r = get_str(c, ep, p, "kind", true, &kind)) < 0 ||
	    (r = get_str(c, ep, p, "path", false, &path)) < 0 ||
	    (r = get_str(c, ep, p, "addr", false, &addr)) < 0)
		return r;
	s = kind->val->u.str.ptr;
	if (!strcmp(s, "shm"))
		n->kind = MYC_ENDPOINT_SHM;
	else if (!strcmp(s, "unix"))
		n->kind = MYC_ENDPOINT_UNIX;
	else if (!strcmp(s, "tcp"))
		n->kind = MYC_ENDPOINT_TCP;
	else
		return verr(c, kind->val->line, kind->val->col,
			    join(k, sizeof(k), p, "kind"),
			    "unknown kind \"%s\" (expected \"shm\", \"unix\" or \"tcp\")",
			    pr(kind->val, pb, sizeof(pb)));
	if (path && n->kind == MYC_ENDPOINT_TCP)
		return verr(c, path->line, path->col, join(k, sizeof(k), p, "path"),
			    "not used by kind \"tcp\" (give addr instead)");
	if (addr && n->kind != MYC_ENDPOINT_TCP)
		return verr(c, addr->line, addr->col, join(k, sizeof(k), p, "addr"),
			    "only kind \"tcp\" takes an addr");
	if (addr && !addr_ok(addr->val->u.str.ptr))
		return verr(c, addr->val->line, addr->val->col,
			    join(k, sizeof(k), p, "addr"),
			    "\"%s\" is not HOST:PORT (port 1..65535)",
			    pr(addr->val, pb, sizeof(pb)));
	if (path && n->kind == MYC_ENDPOINT_SHM) {
		s = path->val->u.str.ptr;
		/* a POSIX shm name: one leading slash, no other */
		if (s[0] != '/' || strchr(s + 1, '/') || !name_ok(s + 1, strlen(s + 1)))
			return verr(c, path->val->line, path->val->col,
				    join(k, sizeof(k), p, "path"),
				    "\"%s\" is not a shared-memory name (\"/name\", letters, digits, '_', '-', '.')",
				    pr(path->val, pb, sizeof(pb)));
	}
	if (path && n->kind == MYC_ENDPOINT_UNIX &&
	    strlen(path->val->u.str.ptr) > MYC_TOPO_SUN_PATH_MAX)
		return verr(c, path->val->line, path->val->col,
			    join(k, sizeof(k), p, "path"),
			    "longer than a Unix socket path may be (%d bytes)",
			    MYC_TOPO_SUN_PATH_MAX);
	if (path && !(n->path = dupstr(path->val->u.str.ptr)))
		return -ENOMEM;
	if (addr && !(n->addr = dupstr(addr->val->u.str.ptr)))
		return -ENOMEM;
	return 0;
}

static int load_node(struct vctx *c, struct myc_topo *t,
		     const struct toml_value *nv, size_t idx)
{
	static const char *const keys[] = {
		"name", "services", "host", "port", "endpoint", NULL
	};
	struct topo_node *n = &t->nodes[idx];
	const struct toml_kv *name, *svcs, *host, *ep;
	char path[48], k[160], pb[64];
	int64_t port;
	bool has_port;
	size_t i, j, m;
	int r;

	snprintf(path, sizeof(path), "nodes[%zu]", idx);
	n->line = nv->line;
	n->col = nv->col;
	if (nv->type != TOML_TABLE)
		return verr(c, nv->line, nv->col, path, "expected a table, found %s",
			    toml_type_desc(nv->type));
	if ((r = check_keys(c, nv, path, keys)) ||
	    (r = get_str(c, nv, path, "name", true, &name)) < 0 ||
	    (r = get(c, nv, path, "services", TOML_ARRAY, true, &svcs)) < 0 ||
	    (r = get_str(c, nv, path, "host", false, &host)) < 0 ||
	    (r = get_int(c, nv, path, "port", 1, 65535, "a port", &port,
			 &has_port)) < 0 ||
	    (r = get(c, nv, path, "endpoint", TOML_TABLE, false, &ep)) < 0)
		return r;

	if (!name_ok(name->val->u.str.ptr, name->val->u.str.len))
		return verr(c, name->val->line, name->val->col,
			    join(k, sizeof(k), path, "name"),
			    "\"%s\" is not a valid name (1..%d of letters, digits, '_', '-', '.')",
			    pr(name->val, pb, sizeof(pb)), MYC_TOPO_NAME_MAX);
	for (j = 0; j < idx; j++)
		if (!strcmp(t->nodes[j].name, name->val->u.str.ptr))
			return verr(c, name->val->line, name->val->col,
				    join(k, sizeof(k), path, "name"),
				    "duplicate node name \"%s\" (also nodes[%zu], line %u)",
				    t->nodes[j].name, j, t->nodes[j].name_line);
	n->name = dupstr(name->val->u.str.ptr);
	if (!n->name)
		return -ENOMEM;
	n->name_line = name->val->line;

	if (host && !host_ok(host->val->u.str.ptr))
		return verr(c, host->val->line, host->val->col,
			    join(k, sizeof(k), path, "host"),
			    "\"%s\" is not a host name or address",
			    pr(host->val, pb, sizeof(pb)));
	n->host = dupstr(host ? host->val->u.str.ptr : "localhost");
	if (!n->host)
		return -ENOMEM;
	n->host_line = host ? host->val->line : 0;
	n->port = has_port ? (int)port : 0;
	n->kind = MYC_ENDPOINT_SHM;
	if (ep && (r = load_endpoint(c, ep, path, n)))
		return r;

	n->host_col = host ? host->val->col : 0;
	if (n->kind == MYC_ENDPOINT_TCP && !has_port && !n->addr)
		return verr(c, ep->line, ep->col,
			    join(k, sizeof(k), path, "endpoint"),
			    "kind \"tcp\" needs a port (node key) or an addr");

	n->tcp_port = n->port;
	if (!n->tcp_port && n->addr)
		n->tcp_port = atoi(strrchr(n->addr, ':') + 1);

	m = svcs->val->u.array.n;
	n->services = calloc(m ? m : 1, sizeof(*n->services));
	n->svc_line = calloc(m ? m : 1, sizeof(*n->svc_line));
	if (!n->services || !n->svc_line)
		return -ENOMEM;
	for (i = 0; i < m; i++) {
		const struct toml_value *sv = svcs->val->u.array.items[i];
		char sk[160];

		snprintf(sk, sizeof(sk), "%s.services[%zu]", path, i);
		if (sv->type != TOML_STRING)
			return verr(c, sv->line, sv->col, sk,
				    "expected a string, found %s", toml_type_desc(sv->type));
		if (!name_ok(sv->u.str.ptr, sv->u.str.len))
			return verr(c, sv->line, sv->col, sk,
				    "\"%s\" is not a valid service name (1..%d of letters, digits, '_', '-', '.')",
				    pr(sv, pb, sizeof(pb)), MYC_TOPO_NAME_MAX);
		/* a service runs in exactly one node */
		for (j = 0; j <= idx; j++) {
			const struct topo_node *o = &t->nodes[j];
			size_t q, lim = j == idx ? i : o->nservices;

			for (q = 0; q < lim; q++) {
				if (strcmp(o->services[q], sv->u.str.ptr))
					continue;
				if (j == idx)
					return verr(c, sv->line, sv->col, sk,
						    "service \"%s\" listed twice in node \"%s\"",
						    sv->u.str.ptr, n->name);
				return verr(c, sv->line, sv->col, sk,
					    "service \"%s\" is already in node \"%s\" (line %u); a service runs in one node",
					    sv->u.str.ptr, o->name, o->svc_line[q]);
			}
		}
		n->services[i] = dupstr(sv->u.str.ptr);
		if (!n->services[i])
			return -ENOMEM;
		n->svc_line[i] = sv->line;
		n->nservices++;
	}

	/* defaults that depend on the node: socket path and ring prefix */
	if (n->kind == MYC_ENDPOINT_UNIX && !n->path) {
		if (asprintf(&n->path, "%s/%s.sock", t->socket_dir, n->name) < 0) {
			n->path = NULL;
			return -ENOMEM;
		}
		if (strlen(n->path) > MYC_TOPO_SUN_PATH_MAX)
			return verr(c, ep->line, ep->col,
				    join(k, sizeof(k), path, "endpoint"),
				    "default socket path \"%s\" is longer than %d bytes; set endpoint.path or a shorter socket_dir",
				    toml_printable(n->path, strlen(n->path), pb, sizeof(pb)),
				    MYC_TOPO_SUN_PATH_MAX);
	} else if (n->kind == MYC_ENDPOINT_SHM && !n->path) {
		if (asprintf(&n->path, "/myc-%s", n->name) < 0) {
			n->path = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

static int load_topic(struct vctx *c, struct myc_topo *t,
		      const struct toml_kv *kv, size_t idx)
{
	static const char *const keys[] = {
		"type", "policy", "ring_size", "max_size", NULL
	};
	struct topo_topic *tp = &t->topics[idx];
	const struct toml_value *tv = kv->val;
	const struct toml_kv *pol;
	char path[96], k[160], pb[64];
	int64_t v;
	bool found;
	size_t j;
	int r;

	snprintf(path, sizeof(path), "topics.%s",
		 toml_printable(kv->key, kv->keylen, pb, sizeof(pb)));
	if (strlen(kv->key) != kv->keylen || !name_ok(kv->key, kv->keylen))
		return verr(c, kv->line, kv->col, path,
			    "not a valid topic name (1..%d of letters, digits, '_', '-', '.')",
			    MYC_TOPO_NAME_MAX);
	if (tv->type != TOML_TABLE)
		return verr(c, tv->line, tv->col, path, "expected a table, found %s",
			    toml_type_desc(tv->type));
	tp->name = dupstr(kv->key);
	if (!tp->name)
		return -ENOMEM;
	tp->line = kv->line;
	tp->policy = MYC_LOSSY;
	tp->ring_size = MYC_TOPO_RING_DEFAULT;
	tp->max_size = MYC_TOPO_MAX_SIZE_DEFAULT;
	if ((r = check_keys(c, tv, path, keys)) ||
	    (r = get_str(c, tv, path, "policy", false, &pol)) < 0)
		return r;
	if (pol) {
		if (!strcmp(pol->val->u.str.ptr, "lossy"))
			tp->policy = MYC_LOSSY;
		else if (!strcmp(pol->val->u.str.ptr, "lossless"))
			tp->policy = MYC_LOSSLESS;
		else
			return verr(c, pol->val->line, pol->val->col,
				    join(k, sizeof(k), path, "policy"),
				    "unknown policy \"%s\" (expected \"lossy\" or \"lossless\")",
				    pr(pol->val, pb, sizeof(pb)));
	}
	r = get_int(c, tv, path, "type", 1, MYC_TYPE_USER_MAX, "a user type id",
		    &v, &found);
	if (r < 0)
		return r;
	if (found) {
		const struct toml_kv *tk = toml_table_entry(tv, "type");

		for (j = 0; j < idx; j++)
			if (t->topics[j].type == v)
				return verr(c, tk->val->line, tk->val->col,
					    join(k, sizeof(k), path, "type"),
					    "type id %lld is already used by topic \"%s\" (line %u)",
					    (long long)v, t->topics[j].name,
					    t->topics[j].line);
		tp->type = (uint16_t)v;
	}
	r = get_int(c, tv, path, "ring_size", MYC_TOPO_RING_MIN, MYC_TOPO_RING_MAX,
		    "a ring size", &v, &found);
	if (r < 0)
		return r;
	if (found) {
		if (v & (v - 1)) {
			const struct toml_kv *rk = toml_table_entry(tv, "ring_size");

			return verr(c, rk->val->line, rk->val->col,
				    join(k, sizeof(k), path, "ring_size"),
				    "%lld is not a power of two", (long long)v);
		}
		tp->ring_size = (uint32_t)v;
	}
	r = get_int(c, tv, path, "max_size", 1, MYC_PAYLOAD_MAX, "a payload size",
		    &v, &found);
	if (r < 0)
		return r;
	if (found)
		tp->max_size = (uint32_t)v;
	return 0;
}

/*
 * A node that a node on another host sends to is reached over TCP, so it
 * needs a port (or a tcp endpoint addr).
 */
static int check_ports(struct vctx *c, const struct myc_topo *t)
{
	size_t i, j;
	char k[64];

	for (i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		if (n->port || n->addr)
			continue;
		for (j = 0; j < t->nnodes; j++) {
			const struct topo_node *o = &t->nodes[j];

			if (topo_same_host(n->host, o->host))
				continue;
			if (n->host_line) {
				snprintf(k, sizeof(k), "nodes[%zu].host", i);
				return verr(c, n->host_line, n->host_col, k,
					    "node \"%s\" is on host \"%s\", reached over TCP from host \"%s\" (node \"%s\"), but has no port",
					    n->name, n->host, o->host, o->name);
			}
			snprintf(k, sizeof(k), "nodes[%zu].port", i);
			return verr(c, n->line, n->col, k,
				    "missing: node \"%s\" (on this host) is reached over TCP from host \"%s\" (node \"%s\")",
				    n->name, o->host, o->name);
		}
	}
	return 0;
}

/* Relative socket_dir: relative to the directory of the topology file. */
static char *resolve_dir(const char *file, const char *dir)
{
	const char *slash = strrchr(file, '/');
	char *out;

	if (dir[0] == '/' || !slash)
		return strdup(dir);
	if (asprintf(&out, "%.*s/%s", (int)(slash - file), file, dir) < 0)
		return NULL;
	return out;
}

/*
 * Ring domain when the file names none: "myc-" and 12 hex digits of the
 * SHA-256 of the file's real path (or of the name given to
 * myc_topo_parse()).  Every process of a host that loads the same file
 * agrees on it, and two deployments whose files merely share a name do
 * not share rings.
 */
static int default_domain(struct myc_topo *t, bool from_file)
{
	char *real = from_file ? realpath(t->file, NULL) : NULL;
	const char *src = real ? real : t->file;
	uint8_t h[MYC_SHA256_LEN];
	char *d = malloc(sizeof("myc-") + 12);

	if (!d) {
		free(real);
		return -ENOMEM;
	}
	myc_sha256(src, strlen(src), h);
	free(real);
	strcpy(d, "myc-");
	for (int i = 0; i < 6; i++)
		snprintf(d + 4 + 2 * i, 3, "%02x", h[i]);
	t->ring_domain = d;
	return 0;
}

static int load_ring_domain(struct vctx *c, struct myc_topo *t,
			    const struct toml_value *doc, bool from_file)
{
	const struct toml_kv *rd;
	int r = get_str(c, doc, "", "ring_domain", false, &rd);

	if (r < 0)
		return r;
	if (!rd)
		return default_domain(t, from_file);
	if (!ring_domain_ok(rd->val->u.str.ptr))
		return verr(c, rd->val->line, rd->val->col, "ring_domain", "%s",
			    MYC_RING_DOMAIN_RULE);
	t->ring_domain = strdup(rd->val->u.str.ptr);
	return t->ring_domain ? 0 : -ENOMEM;
}

static int load(struct vctx *c, struct myc_topo *t, const struct toml_value *doc,
		bool from_file)
{
	static const char *const keys[] = { "socket_dir", "ring_domain", "nodes",
					    "topics", NULL };
	const struct toml_kv *sd, *nodes, *topics;
	const struct toml_value *arr;
	size_t i;
	int r;

	if ((r = check_keys(c, doc, "", keys)) ||
	    (r = get_str(c, doc, "", "socket_dir", false, &sd)) < 0 ||
	    (r = get(c, doc, "", "nodes", TOML_ARRAY, false, &nodes)) < 0 ||
	    (r = get(c, doc, "", "topics", TOML_TABLE, false, &topics)) < 0)
		return r;
	if (sd)
		t->socket_dir = from_file ? resolve_dir(c->file, sd->val->u.str.ptr) :
			strdup(sd->val->u.str.ptr);
	else
		t->socket_dir = strdup(MYC_TOPO_SOCKET_DIR_DEFAULT);
	if (!t->socket_dir)
		return -ENOMEM;
	r = load_ring_domain(c, t, doc, from_file);
	if (r)
		return r;
	if (!nodes || !nodes->val->u.array.n)
		return verr(c, nodes ? nodes->val->line : 1, nodes ? nodes->val->col : 1,
			    "nodes", "no nodes: a topology needs at least one [[nodes]] entry");

	arr = nodes->val;
	t->nodes = calloc(arr->u.array.n, sizeof(*t->nodes));
	if (!t->nodes)
		return -ENOMEM;
	for (i = 0; i < arr->u.array.n; i++) {
		t->nnodes = i + 1;	/* so free sees partly filled nodes */
		r = load_node(c, t, arr->u.array.items[i], i);
		if (r)
			return r;
	}
	if ((r = check_ports(c, t)))
		return r;
	if (topics && topics->val->u.table.n) {
		t->topics = calloc(topics->val->u.table.n, sizeof(*t->topics));
		if (!t->topics)
			return -ENOMEM;
		for (i = 0; i < topics->val->u.table.n; i++) {
			t->ntopics = i + 1;
			r = load_topic(c, t, &topics->val->u.table.items[i], i);
			if (r)
				return r;
		}
	}
	return 0;
}

void myc_topo_free(struct myc_topo *t)
{
	size_t i, j;

	if (!t)
		return;
	for (i = 0; i < t->nnodes; i++) {
		struct topo_node *n = &t->nodes[i];

		for (j = 0; j < n->nservices; j++)
			free(n->services[j]);
		free(n->services);
		free(n->svc_line);
		free(n->name);
		free(n->host);
		free(n->path);
		free(n->addr);
	}
	for (i = 0; i < t->ntopics; i++)
		free(t->topics[i].name);
	free(t->nodes);
	free(t->topics);
	free(t->socket_dir);
	free(t->ring_domain);
	free(t->file);
	free(t);
}

static struct myc_topo *finish(struct vctx *c, struct toml_value *doc,
			       struct toml_error *te, bool from_file)
{
	struct myc_topo *t;
	int r;

	if (!doc) {
		int e = errno;

		if (c->err && c->errlen) {
			if (te->line)
				snprintf(c->err, c->errlen, "%s:%u:%u: %s", c->file,
					 te->line, te->col, te->msg);
			else
				snprintf(c->err, c->errlen, "%s: %s", c->file, te->msg);
		}
		errno = e;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		toml_free(doc);
		errno = ENOMEM;
		return NULL;
	}
	t->file = strdup(c->file);
	r = t->file ? load(c, t, doc, from_file) : -ENOMEM;
	toml_free(doc);
	if (r) {
		if (r == -ENOMEM && c->err && c->errlen)
			snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		myc_topo_free(t);
		errno = -r;
		return NULL;
	}
	return t;
}

struct myc_topo *myc_topo_load(const char *path, char *err, size_t errlen)
{
	struct vctx c = { .file = path, .err = err, .errlen = errlen };
	struct toml_error te;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	return finish(&c, toml_parse_file(path, &te), &te, true);
}

struct myc_topo *myc_topo_parse(const char *text, size_t len, const char *name,
				char *err, size_t errlen)
{
	struct vctx c = { .file = name ? name : "<topology>", .err = err,
			  .errlen = errlen };
	struct toml_error te;

	if (!text) {
		errno = EINVAL;
		return NULL;
	}
	return finish(&c, toml_parse(text, len, &te), &te, false);
}
