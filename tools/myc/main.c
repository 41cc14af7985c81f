// SPDX-License-Identifier: MIT
/* The myc tool: dispatches to the commands registered with MYC_COMMAND(). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

extern const struct myc_cmd __start_myc_cmds[];
extern const struct myc_cmd __stop_myc_cmds[];

static const struct myc_cmd *find_cmd(const char *name)
{
	const struct myc_cmd *c;

	for (c = __start_myc_cmds; c < __stop_myc_cmds; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int myc_usage(const char *name)
{
	const struct myc_cmd *c = find_cmd(name);

	if (c)
		fprintf(stderr, "usage: myc %s %s\n", c->name, c->usage);
	return MYC_EXIT_USAGE;
}

static int help(const char *name)
{
	const struct myc_cmd *c;

	if (name) {
		c = find_cmd(name);
		if (!c) {
			fprintf(stderr, "myc: unknown command '%s'\n", name);
			return MYC_EXIT_USAGE;
		}
		printf("usage: myc %s %s\n", c->name, c->usage);
		return MYC_EXIT_OK;
	}
	printf("usage: myc COMMAND [ARGS]\n\ncommands:\n");
	for (c = __start_myc_cmds; c < __stop_myc_cmds; c++)
		printf("  %-12s %s\n", c->name, c->summary);
	printf("\n'myc help COMMAND' shows a command's arguments.\n");
	return MYC_EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct myc_cmd *c;

	if (argc < 2) {
		help(NULL);
		return MYC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return help(argc > 2 ? argv[2] : NULL);
	if (!strcmp(argv[1], "--version")) {
		printf("myc 0.1.0\n");
		return MYC_EXIT_OK;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "myc: unknown command '%s' (try 'myc help')\n",
			argv[1]);
		return MYC_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
