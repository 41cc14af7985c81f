// SPDX-License-Identifier: MIT
/*
 * myc gen SCHEMA [--c OUT.h] [--python OUT.py] [--ocaml OUT.ml] [--out DIR]
 *                [--digest] [--canonical] [--layout]
 *
 * Loads and validates a schema, then writes the requested outputs.  --out
 * DIR writes DIR/NAME.h, DIR/NAME.py and DIR/NAME.ml where NAME is the
 * schema's name.  Each output is written to a temporary file in the target
 * directory and renamed into place, so readers never see a partial file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "gen.h"
#include "schema.h"

const char *gen_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void gen_comment_text(FILE *out, const char *s, int c_style)
{
	for (; *s; s++) {
		char ch = *s;

		if (ch == '\n' || ch == '\t' || ch == '\r')
			ch = ' ';
		fputc(ch, out);
		/* a star-slash or slash-star would end or nest a C comment */
		if (c_style && ((ch == '*' && s[1] == '/') || (ch == '/' && s[1] == '*')))
			fputc(' ', out);
	}
}

void gen_string_lit(FILE *out, const char *s, int python)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f || (!python && ch >= 0x80))
			fprintf(out, "\\%03o", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

typedef int (*gen_fn)(FILE *, const struct myc_schema *, const char *);

/* Write @fn's output to @path via a temporary file and rename(2). */
static int write_output(const char *path, gen_fn fn, const struct myc_schema *s,
			const char *src)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *f;
	int fd, ret;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		goto out;
	}
	ret = fn(f, s, src);
	if (fflush(f) || ferror(f))
		ret = ret ? ret : -(errno ? errno : EIO);
	/* the default 0600 of mkstemp would make outputs private */
	if (!ret && fchmod(fd, 0644))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	return ret;
}

static char *join(const char *dir, const char *name, const char *ext)
{
	size_t n = strlen(dir) + strlen(name) + strlen(ext) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s%s", dir, name, ext);
	return p;
}

static void print_layout(const struct myc_schema *s)
{
	for (unsigned i = 0; i < myc_schema_msg_count(s); i++) {
		const struct myc_schema_msg *m = myc_schema_msg_at(s, i);

		printf("%s size %u\n", m->name, m->size);
		for (uint32_t j = 0; j < m->nfields; j++)
			printf("%s.%s %u %u\n", m->name, m->fields[j].name,
			       m->fields[j].offset, m->fields[j].size);
	}
}

static int gen(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "c", required_argument, NULL, 'c' },
		{ "python", required_argument, NULL, 'p' },
		{ "ocaml", required_argument, NULL, 'o' },
		{ "out", required_argument, NULL, 'd' },
		{ "digest", no_argument, NULL, 'D' },
		{ "canonical", no_argument, NULL, 'C' },
		{ "layout", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outs[3] = { NULL, NULL, NULL }, *dir = NULL;
	static const char *const exts[3] = { ".h", ".py", ".ml" };
	static const gen_fn fns[3] = { gen_c, gen_python, gen_ocaml };
	int digest = 0, canonical = 0, layout = 0, c, ret = MYC_EXIT_OK;
	struct myc_schema *s;
	char err[512];

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': outs[0] = optarg; break;
		case 'p': outs[1] = optarg; break;
		case 'o': outs[2] = optarg; break;
		case 'd': dir = optarg; break;
		case 'D': digest = 1; break;
		case 'C': canonical = 1; break;
		case 'L': layout = 1; break;
		default: return myc_usage(argv[0]);
		}
	}
	if (optind != argc - 1)
		return myc_usage(argv[0]);
	if (!outs[0] && !outs[1] && !outs[2] && !dir && !canonical && !layout)
		digest = 1;	/* nothing asked: validate and print the digest */
	s = myc_schema_load(argv[optind], err, sizeof(err));
	if (!s) {
		fprintf(stderr, "myc gen: %s\n", err[0] ? err : strerror(errno));
		return MYC_EXIT_FAIL;
	}
	for (int i = 0; i < 3 && ret == MYC_EXIT_OK; i++) {
		char *path = NULL;
		const char *p = outs[i];
		int r;

		if (!p && dir) {
			path = join(dir, myc_schema_name(s), exts[i]);
			if (!path) {
				fprintf(stderr, "myc gen: out of memory\n");
				ret = MYC_EXIT_FAIL;
				break;
			}
			p = path;
		}
		if (p) {
			r = write_output(p, fns[i], s, argv[optind]);
			if (r) {
				fprintf(stderr, "myc gen: %s: %s\n", p, strerror(-r));
				ret = MYC_EXIT_FAIL;
			}
		}
		free(path);
	}
	if (ret == MYC_EXIT_OK && canonical)
		fputs(myc_schema_canonical(s), stdout);
	if (ret == MYC_EXIT_OK && layout)
		print_layout(s);
	if (ret == MYC_EXIT_OK && digest) {
		char hex[2 * MYC_SCHEMA_DIGEST_LEN + 1];

		myc_schema_digest_hex(s, hex);
		printf("%s\n", hex);
	}
	myc_schema_free(s);
	return ret;
}

MYC_COMMAND(gen, .name = "gen",
	    .summary = "validate a message schema and generate C/Python/OCaml code",
	    .usage = "SCHEMA.yaml [--c OUT.h] [--python OUT.py] [--ocaml OUT.ml] "
		     "[--out DIR]\n               [--digest] [--canonical] [--layout]\n"
		     "  With no output option: validate and print the digest.\n"
		     "  --out DIR writes DIR/NAME.h, DIR/NAME.py, DIR/NAME.ml.",
	    .run = gen);
