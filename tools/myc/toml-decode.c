// SPDX-License-Identifier: MIT
/*
 * myc toml-decode: the decoder interface of toml-test.  TOML on stdin;
 * on success the document as toml-test's tagged JSON on stdout, exit 0; on
 * invalid input a "line:col: message" on stderr and exit 1.
 *
 * Tagged JSON: tables are objects, arrays are arrays, every scalar is
 * {"type": "integer", "value": "42"} with the value as a string.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "toml.h"

static void json_str(FILE *out, const char *s, size_t len)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);	/* UTF-8 passes through */
		}
	}
	fputc('"', out);
}

/* Shortest %g form that reads back as the same double. */
static void fmt_float(double d, char *buf, size_t size)
{
	int prec;

	if (isnan(d)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, d < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* "1e+20" and "3" are fine for JSON consumers, but keep it a float */
	if (!strpbrk(buf, ".eEn"))
		strncat(buf, ".0", size - strlen(buf) - 1);
}

static void json_tagged(FILE *out, const char *type, const char *val,
			size_t len)
{
	fprintf(out, "{\"type\":\"%s\",\"value\":", type);
	json_str(out, val, len);
	fputc('}', out);
}

static void emit(FILE *out, const struct toml_value *v)
{
	char buf[64];
	size_t i;

	switch (v->type) {
	case TOML_TABLE:
		fputc('{', out);
		for (i = 0; i < v->u.table.n; i++) {
			if (i)
				fputc(',', out);
			json_str(out, v->u.table.items[i].key,
				 v->u.table.items[i].keylen);
			fputc(':', out);
			emit(out, v->u.table.items[i].val);
		}
		fputc('}', out);
		break;
	case TOML_ARRAY:
		fputc('[', out);
		for (i = 0; i < v->u.array.n; i++) {
			if (i)
				fputc(',', out);
			emit(out, v->u.array.items[i]);
		}
		fputc(']', out);
		break;
	case TOML_STRING:
		json_tagged(out, "string", v->u.str.ptr, v->u.str.len);
		break;
	case TOML_INTEGER:
		snprintf(buf, sizeof(buf), "%lld", (long long)v->u.integer);
		json_tagged(out, "integer", buf, strlen(buf));
		break;
	case TOML_FLOAT:
		fmt_float(v->u.flt, buf, sizeof(buf));
		json_tagged(out, "float", buf, strlen(buf));
		break;
	case TOML_BOOL:
		json_tagged(out, "bool", v->u.boolean ? "true" : "false",
			    v->u.boolean ? 4 : 5);
		break;
	default:
		toml_datetime_format(v, buf, sizeof(buf));
		json_tagged(out, toml_type_name(v->type), buf, strlen(buf));
		break;
	}
}

static int toml_decode(int argc, char **argv)
{
	struct toml_error err;
	struct toml_value *doc;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (argc != 1)
		return myc_usage(argv[0]);
	for (;;) {
		if (len == cap) {
			char *q;

			cap = cap ? cap * 2 : 65536;
			q = realloc(buf, cap);
			if (!q) {
				free(buf);
				fprintf(stderr, "myc toml-decode: out of memory\n");
				return MYC_EXIT_FAIL;
			}
			buf = q;
		}
		n = fread(buf + len, 1, cap - len, stdin);
		if (!n)
			break;
		len += n;
	}
	if (ferror(stdin)) {
		free(buf);
		fprintf(stderr, "myc toml-decode: read error on stdin\n");
		return MYC_EXIT_FAIL;
	}
	doc = toml_parse(buf ? buf : "", len, &err);
	free(buf);
	if (!doc) {
		fprintf(stderr, "myc toml-decode: <stdin>:%u:%u: %s\n", err.line,
			err.col, err.msg);
		return MYC_EXIT_FAIL;
	}
	emit(stdout, doc);
	fputc('\n', stdout);
	toml_free(doc);
	return fflush(stdout) ? MYC_EXIT_FAIL : MYC_EXIT_OK;
}

MYC_COMMAND(toml_decode, .name = "toml-decode",
	    .summary = "decode TOML on stdin to toml-test's tagged JSON",
	    .usage = "< FILE.toml", .run = toml_decode);
