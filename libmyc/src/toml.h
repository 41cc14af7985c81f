/* SPDX-License-Identifier: MIT */
/*
 * toml.h - Mycelium's own TOML 1.0 parser (internal to libmyc and the tools).
 *
 * toml_parse() turns a whole document into a tree of struct toml_value.
 * Every value and every key remembers the line and column (1-based; columns
 * count characters, not bytes) where it starts, so that a caller such as the
 * topology loader can point at the exact spot of a semantic error.  The
 * parser itself rejects everything TOML 1.0.0 rejects, with the position of
 * the offending character.
 *
 * Strings and keys are stored with their length: TOML allows "\u0000".  They
 * are also NUL-terminated for convenience.
 */
#ifndef MYC_TOML_H
#define MYC_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting limit (tables and arrays inside each other), so that hostile input
 * cannot exhaust the stack of the recursive parts of the parser. */
#define TOML_MAX_DEPTH	256

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,		/* offset date-time: date, time, offset */
	TOML_DATETIME_LOCAL,	/* date and time, no offset */
	TOML_DATE_LOCAL,	/* date only */
	TOML_TIME_LOCAL,	/* time only */
};

struct toml_datetime {
	int16_t year;
	uint8_t month, day;
	uint8_t hour, minute, second;
	uint8_t frac_digits;	/* digits of fraction kept (0..9) */
	uint32_t nsec;		/* fraction in nanoseconds (truncated) */
	int16_t offset_min;	/* TOML_DATETIME only: minutes east of UTC */
	bool zulu;		/* offset was written as Z */
};

struct toml_value;

/* One key = value entry of a table. */
struct toml_kv {
	char *key;		/* NUL-terminated, may contain NULs */
	size_t keylen;
	uint32_t line, col;	/* where the key (its last dotted part) is */
	struct toml_value *val;
};

struct toml_value {
	enum toml_type type;
	uint32_t line, col;	/* where the value (or defining header) is */
	uint16_t depth;		/* nesting depth, root table is 0 */
	uint16_t flags;		/* TOML_F_*, parser bookkeeping */
	union {
		struct {
			char *ptr;	/* NUL-terminated, may contain NULs */
			size_t len;
		} str;
		int64_t integer;
		double flt;
		bool boolean;
		struct toml_datetime dt;
		struct {
			struct toml_kv *items;
			size_t n, cap;
			uint32_t *index;	/* hash of key -> item + 1, once
						 * the table is large; else NULL */
			size_t icap;		/* power of two, > 2 * n */
		} table;
		struct {
			struct toml_value **items;
			size_t n, cap;
		} array;
	} u;
};

/* Parser bookkeeping flags (exposed for tests; callers ignore them). */
#define TOML_F_EXPLICIT	0x1	/* table defined by a [header] */
#define TOML_F_DOTTED	0x2	/* table defined by dotted keys */
#define TOML_F_INLINE	0x4	/* inline table (or inside one): sealed */
#define TOML_F_AOT	0x8	/* array created by [[header]] */
#define TOML_F_IMPLICIT	0x10	/* table created as a header's parent */

/* Where and why a parse failed. */
struct toml_error {
	uint32_t line, col;	/* 1-based; col counts characters */
	char msg[160];
};

/*
 * Parse @len bytes of @text (need not be NUL-terminated).  Returns the root
 * table, or NULL with @err filled (errno = EINVAL for a syntax error,
 * ENOMEM when out of memory).  @err may be NULL.
 */
struct toml_value *toml_parse(const char *text, size_t len,
			      struct toml_error *err);
/* Read and parse a whole file; errors from open/read have line 0. */
struct toml_value *toml_parse_file(const char *path, struct toml_error *err);
void toml_free(struct toml_value *v);

/* Entry of @tbl named @key (NUL-terminated), or NULL. */
const struct toml_kv *toml_table_entry(const struct toml_value *tbl,
				       const char *key);
/* Value of @tbl named @key, or NULL (also NULL if @tbl is not a table). */
const struct toml_value *toml_table_get(const struct toml_value *tbl,
					const char *key);
/* Follow a dotted path of bare keys ("a.b.c") through nested tables. */
const struct toml_value *toml_get_path(const struct toml_value *tbl,
				       const char *path);

/*
 * @len bytes of @s made fit for a one-line message in @buf (@size >= 8):
 * control characters become '?', long text is cut and ends in "...".
 */
const char *toml_printable(const char *s, size_t len, char *buf, size_t size);

/* "table", "array", "string", "integer", "float", "bool", "datetime", ... */
const char *toml_type_name(enum toml_type t);
/* The same for messages: "a table", "an integer", "a date/time", ... */
const char *toml_type_desc(enum toml_type t);

/*
 * Format a date/time value in RFC 3339 form into @buf (at least 40 bytes):
 * "1979-05-27T07:32:00.999Z", "07:32:00", "1979-05-27".  Returns the length.
 */
int toml_datetime_format(const struct toml_value *v, char *buf, size_t size);

#endif /* MYC_TOML_H */
