#include "config.h"

#include "sigmask.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "signame.h"

#define SIGMASK_MAX_SIG 64
/* The signals a job is usually asked to stop with: what the note and the flag are about. */
#define SIGMASK_STOPPERS ((1ull << (SIGHUP - 1)) | (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1)))

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
