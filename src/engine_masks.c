/* Signal masks of members, read only for a face that shows them, through the scanner's
 * masks call; a member that has not run since its masks were read keeps them. */
#include "config.h"

#include "engine_int.h"

static bool masks_same(const struct sigmasks *a, const struct sigmasks *b)
{
	return a->pnd == b->pnd && a->shdpnd == b->shdpnd && a->blk == b->blk && a->ign == b->ign && a->cgt == b->cgt &&
	       a->have == b->have;
}

/* Do the masks read before still hold, the process not having run since (ran: now)? Its
 * dispositions and blocked mask change only when its one thread runs. Pending signals
 * change from outside, but asleep (S) with none blocked, any that comes wakes it; stopped,
 * traced or in D, one may wait without it running, so those are read. */
static bool masks_still_hold(const struct member *m, const struct schedstat *ran)
{
	return m->masks_at != 0 && m->masks_ran_ok && m->masks_err == 0 && m->p.state == 'S' && m->masks.blk == 0 &&
	       m->masks.pnd == 0 && m->masks.shdpnd == 0 && proc_ran_same(&m->masks_ran, ran);
}

unsigned engine_read_masks(struct engine *e, const size_t *slots, size_t n)
{
	struct engine_report r = report_begin(e);
	unsigned long stamp = e->refreshes + 1;
	for (size_t j = 0; j < n; j++) {
		struct member *m = engine_running_at(e, slots[j]);
		if (!m || m->masks_at == stamp)
			continue;
		/* Read before the masks: a run between the two shows at the next look. */
		struct schedstat ran;
		bool ran_ok = engine_ran(e, &m->p, &ran);
		if (ran_ok && masks_still_hold(m, &ran)) {
			m->masks_at = stamp;
			continue;
		}
		struct sigmasks old = m->masks;
		int old_err = m->masks_err;
		bool first = m->masks_at == 0;
		/* Through the scanner: it names the process we know (pid, start), or says ESRCH. */
		m->masks_err = e->scan->masks(e->scan_self, m->p.pid, m->p.start, &m->masks);
		m->masks_at = stamp;
		m->masks_ran_ok = ran_ok && m->masks_err == 0;
		if (ran_ok)
			m->masks_ran = ran;
		/* The row's signal flags show them. */
		if (first || old_err != m->masks_err || !masks_same(&old, &m->masks))
			e->changes |= ENGINE_ROWS;
	}
	return report_end(e, r);
}

unsigned engine_read_all_masks(struct engine *e)
{
	return engine_read_every(e, engine_read_masks);
}
