// SPDX-License-Identifier: MIT
/*
 * A TOML 1.0.0 parser, written for Mycelium's topology files.
 *
 * One pass over the text with a recursive-descent parser for values; the
 * document is checked for valid UTF-8 up front so the rest of the parser
 * only deals with bytes.  The table-definition rules of TOML (a table is
 * defined once; dotted keys and [headers] do not reopen each other's tables;
 * inline tables and static arrays are sealed) are enforced with per-table
 * flags (TOML_F_*) set when a table comes into being:
 *
 *   [a.b.c]      a, b: IMPLICIT (may later get their own [header] once)
 *                c:    EXPLICIT (never again as [a.b.c])
 *   x.y = 1      x:    DOTTED   (only further dotted keys of the same
 *                                section, or sub-table headers, reach in)
 *   t = { .. }   t:    INLINE   (sealed once its closing brace is read)
 *   [[arr]]      arr:  AOT      (only [[arr]] appends; [arr.k] enters the
 *                                last element)
 *
 * Nesting is bounded by TOML_MAX_DEPTH so recursion is bounded too.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "toml.h"

/* Largest document toml_parse_file() reads (topologies are small). */
#define TOML_FILE_MAX	(64u << 20)

struct parser {
	const char *s;
	size_t len, pos;
	uint32_t line;		/* current line, 1-based */
	size_t line_start;	/* offset of the first byte of the line */
	size_t cc_pos;		/* column cache: column of cc_pos is cc_col */
	uint32_t cc_col;
	struct toml_value *root;
	struct toml_error *err;
	int errnum;		/* EINVAL or ENOMEM once an error is set */
};

/* A growable byte buffer for string contents. */
struct sbuf {
	char *p;
	size_t n, cap;
};

/* One part of a dotted key, with where it was written. */
struct keypart {
	char *s;
	size_t len;
	uint32_t line, col;
};

struct keypath {
	struct keypart *parts;
	size_t n, cap;
};

/* ------------------------------------------------------------------------ */
/* Positions and errors                                                      */
/* ------------------------------------------------------------------------ */

static bool utf8_lead(unsigned char c)
{
	return (c & 0xc0) != 0x80;
}

/*
 * Character column of byte offset @pos on the current line.  Positions are
 * asked for in increasing order almost always, so counting restarts from
 * the last answer instead of the start of the line (long one-line
 * documents would otherwise cost quadratic time).
 */
static uint32_t col_of(struct parser *p, size_t pos)
{
	size_t i = p->line_start;
	uint32_t col = 1;

	if (p->cc_pos >= p->line_start && p->cc_pos <= pos) {
		i = p->cc_pos;
		col = p->cc_col;
	}
	for (; i < pos && i < p->len; i++)
		if (utf8_lead((unsigned char)p->s[i]))
			col++;
	p->cc_pos = pos;
	p->cc_col = col;
	return col;
}

/* Line and column of any offset (errors may point behind the cursor). */
static void where(struct parser *p, size_t pos, uint32_t *line, uint32_t *col)
{
	size_t i, ls = 0;
	uint32_t l = 1, c = 1;

	if (pos >= p->line_start) {
		*line = p->line;
		*col = col_of(p, pos);
		return;
	}
	for (i = 0; i < pos; i++) {
		if (p->s[i] == '\n') {
			l++;
			ls = i + 1;
		}
	}
	for (i = ls; i < pos; i++)
		if (utf8_lead((unsigned char)p->s[i]))
			c++;
	*line = l;
	*col = c;
}

static int vfail(struct parser *p, uint32_t line, uint32_t col,
		 const char *fmt, va_list ap)
{
	if (p->errnum)
		return -1;	/* keep the first error */
	p->errnum = EINVAL;
	if (p->err) {
		p->err->line = line;
		p->err->col = col;
		vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	}
	return -1;
}

/* Fail with the position of byte offset @pos. */
__attribute__((format(printf, 3, 4)))
static int fail_at(struct parser *p, size_t pos, const char *fmt, ...)
{
	uint32_t line, col;
	va_list ap;
	int r;

	where(p, pos, &line, &col);
	va_start(ap, fmt);
	r = vfail(p, line, col, fmt, ap);
	va_end(ap);
	return r;
}

/* Fail with the position of a key part. */
__attribute__((format(printf, 3, 4)))
static int fail_key(struct parser *p, const struct keypart *kp,
		    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(p, kp->line, kp->col, fmt, ap);
	va_end(ap);
	return r;
}

static int oom(struct parser *p)
{
	if (!p->errnum) {
		p->errnum = ENOMEM;
		if (p->err) {
			where(p, p->pos, &p->err->line, &p->err->col);
			snprintf(p->err->msg, sizeof(p->err->msg), "out of memory");
		}
	}
	return -1;
}

const char *toml_printable(const char *s, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 4 < size; i++)
		buf[o++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (i < len && o + 3 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = 0;
	return buf;
}

/* ------------------------------------------------------------------------ */
/* Character level                                                           */
/* ------------------------------------------------------------------------ */

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int peek_at(const struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

/* Control characters TOML forbids in comments and strings (tab is fine). */
static bool is_ctl(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void skip_ws(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		p->pos++;
}

/* Length of the newline at the cursor: 1 (LF), 2 (CRLF) or 0. */
static int newline_len(const struct parser *p)
{
	if (peek(p) == '\n')
		return 1;
	if (peek(p) == '\r' && peek_at(p, 1) == '\n')
		return 2;
	return 0;
}

static void eat_newline(struct parser *p, int n)
{
	p->pos += (size_t)n;
	p->line++;
	p->line_start = p->pos;
}

/* Skip a comment if one starts at the cursor, up to (not over) its end. */
static int skip_comment(struct parser *p)
{
	int c;

	if (peek(p) != '#')
		return 0;
	for (p->pos++; (c = peek(p)) >= 0; p->pos++) {
		if (newline_len(p))
			break;
		if (is_ctl(c))
			return fail_at(p, p->pos,
				       "control character U+%04X in comment", c);
	}
	return 0;
}

/* Skip whitespace, comments and newlines (inside arrays). */
static int skip_space_nl(struct parser *p)
{
	int n;

	for (;;) {
		skip_ws(p);
		if (skip_comment(p))
			return -1;
		n = newline_len(p);
		if (!n)
			return 0;
		eat_newline(p, n);
	}
}

/* After a key/value or header: only a comment may follow on the line. */
static int end_of_line(struct parser *p, const char *after)
{
	skip_ws(p);
	if (skip_comment(p))
		return -1;
	if (peek(p) < 0)
		return 0;
	if (newline_len(p)) {
		eat_newline(p, newline_len(p));
		return 0;
	}
	if (peek(p) == '\r')
		return fail_at(p, p->pos, "carriage return not followed by a line feed");
	return fail_at(p, p->pos, "expected a newline after %s", after);
}

/*
 * Check the document is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF.  Returns the offset of the first bad
 * byte or len.
 */
static size_t utf8_check(const unsigned char *s, size_t len)
{
	size_t i = 0, k, n;
	uint32_t cp, min;

	while (i < len) {
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

/* ------------------------------------------------------------------------ */
/* Tree                                                                      */
/* ------------------------------------------------------------------------ */

static struct toml_value *new_value(struct parser *p, enum toml_type type,
				    uint32_t line, uint32_t col)
{
	struct toml_value *v = calloc(1, sizeof(*v));

	if (!v) {
		oom(p);
		return NULL;
	}
	v->type = type;
	v->line = line;
	v->col = col;
	return v;
}

void toml_free(struct toml_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case TOML_TABLE:
		for (i = 0; i < v->u.table.n; i++) {
			free(v->u.table.items[i].key);
			toml_free(v->u.table.items[i].val);
		}
		free(v->u.table.items);
		free(v->u.table.index);
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.array.n; i++)
			toml_free(v->u.array.items[i]);
		free(v->u.array.items);
		break;
	case TOML_STRING:
		free(v->u.str.ptr);
		break;
	default:
		break;
	}
	free(v);
}

/* Grow *items (of *cap elements of @size bytes) to hold n + 1. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	q = reallocarray(*items, ncap, size);
	if (!q)
		return -1;
	*items = q;
	*cap = ncap;
	return 0;
}

/*
 * Key lookup.  Small tables (the usual case) are scanned; from
 * TOML_INDEX_MIN keys on a table gets an open-addressing hash index so a
 * document with very many keys in one table does not cost quadratic time.
 */
#define TOML_INDEX_MIN	16

static uint32_t key_hash(const char *key, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	return h;
}

static void index_put(struct toml_value *tbl, size_t item)
{
	const struct toml_kv *kv = &tbl->u.table.items[item];
	size_t mask = tbl->u.table.icap - 1;
	size_t h = key_hash(kv->key, kv->keylen) & mask;

	while (tbl->u.table.index[h])
		h = (h + 1) & mask;
	tbl->u.table.index[h] = (uint32_t)(item + 1);
}

/* Keep the index at most half full; build it when the table gets big. */
static int index_update(struct toml_value *tbl)
{
	size_t n = tbl->u.table.n, cap, i;
	uint32_t *idx;

	if (n < TOML_INDEX_MIN || n > UINT32_MAX - 1)
		return 0;
	if (tbl->u.table.index && 2 * n < tbl->u.table.icap) {
		index_put(tbl, n - 1);
		return 0;
	}
	for (cap = 64; cap <= 2 * n; cap *= 2)
		;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -1;
	free(tbl->u.table.index);
	tbl->u.table.index = idx;
	tbl->u.table.icap = cap;
	for (i = 0; i < n; i++)
		index_put(tbl, i);
	return 0;
}

static struct toml_kv *find(const struct toml_value *tbl, const char *key,
			    size_t len)
{
	struct toml_kv *kv;
	size_t i, mask;

	if (tbl->u.table.index) {
		mask = tbl->u.table.icap - 1;
		for (i = key_hash(key, len) & mask; tbl->u.table.index[i];
		     i = (i + 1) & mask) {
			kv = &tbl->u.table.items[tbl->u.table.index[i] - 1];
			if (kv->keylen == len && !memcmp(kv->key, key, len))
				return kv;
		}
		return NULL;
	}
	for (i = 0; i < tbl->u.table.n; i++) {
		kv = &tbl->u.table.items[i];
		if (kv->keylen == len && !memcmp(kv->key, key, len))
			return kv;
	}
	return NULL;
}

/* Add @val under the key of @kp (whose string is moved) to @tbl. */
static int table_add(struct parser *p, struct toml_value *tbl,
		     struct keypart *kp, struct toml_value *val)
{
	struct toml_kv *kv;

	if (grow((void **)&tbl->u.table.items, &tbl->u.table.cap,
		 tbl->u.table.n, sizeof(*kv)))
		return oom(p);
	kv = &tbl->u.table.items[tbl->u.table.n++];
	kv->key = kp->s;
	kv->keylen = kp->len;
	kv->line = kp->line;
	kv->col = kp->col;
	kv->val = val;
	kp->s = NULL;
	if (index_update(tbl)) {
		/* the entry stays; the caller frees @val, so unhook it */
		tbl->u.table.n--;
		kp->s = kv->key;
		return oom(p);
	}
	return 0;
}

static int array_add(struct parser *p, struct toml_value *arr,
		     struct toml_value *val)
{
	if (grow((void **)&arr->u.array.items, &arr->u.array.cap,
		 arr->u.array.n, sizeof(val)))
		return oom(p);
	arr->u.array.items[arr->u.array.n++] = val;
	return 0;
}

/* New container below @parent_depth, refusing to nest too deep. */
static struct toml_value *new_container(struct parser *p, enum toml_type type,
					unsigned int parent_depth,
					uint32_t line, uint32_t col,
					size_t pos)
{
	struct toml_value *v;

	if (parent_depth + 1 > TOML_MAX_DEPTH) {
		fail_at(p, pos, "nesting deeper than %d levels", TOML_MAX_DEPTH);
		return NULL;
	}
	v = new_value(p, type, line, col);
	if (v)
		v->depth = (uint16_t)(parent_depth + 1);
	return v;
}

/*
 * Create a table or array under key @kp of @parent with @flags, positioned
 * at @line:@col (@pos for a depth error).  Returns it or NULL.
 */
static struct toml_value *add_child(struct parser *p, struct toml_value *parent,
				    struct keypart *kp, enum toml_type type,
				    uint16_t flags, uint32_t line, uint32_t col,
				    size_t pos)
{
	struct toml_value *v = new_container(p, type, parent->depth, line, col, pos);

	if (!v)
		return NULL;
	v->flags = flags;
	if (table_add(p, parent, kp, v)) {
		toml_free(v);
		return NULL;
	}
	return v;
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */
/* ------------------------------------------------------------------------ */

static int sb_put(struct parser *p, struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 32;
		char *q;

		while (ncap < b->n + n + 1)
			ncap *= 2;
		q = realloc(b->p, ncap);
		if (!q)
			return oom(p);
		b->p = q;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
	return 0;
}

static int sb_putc(struct parser *p, struct sbuf *b, char c)
{
	return sb_put(p, b, &c, 1);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX or \UXXXXXXXX at the cursor (after the 'u'/'U'). */
static int parse_ucs(struct parser *p, struct sbuf *b, int ndig, size_t at)
{
	uint32_t cp = 0;
	char out[4];
	int i, h, n;

	for (i = 0; i < ndig; i++) {
		h = hexval(peek(p));
		if (h < 0)
			return fail_at(p, at, "\\%c escape needs %d hex digits",
				       ndig == 4 ? 'u' : 'U', ndig);
		cp = cp << 4 | (uint32_t)h;
		p->pos++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail_at(p, at, "escape U+%04X is not a Unicode scalar value",
			       cp);
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return sb_put(p, b, out, (size_t)n);
}

/* An escape in a basic string; the cursor is on the backslash. */
static int parse_escape(struct parser *p, struct sbuf *b, bool multiline)
{
	size_t at = p->pos;
	int c = peek_at(p, 1), n;
	char e;

	p->pos += 2;
	switch (c) {
	case 'b': e = '\b'; break;
	case 't': e = '\t'; break;
	case 'n': e = '\n'; break;
	case 'f': e = '\f'; break;
	case 'r': e = '\r'; break;
	case '"': e = '"'; break;
	case '\\': e = '\\'; break;
	case 'u': return parse_ucs(p, b, 4, at);
	case 'U': return parse_ucs(p, b, 8, at);
	case ' ':
	case '\t':
	case '\r':
	case '\n':
		if (!multiline)
			goto bad;
		/* line-ending backslash: trim whitespace up to the newline,
		 * then every whitespace and newline after it */
		p->pos--;
		skip_ws(p);
		if (!newline_len(p))
			goto bad;
		while ((n = newline_len(p)) || peek(p) == ' ' || peek(p) == '\t') {
			if (n)
				eat_newline(p, n);
			else
				p->pos++;
		}
		return 0;
	default:
		goto bad;
	}
	return sb_putc(p, b, e);
bad:
	if (c < 0x20 || c >= 0x7f)
		return fail_at(p, at, "invalid escape sequence");
	return fail_at(p, at, "invalid escape sequence \\%c", c);
}

/*
 * A string of any of the four kinds; the cursor is on the opening quote.
 * Multi-line kinds are refused when @allow_ml is false (keys).
 */
static int parse_string(struct parser *p, struct sbuf *b, bool allow_ml)
{
	size_t start = p->pos;
	int q = peek(p), c, n;
	bool ml = peek_at(p, 1) == q && peek_at(p, 2) == q;

	if (ml) {
		if (!allow_ml)
			return fail_at(p, start, "multi-line string cannot be a key");
		p->pos += 3;
		/* a newline right after the opening delimiter is trimmed */
		n = newline_len(p);
		if (n)
			eat_newline(p, n);
	} else {
		p->pos++;
	}
	if (sb_put(p, b, "", 0))
		return -1;
	for (;;) {
		c = peek(p);
		if (c < 0)
			return fail_at(p, start, "unterminated string");
		if (c == q) {
			if (!ml) {
				p->pos++;
				return 0;
			}
			/* up to two quotes may sit right before the closing
			 * three; more than five in a row is an error */
			for (n = 0; peek_at(p, (size_t)n) == q; n++)
				;
			if (n >= 3) {
				if (n > 5)
					return fail_at(p, p->pos + 5,
						       "too many quotes in a row in a multi-line string");
				if (sb_put(p, b, p->s + p->pos, (size_t)n - 3))
					return -1;
				p->pos += (size_t)n;
				return 0;
			}
			if (sb_put(p, b, p->s + p->pos, (size_t)n))
				return -1;
			p->pos += (size_t)n;
			continue;
		}
		if (c == '\\' && q == '"') {
			if (parse_escape(p, b, ml))
				return -1;
			continue;
		}
		n = newline_len(p);
		if (n) {
			if (!ml)
				return fail_at(p, p->pos, "newline in a single-line string");
			eat_newline(p, n);
			if (sb_putc(p, b, '\n'))
				return -1;
			continue;
		}
		if (is_ctl(c))
			return fail_at(p, p->pos, "control character U+%04X in string", c);
		if (sb_putc(p, b, (char)c))
			return -1;
		p->pos++;
	}
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */
/* ------------------------------------------------------------------------ */

static void keypath_free(struct keypath *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->parts[i].s);
	free(k->parts);
	memset(k, 0, sizeof(*k));
}

/* key = simple-key *( ws "." ws simple-key ) */
static int parse_key(struct parser *p, struct keypath *k)
{
	for (;;) {
		struct keypart *kp;
		struct sbuf b = { 0 };
		int c = peek(p);

		if (grow((void **)&k->parts, &k->cap, k->n, sizeof(*kp)))
			return oom(p);
		kp = &k->parts[k->n];
		kp->line = p->line;
		kp->col = col_of(p, p->pos);
		if (c == '"' || c == '\'') {
			if (parse_string(p, &b, false)) {
				free(b.p);
				return -1;
			}
		} else if (is_bare(c)) {
			size_t s = p->pos;

			while (is_bare(peek(p)))
				p->pos++;
			if (sb_put(p, &b, p->s + s, p->pos - s))
				return -1;
		} else if (c < 0 || newline_len(p)) {
			return fail_at(p, p->pos, "expected a key before the end of the line");
		} else {
			return fail_at(p, p->pos, "expected a key, found '%c'",
				       c >= 0x20 && c < 0x7f ? c : '?');
		}
		kp->s = b.p;
		kp->len = b.n;
		k->n++;
		skip_ws(p);
		if (peek(p) != '.')
			return 0;
		p->pos++;
		skip_ws(p);
	}
}

/* ------------------------------------------------------------------------ */
/* Scalars: numbers, booleans, dates and times                               */
/* ------------------------------------------------------------------------ */

static bool is_token(int c)
{
	return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/*
 * Digits with single underscores between them, in base @base.  Returns the
 * number of characters consumed (0 if none or malformed) and appends the
 * digits without underscores to @out (of @outsz bytes).
 */
static size_t scan_digits(const char *t, size_t n, int base, char *out,
			  size_t outsz, size_t *outn)
{
	size_t i = 0;
	bool need_digit = true;

	while (i < n) {
		int h = hexval((unsigned char)t[i]);

		if (t[i] == '_') {
			if (need_digit)
				return 0;
			need_digit = true;
		} else if (h >= 0 && h < base) {
			need_digit = false;
			if (*outn + 1 < outsz)
				out[(*outn)++] = t[i];
		} else {
			break;
		}
		i++;
	}
	if (need_digit)
		return 0;
	out[*outn] = 0;
	return i;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* strtod that always reads '.' as the decimal point, whatever the locale. */
static double c_strtod(const char *s)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale)
		return strtod_l(s, NULL, c_locale);
	return strtod(s, NULL);
}

/* An integer or float token (no dates, inf or nan). */
static int parse_number(struct parser *p, const char *t, size_t n,
			size_t at, struct toml_value *v)
{
	char buf[512];
	size_t i = 0, m, bn = 0;
	bool neg = false, is_float = false;
	int base = 10;

	/* every digit, sign, point and exponent mark fits in buf */
	if (n >= sizeof(buf) - 4)
		return fail_at(p, at, "number too long (%zu characters)", n);
	if (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-';
		buf[bn++] = t[0];
		i = 1;
	}
	if (i + 1 < n && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o' ||
					 t[i + 1] == 'b')) {
		uint64_t u = 0;
		size_t k;

		if (i)
			return fail_at(p, at, "a sign is not allowed on hex, octal or binary integers");
		base = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2;
		bn = 0;
		m = scan_digits(t + 2, n - 2, base, buf, sizeof(buf), &bn);
		if (!m || m != n - 2)
			return fail_at(p, at, "invalid %s integer",
				       base == 16 ? "hexadecimal" :
				       base == 8 ? "octal" : "binary");
		for (k = 0; k < bn; k++) {
			unsigned int d = (unsigned int)hexval((unsigned char)buf[k]);

			if (u > ((uint64_t)INT64_MAX - d) / (uint64_t)base)
				return fail_at(p, at, "integer does not fit in 64 bits");
			u = u * (uint64_t)base + d;
		}
		v->type = TOML_INTEGER;
		v->u.integer = (int64_t)u;
		return 0;
	}

	/* integer part: no leading zeros */
	m = scan_digits(t + i, n - i, 10, buf, sizeof(buf), &bn);
	if (!m)
		return fail_at(p, at, "invalid number");
	if (buf[i] == '0' && bn - i > 1)
		return fail_at(p, at, "leading zeros are not allowed");
	i += m;
	if (i < n && t[i] == '.') {
		is_float = true;
		buf[bn++] = '.';
		m = scan_digits(t + i + 1, n - i - 1, 10, buf, sizeof(buf), &bn);
		if (!m)
			return fail_at(p, at, "a decimal point must be followed by digits");
		i += 1 + m;
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		is_float = true;
		buf[bn++] = 'e';
		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			buf[bn++] = t[i++];
		m = scan_digits(t + i, n - i, 10, buf, sizeof(buf), &bn);
		if (!m)
			return fail_at(p, at, "an exponent needs digits");
		i += m;
	}
	if (i != n)
		return fail_at(p, at, "invalid number '%.*s'",
			       (int)(n > 40 ? 40 : n), t);
	if (is_float) {
		double d = c_strtod(buf);

		if (isinf(d))
			return fail_at(p, at, "float out of range");
		v->type = TOML_FLOAT;
		v->u.flt = d;
		return 0;
	}
	/* accumulate negatively so INT64_MIN fits */
	{
		int64_t acc = 0;
		size_t k = (buf[0] == '+' || buf[0] == '-') ? 1 : 0;

		for (; k < bn; k++) {
			int d = buf[k] - '0';

			if (acc < (INT64_MIN + d) / 10)
				return fail_at(p, at, "integer does not fit in 64 bits");
			acc = acc * 10 - d;
		}
		if (!neg) {
			if (acc == INT64_MIN)
				return fail_at(p, at, "integer does not fit in 64 bits");
			acc = -acc;
		}
		v->type = TOML_INTEGER;
		v->u.integer = acc;
	}
	return 0;
}

/* Exactly @k digits at t[*i]; returns the value or -1. */
static int fixed_digits(const char *t, size_t n, size_t *i, int k)
{
	int v = 0;

	while (k--) {
		if (*i >= n || !is_digit((unsigned char)t[*i]))
			return -1;
		v = v * 10 + (t[(*i)++] - '0');
	}
	return v;
}

static bool expect_ch(const char *t, size_t n, size_t *i, char c)
{
	if (*i < n && t[*i] == c) {
		(*i)++;
		return true;
	}
	return false;
}

static int days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* HH:MM:SS[.frac] */
static bool scan_time(const char *t, size_t n, size_t *i,
		      struct toml_datetime *dt)
{
	int h, mi, s;

	h = fixed_digits(t, n, i, 2);
	if (h < 0 || h > 23 || !expect_ch(t, n, i, ':'))
		return false;
	mi = fixed_digits(t, n, i, 2);
	if (mi < 0 || mi > 59 || !expect_ch(t, n, i, ':'))
		return false;
	s = fixed_digits(t, n, i, 2);
	if (s < 0 || s > 60)	/* 60: a leap second (RFC 3339) */
		return false;
	dt->hour = (uint8_t)h;
	dt->minute = (uint8_t)mi;
	dt->second = (uint8_t)s;
	if (expect_ch(t, n, i, '.')) {
		uint32_t ns = 0;
		int nd = 0;

		if (*i >= n || !is_digit((unsigned char)t[*i]))
			return false;
		/* keep nanoseconds, drop finer digits (TOML: truncate) */
		for (; *i < n && is_digit((unsigned char)t[*i]); (*i)++) {
			if (nd < 9) {
				ns = ns * 10 + (uint32_t)(t[*i] - '0');
				nd++;
			}
		}
		dt->frac_digits = (uint8_t)nd;
		while (nd++ < 9)
			ns *= 10;
		dt->nsec = ns;
	}
	return true;
}

/* Any of the four date/time forms; the whole token must be consumed. */
static int parse_datetime(struct parser *p, const char *t, size_t n,
			  size_t at, struct toml_value *v)
{
	struct toml_datetime *dt = &v->u.dt;
	size_t i = 0;
	int y, mo, d;

	if (n >= 3 && t[2] == ':') {
		if (!scan_time(t, n, &i, dt) || i != n)
			goto bad;
		v->type = TOML_TIME_LOCAL;
		return 0;
	}
	y = fixed_digits(t, n, &i, 4);
	if (y < 0 || !expect_ch(t, n, &i, '-'))
		goto bad;
	mo = fixed_digits(t, n, &i, 2);
	if (mo < 1 || mo > 12 || !expect_ch(t, n, &i, '-'))
		goto bad;
	d = fixed_digits(t, n, &i, 2);
	if (d < 1 || d > days_in(y, mo))
		goto bad;
	dt->year = (int16_t)y;
	dt->month = (uint8_t)mo;
	dt->day = (uint8_t)d;
	if (i == n) {
		v->type = TOML_DATE_LOCAL;
		return 0;
	}
	if (t[i] != 'T' && t[i] != 't' && t[i] != ' ')
		goto bad;
	i++;
	if (!scan_time(t, n, &i, dt))
		goto bad;
	if (i == n) {
		v->type = TOML_DATETIME_LOCAL;
		return 0;
	}
	if (t[i] == 'Z' || t[i] == 'z') {
		dt->zulu = true;
		i++;
	} else if (t[i] == '+' || t[i] == '-') {
		int sign = t[i++] == '-' ? -1 : 1, oh, om;

		oh = fixed_digits(t, n, &i, 2);
		if (oh < 0 || oh > 23 || !expect_ch(t, n, &i, ':'))
			goto bad;
		om = fixed_digits(t, n, &i, 2);
		if (om < 0 || om > 59)
			goto bad;
		dt->offset_min = (int16_t)(sign * (oh * 60 + om));
	} else {
		goto bad;
	}
	if (i != n)
		goto bad;
	v->type = TOML_DATETIME;
	return 0;
bad:
	return fail_at(p, at, "invalid date or time '%.*s'",
		       (int)(n > 40 ? 40 : n), t);
}

/* A bare scalar: boolean, number, inf/nan, or a date/time. */
static int parse_bare_scalar(struct parser *p, struct toml_value *v)
{
	size_t at = p->pos, n;
	const char *t = p->s + at;

	while (is_token(peek(p)))
		p->pos++;
	/* "1979-05-27 07:32:00": a date, one space, then a time */
	if (p->pos - at == 10 && t[4] == '-' && peek(p) == ' ' &&
	    is_digit(peek_at(p, 1)) && is_digit(peek_at(p, 2)) &&
	    peek_at(p, 3) == ':') {
		p->pos++;
		while (is_token(peek(p)))
			p->pos++;
	}
	n = p->pos - at;
	if (!n) {
		int c = peek(p);

		if (c < 0 || newline_len(p) || c == '#')
			return fail_at(p, at, "expected a value");
		return fail_at(p, at, "expected a value, found '%c'",
			       c >= 0x20 && c < 0x7f ? c : '?');
	}
	if ((n == 4 && !memcmp(t, "true", 4)) || (n == 5 && !memcmp(t, "false", 5))) {
		v->type = TOML_BOOL;
		v->u.boolean = n == 4;
		return 0;
	}
	{
		size_t s = (t[0] == '+' || t[0] == '-') ? 1 : 0;

		if (n - s == 3 && (!memcmp(t + s, "inf", 3) ||
				   !memcmp(t + s, "nan", 3))) {
			v->type = TOML_FLOAT;
			if (t[s] == 'i')
				v->u.flt = t[0] == '-' ? -INFINITY : INFINITY;
			else
				v->u.flt = t[0] == '-' ? -NAN : NAN;
			return 0;
		}
	}
	if (memchr(t, ':', n) ||
	    (n >= 5 && is_digit((unsigned char)t[0]) && t[4] == '-'))
		return parse_datetime(p, t, n, at, v);
	return parse_number(p, t, n, at, v);
}

/* ------------------------------------------------------------------------ */
/* Values, arrays, inline tables                                             */
/* ------------------------------------------------------------------------ */

static int parse_keyval(struct parser *p, struct toml_value *tbl);
static struct toml_value *parse_value(struct parser *p, unsigned int depth);

/*
 * After an element of an array or inline table: a comma (consumed, returns
 * 1), the closing @close (not consumed, returns 0) or an error (-1).
 */
static int list_sep(struct parser *p, int close, const char *what)
{
	int c = peek(p);

	if (c == ',') {
		p->pos++;
		return 1;
	}
	if (c == close)
		return 0;
	if (c < 0)
		return fail_at(p, p->pos, "unterminated %s", what);
	if (close == '}' && (newline_len(p) || c == '#'))
		return fail_at(p, p->pos, "newline or comment inside an inline table");
	return fail_at(p, p->pos, "expected ',' or '%c' in an %s", close, what);
}

static int parse_array(struct parser *p, struct toml_value *arr)
{
	struct toml_value *v;
	int r = 0;

	p->pos++;	/* '[' */
	for (;;) {
		if (skip_space_nl(p))
			return -1;
		if (peek(p) == ']')
			break;
		v = parse_value(p, arr->depth);
		if (!v)
			return -1;
		if (array_add(p, arr, v)) {
			toml_free(v);
			return -1;
		}
		if (skip_space_nl(p))
			return -1;
		r = list_sep(p, ']', "array");
		if (r <= 0)
			break;
	}
	if (r < 0)
		return -1;
	p->pos++;
	return 0;
}

static int parse_inline_table(struct parser *p, struct toml_value *tbl)
{
	int r;

	p->pos++;	/* '{' */
	skip_ws(p);
	if (peek(p) != '}') {
		for (;;) {
			skip_ws(p);
			if (newline_len(p) || peek(p) == '#')
				return fail_at(p, p->pos,
					       "newline or comment inside an inline table");
			if (peek(p) == '}')
				return fail_at(p, p->pos,
					       "trailing comma in an inline table");
			if (parse_keyval(p, tbl))
				return -1;
			skip_ws(p);
			r = list_sep(p, '}', "inline table");
			if (r < 0)
				return -1;
			if (!r)
				break;
		}
	}
	p->pos++;
	/* sealed from now on: nothing outside the braces may add to it */
	tbl->flags |= TOML_F_INLINE;
	return 0;
}

/* A value of any type; @depth is the depth of its container. */
static struct toml_value *parse_value(struct parser *p, unsigned int depth)
{
	size_t at = p->pos;
	uint32_t line = p->line, col = col_of(p, at);
	struct toml_value *v;
	int c = peek(p), r;

	if (c == '[' || c == '{') {
		v = new_container(p, c == '[' ? TOML_ARRAY : TOML_TABLE, depth,
				  line, col, at);
		if (!v)
			return NULL;
		r = c == '[' ? parse_array(p, v) : parse_inline_table(p, v);
	} else if (c == '"' || c == '\'') {
		struct sbuf b = { 0 };

		v = new_value(p, TOML_STRING, line, col);
		if (!v)
			return NULL;
		r = parse_string(p, &b, true);
		v->u.str.ptr = b.p;
		v->u.str.len = b.n;
	} else {
		v = new_value(p, TOML_BOOL, line, col);
		if (!v)
			return NULL;
		r = parse_bare_scalar(p, v);
	}
	if (r) {
		toml_free(v);
		return NULL;
	}
	return v;
}

/*
 * Walk the dotted key @k (all but its last part) down from @tbl, creating
 * the tables dotted keys define.  Returns the table the last part goes in.
 * Dotted keys may only enter tables that dotted keys created (and that are
 * not sealed inline tables): a table defined by a [header] or created as
 * the parent of one is "defined elsewhere".
 */
static struct toml_value *walk_dotted(struct parser *p, struct toml_value *tbl,
				      struct keypath *k)
{
	char sb[64];
	size_t i;

	for (i = 0; i + 1 < k->n; i++) {
		struct keypart *kp = &k->parts[i];
		struct toml_kv *kv = find(tbl, kp->s, kp->len);
		struct toml_value *t;

		if (!kv) {
			tbl = add_child(p, tbl, kp, TOML_TABLE, TOML_F_DOTTED,
					kp->line, kp->col, p->pos);
			if (!tbl)
				return NULL;
			continue;
		}
		t = kv->val;
		toml_printable(kp->s, kp->len, sb, sizeof(sb));
		if (t->type != TOML_TABLE) {
			fail_key(p, kp, "key '%s' is already %s, not a table",
				 sb, toml_type_desc(t->type));
			return NULL;
		}
		if (t->flags & TOML_F_INLINE) {
			fail_key(p, kp, "cannot add keys to inline table '%s'", sb);
			return NULL;
		}
		if (!(t->flags & TOML_F_DOTTED)) {
			fail_key(p, kp, "table '%s' is defined elsewhere; dotted keys cannot add to it",
				 sb);
			return NULL;
		}
		tbl = t;
	}
	return tbl;
}

/* key = value, into table @tbl (the current section or an inline table). */
static int parse_keyval(struct parser *p, struct toml_value *tbl)
{
	struct keypath k = { 0 };
	struct keypart *last;
	struct toml_value *t, *v;
	char sb[64];
	int ret = -1;

	if (parse_key(p, &k))
		goto out;
	skip_ws(p);
	if (peek(p) != '=') {
		if (peek(p) < 0 || newline_len(p))
			fail_at(p, p->pos, "expected '=' after a key");
		else
			fail_at(p, p->pos, "expected '=' after a key, found '%c'",
				peek(p) >= 0x20 && peek(p) < 0x7f ? peek(p) : '?');
		goto out;
	}
	p->pos++;
	skip_ws(p);
	t = walk_dotted(p, tbl, &k);
	if (!t)
		goto out;
	last = &k.parts[k.n - 1];
	if (find(t, last->s, last->len)) {
		fail_key(p, last, "duplicate key '%s'",
			 toml_printable(last->s, last->len, sb, sizeof(sb)));
		goto out;
	}
	v = parse_value(p, t->depth);
	if (!v)
		goto out;
	if (table_add(p, t, last, v)) {
		toml_free(v);
		goto out;
	}
	ret = 0;
out:
	keypath_free(&k);
	return ret;
}

/* Full dotted name of a header for messages: "a.b.c". */
static const char *show_path(const struct keypath *k, char *buf, size_t size)
{
	size_t i, o = 0;
	char part[64];

	buf[0] = 0;
	for (i = 0; i < k->n && o + 1 < size; i++) {
		int w = snprintf(buf + o, size - o, "%s%s", i ? "." : "",
				 toml_printable(k->parts[i].s, k->parts[i].len, part,
				      sizeof(part)));
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* [a.b.c] or [[a.b.c]]; returns the table that following keys go into. */
static struct toml_value *parse_header(struct parser *p)
{
	size_t at = p->pos;
	uint32_t line = p->line, col = col_of(p, at);
	bool aot = peek_at(p, 1) == '[';
	struct keypath k = { 0 };
	struct toml_value *t = p->root, *nt, *res = NULL;
	struct keypart *last;
	struct toml_kv *kv;
	char sb[192];
	size_t i;

	p->pos += aot ? 2 : 1;
	skip_ws(p);
	if (parse_key(p, &k))
		goto out;
	skip_ws(p);
	if (peek(p) != ']' || (aot && peek_at(p, 1) != ']')) {
		fail_at(p, p->pos, aot ? "expected ']]' to close the table array header" :
			"expected ']' to close the table header");
		goto out;
	}
	p->pos += aot ? 2 : 1;
	show_path(&k, sb, sizeof(sb));

	for (i = 0; i + 1 < k.n; i++) {
		struct keypart *kp = &k.parts[i];

		kv = find(t, kp->s, kp->len);
		if (!kv) {
			t = add_child(p, t, kp, TOML_TABLE, TOML_F_IMPLICIT,
				      line, col, at);
			if (!t)
				goto out;
			continue;
		}
		nt = kv->val;
		if (nt->type == TOML_ARRAY && (nt->flags & TOML_F_AOT)) {
			/* [[a]] then [a.b]: b goes into the last a */
			t = nt->u.array.items[nt->u.array.n - 1];
			continue;
		}
		if (nt->type != TOML_TABLE) {
			fail_key(p, kp, "cannot define [%s]: '%.*s' is %s", sb,
				 (int)(kp->len > 60 ? 60 : kp->len), kp->s,
				 nt->type == TOML_ARRAY ? "an array value, not an array of tables" :
				 toml_type_desc(nt->type));
			goto out;
		}
		if (nt->flags & TOML_F_INLINE) {
			fail_key(p, kp, "cannot define [%s]: inline tables cannot be extended", sb);
			goto out;
		}
		t = nt;
	}

	last = &k.parts[k.n - 1];
	kv = find(t, last->s, last->len);
	if (aot) {
		struct toml_value *arr;

		if (!kv) {
			arr = add_child(p, t, last, TOML_ARRAY, TOML_F_AOT, line,
					col, at);
			if (!arr)
				goto out;
		} else {
			arr = kv->val;
			if (arr->type != TOML_ARRAY || !(arr->flags & TOML_F_AOT)) {
				fail_key(p, last, "cannot define [[%s]]: already defined as %s",
					 sb, arr->type == TOML_ARRAY ? "an array value" :
					 toml_type_desc(arr->type));
				goto out;
			}
		}
		nt = new_container(p, TOML_TABLE, arr->depth, line, col, at);
		if (!nt)
			goto out;
		nt->flags = TOML_F_EXPLICIT;
		if (array_add(p, arr, nt)) {
			toml_free(nt);
			goto out;
		}
		res = nt;
		goto out;
	}
	if (!kv) {
		res = add_child(p, t, last, TOML_TABLE, TOML_F_EXPLICIT, line, col, at);
		goto out;
	}
	nt = kv->val;
	if (nt->type != TOML_TABLE) {
		fail_key(p, last, "cannot define [%s]: already defined as %s", sb,
			 nt->flags & TOML_F_AOT ? "an array of tables" :
			 toml_type_desc(nt->type));
	} else if (nt->flags & TOML_F_INLINE) {
		fail_key(p, last, "cannot define [%s]: already defined as an inline table", sb);
	} else if (nt->flags & TOML_F_DOTTED) {
		fail_key(p, last, "cannot define [%s]: already defined by dotted keys", sb);
	} else if (nt->flags & TOML_F_EXPLICIT) {
		fail_key(p, last, "table [%s] defined twice (first on line %u)", sb,
			 nt->line);
	} else {
		/* created implicitly by a sub-table header; define it now */
		nt->flags = TOML_F_EXPLICIT;
		nt->line = line;
		nt->col = col;
		kv->line = last->line;
		kv->col = last->col;
		res = nt;
	}
out:
	keypath_free(&k);
	return res;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */
/* ------------------------------------------------------------------------ */

struct toml_value *toml_parse(const char *text, size_t len,
			      struct toml_error *err)
{
	struct parser p = {
		.s = text, .len = len, .line = 1, .err = err, .cc_col = 1,
	};
	struct toml_value *cur;
	size_t bad;
	int n;

	if (err)
		memset(err, 0, sizeof(*err));
	bad = utf8_check((const unsigned char *)text, len);
	if (bad < len) {
		fail_at(&p, bad, "invalid UTF-8 byte 0x%02x",
			(unsigned char)text[bad]);
		goto fail;
	}
	/* a byte order mark is allowed at the very start */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		p.pos = 3;
		p.line_start = 3;
	}
	p.root = new_value(&p, TOML_TABLE, 1, 1);
	if (!p.root)
		goto fail;
	p.root->flags = TOML_F_EXPLICIT;
	cur = p.root;
	for (;;) {
		skip_ws(&p);
		if (skip_comment(&p))
			goto fail;
		if (peek(&p) < 0)
			break;
		n = newline_len(&p);
		if (n) {
			eat_newline(&p, n);
			continue;
		}
		if (peek(&p) == '[') {
			cur = parse_header(&p);
			if (!cur || end_of_line(&p, "a table header"))
				goto fail;
		} else {
			if (parse_keyval(&p, cur) || end_of_line(&p, "a value"))
				goto fail;
		}
	}
	return p.root;
fail:
	toml_free(p.root);
	errno = p.errnum ? p.errnum : EINVAL;
	return NULL;
}

struct toml_value *toml_parse_file(const char *path, struct toml_error *err)
{
	struct toml_value *v;
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t r;
	int fd, e;

	if (err)
		memset(err, 0, sizeof(*err));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto sys_fail;
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		errno = e;
		goto sys_fail;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > TOML_FILE_MAX) {
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto sys_fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		goto sys_fail;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	e = errno;
	close(fd);
	if (got < (size_t)st.st_size) {
		free(buf);
		errno = e ? e : EIO;
		goto sys_fail;
	}
	v = toml_parse(buf, got, err);
	e = errno;
	free(buf);
	errno = e;
	return v;
sys_fail:
	if (err)
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
	return NULL;
}

const struct toml_kv *toml_table_entry(const struct toml_value *tbl,
				       const char *key)
{
	if (!tbl || tbl->type != TOML_TABLE || !key)
		return NULL;
	return find(tbl, key, strlen(key));
}

const struct toml_value *toml_table_get(const struct toml_value *tbl,
					const char *key)
{
	const struct toml_kv *kv = toml_table_entry(tbl, key);

	return kv ? kv->val : NULL;
}

const struct toml_value *toml_get_path(const struct toml_value *tbl,
				       const char *path)
{
	const struct toml_kv *kv;
	const char *dot;

	if (!path)
		return NULL;
	while ((dot = strchr(path, '.'))) {
		if (!tbl || tbl->type != TOML_TABLE)
			return NULL;
		kv = find(tbl, path, (size_t)(dot - path));
		tbl = kv ? kv->val : NULL;
		path = dot + 1;
	}
	return toml_table_get(tbl, path);
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE: return "table";
	case TOML_ARRAY: return "array";
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "bool";
	case TOML_DATETIME: return "datetime";
	case TOML_DATETIME_LOCAL: return "datetime-local";
	case TOML_DATE_LOCAL: return "date-local";
	case TOML_TIME_LOCAL: return "time-local";
	}
	return "?";
}

const char *toml_type_desc(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE: return "a table";
	case TOML_ARRAY: return "an array";
	case TOML_STRING: return "a string";
	case TOML_INTEGER: return "an integer";
	case TOML_FLOAT: return "a float";
	case TOML_BOOL: return "a boolean";
	default: break;
	}
	return "a date/time";
}

int toml_datetime_format(const struct toml_value *v, char *buf, size_t size)
{
	const struct toml_datetime *d = &v->u.dt;
	int n = 0, off;

#define PUT(...) (n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, __VA_ARGS__))
	if (v->type != TOML_TIME_LOCAL)
		PUT("%04d-%02u-%02u", d->year, d->month, d->day);
	if (v->type == TOML_DATE_LOCAL)
		return n;
	if (v->type != TOML_TIME_LOCAL)
		PUT("T");
	PUT("%02u:%02u:%02u", d->hour, d->minute, d->second);
	if (d->frac_digits) {
		uint32_t ns = d->nsec;
		int k;

		for (k = d->frac_digits; k < 9; k++)
			ns /= 10;
		PUT(".%0*u", d->frac_digits, ns);
	}
	if (v->type == TOML_DATETIME) {
		off = d->offset_min;
		if (d->zulu)
			PUT("Z");
		else
			PUT("%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60,
			    abs(off) % 60);
	}
#undef PUT
	return n;
}
