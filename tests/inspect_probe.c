/* Prints what inspect_read finds about a process, one "label: value" line each, for the
 * integration test: inspect_probe [--env] PID [START_TICKS] [FAMILY_PID...] (--env: with its
 * environment, as e shows it)
 * Or why PID is still there after a naive kill of TARGET with SIG:
 * inspect_probe --survived SIG TARGET PID */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detail_fields.h"
#include "inspect.h"
#include "readfile.h"

static int survived(int sig, pid_t target, pid_t pid)
{
	struct survivor_kill k = { .sig = sig, .how = SURVIVOR_NAIVE, .pid = target, .self = getpid() };
	struct survivor_proc p;
	char comm[64], parent_comm[64], line[256];
	if (inspect_read_survivor(readfile_system_root(), pid, 0, &p, comm, parent_comm)) {
		printf("%d: the process has exited\n", (int)pid);
		return 1;
	}
	survivor_explain(&k, &p, line, sizeof line);
	printf("%s\n", line);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--survived") == 0)
		return survived(atoi(argv[2]), (pid_t)atoi(argv[3]), (pid_t)atoi(argv[4]));
	bool env = argc > 1 && strcmp(argv[1], "--env") == 0;
	if (env) {
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: inspect_probe [--env] PID [START_TICKS] [FAMILY_PID...]\n");
		return 2;
	}
	pid_t family[64];
	size_t nfamily = 0;
	for (int i = 3; i < argc && nfamily < 64; i++)
		family[nfamily++] = (pid_t)atoi(argv[i]);
	struct inspect_opts o = {
		.ticks_per_sec = sysconf(_SC_CLK_TCK),
		.now = time(NULL),
		.family = family,
		.nfamily = nfamily,
		.self = getpid(),
		.environ = env,
	};
	struct timespec ts;
	if (clock_gettime(CLOCK_BOOTTIME, &ts) == 0)
		o.now_ticks = (unsigned long long)ts.tv_sec * (unsigned long long)o.ticks_per_sec +
			      (unsigned long long)ts.tv_nsec / (1000000000ull / (unsigned long long)o.ticks_per_sec);
	struct inspect in;
	int rc = inspect_read(readfile_system_root(), (pid_t)atoi(argv[1]), argc > 2 ? strtoull(argv[2], NULL, 10) : 0, &in, &o);
	struct detail_field *lines;
	size_t n = detail_fields(&in, &o, &lines);
	for (size_t i = 0; i < n; i++)
		printf("%s: %s\n", lines[i].label, lines[i].value);
	detail_fields_free(lines, n);
	inspect_free(&in);
	return rc == 0 ? 0 : 1;
}
