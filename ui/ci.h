/* --check's report in CI's formats: JUnit XML (as Jenkins and GitLab read it) and GitHub
 * Actions annotations. */
#ifndef ORPHANAGE_CI_H
#define ORPHANAGE_CI_H

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"

/* Open FILE for --junit before anything is launched: NULL with one line in err. */
FILE *ci_junit_open(const char *path, char *err, size_t errlen);
/* The report as JUnit XML: a testsuite with one failing testcase per leaked process (the
 * members running now), or one passing testcase. Closes out; false, with one line in err,
 * when it could not be written whole. */
bool ci_junit_write(FILE *out, const char *path, const struct engine *e, char *err, size_t errlen);
/* With GITHUB_ACTIONS=true in env: one ::error annotation per leaked process on out. */
void ci_annotations(FILE *out, const struct engine *e);

#endif
