/* SPDX-License-Identifier: MIT */
/*
 * myc gen: code generators for message schemas (docs/schema.md).  Each
 * backend writes one self-contained file from a loaded schema; gen.c owns
 * the command line and writes every output through a temporary file so a
 * failed run never leaves a half-written header behind.
 */
#ifndef MYC_TOOL_GEN_H
#define MYC_TOOL_GEN_H

#include <stdio.h>

#include "myc.h"

/* Backends; @src is the schema path as given, for the "generated from"
 * line.  Return 0 or a negative errno (from the stream). */
int gen_c(FILE *out, const struct myc_schema *s, const char *src);
int gen_python(FILE *out, const struct myc_schema *s, const char *src);
int gen_ocaml(FILE *out, const struct myc_schema *s, const char *src);

/* Shared helpers */
/* basename of @path (no allocation). */
const char *gen_basename(const char *path);
/* Write description @s on one line of a comment (newlines and tabs become
 * spaces); @c_style: also split the two-character sequences that would end
 * or nest a C comment. */
void gen_comment_text(FILE *out, const char *s, int c_style);
/* "md.quote" as a double-quoted C/Python/OCaml string literal (the schema
 * rules already limit topics and names to printable ASCII; this escapes
 * anything else as \ooo / \xNN). */
void gen_string_lit(FILE *out, const char *s, int python);
/* Is @f a field written in the schema (not a pad or a count)? */
static inline int gen_is_field(const struct myc_schema_field *f)
{
	return f->role == MYC_ROLE_FIELD;
}

#endif
