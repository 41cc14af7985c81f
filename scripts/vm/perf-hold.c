// SPDX-License-Identifier: MIT
/*
 * perf-hold: run by the guest's init before any test.  Opens, on itself,
 * a per-task perf counter and (when tracefs has it) one on the
 * raw_syscalls:sys_enter tracepoint, then leaves a child holding them
 * until the guest powers off.
 *
 * Why: the first per-task perf event of a system turns on static keys
 * (the scheduler's perf hooks, the tracepoint), and the kernel patches its
 * running text with int3 to do so; the last one closed turns them off
 * again.  Under multi-threaded TCG that patching occasionally leaves a
 * vCPU executing the int3 after the patch is complete ("Oops: int3" in
 * __schedule, seen once in ring-syscalls-per-message's perf_event_open()).
 * With the keys held on from boot, the tests' own counters never flip them.
 * A failure here is reported and costs nothing else: init goes on.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_event(__u32 type, __u64 config)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

int main(void)
{
	const char *id_path = "/sys/kernel/tracing/events/raw_syscalls/sys_enter/id";
	unsigned long long id;
	FILE *f;
	int task, tp = -1;
	pid_t pid;

	task = open_event(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_DUMMY);
	if (task < 0) {
		perror("perf-hold: perf_event_open (software)");
		return 1;
	}
	f = fopen(id_path, "r");
	if (f) {
		if (fscanf(f, "%llu", &id) == 1)
			tp = open_event(PERF_TYPE_TRACEPOINT, id);
		fclose(f);
	}
	pid = fork();
	if (pid < 0) {
		perror("perf-hold: fork");
		return 1;
	}
	if (pid > 0) {
		printf("# perf-hold: per-task event held%s\n",
		       tp >= 0 ? ", sys_enter tracepoint held" : "");
		return 0;
	}
	/* The events stay accounted while any descriptor is open.  Let go
	 * of init's output, which a reader may wait on to end. */
	close(0);
	close(1);
	close(2);
	for (;;)
		pause();
}
