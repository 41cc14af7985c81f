/* SPDX-License-Identifier: MIT */
/*
 * Subcommands of the myc tool.  Each tools/myc/<name>.c registers its
 * commands with MYC_COMMAND(); main.c finds them through the linker section,
 * so adding a command touches no shared table.
 */
#ifndef MYC_TOOL_CMD_H
#define MYC_TOOL_CMD_H

struct myc_cmd {
	const char *name;	/* "bench", "topo", ... */
	const char *summary;	/* one line for "myc help" */
	const char *usage;	/* full usage text for "myc help NAME" */
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
};

#define MYC_COMMAND(id, ...)						\
	static const struct myc_cmd myc_cmd_##id			\
	__attribute__((used, section("myc_cmds"), aligned(8))) = { __VA_ARGS__ }

/* Print "myc NAME: usage" text to stderr and return the usage exit code. */
int myc_usage(const char *name);

/* Exit codes */
#define MYC_EXIT_OK	0
#define MYC_EXIT_FAIL	1
#define MYC_EXIT_USAGE	2

#endif
