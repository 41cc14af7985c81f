/* SPDX-License-Identifier: MIT */
/* Internal schema helpers shared with the code generators (myc gen). */
#ifndef MYC_SCHEMA_INTERNAL_H
#define MYC_SCHEMA_INTERNAL_H

#include "myc.h"

/* "u8", "f64", "string", ... for an enum myc_kind. */
const char *myc_kind_name(unsigned kind);
/* Size in bytes of a scalar kind (1 for bytes/string/pad elements). */
uint32_t myc_kind_size(unsigned kind);
/* The field's type as written in the canonical form: "u32", "string[16]",
 * "f64[4]". */
void myc_schema_type_str(const struct myc_schema_field *f, char *out, size_t len);

#endif
