/* The one place /proc/PID/stat and /proc/PID/status are read and parsed (procfs.h). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "readfile.h"

bool procfs_parse_stat(const char *buf, size_t len, struct procfs_stat *out, int want)
{
	out->n = 0;
	out->comm[0] = '\0';
	const char *end = buf + len;
	const char *lp = memchr(buf, '(', len), *rp = NULL;
	for (const char *p = end; p > buf; p--)
		if (p[-1] == ')') {
			rp = p - 1;
			break;
		}
	if (!lp || !rp || rp < lp || end - rp < 3 || rp[1] != ' ' || rp[2] == ' ' || rp[2] == '\0')
		return false;
	long pid = 0;
	for (const char *p = buf; p < lp && *p >= '0' && *p <= '9'; p++)
		pid = pid * 10 + (*p - '0');
	out->pid = (pid_t)pid;
	size_t clen = (size_t)(rp - lp - 1);
	if (clen >= sizeof out->comm)
		clen = sizeof out->comm - 1;
	memcpy(out->comm, lp + 1, clen);
	out->comm[clen] = '\0';
	out->state = rp[2];
	int max = (int)(sizeof out->v / sizeof *out->v);
	if (want > max)
		want = max;
	/* By hand: strtoll was a tenth of a refresh of a big family. */
	const char *q = rp + 3;
	while (out->n < want) {
		while (q < end && *q == ' ')
			q++;
		bool neg = q < end && *q == '-';
		q += neg;
		if (q >= end || *q < '0' || *q > '9')
			break;
		unsigned long long x = 0;
		while (q < end && *q >= '0' && *q <= '9')
			x = x * 10 + (unsigned long long)(*q++ - '0');
		out->v[out->n++] = neg ? 0 - x : x;
	}
	return true;
}

int procfs_read_stat(int root, pid_t pid, struct procfs_stat *out, int want)
{
	char path[64], *text;
	size_t len;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int err = readfile_in(root, path, 4096, &text, &len, NULL);
	if (err)
		return err;
	bool ok = procfs_parse_stat(text, len, out, want);
	free(text);
	return ok ? 0 : EINVAL;
}

/* Up to 16 hex digits then the end of the line; anything else is not a mask. */
static bool parse_hex(const char *p, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;
	for (; *p; p++, digits++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (digits == 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (digits == 0)
		return false;
	*out = v;
	return true;
}

/* One line, its key without the colon and its value without the blanks before it. */
static void status_line(const char *key, size_t klen, const char *val, struct procfs_status *out)
{
	static const struct {
		const char *key;
		unsigned bit;
		size_t offset;
	} masks[] = {
		{ "SigPnd", SIGMASK_HAVE_PND, offsetof(struct sigmasks, pnd) },
		{ "ShdPnd", SIGMASK_HAVE_SHDPND, offsetof(struct sigmasks, shdpnd) },
		{ "SigBlk", SIGMASK_HAVE_BLK, offsetof(struct sigmasks, blk) },
		{ "SigIgn", SIGMASK_HAVE_IGN, offsetof(struct sigmasks, ign) },
		{ "SigCgt", SIGMASK_HAVE_CGT, offsetof(struct sigmasks, cgt) },
	};
#define IS(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
	unsigned a, b;
	long t;
	char c;
	if (IS("State") && sscanf(val, "%c", &c) == 1 && c != ' ') {
		out->state = c;
		out->have |= PROCFS_HAVE_STATE;
	} else if (IS("Tgid") && sscanf(val, "%ld", &t) == 1) {
		out->tgid = (pid_t)t;
		out->have |= PROCFS_HAVE_TGID;
	} else if (IS("Uid") && sscanf(val, "%u %u", &a, &b) == 2) {
		out->uid = a;
		out->euid = b;
		out->have |= PROCFS_HAVE_UID;
	} else if (IS("Gid") && sscanf(val, "%u %u", &a, &b) == 2) {
		out->gid = a;
		out->egid = b;
		out->have |= PROCFS_HAVE_GID;
	} else if (IS("Threads") && sscanf(val, "%ld", &t) == 1) {
		out->threads = t;
		out->have |= PROCFS_HAVE_THREADS;
	} else if (IS("VmLck") && sscanf(val, "%ld", &t) == 1) {
		out->locked = t != 0;
		out->have |= PROCFS_HAVE_VMLCK;
	} else {
		for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
			uint64_t v;
			if (klen == strlen(masks[i].key) && memcmp(key, masks[i].key, klen) == 0 && parse_hex(val, &v)) {
				memcpy((char *)&out->masks + masks[i].offset, &v, sizeof v);
				out->masks.have |= masks[i].bit;
			}
		}
	}
#undef IS
}

void procfs_parse_status(const char *buf, size_t len, struct procfs_status *out)
{
	memset(out, 0, sizeof *out);
	const char *end = buf + len;
	for (const char *line = buf; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end;
		const char *colon = memchr(line, ':', (size_t)(eol - line));
		if (colon) {
			/* Every value read is short: a longer one (Groups, Cpus_allowed_list) is
			 * cut, and none of those is read. */
			char val[128];
			const char *v = colon + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			size_t n = (size_t)(eol - v) < sizeof val - 1 ? (size_t)(eol - v) : sizeof val - 1;
			memcpy(val, v, n);
			val[n] = '\0';
			status_line(line, (size_t)(colon - line), val, out);
		}
		line = nl ? nl + 1 : end;
	}
}

int procfs_read_status(int root, pid_t pid, struct procfs_status *out)
{
	char path[64], *text;
	size_t len;
	memset(out, 0, sizeof *out);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	int err = readfile_in(root, path, 16384, &text, &len, NULL);
	if (err)
		return err;
	procfs_parse_status(text, len, out);
	free(text);
	return 0;
}

bool procfs_read_comm(int root, pid_t pid, char *buf, size_t len)
{
	char path[64], *text;
	size_t n;
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if (len)
		buf[0] = '\0';
	if (readfile_in(root, path, 256, &text, &n, NULL))
		return false;
	text[strcspn(text, "\n")] = '\0';
	snprintf(buf, len, "%s", text);
	free(text);
	return true;
}
