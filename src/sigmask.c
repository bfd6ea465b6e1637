#include "config.h"

#include "sigmask.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "signame.h"

#define SIGMASK_MAX_SIG 64
/* The signals a job is usually asked to stop with: what the note and the flag are about. */
#define SIGMASK_STOPPERS ((1ull << (SIGHUP - 1)) | (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1)))

static const struct {
	const char *key;
	unsigned bit;
	size_t offset;
} fields[] = {
	{ "SigPnd:", SIGMASK_HAVE_PND, offsetof(struct sigmasks, pnd) },
	{ "ShdPnd:", SIGMASK_HAVE_SHDPND, offsetof(struct sigmasks, shdpnd) },
	{ "SigBlk:", SIGMASK_HAVE_BLK, offsetof(struct sigmasks, blk) },
	{ "SigIgn:", SIGMASK_HAVE_IGN, offsetof(struct sigmasks, ign) },
	{ "SigCgt:", SIGMASK_HAVE_CGT, offsetof(struct sigmasks, cgt) },
};

/* Up to 16 hex digits then the end of the line; anything else is not a mask. */
static bool parse_hex(const char *p, const char *end, uint64_t *out)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	uint64_t v = 0;
	int digits = 0;
	for (; p < end && *p != '\n'; p++, digits++) {
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

bool sigmask_parse(const char *status, size_t len, struct sigmasks *out)
{
	memset(out, 0, sizeof *out);
	const char *end = status + len;
	for (const char *line = status; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end;
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
			size_t klen = strlen(fields[i].key);
			uint64_t v;
			if ((size_t)(eol - line) > klen && memcmp(line, fields[i].key, klen) == 0 &&
			    parse_hex(line + klen, eol, &v)) {
				memcpy((char *)out + fields[i].offset, &v, sizeof v);
				out->have |= fields[i].bit;
			}
		}
		line = nl ? nl + 1 : end;
	}
	return out->have == SIGMASK_HAVE_ALL;
}

int sigmask_read(pid_t pid, struct sigmasks *out)
{
	char path[64], buf[4096];
	memset(out, 0, sizeof *out);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno;
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof buf - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			close(fd);
			return err;
		}
		if (r == 0 || (n += (size_t)r) == sizeof buf)
			break;
	}
	close(fd);
	return sigmask_parse(buf, n, out) ? 0 : EINVAL;
}

bool sigmask_has(uint64_t mask, int sig)
{
	return sig >= 1 && sig <= SIGMASK_MAX_SIG && (mask >> (sig - 1) & 1);
}

int sigmask_next(uint64_t mask, int sig)
{
	for (int s = sig < 0 ? 1 : sig + 1; s <= SIGMASK_MAX_SIG; s++)
		if (mask >> (s - 1) & 1)
			return s;
	return 0;
}

uint64_t sigmask_pending(const struct sigmasks *m)
{
	return m->pnd | m->shdpnd;
}

size_t sigmask_names(uint64_t mask, const char *sep, char *buf, size_t len)
{
	size_t count = 0, used = 0;
	bool full = false;
	if (len)
		buf[0] = '\0';
	for (int s = sigmask_next(mask, 0); s; s = sigmask_next(mask, s)) {
		count++;
		if (full || !len)
			continue;
		/* signame's text for an unnamed signal lives in static storage: use it at once. */
		const char *name = signame(s);
		size_t need = (used ? strlen(sep) : 0) + strlen(name);
		/* Room for "..." must stay if this is not the last one. */
		size_t reserve = sigmask_next(mask, s) ? 3 : 0;
		if (used + need + reserve + 1 > len) {
			full = true;
			if (used + 4 <= len)
				memcpy(buf + used, "...", 4);
			continue;
		}
		snprintf(buf + used, len - used, "%s%s", used ? sep : "", name);
		used += need;
	}
	return count;
}

void sigmask_note(const struct sigmasks *m, char *buf, size_t len)
{
	const struct {
		const char *verb;
		uint64_t mask;
	} parts[] = {
		{ "ignores", m->ign & SIGMASK_STOPPERS },
		{ "blocks", m->blk & SIGMASK_STOPPERS },
		/* The kernel never has a signal both ignored and caught; be sure anyway. */
		{ "catches", m->cgt & ~m->ign & SIGMASK_STOPPERS },
	};
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (!parts[i].mask || used >= len)
			continue;
		char names[64];
		sigmask_names(parts[i].mask, ",", names, sizeof names);
		int w = snprintf(buf + used, len - used, "%s%s %s", used ? "; " : "", parts[i].verb, names);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

char sigmask_flag(const struct sigmasks *m)
{
	if (m->ign & SIGMASK_STOPPERS)
		return 'I';
	if (m->blk & SIGMASK_STOPPERS)
		return 'B';
	if (m->cgt & SIGMASK_STOPPERS)
		return 'C';
	return ' ';
}
