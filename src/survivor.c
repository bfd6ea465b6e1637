#include "config.h"

#include "survivor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "errtext.h"
#include "signame.h"

bool survivor_default_harmless(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return true;
	default:
		return false;
	}
}

static bool masks_known(const struct survivor_proc *p)
{
	return p->masks_err == 0;
}

static bool pending(const struct survivor_proc *p, int sig)
{
	return masks_known(p) && sigmask_has(sigmask_pending(&p->masks), sig);
}

/* Was it out of the kill's reach? NOT_SIGNALLED, OTHER_GROUP, OTHER_SESSION, or UNKNOWN
 * when it was (or may have been) reached. */
static enum survivor_reason reach(const struct survivor_kill *k, const struct survivor_proc *p)
{
	if (p->send == SURVIVOR_SEND_DELIVERED || pending(p, k->sig))
		return SURVIVOR_UNKNOWN;
	bool by_group = k->how == SURVIVOR_GROUP || k->how == SURVIVOR_ROUTED;
	if (by_group && (p->send == SURVIVOR_SEND_UNKNOWN || p->send == SURVIVOR_SEND_NOT_SENT)) {
		if (p->sid != k->sid)
			return SURVIVOR_OTHER_SESSION;
		if (p->pgid != k->pgid)
			return SURVIVOR_OTHER_GROUP;
	}
	if (k->how == SURVIVOR_NAIVE && p->pid != k->pid)
		return SURVIVOR_NOT_SIGNALLED;
	if (p->send == SURVIVOR_SEND_NOT_SENT)
		return SURVIVOR_NOT_SIGNALLED;
	return SURVIVOR_UNKNOWN;
}

enum survivor_reason survivor_reason(const struct survivor_kill *k, const struct survivor_proc *p)
{
	if (p->send == SURVIVOR_SEND_EPERM)
		return SURVIVOR_REFUSED;
	if (p->state == 'Z' || p->state == 'X')
		return p->state == 'Z' && k->self > 0 && p->ppid == k->self ? SURVIVOR_REAPING : SURVIVOR_ZOMBIE;
	enum survivor_reason r = reach(k, p);
	if (r != SURVIVOR_UNKNOWN)
		return r;
	if (k->sig == SIGKILL)
		return p->state == 'D' ? SURVIVOR_DISK_SLEEP : SURVIVOR_DYING;
	if (!masks_known(p))
		return SURVIVOR_UNREADABLE;
	bool blocked = sigmask_has(p->masks.blk, k->sig);
	if (p->state == 'D' && pending(p, k->sig) && !blocked)
		return SURVIVOR_DISK_SLEEP;
	if (blocked && pending(p, k->sig))
		return SURVIVOR_BLOCKS;
	if ((p->state == 'T' || p->state == 't') && pending(p, k->sig))
		return SURVIVOR_STOPPED;
	if (sigmask_has(p->masks.ign, k->sig))
		return SURVIVOR_IGNORES;
	/* Frozen, its handler cannot run: the signal waits until the family is thawed. (A
	 * signal whose default action ends it is made a SIGKILL by the kernel, frozen or not.) */
	if (sigmask_has(p->masks.cgt, k->sig))
		return p->frozen ? SURVIVOR_FROZEN : SURVIVOR_CATCHES;
	if (survivor_default_harmless(k->sig))
		return SURVIVOR_HARMLESS;
	return SURVIVOR_UNKNOWN;
}

static const char *how_words(enum survivor_how how)
{
	switch (how) {
	case SURVIVOR_TREE:
		return "the tree kill";
	case SURVIVOR_CGROUP:
		return "the cgroup kill";
	case SURVIVOR_QUIT:
		return "the kill on quitting";
	case SURVIVOR_GROUP:
		return "the group kill";
	case SURVIVOR_ROUTED:
		return "the signal passed on to the job's group";
	case SURVIVOR_NAIVE:
		break;
	}
	return "the naive kill";
}

/* "; also ignores it" when a signal that never arrived would not have ended it either. */
static const char *also(const struct survivor_kill *k, const struct survivor_proc *p)
{
	if (k->sig == SIGKILL || !masks_known(p))
		return "";
	if (sigmask_has(p->masks.blk, k->sig))
		return "; also blocks it";
	if (sigmask_has(p->masks.ign, k->sig))
		return "; also ignores it";
	if (sigmask_has(p->masks.cgt, k->sig))
		return "; also catches it";
	return "";
}

enum survivor_reason survivor_explain(const struct survivor_kill *k, const struct survivor_proc *p, char *buf,
				      size_t len)
{
	enum survivor_reason r = survivor_reason(k, p);
	char sig[24], why[160];
	/* signame's text for an unnamed signal is static storage: copy before the next call. */
	snprintf(sig, sizeof sig, "%s", signame(k->sig));
	switch (r) {
	case SURVIVOR_REFUSED:
		snprintf(why, sizeof why, "the kernel refused the signal (EPERM: not permitted)");
		break;
	case SURVIVOR_ZOMBIE:
		if (p->state == 'X')
			snprintf(why, sizeof why, "dead (X): the kernel is removing it");
		else if (p->parent_comm)
			snprintf(why, sizeof why, "zombie: its parent %d (%.32s) has not waited for it", (int)p->ppid,
				 p->parent_comm);
		else
			snprintf(why, sizeof why, "zombie: its parent %d has not waited for it", (int)p->ppid);
		break;
	case SURVIVOR_REAPING:
		snprintf(why, sizeof why, "zombie: about to be reaped by orphanage");
		break;
	case SURVIVOR_NOT_SIGNALLED:
		if (k->how == SURVIVOR_NAIVE)
			snprintf(why, sizeof why, "not signalled: a naive kill reaches only %d%s", (int)k->pid, also(k, p));
		else
			snprintf(why, sizeof why, "not signalled: %s did not include it%s", how_words(k->how), also(k, p));
		break;
	case SURVIVOR_OTHER_GROUP:
		snprintf(why, sizeof why, "not reached: in process group %d, not %d (setpgid)%s", (int)p->pgid,
			 (int)k->pgid, also(k, p));
		break;
	case SURVIVOR_OTHER_SESSION:
		snprintf(why, sizeof why, "not reached: in session %d, not %d (setsid)%s", (int)p->sid, (int)k->sid,
			 also(k, p));
		break;
	case SURVIVOR_FROZEN:
		snprintf(why, sizeof why, "frozen (cgroup.freeze): it catches %s, which stays pending until the family is thawed",
			 sig);
		break;
	case SURVIVOR_DISK_SLEEP:
		if (k->sig == SIGKILL)
			snprintf(why, sizeof why, "in uninterruptible sleep (D): dies when the kernel call returns");
		else
			snprintf(why, sizeof why, "in uninterruptible sleep (D): %s acts when the kernel call returns", sig);
		break;
	case SURVIVOR_DYING:
		snprintf(why, sizeof why, "not dead yet (state %c): SIGKILL cannot be ignored, caught or blocked",
			 p->state ? p->state : '?');
		break;
	case SURVIVOR_BLOCKS:
		snprintf(why, sizeof why, "blocks it: %s stays pending", sig);
		break;
	case SURVIVOR_STOPPED:
		if (p->state == 't')
			snprintf(why, sizeof why, "stopped by a tracer: %s waits until it resumes", sig);
		else
			snprintf(why, sizeof why, "stopped: %s waits for SIGCONT", sig);
		break;
	case SURVIVOR_IGNORES:
		snprintf(why, sizeof why, "ignores it");
		break;
	case SURVIVOR_CATCHES:
		snprintf(why, sizeof why, "catches it and lives on");
		break;
	case SURVIVOR_HARMLESS:
		if (k->sig == SIGSTOP || k->sig == SIGTSTP || k->sig == SIGTTIN || k->sig == SIGTTOU)
			snprintf(why, sizeof why, "%s stops a process, it does not end it", sig);
		else
			snprintf(why, sizeof why, "%s does not end a process unless it asks to", sig);
		break;
	case SURVIVOR_UNREADABLE:
		snprintf(why, sizeof why, "its signal state could not be read (%s)", errtext_words(p->masks_err));
		break;
	case SURVIVOR_UNKNOWN:
		snprintf(why, sizeof why, "no reason found: not pending, blocked, ignored or caught (state %c)",
			 p->state ? p->state : '?');
		break;
	}
	snprintf(buf, len, "%d (%.16s) survived %s: %s", (int)p->pid, p->comm ? p->comm : "?", sig, why);
	return r;
}

const char *survivor_reason_name(enum survivor_reason r)
{
	static const char *const names[] = {
		[SURVIVOR_REFUSED] = "refused",
		[SURVIVOR_ZOMBIE] = "zombie",
		[SURVIVOR_REAPING] = "reaping",
		[SURVIVOR_NOT_SIGNALLED] = "not-signalled",
		[SURVIVOR_OTHER_GROUP] = "other-group",
		[SURVIVOR_OTHER_SESSION] = "other-session",
		[SURVIVOR_DISK_SLEEP] = "disk-sleep",
		[SURVIVOR_DYING] = "dying",
		[SURVIVOR_BLOCKS] = "blocks",
		[SURVIVOR_STOPPED] = "stopped",
		[SURVIVOR_IGNORES] = "ignores",
		[SURVIVOR_CATCHES] = "catches",
		[SURVIVOR_FROZEN] = "frozen",
		[SURVIVOR_HARMLESS] = "harmless",
		[SURVIVOR_UNREADABLE] = "unreadable",
		[SURVIVOR_UNKNOWN] = "unknown",
	};
	return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}
