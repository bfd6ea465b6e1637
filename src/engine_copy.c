/* The job's output: read from its pipe into the output pane and, in batch mode, copied
 * on to standard error without ever blocking the job. */
#include "config.h"

#include "engine_int.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The job's output waiting for standard error in batch mode. */
#define COPY_MAX (1u << 20)

/* Queue output for out_copy_fd; what does not fit is dropped and counted, never waited for:
 * a reader that stops reading must not stop the job through orphanage. */
static void copy_append(struct engine *e, const char *data, size_t len)
{
	if (!e->copy)
		e->copy = xmalloc(COPY_MAX);
	size_t room = COPY_MAX - e->copy_len;
	size_t take = len < room ? len : room;
	memcpy(e->copy + e->copy_len, data, take);
	e->copy_len += take;
	if (take < len) {
		if (!e->copy_dropped)
			eventlog_add(&e->log, engine_now(e), EV_ERROR, 0,
				     "the job's output is being dropped: standard error is not read fast enough");
		e->copy_dropped += len - take;
	}
}

bool engine_drain_output(struct engine *e)
{
	char buf[65536];
	bool any = false;
	/* Bounded per call, so a job that never stops writing cannot starve the screen. */
	for (int i = 0; i < 64 && e->job.out_fd >= 0; i++) {
		ssize_t r = read(e->job.out_fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			close(e->job.out_fd);
			e->job.out_fd = -1;
			break;
		}
		any = true;
		outbuf_feed(&e->out, buf, (size_t)r);
		if (e->out_copy_fd >= 0)
			copy_append(e, buf, (size_t)r);
	}
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
		int r = poll(&p, 1, left > 0 ? (int)(left * 1000) + 1 : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || !(p.revents & POLLOUT))
			break;
		/* At most PIPE_BUF after POLLOUT: a pipe takes that much without blocking. */
		size_t piece = e->copy_len - off < PIPE_BUF ? e->copy_len - off : PIPE_BUF;
		ssize_t w = write(e->out_copy_fd, e->copy + off, piece);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* Nobody can take it any more (EPIPE, EIO): stop copying. */
			e->out_copy_fd = -1;
			off = e->copy_len;
			break;
		}
		off += (size_t)w;
	}
	memmove(e->copy, e->copy + off, e->copy_len - off);
	e->copy_len -= off;
}
