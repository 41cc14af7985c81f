// SPDX-License-Identifier: MIT
/*
 * C side of the cross-language schema tests (tests/suites/schema-interop.sh).
 * Built once per generated header:
 *
 *   cc -include GEN.h -DMESSAGES=PREFIX_MESSAGES interop.c
 *
 * and walks the messages through the header's X-macros, so the numbers it
 * prints come from the C compiler (offsetof/sizeof), not from the schema
 * compiler.  Commands:
 *
 *   layout        "Name size N" and "Name.member offset size" per member
 *   sample        the sample values, one "Name.field=VALUE" line per field
 *   encode FILE   write every message type's sample, in schema order
 *   decode FILE   read such a file, check each message, print its values
 *
 * Built with -DINTEROP_BUS (and libmyc) it also has the bus commands of
 * tests/suites/interop.sh (docs in interop.py); TRANSPORT is ring:DOMAIN
 * (the shared-memory rings of DOMAIN) or tcp (the net bridge on loopback):
 *
 *   publish TRANSPORT N [READY...]  publish N samples of every type (tcp:
 *                                   to the receivers of the READY files)
 *   receive TRANSPORT N READY       receive them, create READY once
 *                                   subscribed, print each message's values
 *
 * The sample values and the printed form are defined in interop.py; this
 * file, interop.py and interop.ml implement the same definition.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op { OP_FILL, OP_PRINT };

struct ctx {
	enum op op;
	const char *msg;
	const char *field;
	unsigned mid;		/* type id */
	unsigned j;		/* field index */
};

static unsigned char seed_byte(const struct ctx *c, unsigned e, unsigned k)
{
	return (unsigned char)((c->mid + 37 * c->j + 11 * e + 5 * k) % 251 + 1);
}

static size_t kind_size(const char *k)
{
	if (!strcmp(k, "bool"))
		return 1;
	return (size_t)atoi(k + 1) / 8;
}

static double sample_float(const struct ctx *c, unsigned e)
{
	double v = (c->mid % 1000) + c->j * 0.5 + e * 0.25 + 0.125;

	return c->j % 2 ? -v : v;
}

/* One scalar of kind @k at @p: fill it with element @e's sample or print it. */
static void scalar(const struct ctx *c, const char *k, void *p, unsigned e)
{
	size_t n = kind_size(k);

	if (c->op == OP_FILL) {
		if (!strcmp(k, "bool")) {
			*(uint8_t *)p = (c->mid + c->j + e) % 2;
		} else if (!strcmp(k, "f32")) {
			float v = (float)sample_float(c, e);

			memcpy(p, &v, 4);
		} else if (!strcmp(k, "f64")) {
			double v = sample_float(c, e);

			memcpy(p, &v, 8);
		} else {
			for (size_t i = 0; i < n; i++)	/* little-endian host */
				((unsigned char *)p)[i] = seed_byte(c, e, (unsigned)i);
		}
		return;
	}
	if (!strcmp(k, "bool")) {
		printf("%u", *(uint8_t *)p);
	} else if (!strcmp(k, "f32")) {
		uint32_t b;

		memcpy(&b, p, 4);
		printf("f32:%08x", b);
	} else if (!strcmp(k, "f64")) {
		uint64_t b;

		memcpy(&b, p, 8);
		printf("f64:%016llx", (unsigned long long)b);
	} else {
		uint64_t u = 0;

		memcpy(&u, p, n);
		if (k[0] == 'i' && n < 8 && (u >> (8 * n - 1)))
			u |= ~0ull << (8 * n);	/* sign-extend */
		if (k[0] == 'i')
			printf("%lld", (long long)u);
		else
			printf("%llu", (unsigned long long)u);
	}
}

static void begin(const struct ctx *c)
{
	if (c->op == OP_PRINT)
		printf("%s.%s=", c->msg, c->field);
}

static void end(const struct ctx *c)
{
	if (c->op == OP_PRINT)
		printf("\n");
}

static void hex(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* A schema need not use every kind, hence "unused". */
__attribute__((unused))
static void string_field(const struct ctx *c, char *p, unsigned cap)
{
	begin(c);
	if (c->op == OP_FILL) {
		unsigned len = c->j % 2 ? cap / 2 : cap;

		for (unsigned i = 0; i < len; i++)
			p[i] = (char)('a' + (c->mid + c->j + i) % 26);
	} else {
		printf("s:");
		hex((unsigned char *)p, strnlen(p, cap));
	}
	end(c);
}

__attribute__((unused))
static void bytes_field(const struct ctx *c, uint8_t *p, unsigned cap)
{
	begin(c);
	if (c->op == OP_FILL) {
		for (unsigned i = 0; i < cap; i++)
			p[i] = (uint8_t)((c->mid + 3 * c->j + 7 * i) % 255 + 1);
	} else {
		printf("b:");
		hex(p, cap);
	}
	end(c);
}

__attribute__((unused))
static void array_field(const struct ctx *c, const char *elem, uint16_t *len, void *p,
			unsigned cap)
{
	size_t esz = kind_size(elem);

	begin(c);
	if (c->op == OP_FILL)
		*len = (uint16_t)(c->j % 2 ? (cap + 1) / 2 : cap);
	else
		printf("[");
	for (unsigned e = 0; e < *len; e++) {
		if (c->op == OP_PRINT && e)
			printf(",");
		scalar(c, elem, (char *)p + e * esz, e);
	}
	if (c->op == OP_PRINT)
		printf("]");
	end(c);
}

#define ONE(k, m, f) do { begin(c); scalar(c, #k, &(m)->f, 0); end(c); } while (0)
#define FIELD_u8(m, f, elem, cap) ONE(u8, m, f)
#define FIELD_u16(m, f, elem, cap) ONE(u16, m, f)
#define FIELD_u32(m, f, elem, cap) ONE(u32, m, f)
#define FIELD_u64(m, f, elem, cap) ONE(u64, m, f)
#define FIELD_i8(m, f, elem, cap) ONE(i8, m, f)
#define FIELD_i16(m, f, elem, cap) ONE(i16, m, f)
#define FIELD_i32(m, f, elem, cap) ONE(i32, m, f)
#define FIELD_i64(m, f, elem, cap) ONE(i64, m, f)
#define FIELD_f32(m, f, elem, cap) ONE(f32, m, f)
#define FIELD_f64(m, f, elem, cap) ONE(f64, m, f)
#define FIELD_bool(m, f, elem, cap) ONE(bool, m, f)
#define FIELD_string(m, f, elem, cap) string_field(c, (m)->f, cap)
#define FIELD_bytes(m, f, elem, cap) bytes_field(c, (m)->f, cap)
#define FIELD_array(m, f, elem, cap) array_field(c, #elem, &(m)->f##_len, (m)->f, cap)

#define X_FIELD(tag, f, kind, elem, cap) \
	c->field = #f; FIELD_##kind(m, f, elem, cap); c->j++;

/* walk_<tag>(): fill or print every field of one message */
#define X_WALK(tag, Name, id, UP)					\
static void walk_##tag(struct ctx *c, struct tag *m)			\
{									\
	c->msg = #Name;							\
	c->mid = id;							\
	c->j = 0;							\
	UP##_FIELDS(X_FIELD)						\
}
MESSAGES(X_WALK)

#define X_MEMBER(tag, mem)						\
	printf("%s.%s %zu %zu\n", name, #mem, offsetof(struct tag, mem),\
	       sizeof(((struct tag *)0)->mem));
#define X_LAYOUT(tag, Name, id, UP)					\
	{								\
		const char *name = #Name;				\
									\
		printf("%s size %zu\n", name, sizeof(struct tag));	\
		UP##_LAYOUT(X_MEMBER)					\
	}

#define X_SAMPLE(tag, Name, id, UP)					\
	{								\
		struct tag m;						\
									\
		tag##_init(&m);						\
		c.op = OP_FILL;						\
		walk_##tag(&c, &m);					\
		if (tag##_check(&m)) {					\
			fprintf(stderr, "%s: sample fails check\n", #Name);\
			return 1;					\
		}							\
		if (out)						\
			fwrite(&m, sizeof(m), 1, out);			\
		else {							\
			c.op = OP_PRINT;				\
			walk_##tag(&c, &m);				\
		}							\
	}

#define X_DECODE(tag, Name, id, UP)					\
	{								\
		struct tag m;						\
									\
		if (fread(&m, sizeof(m), 1, in) != 1) {			\
			fprintf(stderr, "%s: short file\n", #Name);	\
			return 1;					\
		}							\
		if (tag##_check(&m)) {					\
			fprintf(stderr, "%s: check failed\n", #Name);	\
			return 1;					\
		}							\
		c.op = OP_PRINT;					\
		walk_##tag(&c, &m);					\
	}

#ifdef INTEROP_BUS
#include <errno.h>
#include <unistd.h>

#include <myc.h>

/* Every topic lossless with a payload of exactly the message's size, the
 * same in every language (a ring's settings are its creator's). */
#define X_TOPIC(tag, Name, id, UP)					\
	{								\
		struct myc_topic_opts to = { .sz = sizeof(to),		\
			.policy = MYC_LOSSLESS, .depth = 64,		\
			.max_size = sizeof(struct tag) };		\
									\
		if (myc_bus_topic(bus, id, &to))			\
			return NULL;					\
	}

/* The generated header's digest (-DSCHEMA_DIGEST=PREFIX_SCHEMA_DIGEST),
 * and the "other" one of the refused command: every byte inverted. */
static const uint8_t schema_digest[MYC_SCHEMA_DIGEST_LEN] = SCHEMA_DIGEST;

static const uint8_t *other_digest(void)
{
	static uint8_t d[MYC_SCHEMA_DIGEST_LEN];

	for (unsigned i = 0; i < MYC_SCHEMA_DIGEST_LEN; i++)
		d[i] = schema_digest[i] ^ 0xff;
	return d;
}

/* A bus on @transport ("ring:DOMAIN" or "tcp") named @name, carrying
 * @digest. */
static struct myc_bus *bus_open(const char *transport, const char *name,
				const uint8_t *digest)
{
	struct myc_bus_opts o = { .sz = sizeof(o), .name = name,
				  .schema_digest = digest };
	struct myc_bus *bus;

	if (!strncmp(transport, "ring:", 5))
		o.ring_domain = transport + 5;
	else if (strcmp(transport, "tcp"))
		return NULL;
	bus = myc_bus_new(&o);
	if (!bus)
		return NULL;
	MESSAGES(X_TOPIC)
	return bus;
}

#define X_PUBLISH(tag, Name, id, UP)					\
	{								\
		struct myc_pub_opts po = { .sz = sizeof(po),		\
					   .timeout_ms = 10000 };	\
		struct myc_pub *pub = myc_pub_new(bus, id, &po);	\
		struct tag m;						\
									\
		tag##_init(&m);						\
		c.op = OP_FILL;						\
		walk_##tag(&c, &m);					\
		for (long i = 0; pub && i < n; i++)			\
			if (myc_pub_send(pub, &m, sizeof(m)))		\
				break_out(#Name);			\
		if (!pub)						\
			break_out(#Name);				\
		myc_pub_free(pub);					\
	}

/* Wait for peer @peer to subscribe @type over the net bridge. */
#define X_WANTS(tag, Name, id, UP)					\
	for (int t = 0; myc_bus_net_peer_wants(bus, peer, id) != 1; t++) {	\
		if (t == 2000)						\
			break_out(#Name ": peer never subscribed");	\
		usleep(10000);						\
	}

/* One subscriber per type, made before READY exists. */
#define X_SUBSCRIBE(tag, Name, id, UP)					\
	if (!(subs[ns++] = myc_sub_new(bus, id, NULL)))			\
		break_out(#Name);

#define X_RECEIVE(tag, Name, id, UP)					\
	for (long i = 0; i < n; i++) {					\
		struct myc_msg *msg;					\
		struct tag m;						\
									\
		if (myc_sub_recv(subs[ns], &msg, 10000))		\
			break_out(#Name ": nothing received");		\
		if (myc_msg_hdr(msg)->type != id ||			\
		    myc_msg_size(msg) != sizeof(m))			\
			break_out(#Name ": wrong type or size");	\
		memcpy(&m, myc_msg_data(msg), sizeof(m));		\
		myc_msg_release(msg);					\
		if (tag##_check(&m))					\
			break_out(#Name ": check failed");		\
		c.op = OP_PRINT;					\
		walk_##tag(&c, &m);					\
	}								\
	ns++;

static void break_out(const char *what)
{
	fprintf(stderr, "interop-c: %s\n", what);
	exit(1);
}

/* tcp: dial the receiver of every READY file ("NAME ADDR") and wait until
 * it subscribed every type (a type nobody subscribed is not sent). */
static void dial_receivers(struct myc_bus *bus, char **ready, int nready)
{
	char peer[64], addr[128];

	for (int i = 0; i < nready; i++) {
		FILE *f = fopen(ready[i], "r");

		if (!f || fscanf(f, "%63s %127s", peer, addr) != 2)
			break_out("ready file unreadable");
		fclose(f);
		if (myc_bus_net_connect(bus, addr))
			break_out("net connect");
	}
	for (int i = 0; i < nready; i++) {
		FILE *f = fopen(ready[i], "r");

		if (!f || fscanf(f, "%63s", peer) != 1)
			break_out("ready file unreadable");
		fclose(f);
		MESSAGES(X_WANTS)
	}
}

/* tcp: keep the bus (and its queued frames) until every receiver has
 * created READY.done, i.e. received everything. */
static void wait_done(char **ready, int nready)
{
	char path[4096];

	for (int i = 0; i < nready; i++) {
		snprintf(path, sizeof(path), "%s.done", ready[i]);
		for (int t = 0; access(path, F_OK) && t < 6000; t++)
			usleep(10000);
	}
}

/* tcp receiver: listen on a loopback port the kernel picks and return
 * "NAME ADDR" for the READY file. */
static void listen_any(struct myc_bus *bus, const char *name, char *line, size_t len)
{
	char addr[128];

	if (myc_bus_net_listen(bus, "tcp:127.0.0.1:0") ||
	    myc_bus_net_addr(bus, addr, sizeof(addr)))
		break_out("net listen");
	snprintf(line, len, "%s %s\n", name, addr);
}

/* Create @path with @text atomically (a reader never sees it half written). */
static void put_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || rename(tmp, path))
		break_out("ready file");
}

/* First type of the schema: the one the ring refusal is tried on. */
#define X_FIRST(tag, Name, id, UP)					\
	if (!first_size) {						\
		first_type = id;					\
		first_size = sizeof(struct tag);			\
	}

/* The bus's refused handshake (20 s at most), printed "net: TEXT". */
static void wait_net_error(struct myc_bus *bus)
{
	char text[512];
	int r = 0;

	for (int t = 0; !r && t < 2000; t++) {
		r = myc_bus_net_error(bus, text, sizeof(text));
		if (!r)
			usleep(10000);
	}
	if (r != -MYC_E_DIGEST)
		break_out(r ? "net: not a digest error" : "net: no handshake error");
	printf("net: %s\n", text);
}

/* refused (docs in interop.py): the digest check of the ring and of the
 * net handshake. */
static int refused_cmd(int argc, char **argv)
{
	struct myc_pub_opts po = { .sz = sizeof(po), .timeout_ms = 0 };
	uint16_t first_type = 0;
	size_t first_size = 0;
	char path[4096], addr[128];
	struct myc_bus *bus;
	struct myc_pub *pub;
	void *buf;
	FILE *f;
	int r;

	MESSAGES(X_FIRST)
	if (argc == 3 && !strncmp(argv[2], "ring:", 5)) {
		bus = bus_open(argv[2], "interop-c-bad", other_digest());
		if (!bus)
			break_out("bad transport or bus");
		if (myc_sub_new(bus, first_type, NULL) || errno != MYC_E_DIGEST)
			break_out("subscribe: not refused with the digest error");
		printf("subscribe: %s\n", myc_strerror(MYC_E_DIGEST));
		pub = myc_pub_new(bus, first_type, &po);
		if (!pub)
			break_out("publisher");
		r = myc_pub_claim(pub, first_size, &buf);
		if (r != -MYC_E_DIGEST)
			break_out("publish: not refused with the digest error");
		printf("publish: %s\n", myc_strerror(MYC_E_DIGEST));
		myc_pub_free(pub);
	} else if (argc == 5 && !strcmp(argv[2], "tcp") && !strcmp(argv[3], "listen")) {
		char line[256];

		bus = bus_open("tcp", "interop-c-rx", schema_digest);
		if (!bus)
			break_out("bus");
		listen_any(bus, "interop-c-rx", line, sizeof(line));
		put_file(argv[4], line);
		wait_net_error(bus);
		snprintf(path, sizeof(path), "%s.done", argv[4]);
		for (int t = 0; access(path, F_OK) && t < 2000; t++)
			usleep(10000);
	} else if (argc == 5 && !strcmp(argv[2], "tcp") && !strcmp(argv[3], "dial")) {
		bus = bus_open("tcp", "interop-c-tx", other_digest());
		if (!bus)
			break_out("bus");
		f = fopen(argv[4], "r");
		if (!f || fscanf(f, "%*63s %127s", addr) != 1)
			break_out("ready file unreadable");
		fclose(f);
		if (myc_bus_net_connect(bus, addr))
			break_out("net connect");
		wait_net_error(bus);
		snprintf(path, sizeof(path), "%s.done", argv[4]);
		put_file(path, "");
	} else {
		break_out("bad refused arguments");
	}
	fflush(stdout);
	myc_bus_free(bus);
	return 0;
}

static int bus_cmd(int argc, char **argv)
{
	struct myc_sub *subs[64];
	struct ctx c = { 0 };
	struct myc_bus *bus;
	char line[256] = "", path[4096];
	unsigned ns = 0;
	int tcp;
	long n;

	if (argc < 4)
		break_out("bad arguments");
	tcp = !strcmp(argv[2], "tcp");
	bus = bus_open(argv[2], argv[1][0] == 'p' ? "interop-c-tx" : "interop-c-rx",
		       schema_digest);
	if (!bus)
		break_out("bad transport or bus");
	n = atol(argv[3]);
	if (!strcmp(argv[1], "publish")) {
		if (tcp)
			dial_receivers(bus, argv + 4, argc - 4);
		MESSAGES(X_PUBLISH)
		if (tcp)
			wait_done(argv + 4, argc - 4);
	} else if (argc == 5 && !strcmp(argv[1], "receive")) {
		if (tcp)
			listen_any(bus, "interop-c-rx", line, sizeof(line));
		MESSAGES(X_SUBSCRIBE)
		put_file(argv[4], line);
		ns = 0;
		MESSAGES(X_RECEIVE)
		fflush(stdout);
		snprintf(path, sizeof(path), "%s.done", argv[4]);
		put_file(path, "");
		while (ns)
			myc_sub_free(subs[--ns]);
	} else {
		break_out("unknown bus command");
	}
	fflush(stdout);
	myc_bus_free(bus);
	return 0;
}
#endif

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	FILE *out = NULL, *in;

#ifdef INTEROP_BUS
	if (argc >= 2 && (!strcmp(argv[1], "publish") || !strcmp(argv[1], "receive")))
		return bus_cmd(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "refused"))
		return refused_cmd(argc, argv);
#endif

	if (argc == 2 && !strcmp(argv[1], "layout")) {
		MESSAGES(X_LAYOUT)
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "sample")) {
		MESSAGES(X_SAMPLE)
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "encode")) {
		out = fopen(argv[2], "wb");
		if (!out)
			return 1;
		MESSAGES(X_SAMPLE)
		return fclose(out) ? 1 : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "decode")) {
		in = fopen(argv[2], "rb");
		if (!in)
			return 1;
		MESSAGES(X_DECODE)
		if (fgetc(in) != EOF) {
			fprintf(stderr, "trailing bytes\n");
			return 1;
		}
		fclose(in);
		return 0;
	}
	fprintf(stderr, "usage: %s layout|sample|encode FILE|decode FILE\n", argv[0]);
	return 2;
}
