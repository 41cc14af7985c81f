// SPDX-License-Identifier: MIT
/*
 * One-line text form of a payload, for logs and "myc tail" (format in
 * myc.h, myc_schema_msg_format).  Reads the payload through the schema's
 * layout, so it works for any type without generated code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "myc.h"
#include "schema.h"

/* snprintf into a bounded buffer while counting the full length. */
struct out {
	char *buf;
	size_t len, pos;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static void scalar(struct out *o, unsigned kind, const uint8_t *p)
{
	uint64_t u = 0;
	uint32_t n = myc_kind_size(kind);

	for (uint32_t i = n; i-- > 0;)	/* little-endian on the wire */
		u = u << 8 | p[i];
	switch (kind) {
	case MYC_K_BOOL:
		put(o, "%s", u ? "true" : "false");
		break;
	case MYC_K_F32: {
		uint32_t b = (uint32_t)u;
		float f;

		memcpy(&f, &b, sizeof(f));
		put(o, "%.9g", f);
		break;
	}
	case MYC_K_F64: {
		double d;

		memcpy(&d, &u, sizeof(d));
		put(o, "%.17g", d);
		break;
	}
	case MYC_K_I8: case MYC_K_I16: case MYC_K_I32: case MYC_K_I64:
		if (n < 8 && (u >> (8 * n - 1)))
			u |= ~0ull << (8 * n);	/* sign-extend */
		put(o, "%lld", (long long)u);
		break;
	default:
		put(o, "%llu", (unsigned long long)u);
	}
}

int myc_schema_msg_format(const struct myc_schema_msg *msg, const void *payload,
			  size_t size, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = buf ? len : 0 };
	const uint8_t *p = payload;
	uint32_t count = 0;
	const char *sep = "";
	int ret;

	if (!msg || !payload)
		return -EINVAL;
	ret = myc_schema_msg_check(msg, payload, size);
	if (ret)
		return ret;
	if (o.len)
		buf[0] = 0;
	put(&o, "%s{", msg->name);
	for (uint32_t i = 0; i < msg->nfields; i++) {
		const struct myc_schema_field *f = &msg->fields[i];
		const uint8_t *q = p + f->offset;

		if (f->role == MYC_ROLE_LEN) {
			count = (uint32_t)q[0] | (uint32_t)q[1] << 8;
			continue;
		}
		if (f->role != MYC_ROLE_FIELD)
			continue;
		put(&o, "%s%s=", sep, f->name);
		sep = ", ";
		switch (f->kind) {
		case MYC_K_STRING:
			put(&o, "\"");
			for (uint32_t j = 0; j < f->cap && q[j]; j++) {
				if (q[j] == '"' || q[j] == '\\')
					put(&o, "\\%c", q[j]);
				else if (q[j] < 0x20 || q[j] >= 0x7f)
					put(&o, "\\x%02x", q[j]);
				else
					put(&o, "%c", q[j]);
			}
			put(&o, "\"");
			break;
		case MYC_K_BYTES:
			put(&o, "0x");
			for (uint32_t j = 0; j < f->cap; j++)
				put(&o, "%02x", q[j]);
			break;
		case MYC_K_ARRAY:
			put(&o, "[");
			for (uint32_t j = 0; j < count; j++) {
				put(&o, "%s", j ? ", " : "");
				scalar(&o, f->elem, q + j * myc_kind_size(f->elem));
			}
			put(&o, "]");
			break;
		default:
			scalar(&o, f->kind, q);
		}
	}
	put(&o, "}");
	return o.pos > (size_t)INT32_MAX ? -EOVERFLOW : (int)o.pos;
}
