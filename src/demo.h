/* Built-in scenarios (--demo NAME): small process families that show how each kill goes wrong or right. */
#ifndef ORPHANAGE_DEMO_H
#define ORPHANAGE_DEMO_H

#include <stdio.h>

struct demo { const char *name; const char *summary; };
/* The scenario with this name, or NULL. */
const struct demo *demo_find(const char *name);
/* Print every scenario: name, then its one-line description, one per line. */
void demo_list(FILE *out);
/* The job's argv for a scenario: argv[0] is the scenario's process name ("execsleep"), so
 * ps shows it as the seed does. NULL-terminated, static storage. NULL for an unknown name. */
char *const *demo_argv(const char *name);
/* Run scenario `name` in this process; never returns (exits). main() calls this first thing
 * when the environment holds ORPHANAGE_DEMO=name (after unsetenv-ing it). */
int demo_run(const char *name, int argc, char **argv) __attribute__((noreturn));

#endif
