/* The one reading of /proc/PID/stat's text (procfs.h). */
#include "config.h"

#include <string.h>

#include "procfs.h"

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
