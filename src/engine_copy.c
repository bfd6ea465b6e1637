/* The job's output: read from its pipe into the output pane and, in batch mode, copied
 * on to standard error whole. A slow reader there slows the job, never loses its bytes. */
#include "config.h"

#include "engine_int.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The job's output waiting for standard error in batch mode: at most this much is read
 * ahead of the reader; beyond it the job's pipe is left to fill, so the job waits. */
#define COPY_MAX (1u << 20)

/* How much may be read from the job's pipe now. */
static size_t copy_room(const struct engine *e)
{
	if (e->out_copy_fd < 0)
		return SIZE_MAX;
	return COPY_MAX - e->copy_len;
}

bool engine_output_wanted(const struct engine *e)
{
	return e->job.out_fd >= 0 && copy_room(e) > 0;
}

/* The reader of out_copy_fd is gone: the job's pipe is closed too, so the job meets the
 * broken pipe as it would writing there itself. */
static void copy_broken(struct engine *e, int err)
{
	eventlog_add(&e->log, engine_now(e), EV_ERROR, 0,
		     "standard error takes no more of the job's output (%s): the job's pipe is closed",
		     strerror(err));
	e->copy_errno = err;
	e->out_copy_fd = -1;
	e->copy_len = 0;
	if (e->job.out_fd >= 0) {
		close(e->job.out_fd);
		e->job.out_fd = -1;
	}
}

/* Read at most max bytes of what the pipe holds, as far as the copy has room; false at
 * EOF or on an error (EAGAIN: it is empty). */
static bool drain_some(struct engine *e, size_t max, bool *any)
{
	char buf[65536];
	size_t room = copy_room(e);
	if (room < max)
		max = room;
	if (max == 0)
		return false;
	ssize_t r = read(e->job.out_fd, buf, max < sizeof buf ? max : sizeof buf);
	if (r < 0 && errno == EINTR)
		return true;
	/* A terminal's master reads EIO once nobody has the terminal open: its end, as EOF. */
	if (r < 0 && errno != EIO)
		return false;
	if (r <= 0) {
		close(e->job.out_fd);
		e->job.out_fd = -1;
		/* The output's end: a pane may say the terminal closed. */
		e->changes |= ENGINE_OUTPUT;
		return false;
	}
	*any = true;
	e->changes |= ENGINE_OUTPUT;
	outbuf_feed(&e->out, buf, (size_t)r);
	engine_tty_feed(e, buf, (size_t)r);
	if (e->output_tap)
		e->output_tap(e->output_tap_ctx, buf, (size_t)r);
	if (e->out_copy_fd >= 0) {
		if (!e->copy)
			e->copy = xmalloc(COPY_MAX);
		memcpy(e->copy + e->copy_len, buf, (size_t)r);
		e->copy_len += (size_t)r;
	}
	return true;
}

bool engine_drain_output(struct engine *e)
{
	bool any = false;
	/* Bounded per call, so a job that never stops writing cannot starve the screen. */
	for (int i = 0; i < 64 && e->job.out_fd >= 0; i++)
		if (!drain_some(e, SIZE_MAX, &any))
			break;
	if (e->copy_len)
		engine_flush_copy(e, 0);
	return any;
}

void engine_flush_copy(struct engine *e, double timeout)
{
	if (e->copy_len == 0 || e->out_copy_fd < 0)
		return;
	double deadline = engine_now(e) + timeout;
	size_t off = 0;
	while (off < e->copy_len) {
		struct pollfd p = { .fd = e->out_copy_fd, .events = POLLOUT };
		double left = deadline - engine_now(e);
		int ms = timeout < 0 ? -1 : left > 0 ? (int)(left * 1000) + 1 : 0;
		int r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		/* At most PIPE_BUF after POLLOUT: a pipe takes that much without blocking. A
		 * reader that is gone shows as POLLERR; the write says how. */
		size_t piece = e->copy_len - off < PIPE_BUF ? e->copy_len - off : PIPE_BUF;
		ssize_t w = write(e->out_copy_fd, e->copy + off, piece);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0) {
			copy_broken(e, w < 0 ? errno : EIO);
			return;
		}
		off += (size_t)w;
	}
	memmove(e->copy, e->copy + off, e->copy_len - off);
	e->copy_len -= off;
}

int engine_finish_output(struct engine *e)
{
	bool any = false;
	/* What the pipe holds now: a member left running may keep it open and write on, so
	 * read what is there, not until it closes. */
	int held = 0;
	if (e->job.out_fd >= 0 && ioctl(e->job.out_fd, FIONREAD, &held) < 0)
		held = 0;
	size_t left = held > 0 ? (size_t)held : 0;
	while (e->job.out_fd >= 0 && left > 0) {
		if (copy_room(e) == 0) {
			engine_flush_copy(e, -1);
			continue;
		}
		unsigned long long before = e->out.bytes;
		if (!drain_some(e, left, &any))
			break;
		left -= (size_t)(e->out.bytes - before);
	}
	engine_flush_copy(e, -1);
	return e->copy_errno;
}
