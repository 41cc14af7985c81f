// SPDX-License-Identifier: MIT
/*
 * myc gen --ocaml: a self-contained OCaml module (stdlib only, OCaml >=
 * 4.08 for the Bytes little-endian accessors).  The shared runtime is
 * gen-ml-runtime.ml, embedded at build time; this file writes one submodule
 * per message (record type, layout, encode/decode with range checks,
 * to_values/of_values) matching the runtime's MESSAGE signature.
 */
#include <errno.h>
#include <string.h>

#include "gen.h"
#include "schema.h"

static const char runtime[] =
#include "gen-ml-runtime.inc"
	;

/* Descriptions inside (* *) comments: OCaml lexes string and quoted-string
 * literals and nested comments inside comments, so defuse them. */
static void ml_comment(FILE *out, const char *s)
{
	for (; *s; s++) {
		char ch = *s;

		if (ch == '\n' || ch == '\t' || ch == '\r')
			ch = ' ';
		else if (ch == '"')
			ch = '\'';
		else if (ch == '{')
			ch = '[';
		else if (ch == '}')
			ch = ']';
		fputc(ch, out);
		if ((ch == '(' && s[1] == '*') || (ch == '*' && s[1] == ')'))
			fputc(' ', out);
	}
}

/* OCaml type, value constructor and value converter of a field. */
struct ml_kind {
	const char *type, *ctor, *conv, *zero;
};

static struct ml_kind ml_kind(const struct myc_schema_field *f)
{
	unsigned k = f->kind == MYC_K_ARRAY ? f->elem : f->kind;
	struct ml_kind r;

	switch (k) {
	case MYC_K_U64: case MYC_K_I64:
		r = (struct ml_kind){ "int64", "Int64", "as_int64", "0L" };
		break;
	case MYC_K_F32: case MYC_K_F64:
		r = (struct ml_kind){ "float", "Float", "as_float", "0.0" };
		break;
	case MYC_K_BOOL:
		r = (struct ml_kind){ "bool", "Bool", "as_bool", "false" };
		break;
	case MYC_K_STRING: case MYC_K_BYTES:
		r = (struct ml_kind){ "string", "String", "as_string", "\"\"" };
		break;
	default:
		r = (struct ml_kind){ "int", "Int", "as_int", "0" };
		break;
	}
	if (f->kind == MYC_K_ARRAY) {
		static const char *const arr[][3] = {
			{ "int array", "Ints", "as_ints" },
			{ "int64 array", "Int64s", "as_int64s" },
			{ "float array", "Floats", "as_floats" },
			{ "bool array", "Bools", "as_bools" },
		};
		int i = !strcmp(r.ctor, "Int") ? 0 : !strcmp(r.ctor, "Int64") ? 1 :
			!strcmp(r.ctor, "Float") ? 2 : 3;

		r = (struct ml_kind){ arr[i][0], arr[i][1], arr[i][2], "[||]" };
	}
	return r;
}

/* The runtime call that writes ("set") or reads ("get") field @f at o +
 * offset, without the value: "set_u32 \"Msg.f\" b (o + 8)".  @len is the
 * array's count member. */
static void ml_access(FILE *out, const char *dir, const struct myc_schema_msg *m,
		      const struct myc_schema_field *f, const struct myc_schema_field *len)
{
	if (f->kind == MYC_K_ARRAY)
		fprintf(out, "%s_array \"%s.%s\" b (o + %u) %u %u (o + %u) %s_%s", dir,
			m->name, f->name, f->offset, f->cap, myc_kind_size(f->elem),
			len->offset, dir, myc_kind_name(f->elem));
	else
		fprintf(out, "%s_%s \"%s.%s\" b (o + %u)", dir, myc_kind_name(f->kind),
			m->name, f->name, f->offset);
	if (f->kind == MYC_K_STRING || f->kind == MYC_K_BYTES)
		fprintf(out, " %u", f->cap);
}

static void message(FILE *out, const struct myc_schema_msg *m)
{
	const struct myc_schema_field *len = NULL;
	char ts[40];

	fprintf(out, "\n(* %s", m->name);
	if (m->desc[0]) {
		fputs(": ", out);
		ml_comment(out, m->desc);
	}
	fprintf(out, " *)\nmodule %s = struct\n", m->name);
	fprintf(out, "  let name = \"%s\"\n  let type_id = 0x%04x\n  let topic = ", m->name, m->id);
	gen_string_lit(out, m->topic, 0);
	fprintf(out, "\n  let size = %u\n\n  type t = {\n", m->size);
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (!gen_is_field(f))
			continue;
		myc_schema_type_str(f, ts, sizeof(ts));
		fprintf(out, "    %s : %s;  (* %s @%u", f->name, ml_kind(f).type, ts, f->offset);
		if (f->desc[0]) {
			fputs(": ", out);
			ml_comment(out, f->desc);
		}
		fprintf(out, " *)\n");
	}
	fprintf(out, "  }\n\n  let default = {\n");
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (!gen_is_field(f))
			continue;
		if (f->kind == MYC_K_BYTES)
			fprintf(out, "    %s = String.make %u '\\000';\n", f->name, f->cap);
		else
			fprintf(out, "    %s = %s;\n", f->name, ml_kind(f).zero);
	}
	fprintf(out, "  }\n\n  let layout = [\n");
	for (uint32_t j = 0; j < m->nfields; j++)
		fprintf(out, "    (\"%s\", %u, %u);\n", m->fields[j].name, m->fields[j].offset,
			m->fields[j].size);
	fprintf(out, "  ]\n\n  let fields = [\n");
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (gen_is_field(f))
			fprintf(out, "    (\"%s\", \"%s\", \"%s\", %u);\n", f->name,
				myc_kind_name(f->kind),
				f->kind == MYC_K_ARRAY ? myc_kind_name(f->elem) : "", f->cap);
	}
	fprintf(out, "  ]\n\n");

	/* encode_into */
	fprintf(out, "  let encode_into b o m =\n    check_room name b o size;\n"
		"    Bytes.fill b o size '\\000';\n");
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (f->role == MYC_ROLE_LEN)
			len = f;
		if (!gen_is_field(f))
			continue;
		fprintf(out, "    ");
		ml_access(out, "set", m, f, len);
		fprintf(out, " m.%s;\n", f->name);
	}
	fprintf(out, "    ()\n\n  let encode m =\n    let b = Bytes.make size '\\000' in\n"
		"    encode_into b 0 m;\n    b\n\n");

	/* decode_at: padding first, then every field into a local */
	fprintf(out, "  let decode_at b o =\n    check_room name b o size;\n");
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (f->role == MYC_ROLE_PAD)
			fprintf(out, "    check_zero \"%s.%s\" b (o + %u) %u;\n", m->name, f->name,
				f->offset, f->size);
	}
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (f->role == MYC_ROLE_LEN)
			len = f;
		if (!gen_is_field(f))
			continue;
		fprintf(out, "    let f_%s = ", f->name);
		ml_access(out, "get", m, f, len);
		fprintf(out, " in\n");
	}
	fprintf(out, "    {\n");
	for (uint32_t j = 0; j < m->nfields; j++)
		if (gen_is_field(&m->fields[j]))
			fprintf(out, "      %s = f_%s;\n", m->fields[j].name, m->fields[j].name);
	fprintf(out, "    }\n\n  let decode b =\n    check_size name b size;\n"
		"    decode_at b 0\n\n");

	fprintf(out, "  let to_values m = [\n");
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (gen_is_field(f))
			fprintf(out, "    (\"%s\", %s m.%s);\n", f->name, ml_kind(f).ctor, f->name);
	}
	fprintf(out, "  ]\n\n  let of_values vs =\n"
		"    List.iter\n"
		"      (fun (n, _) ->\n"
		"        if not (List.exists (fun (f, _, _, _) -> f = n) fields) then\n"
		"          fail \"%%s: no field %%s\" name n)\n"
		"      vs;\n    {\n");
	for (uint32_t j = 0; j < m->nfields; j++) {
		const struct myc_schema_field *f = &m->fields[j];

		if (gen_is_field(f))
			fprintf(out, "      %s = field name vs \"%s\" %s default.%s;\n", f->name,
				f->name, ml_kind(f).conv, f->name);
	}
	fprintf(out, "    }\nend\n");
}

int gen_ocaml(FILE *out, const struct myc_schema *s, const char *src)
{
	const uint8_t *d = myc_schema_digest(s);
	char hex[2 * MYC_SCHEMA_DIGEST_LEN + 1];

	myc_schema_digest_hex(s, hex);
	fprintf(out, "(* SPDX-License-Identifier: MIT *)\n"
		"(* %s.ml - generated by \"myc gen\" from %s.  Do not edit.\n"
		"   Layout rules: docs/schema.md.  Standard library only. *)\n\n",
		myc_schema_name(s), gen_basename(src));
	fprintf(out, "%s\n", runtime);
	fprintf(out, "let schema_name = \"%s\"\nlet schema_digest_hex =\n  \"%s\"\n\n"
		"(* the 32 digest bytes *)\nlet schema_digest =\n  \"", myc_schema_name(s), hex);
	for (unsigned i = 0; i < MYC_SCHEMA_DIGEST_LEN; i++)
		fprintf(out, "\\x%02x%s", d[i], i == 15 ? "\\\n   " : "");
	fprintf(out, "\"\n");
	for (unsigned i = 0; i < myc_schema_msg_count(s); i++)
		message(out, myc_schema_msg_at(s, i));
	fprintf(out, "\nlet messages : (module MESSAGE) list = [\n");
	for (unsigned i = 0; i < myc_schema_msg_count(s); i++)
		fprintf(out, "  (module %s);\n", myc_schema_msg_at(s, i)->name);
	fprintf(out, "]\n");
	return ferror(out) ? -EIO : 0;
}
