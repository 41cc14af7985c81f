// SPDX-License-Identifier: MIT
/* myc frame-check: validate a stream of frames read from a file or stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "myc.h"
#include "cmd.h"

static int frame_check(int argc, char **argv)
{
	FILE *f = stdin;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, off = 0, n;
	unsigned long count = 0;
	int ret;

	if (argc > 2)
		return myc_usage(argv[0]);
	if (argc == 2 && strcmp(argv[1], "-")) {
		f = fopen(argv[1], "rb");
		if (!f) {
			fprintf(stderr, "myc frame-check: %s: %s\n", argv[1],
				strerror(errno));
			return MYC_EXIT_FAIL;
		}
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf) {
				fprintf(stderr, "myc frame-check: out of memory\n");
				return MYC_EXIT_FAIL;
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	if (f != stdin)
		fclose(f);
	while (off < len) {
		struct myc_frame_hdr h;

		ret = myc_frame_decode(buf + off, len - off, &h, NULL);
		if (ret < 0) {
			fprintf(stderr, "myc frame-check: frame %lu at offset %zu: %s\n",
				count, off, myc_strerror(ret));
			free(buf);
			return MYC_EXIT_FAIL;
		}
		printf("%lu\toff=%zu\tlen=%u\ttype=0x%04x\tflags=0x%04x\tseq=%llu\n",
		       count, off, h.len, h.type, h.flags,
		       (unsigned long long)h.seq);
		off += (size_t)ret;
		count++;
	}
	free(buf);
	printf("%lu frames ok\n", count);
	return MYC_EXIT_OK;
}

MYC_COMMAND(frame_check, .name = "frame-check",
	    .summary = "validate a file of frames (docs/frame-format.md)",
	    .usage = "[FILE|-]", .run = frame_check);
