// SPDX-License-Identifier: MIT
/*
 * Message schemas: YAML -> validated message types -> C layout -> digest.
 * The format, the layout rules and the canonical form are specified in
 * docs/schema.md; this file is their one implementation, used by the bus
 * (digest checks), by "myc gen" (code generation) and by "myc tail".
 *
 * Parsing uses libyaml's document loader, which gives every node a line.
 * The first error stops the load and is reported as "FILE:LINE: text".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "myc.h"
#include "schema.h"
#include "sha256.h"

/* A schema file larger than this is refused before parsing. */
#define SCHEMA_FILE_MAX		(16u << 20)
/* Version of the canonical form; part of the hashed text. */
#define CANONICAL_VERSION	1

struct myc_schema {
	char *name;
	char *desc;
	unsigned nmsgs;
	struct myc_schema_msg *msgs;	/* in schema order */
	char *canonical;
	uint8_t digest[MYC_SCHEMA_DIGEST_LEN];
};

/* Scalar kinds: name, size (== natural alignment). */
static const struct {
	const char *name;
	uint32_t size;
} kinds[] = {
	[MYC_K_U8] = { "u8", 1 },   [MYC_K_U16] = { "u16", 2 },
	[MYC_K_U32] = { "u32", 4 }, [MYC_K_U64] = { "u64", 8 },
	[MYC_K_I8] = { "i8", 1 },   [MYC_K_I16] = { "i16", 2 },
	[MYC_K_I32] = { "i32", 4 }, [MYC_K_I64] = { "i64", 8 },
	[MYC_K_F32] = { "f32", 4 }, [MYC_K_F64] = { "f64", 8 },
	[MYC_K_BOOL] = { "bool", 1 },
	[MYC_K_BYTES] = { "bytes", 1 }, [MYC_K_STRING] = { "string", 1 },
	[MYC_K_ARRAY] = { "array", 0 }, [MYC_K_PAD] = { "pad", 1 },
};

const char *myc_kind_name(unsigned kind)
{
	if (kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[kind].name)
		return kinds[kind].name;
	return "?";
}

uint32_t myc_kind_size(unsigned kind)
{
	return kind <= MYC_K_BOOL ? kinds[kind].size : 1;
}

/*
 * Names that would break one of the generated languages: C keywords and
 * lower-case macros of the headers the C output includes (or the compiler
 * predefines in GNU mode), Python keywords, OCaml keywords, and the method
 * names of the generated Python classes.
 */
static const char *const reserved_words[] = {
	/* C */
	"auto", "break", "case", "char", "const", "continue", "default", "do",
	"double", "else", "enum", "extern", "float", "for", "goto", "if",
	"inline", "int", "long", "register", "restrict", "return", "short",
	"signed", "sizeof", "static", "struct", "switch", "typedef", "union",
	"unsigned", "void", "volatile", "while", "bool", "true", "false",
	"errno", "assert", "offsetof", "linux", "unix", "i386",
	/* Python */
	"and", "as", "async", "await", "class", "def", "del", "elif",
	"except", "finally", "from", "global", "import", "in", "is",
	"lambda", "nonlocal", "not", "or", "pass", "raise", "try", "with",
	"yield", "pack", "unpack",
	/* OCaml */
	"asr", "begin", "constraint", "done", "downto", "end", "exception",
	"external", "fun", "function", "functor", "include", "inherit",
	"initializer", "land", "lazy", "let", "lor", "lsl", "lsr", "lxor",
	"match", "method", "mod", "module", "mutable", "new", "nonrec",
	"object", "of", "open", "private", "rec", "sig", "then", "to",
	"type", "val", "virtual", "when",
};

/*
 * Message names that would shadow a top-level name of the generated code:
 * the Python module's base class, exception and table, and the OCaml
 * standard modules the generated OCaml code refers to.
 */
static const char *const reserved_msg_names[] = {
	"Message", "SchemaError", "MESSAGES",
	"Array", "Bytes", "Char", "Float", "Int32", "Int64", "List", "Printf",
	"String", "Stdlib", "Sys",
};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

static int is_reserved(const char *s)
{
	return in_list(s, reserved_words, sizeof(reserved_words) / sizeof(reserved_words[0]));
}

/* ---------------------------------------------------------------------- */
/* Error reporting                                                          */
/* ---------------------------------------------------------------------- */

struct ctx {
	const char *file;
	char *err;
	size_t errlen;
	yaml_document_t *doc;
	struct myc_schema *s;
};

static unsigned line_of(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 1;
}

static void set_err(char *err, size_t errlen, const char *file, unsigned line,
		    const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%u: ", file, line);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

/* Record "FILE:LINE: ..." for @n and return -@code. */
__attribute__((format(printf, 4, 5)))
static int fail(struct ctx *c, const yaml_node_t *n, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_err(c->err, c->errlen, c->file, line_of(n), fmt, ap);
	va_end(ap);
	return -code;
}

__attribute__((format(printf, 4, 5)))
static int fail_line(struct ctx *c, unsigned line, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_err(c->err, c->errlen, c->file, line, fmt, ap);
	va_end(ap);
	return -code;
}

/* ---------------------------------------------------------------------- */
/* YAML helpers                                                             */
/* ---------------------------------------------------------------------- */

struct key {
	const char *name;
	int required;
	yaml_node_t *val;	/* filled by get_keys */
};

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "empty";
	}
}

/*
 * Match the keys of mapping @map (described as @what) against @keys: every
 * key must be known and appear once; required keys must be present.
 */
static int get_keys(struct ctx *c, yaml_node_t *map, const char *what,
		    struct key *keys, size_t nkeys)
{
	yaml_node_pair_t *p;
	size_t i;

	if (map->type != YAML_MAPPING_NODE)
		return fail(c, map, MYC_E_INVALID, "%s must be a mapping, not %s",
			    what, node_kind(map));
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *ks;

		if (!k || k->type != YAML_SCALAR_NODE)
			return fail(c, k, MYC_E_INVALID, "%s: keys must be scalars", what);
		ks = (const char *)k->data.scalar.value;
		for (i = 0; i < nkeys; i++)
			if (!strcmp(ks, keys[i].name))
				break;
		if (i == nkeys) {
			char known[256] = "";

			for (size_t j = 0; j < nkeys; j++) {
				strncat(known, j ? ", " : "", sizeof(known) - strlen(known) - 1);
				strncat(known, keys[j].name, sizeof(known) - strlen(known) - 1);
			}
			return fail(c, k, MYC_E_INVALID, "%s: unknown key '%s' (known: %s)",
				    what, ks, known);
		}
		if (keys[i].val)
			return fail(c, k, MYC_E_INVALID, "%s: duplicate key '%s' (first at line %u)",
				    what, ks, line_of(keys[i].val));
		keys[i].val = v;
	}
	for (i = 0; i < nkeys; i++)
		if (keys[i].required && !keys[i].val)
			return fail(c, map, MYC_E_INVALID, "%s: missing key '%s'",
				    what, keys[i].name);
	return 0;
}

/* The text of scalar node @n, or an error naming @what. */
static int scalar(struct ctx *c, yaml_node_t *n, const char *what, const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail(c, n, MYC_E_INVALID, "%s must be a scalar, not %s",
			    what, node_kind(n));
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return fail(c, n, MYC_E_INVALID, "%s contains a NUL character", what);
	*out = (const char *)n->data.scalar.value;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Lexical rules                                                            */
/* ---------------------------------------------------------------------- */

enum ident_style { IDENT_LOWER, IDENT_CAMEL, IDENT_TOPIC };

/* NULL when @s is acceptable, else the rule it breaks. */
static const char *ident_problem(const char *s, enum ident_style st)
{
	size_t n = strlen(s), max = st == IDENT_TOPIC ? MYC_SCHEMA_TOPIC_MAX :
							 MYC_SCHEMA_NAME_MAX;

	if (!n)
		return "must not be empty";
	if (n > max)
		return st == IDENT_TOPIC ? "is longer than 128 characters" :
					   "is longer than 64 characters";
	switch (st) {
	case IDENT_LOWER:
		if (!(s[0] >= 'a' && s[0] <= 'z'))
			return "must start with a lower-case letter";
		for (size_t i = 0; i < n; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || isdigit((unsigned char)s[i]) ||
			      s[i] == '_'))
				return "may contain only a-z, 0-9 and '_'";
		if (is_reserved(s))
			return "is a reserved word in C, Python or OCaml";
		break;
	case IDENT_CAMEL:
		if (!(s[0] >= 'A' && s[0] <= 'Z'))
			return "must start with an upper-case letter (CamelCase)";
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)s[i]) || (signed char)s[i] < 0)
				return "may contain only A-Z, a-z and 0-9 (CamelCase)";
		if (in_list(s, reserved_msg_names,
			    sizeof(reserved_msg_names) / sizeof(reserved_msg_names[0])))
			return "is reserved (a name the generated Python or OCaml code uses)";
		break;
	case IDENT_TOPIC:
		if (!isalnum((unsigned char)s[0]) || (signed char)s[0] < 0)
			return "must start with a letter or digit";
		for (size_t i = 0; i < n; i++)
			if ((signed char)s[i] < 0 ||
			    !(isalnum((unsigned char)s[i]) || strchr("_.-/", s[i])))
				return "may contain only A-Z, a-z, 0-9, '_', '.', '-' and '/'";
		break;
	}
	return NULL;
}

/* "RiskDecision" -> "risk_decision": '_' before each inner capital, so the
 * mapping is one-to-one. */
static char *camel_to_snake(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; s[i]; i++) {
		if (i && isupper((unsigned char)s[i]))
			*o++ = '_';
		*o++ = (char)tolower((unsigned char)s[i]);
	}
	*o = 0;
	return out;
}

static int cmp_name_idx(const void *a, const void *b, void *names)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(((const char *const *)names)[x], ((const char *const *)names)[y]);

	return r ? r : (x > y) - (x < y);
}

/*
 * Duplicates among @names[0..n) in O(n log n) (a schema may hold tens of
 * thousands of fields; pairwise comparison would let a big file stall the
 * loader).  Finds the repeated name whose second occurrence comes first and
 * returns 1 with its first and second index; 0 when all names differ.
 */
static int find_dup(const char *const *names, size_t n, size_t *first, size_t *second)
{
	size_t *idx, best = SIZE_MAX;
	int found = 0;

	if (n < 2)
		return 0;
	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_name_idx, (void *)names);
	/* equal names are adjacent, in index order */
	for (size_t i = 1; i < n; i++) {
		if (strcmp(names[idx[i - 1]], names[idx[i]]))
			continue;
		if (idx[i] < best) {
			best = idx[i];
			*first = idx[i - 1];
			*second = idx[i];
			found = 1;
		}
		while (i + 1 < n && !strcmp(names[idx[i]], names[idx[i + 1]]))
			i++;	/* later repeats of this name come after */
	}
	free(idx);
	return found;
}

/* Decimal or 0x-hex, no sign, no spaces; -1 when not a number or > limit. */
static long long parse_uint(const char *s, unsigned long long limit)
{
	unsigned long long v = 0;
	int base = 10, digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++, digits++) {
		int d;

		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			return -1;
		v = v * (unsigned)base + (unsigned)d;
		if (v > limit)
			return -2;
	}
	return digits ? (long long)v : -1;
}

/* ---------------------------------------------------------------------- */
/* Messages and fields                                                      */
/* ---------------------------------------------------------------------- */

/* A field as written, before layout. */
struct raw_field {
	const char *name;
	const char *desc;
	uint16_t kind, elem;
	uint32_t cap;
	yaml_node_t *node;
	yaml_node_t *name_node;
};

static int parse_type(struct ctx *c, yaml_node_t *n, const char *msg, struct raw_field *f)
{
	const char *t, *br;
	char base[16];
	size_t bl;
	long long cap;
	unsigned k;
	int ret = scalar(c, n, "field type", &t);

	if (ret)
		return ret;
	br = strchr(t, '[');
	bl = br ? (size_t)(br - t) : strlen(t);
	if (bl >= sizeof(base))
		goto unknown;
	memcpy(base, t, bl);
	base[bl] = 0;
	for (k = MYC_K_U8; k <= MYC_K_STRING; k++)
		if (!strcmp(base, kinds[k].name))
			break;
	if (k > MYC_K_STRING)
		goto unknown;
	f->cap = 0;
	f->elem = 0;
	if (!br) {
		if (k == MYC_K_BYTES || k == MYC_K_STRING)
			return fail(c, n, MYC_E_INVALID,
				    "message '%s' field '%s': type '%s' needs a capacity, "
				    "e.g. '%s[16]'", msg, f->name, t, t);
		f->kind = (uint16_t)k;
		return 0;
	}
	if (t[strlen(t) - 1] != ']' || strlen(br) < 3)
		goto unknown;
	{
		char num[24];
		size_t nl = strlen(br) - 2;

		if (nl >= sizeof(num))
			goto oversize;
		memcpy(num, br + 1, nl);
		num[nl] = 0;
		if (num[0] == '0' && num[1] == 'x')
			goto unknown;	/* capacities are decimal */
		cap = parse_uint(num, MYC_PAYLOAD_MAX);
		if (cap == -1)
			goto unknown;
		if (cap == -2)
			goto oversize;
	}
	if (cap == 0)
		return fail(c, n, MYC_E_INVALID,
			    "message '%s' field '%s': type '%s': capacity must be at least 1",
			    msg, f->name, t);
	if (k == MYC_K_BYTES || k == MYC_K_STRING) {
		f->kind = (uint16_t)k;
	} else {
		f->kind = MYC_K_ARRAY;
		f->elem = (uint16_t)k;
		if ((uint64_t)cap * kinds[k].size > MYC_PAYLOAD_MAX)
			goto oversize;
	}
	f->cap = (uint32_t)cap;
	return 0;
oversize:
	return fail(c, n, MYC_E_INVALID,
		    "message '%s' field '%s': type '%s': capacity too large "
		    "(a payload holds at most %u bytes)", msg, f->name, t, MYC_PAYLOAD_MAX);
unknown:
	return fail(c, n, MYC_E_INVALID,
		    "message '%s' field '%s': unknown type '%s' (expected u8..u64, "
		    "i8..i64, f32, f64, bool, bytes[N], string[N] or SCALAR[N])",
		    msg, f->name, t);
}

/* Builds the layout member list of one message. */
struct layout {
	struct myc_schema_field *f;
	uint32_t n, cap, off;
};

static int push(struct layout *l, const struct myc_schema_field *m)
{
	if (l->n == l->cap) {
		uint32_t nc = l->cap ? 2 * l->cap : 16;
		void *p = realloc(l->f, nc * sizeof(*l->f));

		if (!p)
			return -ENOMEM;
		l->f = p;
		l->cap = nc;
	}
	l->f[l->n++] = *m;
	return 0;
}

/* Pad to @align with an explicit "_padOFFSET" member. */
static int align_to(struct layout *l, uint32_t align)
{
	struct myc_schema_field pad = { .kind = MYC_K_PAD, .role = MYC_ROLE_PAD, .desc = "" };
	char name[24];

	if (l->off % align == 0)
		return 0;
	pad.offset = l->off;
	pad.size = align - l->off % align;
	snprintf(name, sizeof(name), "_pad%u", l->off);
	pad.name = strdup(name);
	if (!pad.name)
		return -ENOMEM;
	l->off += pad.size;
	return push(l, &pad);
}

static int place(struct layout *l, struct myc_schema_field *m, uint32_t align)
{
	int ret = align_to(l, align);

	if (ret)
		return ret;
	m->offset = l->off;
	l->off += m->size;
	return push(l, m);
}

static void free_fields(struct myc_schema_field *f, uint32_t n)
{
	for (uint32_t i = 0; f && i < n; i++) {
		free((char *)f[i].name);
		if (f[i].role == MYC_ROLE_FIELD)
			free((char *)f[i].desc);
	}
	free(f);
}

/* Lay out @raw (natural alignment, explicit padding, size % 8 == 0). */
static int lay_out(struct ctx *c, struct myc_schema_msg *msg, yaml_node_t *mnode,
		   struct raw_field *raw, uint32_t nraw)
{
	struct layout l = { 0 };
	int ret = 0;

	for (uint32_t i = 0; i < nraw && !ret; i++) {
		struct raw_field *r = &raw[i];
		struct myc_schema_field m = {
			.kind = r->kind, .elem = r->elem, .cap = r->cap,
			.role = MYC_ROLE_FIELD, .line = line_of(r->node),
		};
		uint32_t align;

		if (r->kind == MYC_K_ARRAY) {
			struct myc_schema_field len = {
				.kind = MYC_K_U16, .role = MYC_ROLE_LEN, .size = 2,
				.line = m.line, .desc = "",
			};
			char *nm = malloc(strlen(r->name) + 5);

			if (!nm) {
				ret = -ENOMEM;
				break;
			}
			sprintf(nm, "%s_len", r->name);
			len.name = nm;
			ret = place(&l, &len, 2);
			if (ret) {
				free(nm);
				break;
			}
			m.size = r->cap * kinds[r->elem].size;
			align = kinds[r->elem].size;
		} else if (r->kind == MYC_K_BYTES || r->kind == MYC_K_STRING) {
			m.size = r->cap;
			align = 1;
		} else {
			m.size = kinds[r->kind].size;
			align = m.size;
		}
		m.name = strdup(r->name);
		m.desc = strdup(r->desc);
		if (!m.name || !m.desc) {
			free((char *)m.name);
			free((char *)m.desc);
			ret = -ENOMEM;
			break;
		}
		ret = place(&l, &m, align);
		if (ret) {
			free((char *)m.name);
			free((char *)m.desc);
		}
		if (!ret && l.off > MYC_PAYLOAD_MAX)
			break;
	}
	if (!ret)
		ret = align_to(&l, 8);
	msg->fields = l.f;
	msg->nfields = l.n;
	msg->size = l.off;
	if (ret)
		return ret;
	if (l.off > MYC_PAYLOAD_MAX)
		return fail(c, mnode, MYC_E_INVALID,
			    "message '%s': size %u bytes exceeds the payload limit of %u",
			    msg->name, l.off, MYC_PAYLOAD_MAX);
	/* generated count members must not clash with field names (the field
	 * names themselves are already unique) */
	{
		const char **names = malloc(l.n * sizeof(*names));
		const struct myc_schema_field **mem = malloc(l.n * sizeof(*mem));
		const struct myc_schema_field *fld = NULL, *cnt = NULL;
		size_t a, b, k = 0;

		if (!names || !mem) {
			free(names);
			free(mem);
			return -ENOMEM;
		}
		for (uint32_t i = 0; i < l.n; i++) {
			if (l.f[i].role == MYC_ROLE_PAD)
				continue;
			mem[k] = &l.f[i];
			names[k++] = l.f[i].name;
		}
		ret = find_dup(names, k, &a, &b);
		if (ret > 0) {
			fld = mem[a]->role == MYC_ROLE_LEN ? mem[b] : mem[a];
			cnt = mem[a]->role == MYC_ROLE_LEN ? mem[a] : mem[b];
		}
		free(names);
		free(mem);
		if (ret < 0)
			return ret;
		if (ret) {
			return fail_line(c, fld->line, MYC_E_INVALID,
					 "message '%s': field name '%s' clashes with the count "
					 "of an array (line %u)", msg->name, fld->name, cnt->line);
		}
	}
	return 0;
}

static int parse_fields(struct ctx *c, struct myc_schema_msg *msg, yaml_node_t *mnode,
			yaml_node_t *seq)
{
	struct raw_field *raw;
	yaml_node_item_t *it;
	uint32_t n = 0, cap;
	int ret = 0;

	if (seq->type != YAML_SEQUENCE_NODE)
		return fail(c, seq, MYC_E_INVALID, "message '%s': fields must be a list, not %s",
			    msg->name, node_kind(seq));
	cap = (uint32_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (!cap)
		return fail(c, seq, MYC_E_INVALID, "message '%s': needs at least one field",
			    msg->name);
	raw = calloc(cap, sizeof(*raw));
	if (!raw)
		return -ENOMEM;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *fn = yaml_document_get_node(c->doc, *it);
		struct key keys[] = {
			{ "name", 1, NULL }, { "type", 1, NULL }, { "description", 0, NULL },
		};
		struct raw_field *r = &raw[n];
		const char *why;
		char what[96];

		snprintf(what, sizeof(what), "message '%s' field %u", msg->name, n + 1);
		ret = get_keys(c, fn, what, keys, 3);
		if (ret)
			break;
		r->node = fn;
		ret = scalar(c, keys[0].val, "field name", &r->name);
		if (ret)
			break;
		why = ident_problem(r->name, IDENT_LOWER);
		if (why) {
			ret = fail(c, keys[0].val, MYC_E_INVALID,
				   "message '%s': field name '%s' %s", msg->name, r->name, why);
			break;
		}
		r->name_node = keys[0].val;
		ret = parse_type(c, keys[1].val, msg->name, r);
		if (ret)
			break;
		r->desc = "";
		if (keys[2].val) {
			ret = scalar(c, keys[2].val, "description", &r->desc);
			if (ret)
				break;
		}
		n++;
	}
	if (!ret) {
		const char **names = malloc(n * sizeof(*names));
		size_t a, b;

		if (!names) {
			free(raw);
			return -ENOMEM;
		}
		for (uint32_t j = 0; j < n; j++)
			names[j] = raw[j].name;
		ret = find_dup(names, n, &a, &b);
		free(names);
		if (ret > 0)
			ret = fail(c, raw[b].name_node, MYC_E_INVALID,
				   "message '%s': duplicate field name '%s' (first at line %u)",
				   msg->name, raw[b].name, line_of(raw[a].name_node));
	}
	if (!ret)
		ret = lay_out(c, msg, mnode, raw, n);
	free(raw);
	return ret;
}

static int parse_message(struct ctx *c, yaml_node_t *mn, struct myc_schema_msg *msg,
			 unsigned idx)
{
	struct key keys[] = {
		{ "name", 1, NULL }, { "id", 1, NULL }, { "topic", 1, NULL },
		{ "fields", 1, NULL }, { "description", 0, NULL },
	};
	const char *name, *id, *topic, *desc = "", *why;
	char what[64];
	long long v;
	int ret;

	snprintf(what, sizeof(what), "message %u", idx + 1);
	msg->line = line_of(mn);
	ret = get_keys(c, mn, what, keys, 5);
	if (ret)
		return ret;
	ret = scalar(c, keys[0].val, "message name", &name);
	if (ret)
		return ret;
	why = ident_problem(name, IDENT_CAMEL);
	if (why)
		return fail(c, keys[0].val, MYC_E_INVALID, "message name '%s' %s", name, why);
	msg->name = strdup(name);
	msg->snake = camel_to_snake(name);
	if (!msg->name || !msg->snake)
		return -ENOMEM;
	ret = scalar(c, keys[1].val, "type id", &id);
	if (ret)
		return ret;
	v = parse_uint(id, 0xffffffffull);
	if (v == -1)
		return fail(c, keys[1].val, MYC_E_INVALID,
			    "message '%s': type id '%s' is not a number (decimal or 0x hex)",
			    name, id);
	if (v == 0)
		return fail(c, keys[1].val, MYC_E_INVALID,
			    "message '%s': type id 0 is reserved (invalid type)", name);
	if (v < 0 || v > 0xffff)
		return fail(c, keys[1].val, MYC_E_INVALID,
			    "message '%s': type id %s does not fit in 16 bits", name, id);
	if (v >= MYC_TYPE_SYS_MIN)
		return fail(c, keys[1].val, MYC_E_INVALID,
			    "message '%s': type id 0x%04llx is in the range reserved for "
			    "the system (0xff00..0xffff)", name, v);
	msg->id = (uint16_t)v;
	ret = scalar(c, keys[2].val, "topic", &topic);
	if (ret)
		return ret;
	why = ident_problem(topic, IDENT_TOPIC);
	if (why)
		return fail(c, keys[2].val, MYC_E_INVALID, "message '%s': topic '%s' %s",
			    name, topic, why);
	msg->topic = strdup(topic);
	if (keys[4].val) {
		ret = scalar(c, keys[4].val, "description", &desc);
		if (ret)
			return ret;
	}
	msg->desc = strdup(desc);
	if (!msg->topic || !msg->desc)
		return -ENOMEM;
	return parse_fields(c, msg, mn, keys[3].val);
}

/* ---------------------------------------------------------------------- */
/* Canonical form and digest                                                */
/* ---------------------------------------------------------------------- */

static int cmp_msg_id(const void *a, const void *b)
{
	const struct myc_schema_msg *const *x = a, *const *y = b;

	return (int)(*x)->id - (int)(*y)->id;
}

/* Append printf output to a growing string; returns -ENOMEM on failure. */
__attribute__((format(printf, 4, 5)))
static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if (*buf && *len + (size_t)n < *cap)
			break;
		size_t nc = (*cap ? *cap * 2 : 1024) + (size_t)n;
		char *p = realloc(*buf, nc);

		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = nc;
	}
	*len += (size_t)n;
	return 0;
}

void myc_schema_type_str(const struct myc_schema_field *f, char *out, size_t len)
{
	if (f->kind == MYC_K_ARRAY)
		snprintf(out, len, "%s[%u]", myc_kind_name(f->elem), f->cap);
	else if (f->kind == MYC_K_BYTES || f->kind == MYC_K_STRING)
		snprintf(out, len, "%s[%u]", myc_kind_name(f->kind), f->cap);
	else
		snprintf(out, len, "%s", myc_kind_name(f->kind));
}

/*
 * docs/schema.md, "Canonical form": one line per item, '\n'-terminated,
 * messages by ascending id, fields in schema order, layout members that the
 * rules derive (pads, counts) and descriptions left out.
 */
static int make_canonical(struct myc_schema *s)
{
	const struct myc_schema_msg **order;
	char *buf = NULL, ts[40];
	size_t len = 0, cap = 0;
	int ret;

	order = calloc(s->nmsgs ? s->nmsgs : 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (unsigned i = 0; i < s->nmsgs; i++)
		order[i] = &s->msgs[i];
	qsort(order, s->nmsgs, sizeof(*order), cmp_msg_id);
	ret = appendf(&buf, &len, &cap, "mycelium-schema %d\nschema %s\n",
		      CANONICAL_VERSION, s->name);
	for (unsigned i = 0; i < s->nmsgs && !ret; i++) {
		const struct myc_schema_msg *m = order[i];

		ret = appendf(&buf, &len, &cap, "message %u %s %s\n", m->id, m->name, m->topic);
		for (uint32_t j = 0; j < m->nfields && !ret; j++) {
			if (m->fields[j].role != MYC_ROLE_FIELD)
				continue;
			myc_schema_type_str(&m->fields[j], ts, sizeof(ts));
			ret = appendf(&buf, &len, &cap, "field %s %s\n", m->fields[j].name, ts);
		}
		if (!ret)
			ret = appendf(&buf, &len, &cap, "end\n");
	}
	free(order);
	if (ret) {
		free(buf);
		return ret;
	}
	s->canonical = buf;
	myc_sha256(buf, len, s->digest);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Loading                                                                  */
/* ---------------------------------------------------------------------- */

/* Names, ids and topics are unique across messages.  Of several problems,
 * the one whose second occurrence comes first in the file is reported. */
static int check_unique(struct ctx *c, yaml_node_t *seq)
{
	struct myc_schema *s = c->s;
	size_t n = s->nmsgs, a[3], b[3], best = 0;
	const char **names = malloc(2 * n * sizeof(*names));
	uint32_t *first_of_id = calloc(0x10000, sizeof(*first_of_id));
	int found[3] = { 0, 0, 0 }, ret = 0, k = -1;

	if (!names || !first_of_id) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		names[i] = s->msgs[i].name;
		names[n + i] = s->msgs[i].topic;
	}
	for (int t = 0; t < 2 && !ret; t++) {
		int r = find_dup(names + t * n, n, &a[t * 2], &b[t * 2]);

		if (r < 0)
			ret = r;
		found[t * 2] = r > 0;
	}
	if (ret)
		goto out;
	/* ids: index + 1 of the first message with each id */
	for (size_t i = 0; i < n; i++) {
		uint32_t *f = &first_of_id[s->msgs[i].id];

		if (!*f) {
			*f = (uint32_t)i + 1;
		} else if (!found[1]) {
			found[1] = 1;
			a[1] = *f - 1;
			b[1] = i;
		}
	}
	/* 0 = name, 1 = id, 2 = topic: the earliest second occurrence wins */
	for (int t = 0; t < 3; t++)
		if (found[t] && (k < 0 || b[t] < best)) {
			k = t;
			best = b[t];
		}
	if (k >= 0) {
		const struct myc_schema_msg *x = &s->msgs[a[k]], *y = &s->msgs[b[k]];
		yaml_node_t *yn = yaml_document_get_node(c->doc,
							 seq->data.sequence.items.start[b[k]]);

		if (k == 0)
			ret = fail(c, yn, MYC_E_INVALID,
				   "duplicate message name '%s' (first at line %u)", y->name,
				   x->line);
		else if (k == 1)
			ret = fail(c, yn, MYC_E_INVALID,
				   "message '%s': duplicate type id 0x%04x "
				   "(already used by '%s' at line %u)", y->name, y->id, x->name,
				   x->line);
		else
			ret = fail(c, yn, MYC_E_INVALID,
				   "message '%s': duplicate topic '%s' "
				   "(already used by '%s' at line %u)", y->name, y->topic,
				   x->name, x->line);
	}
out:
	free(names);
	free(first_of_id);
	return ret;
}

static int load_doc(struct ctx *c, yaml_node_t *root)
{
	struct key keys[] = {
		{ "schema", 1, NULL }, { "description", 0, NULL }, { "messages", 1, NULL },
	};
	struct myc_schema *s = c->s;
	yaml_node_t *seq;
	const char *name, *desc = "", *why;
	int ret;

	ret = get_keys(c, root, "schema file", keys, 3);
	if (ret)
		return ret;
	ret = scalar(c, keys[0].val, "schema name", &name);
	if (ret)
		return ret;
	why = ident_problem(name, IDENT_LOWER);
	if (why)
		return fail(c, keys[0].val, MYC_E_INVALID, "schema name '%s' %s", name, why);
	if (keys[1].val) {
		ret = scalar(c, keys[1].val, "description", &desc);
		if (ret)
			return ret;
	}
	s->name = strdup(name);
	s->desc = strdup(desc);
	if (!s->name || !s->desc)
		return -ENOMEM;
	seq = keys[2].val;
	if (seq->type != YAML_SEQUENCE_NODE)
		return fail(c, seq, MYC_E_INVALID, "messages must be a list, not %s",
			    node_kind(seq));
	size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);

	if (!n)
		return fail(c, seq, MYC_E_INVALID, "messages: the list is empty");
	s->msgs = calloc(n, sizeof(*s->msgs));
	if (!s->msgs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *mn = yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]);

		s->nmsgs = (unsigned)i + 1;	/* so free() sees it */
		ret = parse_message(c, mn, &s->msgs[i], (unsigned)i);
		if (ret)
			return ret;
	}
	ret = check_unique(c, seq);
	if (ret)
		return ret;
	return make_canonical(s);
}

void myc_schema_free(struct myc_schema *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->nmsgs; i++) {
		struct myc_schema_msg *m = &s->msgs[i];

		free((char *)m->name);
		free((char *)m->snake);
		free((char *)m->topic);
		free((char *)m->desc);
		free_fields((struct myc_schema_field *)m->fields, m->nfields);
	}
	free(s->msgs);
	free(s->name);
	free(s->desc);
	free(s->canonical);
	free(s);
}

struct myc_schema *myc_schema_parse(const void *text, size_t len, const char *filename,
				    char *errbuf, size_t errlen)
{
	struct ctx c = { .file = filename ? filename : "<schema>", .err = errbuf,
			 .errlen = errlen };
	yaml_parser_t p;
	yaml_document_t doc, extra;
	yaml_node_t *root;
	int ret;

	if (errbuf && errlen)
		errbuf[0] = 0;
	if (!text) {
		errno = EINVAL;
		return NULL;
	}
	c.s = calloc(1, sizeof(*c.s));
	if (!c.s)
		return NULL;
	if (!yaml_parser_initialize(&p)) {
		free(c.s);
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_string(&p, text, len);
	if (!yaml_parser_load(&p, &doc)) {
		ret = fail_line(&c, (unsigned)p.problem_mark.line + 1, MYC_E_PARSE,
				"YAML syntax error: %s%s%s",
				p.problem ? p.problem : "unknown error",
				p.context ? " " : "", p.context ? p.context : "");
		yaml_parser_delete(&p);
		goto out;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		ret = fail_line(&c, 1, MYC_E_INVALID, "empty schema");
	} else {
		ret = load_doc(&c, root);
		if (!ret) {
			if (!yaml_parser_load(&p, &extra)) {
				ret = fail_line(&c, (unsigned)p.problem_mark.line + 1,
						MYC_E_PARSE, "YAML syntax error: %s",
						p.problem ? p.problem : "unknown error");
			} else {
				if (yaml_document_get_root_node(&extra))
					ret = fail_line(&c, (unsigned)extra.start_mark.line + 1,
							MYC_E_INVALID,
							"a schema file holds one YAML document");
				yaml_document_delete(&extra);
			}
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
out:
	if (ret) {
		if (ret == -ENOMEM && errbuf && errlen)
			snprintf(errbuf, errlen, "%s: out of memory", c.file);
		myc_schema_free(c.s);
		errno = -ret;
		return NULL;
	}
	return c.s;
}

struct myc_schema *myc_schema_load(const char *path, char *errbuf, size_t errlen)
{
	struct myc_schema *s;
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd, e;

	if (errbuf && errlen)
		errbuf[0] = 0;
	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		e = errno;
		goto sys_err;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)SCHEMA_FILE_MAX) {
		e = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto sys_err;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		e = ENOMEM;
		goto sys_err;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			free(buf);
			goto sys_err;
		}
		off += (size_t)n;
	}
	close(fd);
	s = myc_schema_parse(buf, off, path, errbuf, errlen);
	e = errno;
	free(buf);
	errno = e;
	return s;
sys_err:
	if (fd >= 0)
		close(fd);
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s: %s", path,
			 e == EINVAL ? "not a regular file" :
			 e == EFBIG ? "schema file too large" : strerror(e));
	errno = e;
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Accessors                                                                */
/* ---------------------------------------------------------------------- */

const char *myc_schema_name(const struct myc_schema *s)
{
	return s ? s->name : NULL;
}

const uint8_t *myc_schema_digest(const struct myc_schema *s)
{
	return s ? s->digest : NULL;
}

void myc_schema_digest_hex(const struct myc_schema *s, char hex[2 * MYC_SCHEMA_DIGEST_LEN + 1])
{
	static const char xd[] = "0123456789abcdef";

	for (unsigned i = 0; i < MYC_SCHEMA_DIGEST_LEN; i++) {
		hex[2 * i] = s ? xd[s->digest[i] >> 4] : '0';
		hex[2 * i + 1] = s ? xd[s->digest[i] & 15] : '0';
	}
	hex[2 * MYC_SCHEMA_DIGEST_LEN] = 0;
}

const char *myc_schema_canonical(const struct myc_schema *s)
{
	return s ? s->canonical : NULL;
}

unsigned myc_schema_msg_count(const struct myc_schema *s)
{
	return s ? s->nmsgs : 0;
}

const struct myc_schema_msg *myc_schema_msg_at(const struct myc_schema *s, unsigned i)
{
	return s && i < s->nmsgs ? &s->msgs[i] : NULL;
}

const struct myc_schema_msg *myc_schema_msg_by_id(const struct myc_schema *s, uint16_t id)
{
	for (unsigned i = 0; s && i < s->nmsgs; i++)
		if (s->msgs[i].id == id)
			return &s->msgs[i];
	return NULL;
}

/* The message whose string member at @off (name, topic) equals @key. */
static const struct myc_schema_msg *find_msg(const struct myc_schema *s, size_t off,
					     const char *key)
{
	for (unsigned i = 0; s && key && i < s->nmsgs; i++)
		if (!strcmp(*(const char *const *)((const char *)&s->msgs[i] + off), key))
			return &s->msgs[i];
	return NULL;
}

const struct myc_schema_msg *myc_schema_msg_by_name(const struct myc_schema *s,
						    const char *name)
{
	return find_msg(s, offsetof(struct myc_schema_msg, name), name);
}

const struct myc_schema_msg *myc_schema_msg_by_topic(const struct myc_schema *s,
						     const char *topic)
{
	return find_msg(s, offsetof(struct myc_schema_msg, topic), topic);
}

static uint64_t load_le(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static int all_zero(const uint8_t *p, uint32_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

int myc_schema_msg_check(const struct myc_schema_msg *msg, const void *payload, size_t size)
{
	const uint8_t *p = payload;
	uint32_t count = 0;

	if (!msg || !payload)
		return -EINVAL;
	if (size != msg->size)
		return -MYC_E_PAYLOAD;
	for (uint32_t i = 0; i < msg->nfields; i++) {
		const struct myc_schema_field *f = &msg->fields[i];
		const uint8_t *q = p + f->offset;
		uint32_t esz, used;

		switch (f->kind) {
		case MYC_K_PAD:
			if (!all_zero(q, f->size))
				return -MYC_E_PAYLOAD;
			break;
		case MYC_K_BOOL:
			if (*q > 1)
				return -MYC_E_PAYLOAD;
			break;
		case MYC_K_STRING:
			used = (uint32_t)strnlen((const char *)q, f->cap);
			if (!all_zero(q + used, f->cap - used))
				return -MYC_E_PAYLOAD;
			break;
		case MYC_K_ARRAY:
			/* the count member precedes the array (lay_out) */
			esz = myc_kind_size(f->elem);
			if (count > f->cap)
				return -MYC_E_PAYLOAD;
			if (!all_zero(q + count * esz, (f->cap - count) * esz))
				return -MYC_E_PAYLOAD;
			if (f->elem == MYC_K_BOOL)
				for (uint32_t j = 0; j < count; j++)
					if (q[j] > 1)
						return -MYC_E_PAYLOAD;
			break;
		default:
			if (f->role == MYC_ROLE_LEN)
				count = (uint32_t)load_le(q, 2);
			break;
		}
	}
	return 0;
}
