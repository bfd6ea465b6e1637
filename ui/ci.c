#include "config.h"

#include "ci.h"
#include "columns.h"
#include "escape.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A leaked process as every CI format says it, its texts already made safe (escape_str). */
struct leak {
	char title[512];		/* "4243 (sleep) leaked: orphaned when 4242 exited" */
	char row[ESCAPE_COMMAND_MAX + 512];	/* its ps j row */
};

typedef void leak_fn(void *ctx, const struct leak *l);

/* Call fn for each leaked process (a member running now) in tree order; returns how many. */
static size_t ci_each_leak(const struct engine *e, leak_fn *fn, void *ctx)
{
	struct tree_row *rows = NULL;
	size_t cap = 0, count = 0;
	size_t n = family_tree(engine_family(e), false, &rows, &cap);
	struct leak *l = xmalloc(sizeof *l);
	for (size_t i = 0; i < n; i++) {
		const struct member *m = &engine_family(e)->m[rows[i].member];
		if (!family_member_running(m))
			continue;
		char how[128], comm[4 * PROC_COMM_LEN], prefix[512];
		family_describe(engine_family(e), m, how, sizeof how);
		escape_str(m->p.comm, comm, sizeof comm);
		snprintf(l->title, sizeof l->title, "%d (%s) leaked: %s", m->p.pid, comm, how);
		size_t w = columns_prefix(m, false, prefix, sizeof prefix);
		memcpy(l->row, prefix, w);
		columns_cell(COL_COMMAND, m, l->row + w, sizeof l->row - w);
		if (fn)
			fn(ctx, l);
		count++;
	}
	free(l);
	free(rows);
	return count;
}

FILE *ci_junit_open(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		char safe[1024];
		escape_str(path, safe, sizeof safe);
		snprintf(err, errlen, "cannot write the JUnit report to %s: %s", safe, strerror(errno));
	}
	return f;
}

/* Untrusted or escaped text as XML text or an attribute value. */
static void xml_text(FILE *out, const char *text)
{
	size_t cap = strlen(text) * 6 + 1;
	char *x = xmalloc(cap);
	escape_xml(text, x, cap);
	fputs(x, out);
	free(x);
}

static void junit_leak(void *ctx, const struct leak *l)
{
	FILE *out = ctx;
	char header[256];
	columns_header(false, header, sizeof header);
	fputs("    <testcase classname=\"orphanage.leak\" name=\"", out);
	xml_text(out, l->title);
	fputs("\" time=\"0\">\n      <failure type=\"process leak\" message=\"", out);
	xml_text(out, l->title);
	fputs("\">", out);
	xml_text(out, header);
	fputc('\n', out);
	xml_text(out, l->row);
	fputs("</failure>\n    </testcase>\n", out);
}

bool ci_junit_write(FILE *out, const char *path, const struct engine *e, char *err, size_t errlen)
{
	size_t leaked = ci_each_leak(e, NULL, NULL);
	size_t tests = leaked ? leaked : 1;
	double secs = engine_now(e);
	char status[64] = "still running", cmd[ESCAPE_COMMAND_MAX + 1];
	if (!engine_job(e)->running && engine_job(e)->status >= 0)
		signame_status(engine_job(e)->status, status, sizeof status);
	escape_command(engine_job(e)->command ? engine_job(e)->command : "", cmd, sizeof cmd);
	errno = 0;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<testsuites name=\"orphanage\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n"
		     "  <testsuite name=\"orphanage --check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		     "skipped=\"0\" time=\"%.3f\">\n    <properties>\n      <property name=\"command\" value=\"",
		tests, leaked, secs, tests, leaked, secs);
	xml_text(out, cmd);
	fprintf(out, "\"/>\n      <property name=\"job\" value=\"%s\"/>\n"
		     "      <property name=\"tracking\" value=\"%s\"/>\n    </properties>\n",
		status, engine_tracking(e, NULL));
	if (leaked)
		ci_each_leak(e, junit_leak, out);
	else
		fprintf(out, "    <testcase classname=\"orphanage.leak\" name=\"no process leaked\" time=\"%.3f\"/>\n",
			secs);
	fputs("  </testsuite>\n</testsuites>\n", out);
	int failed = fflush(out) != 0 || ferror(out) ? (errno ? errno : EIO) : 0;
	if (fclose(out) != 0 && !failed)
		failed = errno ? errno : EIO;
	if (failed) {
		char safe[1024];
		escape_str(path, safe, sizeof safe);
		snprintf(err, errlen, "cannot write the JUnit report to %s: %s", safe, strerror(failed));
		return false;
	}
	return true;
}

static void annotate_leak(void *ctx, const struct leak *l)
{
	FILE *out = ctx;
	char text[sizeof l->title + sizeof l->row + 2];
	char *msg = xmalloc(3 * sizeof text);
	snprintf(text, sizeof text, "%s\n%s", l->title, l->row);
	escape_annotation(text, msg, 3 * sizeof text);
	fprintf(out, "::error title=process leak::%s\n", msg);
	free(msg);
}

void ci_annotations(FILE *out, const struct engine *e)
{
	const char *gha = getenv("GITHUB_ACTIONS");
	if (!gha || strcmp(gha, "true") != 0)
		return;
	ci_each_leak(e, annotate_leak, out);
	fflush(out);
}
