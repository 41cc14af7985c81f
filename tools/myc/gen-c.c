// SPDX-License-Identifier: MIT
/*
 * myc gen --c: a C11 header with one struct per message, explicit padding,
 * _Static_assert on every size and offset, the type id / topic / size
 * constants, the schema digest, an init and a check function per message,
 * and X-macros listing fields and layout members (used by tests and by code
 * that wants to walk a message generically).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "gen.h"
#include "schema.h"

static const char *c_type(unsigned kind)
{
	switch (kind) {
	case MYC_K_U8: case MYC_K_BOOL: case MYC_K_BYTES: case MYC_K_PAD:
		return "uint8_t";
	case MYC_K_U16: return "uint16_t";
	case MYC_K_U32: return "uint32_t";
	case MYC_K_U64: return "uint64_t";
	case MYC_K_I8: return "int8_t";
	case MYC_K_I16: return "int16_t";
	case MYC_K_I32: return "int32_t";
	case MYC_K_I64: return "int64_t";
	case MYC_K_F32: return "float";
	case MYC_K_F64: return "double";
	case MYC_K_STRING: return "char";
	default: return "?";
	}
}

static void upper(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(toupper((unsigned char)*s), out);
}

/* PREFIX_MSG (upper case) */
static void macro_name(FILE *out, const struct myc_schema *s, const struct myc_schema_msg *m)
{
	upper(out, myc_schema_name(s));
	fputc('_', out);
	upper(out, m->snake);
}

static void member(FILE *out, const struct myc_schema_field *f)
{
	const char *t = c_type(f->kind == MYC_K_ARRAY ? f->elem : f->kind);

	fprintf(out, "\t%s %s", t, f->name);
	if (f->kind == MYC_K_ARRAY || f->kind == MYC_K_BYTES || f->kind == MYC_K_STRING)
		fprintf(out, "[%u]", f->cap);
	else if (f->kind == MYC_K_PAD)
		fprintf(out, "[%u]", f->size);
	fprintf(out, ";\t/* @%u", f->offset);
	switch (f->role) {
	case MYC_ROLE_PAD:
		fprintf(out, " padding, zero");
		break;
	case MYC_ROLE_LEN:
		fprintf(out, " element count of the next array");
		break;
	default:
		if (f->kind == MYC_K_BOOL)
			fprintf(out, " bool (0 or 1)");
		else if (f->kind == MYC_K_STRING)
			fprintf(out, " string, zero-filled");
		else if (f->kind == MYC_K_ARRAY)
			fprintf(out, " %s[<= %u]", myc_kind_name(f->elem), f->cap);
		if (f->desc[0]) {
			fputs(": ", out);
			gen_comment_text(out, f->desc, 1);
		}
	}
	fprintf(out, " */\n");
}

/* A check of one member in <msg>_check(); @len is the previous count. */
static void check_member(FILE *out, const struct myc_schema *s,
			 const struct myc_schema_field *f, const char *len)
{
	const char *p = myc_schema_name(s);

	switch (f->kind) {
	case MYC_K_PAD:
		fprintf(out, "\tif (!%s__zero(m->%s, sizeof(m->%s)))\n\t\treturn -1;\n",
			p, f->name, f->name);
		break;
	case MYC_K_BOOL:
		fprintf(out, "\tif (m->%s > 1)\n\t\treturn -1;\n", f->name);
		break;
	case MYC_K_STRING:
		fprintf(out, "\tn = 0;\n\twhile (n < %uu && m->%s[n])\n\t\tn++;\n"
			"\tif (!%s__zero(m->%s + n, %uu - n))\n\t\treturn -1;\n",
			f->cap, f->name, p, f->name, f->cap);
		break;
	case MYC_K_ARRAY:
		fprintf(out, "\tif (m->%s > %uu)\n\t\treturn -1;\n", len, f->cap);
		fprintf(out, "\tif (!%s__zero(m->%s + m->%s, (%uu - m->%s) * sizeof(m->%s[0])))\n"
			"\t\treturn -1;\n", p, f->name, len, f->cap, len, f->name);
		if (f->elem == MYC_K_BOOL)
			fprintf(out, "\tfor (n = 0; n < m->%s; n++)\n\t\tif (m->%s[n] > 1)\n"
				"\t\t\treturn -1;\n", len, f->name);
		break;
	default:
		break;
	}
}

static int uses_n(const struct myc_schema_msg *m)
{
	for (uint32_t j = 0; j < m->nfields; j++)
		if (m->fields[j].kind == MYC_K_STRING ||
		    (m->fields[j].kind == MYC_K_ARRAY && m->fields[j].elem == MYC_K_BOOL))
			return 1;
	return 0;
}

static void message(FILE *out, const struct myc_schema *s, const struct myc_schema_msg *m)
{
	const char *p = myc_schema_name(s);
	const char *len = NULL;
	char ts[40];

	fprintf(out, "/* %s", m->name);
	if (m->desc[0]) {
		fputs(": ", out);
		gen_comment_text(out, m->desc, 1);
	}
	fprintf(out, " */\n#define ");
	macro_name(out, s, m);
	fprintf(out, "_ID\t0x%04xu\n#define ", m->id);
	macro_name(out, s, m);
	fprintf(out, "_TOPIC\t");
	gen_string_lit(out, m->topic, 0);
	fprintf(out, "\n#define ");
	macro_name(out, s, m);
	fprintf(out, "_SIZE\t%uu\n\n", m->size);

	fprintf(out, "struct %s_%s {\n", p, m->snake);
	for (uint32_t j = 0; j < m->nfields; j++)
		member(out, &m->fields[j]);
	fprintf(out, "};\n\n");

	fprintf(out, "_Static_assert(sizeof(struct %s_%s) == %uu, \"%s: size\");\n",
		p, m->snake, m->size, m->name);
	for (uint32_t j = 0; j < m->nfields; j++)
		fprintf(out, "_Static_assert(offsetof(struct %s_%s, %s) == %uu, \"%s.%s: offset\");\n",
			p, m->snake, m->fields[j].name, m->fields[j].offset, m->name,
			m->fields[j].name);
	fputc('\n', out);

	/* the field list, then every layout member */
	fprintf(out, "/* X(tag, field, kind, elem, cap) for each field of %s */\n#define ", m->name);
	macro_name(out, s, m);
	fprintf(out, "_FIELDS(X) \\\n");
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (!gen_is_field(f))
			continue;
		myc_schema_type_str(f, ts, sizeof(ts));
		fprintf(out, "\tX(%s_%s, %s, %s, %s, %u) \\\n", p, m->snake, f->name,
			myc_kind_name(f->kind),
			f->kind == MYC_K_ARRAY ? myc_kind_name(f->elem) : "none", f->cap);
	}
	fprintf(out, "\t/* end */\n");
	fprintf(out, "/* X(tag, member) for each layout member of %s, pads and counts "
		"included */\n#define ", m->name);
	macro_name(out, s, m);
	fprintf(out, "_LAYOUT(X) \\\n");
	for (uint32_t j = 0; j < m->nfields; j++)
		fprintf(out, "\tX(%s_%s, %s) \\\n", p, m->snake, m->fields[j].name);
	fprintf(out, "\t/* end */\n\n");

	/* init: every member, padding included, is a named member, so the
	 * zero initializer leaves no byte undefined. */
	fprintf(out, "static inline void %s_%s_init(struct %s_%s *m)\n{\n"
		"\t*m = (struct %s_%s){ 0 };\n}\n\n", p, m->snake, p, m->snake, p, m->snake);

	fprintf(out, "/* 0 when @m is well-formed: padding zero, bools 0/1, counts within\n"
		" * capacity, unused string and array bytes zero; else -1. */\n"
		"static inline int %s_%s_check(const struct %s_%s *m)\n{\n",
		p, m->snake, p, m->snake);
	if (uses_n(m))
		fprintf(out, "\tsize_t n;\n\n");
	for (uint32_t j = 0; j < m->nfields; j++) {
		check_member(out, s, &m->fields[j], len);
		if (m->fields[j].role == MYC_ROLE_LEN)
			len = m->fields[j].name;
	}
	fprintf(out, "\treturn 0;\n}\n\n");
}

int gen_c(FILE *out, const struct myc_schema *s, const char *src)
{
	const char *p = myc_schema_name(s);
	const uint8_t *d = myc_schema_digest(s);
	char hex[2 * MYC_SCHEMA_DIGEST_LEN + 1];

	myc_schema_digest_hex(s, hex);
	fprintf(out, "/* SPDX-License-Identifier: MIT */\n"
		"/*\n * %s.h - generated by \"myc gen\" from %s.  Do not edit.\n",
		p, gen_basename(src));
	fprintf(out, " *\n * Layout rules (docs/schema.md): little-endian, natural alignment,\n"
		" * padding as named zero members, sizes a multiple of 8.\n */\n");
	fprintf(out, "#ifndef ");
	upper(out, p);
	fprintf(out, "_SCHEMA_H\n#define ");
	upper(out, p);
	fprintf(out, "_SCHEMA_H\n\n#include <stddef.h>\n#include <stdint.h>\n\n");
	fprintf(out, "#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__\n"
		"#error \"Mycelium payloads are little-endian; this header maps them directly\"\n"
		"#endif\n\n");
	fprintf(out, "#define ");
	upper(out, p);
	fprintf(out, "_SCHEMA_NAME\t\"%s\"\n#define ", p);
	upper(out, p);
	fprintf(out, "_SCHEMA_DIGEST_HEX \\\n\t\"%s\"\n/* SHA-256 of the canonical form, "
		"as an initializer for uint8_t[32] */\n#define ", hex);
	upper(out, p);
	fprintf(out, "_SCHEMA_DIGEST { \\\n");
	for (unsigned i = 0; i < MYC_SCHEMA_DIGEST_LEN; i++)
		fprintf(out, "%s0x%02x,%s", i % 8 ? " " : "\t", d[i],
			i % 8 == 7 ? " \\\n" : "");
	fprintf(out, "}\n\n");

	fprintf(out, "/* X(tag, Name, id, MACRO_PREFIX) for each message */\n#define ");
	upper(out, p);
	fprintf(out, "_MESSAGES(X) \\\n");
	for (unsigned i = 0; i < myc_schema_msg_count(s); i++) {
		const struct myc_schema_msg *m = myc_schema_msg_at(s, i);

		fprintf(out, "\tX(%s_%s, %s, 0x%04xu, ", p, m->snake, m->name, m->id);
		macro_name(out, s, m);
		fprintf(out, ") \\\n");
	}
	fprintf(out, "\t/* end */\n\n");

	fprintf(out, "static inline int %s__zero(const void *p, size_t n)\n{\n"
		"\tconst uint8_t *b = (const uint8_t *)p;\n\n"
		"\twhile (n--)\n\t\tif (*b++)\n\t\t\treturn 0;\n\treturn 1;\n}\n\n", p);

	for (unsigned i = 0; i < myc_schema_msg_count(s); i++)
		message(out, s, myc_schema_msg_at(s, i));
	fprintf(out, "#endif\n");
	return ferror(out) ? -EIO : 0;
}
