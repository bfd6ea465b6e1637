/* A storm of short children for tests/integration_fresh.sh:
 * "forkstorm N SECONDS COMMAND ARG..." forks N children as fast as it can, each living
 * SECONDS and exiting 0 (hundreds alive at once), reaps them all, then execs COMMAND in
 * its own place (same pid). Exit 1 with a message when a fork or the exec fails.
 * (A fork from this small program costs a fraction of one from an interpreter.) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: forkstorm N SECONDS COMMAND [ARG...]\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	double secs = strtod(argv[2], NULL);
	struct timespec life = { .tv_sec = (time_t)secs,
				 .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9) };

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "forkstorm: fork %ld of %ld: %s\n", i + 1, n, strerror(errno));
			return 1;
		}
		if (pid == 0) {
			while (nanosleep(&life, &life) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	execvp(argv[3], argv + 3);
	fprintf(stderr, "forkstorm: %s: %s\n", argv[3], strerror(errno));
	return 1;
}
