/* The kernel's process events: see procev.h. */
#include "config.h"

#include "procev.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "readfile.h"
#include "xalloc.h"

/* More CPUs than that is a garbled message, not a machine. */
#define PROCEV_MAX_CPUS 65536
/* Room for bursts while the caller draws: the kernel doubles it and caps SO_RCVBUF at
 * net.core.rmem_max unless SO_RCVBUFFORCE (CAP_NET_ADMIN) is used. */
#define PROCEV_RCVBUF (8 * 1024 * 1024)

const char *procev_kind_name(enum procev_kind kind)
{
	switch (kind) {
	case PROCEV_FORK: return "fork";
	case PROCEV_EXEC: return "exec";
	case PROCEV_COMM: return "comm";
	case PROCEV_SID: return "sid";
	case PROCEV_EXIT: return "exit";
	}
	return "?";
}

static struct procev *batch_push(struct procev_batch *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->ev = xreallocarray(b->ev, b->cap, sizeof *b->ev);
	}
	struct procev *e = &b->ev[b->n++];
	memset(e, 0, sizeof *e);
	return e;
}

/* Count the events a jump in cpu's sequence number says were lost. */
static void seq_note(struct procev_seqs *s, uint32_t cpu, uint32_t seq, struct procev_batch *b)
{
	if (cpu >= s->ncpu) {
		size_t n = (size_t)cpu + 1;
		s->last = xreallocarray(s->last, n, sizeof *s->last);
		s->seen = xreallocarray(s->seen, n, sizeof *s->seen);
		memset(s->last + s->ncpu, 0, (n - s->ncpu) * sizeof *s->last);
		memset(s->seen + s->ncpu, 0, (n - s->ncpu) * sizeof *s->seen);
		s->ncpu = n;
	}
	if (s->seen[cpu]) {
		uint32_t gap = seq - s->last[cpu] - 1;	/* wraps as the kernel's counter does */
		if (gap >= 0x80000000u)
			return;		/* older than the last one: a duplicate, nothing lost */
		b->lost += gap;
	}
	s->seen[cpu] = true;
	s->last[cpu] = seq;
}

/* The part of proc_event before event_data: what, cpu, timestamp_ns. */
#define EV_HEAD offsetof(struct proc_event, event_data)

/* Where each kept kind names its process and, for FORK and EXIT, the parent. */
#define EVF(field) offsetof(struct proc_event, event_data.field)
static const struct kind_map {
	uint32_t what;
	enum procev_kind kind;
	size_t need;				/* how much of event_data the kind needs */
	size_t pid, tgid;			/* offsets into struct proc_event */
	bool parent;				/* whether the next two are there */
	size_t parent_pid, parent_tgid;
} kind_maps[] = {
	{ PROC_EVENT_FORK, PROCEV_FORK, sizeof(struct fork_proc_event), EVF(fork.child_pid), EVF(fork.child_tgid),
	  true, EVF(fork.parent_pid), EVF(fork.parent_tgid) },
	{ PROC_EVENT_EXEC, PROCEV_EXEC, sizeof(struct exec_proc_event), EVF(exec.process_pid),
	  EVF(exec.process_tgid), false, 0, 0 },
	{ PROC_EVENT_COMM, PROCEV_COMM, sizeof(struct comm_proc_event), EVF(comm.process_pid),
	  EVF(comm.process_tgid), false, 0, 0 },
	{ PROC_EVENT_SID, PROCEV_SID, sizeof(struct sid_proc_event), EVF(sid.process_pid), EVF(sid.process_tgid),
	  false, 0, 0 },
	{ PROC_EVENT_EXIT, PROCEV_EXIT, sizeof(struct exit_proc_event), EVF(exit.process_pid),
	  EVF(exit.process_tgid), true, EVF(exit.parent_pid), EVF(exit.parent_tgid) },
};

/* The map of a kind that is kept, or NULL. */
static const struct kind_map *kind_map_find(uint32_t what)
{
	for (size_t i = 0; i < sizeof kind_maps / sizeof kind_maps[0]; i++)
		if (kind_maps[i].what == what)
			return &kind_maps[i];
	return NULL;
}

/* A pid field of ev at offset off (the kernel's __kernel_pid_t). */
static pid_t pid_at(const struct proc_event *ev, size_t off)
{
	__kernel_pid_t v;
	memcpy(&v, (const unsigned char *)ev + off, sizeof v);
	return (pid_t)v;
}

/* One cn_msg payload of len bytes (already bounded by its netlink message). */
static size_t parse_one(const unsigned char *p, size_t len, struct procev_seqs *seqs, struct procev_batch *b,
			struct procev_ack *ack)
{
	struct cn_msg cn;
	if (len < sizeof cn) {
		b->rejected++;
		return 0;
	}
	memcpy(&cn, p, sizeof cn);
	if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC || cn.len > len - sizeof cn ||
	    cn.len < EV_HEAD) {
		b->rejected++;
		return 0;
	}
	/* proc_event sits 4 bytes off 8-byte alignment after nlmsghdr and cn_msg: copy it. */
	struct proc_event ev;
	memset(&ev, 0, sizeof ev);
	memcpy(&ev, p + sizeof cn, cn.len < sizeof ev ? cn.len : sizeof ev);
	uint32_t what = (uint32_t)ev.what;
	if (ev.cpu >= PROCEV_MAX_CPUS && what != PROC_EVENT_NONE) {
		b->rejected++;
		return 0;
	}
	if (what == PROC_EVENT_NONE) {
		/* An ack. The kernel numbers it like any event (older ones sent cpu -1). */
		if (cn.len < EV_HEAD + sizeof ev.event_data.ack) {
			b->rejected++;
			return 0;
		}
		if (ev.cpu < PROCEV_MAX_CPUS)
			seq_note(seqs, ev.cpu, cn.seq, b);
		if (ack) {
			ack->seen = true;
			ack->ack = cn.ack;
			ack->err = ev.event_data.ack.err;
		}
		return 0;
	}
	const struct kind_map *m = kind_map_find(what);
	size_t need = m ? m->need : 0;
	if (need && cn.len < EV_HEAD + need) {
		b->rejected++;
		return 0;
	}
	/* Every kind counts in the sequence, kept or not. */
	seq_note(seqs, ev.cpu, cn.seq, b);
	if (!need) {
		b->ignored++;
		return 0;
	}
	struct procev *e = batch_push(b);
	e->cpu = ev.cpu;
	e->timestamp_ns = ev.timestamp_ns;
	e->kind = m->kind;
	e->pid = pid_at(&ev, m->pid);
	e->tgid = pid_at(&ev, m->tgid);
	if (m->parent) {
		e->parent_pid = pid_at(&ev, m->parent_pid);
		e->parent_tgid = pid_at(&ev, m->parent_tgid);
		e->thread = e->pid != e->tgid;
	}
	if (what == PROC_EVENT_COMM) {
		memcpy(e->comm, ev.event_data.comm.comm, sizeof ev.event_data.comm.comm);
		e->comm[sizeof ev.event_data.comm.comm] = '\0';
	} else if (what == PROC_EVENT_EXIT) {
		e->status = (int)ev.event_data.exit.exit_code;
		e->exit_signal = (int)ev.event_data.exit.exit_signal;
	}
	return 1;
}

size_t procev_parse(const void *buf, size_t len, struct procev_seqs *seqs, struct procev_batch *b,
		    struct procev_ack *ack)
{
	const unsigned char *p = buf;
	size_t added = 0;
	while (len >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr nh;
		memcpy(&nh, p, sizeof nh);
		if (nh.nlmsg_len < sizeof nh || nh.nlmsg_len > len) {
			b->rejected++;
			break;		/* the rest cannot be framed */
		}
		if (nh.nlmsg_type == NLMSG_DONE)
			added += parse_one(p + NLMSG_HDRLEN, nh.nlmsg_len - NLMSG_HDRLEN, seqs, b, ack);
		else if (nh.nlmsg_type != NLMSG_NOOP)
			b->rejected++;
		size_t step = NLMSG_ALIGN(nh.nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	if (len > 0 && len < sizeof(struct nlmsghdr))
		b->rejected++;
	return added;
}

void procev_seqs_free(struct procev_seqs *seqs)
{
	free(seqs->last);
	free(seqs->seen);
	memset(seqs, 0, sizeof *seqs);
}

void procev_batch_free(struct procev_batch *b)
{
	free(b->ev);
	memset(b, 0, sizeof *b);
}

/* Send a multicast op (LISTEN or IGNORE); the kernel's ack carries cookie + 1. */
static int send_op(int fd, uint32_t cookie, enum proc_cn_mcast_op op)
{
	/* nlmsghdr, cn_msg and the op, in an aligned buffer. */
	union {
		struct nlmsghdr nh;
		unsigned char bytes[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(op))];
	} m;
	memset(&m, 0, sizeof m);
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof op);
	m.nh.nlmsg_type = NLMSG_DONE;
	m.nh.nlmsg_pid = 0;
	struct cn_msg cn;
	memset(&cn, 0, sizeof cn);
	cn.id.idx = CN_IDX_PROC;
	cn.id.val = CN_VAL_PROC;
	cn.seq = 0;
	cn.ack = cookie;
	cn.len = sizeof op;
	memcpy(m.bytes + NLMSG_HDRLEN, &cn, sizeof cn);
	memcpy(m.bytes + NLMSG_HDRLEN + sizeof cn, &op, sizeof op);
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 0 };
	ssize_t r;
	do
		r = sendto(fd, &m, m.nh.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

/* The fixed inode numbers of the initial user and pid namespaces (PROC_USER_INIT_INO,
 * PROC_PID_INIT_INO in the kernel's proc_ns.h). */
#define INIT_USER_NS_INO 0xEFFFFFFDu
#define INIT_PID_NS_INO 0xEFFFFFFCu

int procev_initial_namespaces(int root)
{
	struct stat u, p;
	if (readfile_stat_in(root, "/proc/self/ns/user", &u) < 0 || readfile_stat_in(root, "/proc/self/ns/pid", &p) < 0)
		return -1;
	return u.st_ino == INIT_USER_NS_INO && p.st_ino == INIT_PID_NS_INO;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Receive what is queued into b, at most max datagrams; our ack lands in *ack. */
static int drain(struct procev_listener *l, struct procev_batch *b, size_t max, struct procev_ack *ack,
		 size_t *events)
{
	/* Aligned for nlmsghdr; one connector message is far smaller. */
	union {
		struct nlmsghdr nh;
		unsigned char bytes[8192];
	} buf;
	*events = 0;
	for (size_t i = 0; i < max; i++) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof from;
		ssize_t r = recvfrom(l->fd, &buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == ENOBUFS) {
				b->overflow = true;
				continue;
			}
			return -1;
		}
		/* Only the kernel (port 0) speaks for the connector. */
		if (fl < sizeof from || from.nl_pid != 0) {
			b->rejected++;
			continue;
		}
		struct procev_ack a = { 0 };
		*events += procev_parse(&buf, (size_t)r, &l->seqs, b, &a);
		if (a.seen && ack && a.ack == l->cookie + 1)
			*ack = a;
	}
	return 0;
}

int procev_open(struct procev_listener *l, struct procev_batch *b, int timeout_ms, int root, char *why,
		size_t whylen)
{
	memset(l, 0, sizeof *l);
	l->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (l->fd < 0) {
		if (errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT)
			snprintf(why, whylen, "no proc connector in this kernel");
		else
			snprintf(why, whylen, "cannot open the proc connector: %s", strerror(errno));
		return -1;
	}
	int size = PROCEV_RCVBUF;
	if (setsockopt(l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		(void)setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	socklen_t sl = sizeof l->rcvbuf;
	if (getsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &l->rcvbuf, &sl) < 0)
		l->rcvbuf = 0;
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = CN_IDX_PROC };
	if (bind(l->fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int err = errno;
		if (err == EPERM || err == EACCES)
			snprintf(why, whylen, "the proc connector needs CAP_NET_ADMIN");
		else
			snprintf(why, whylen, "cannot bind to the proc connector: %s", strerror(err));
		goto fail;
	}
	/* Every listener receives every listener's ack: ours carries this cookie + 1. */
	l->cookie = (uint32_t)getpid() << 12 ^ (uint32_t)now_ms();
	if (send_op(l->fd, l->cookie, PROC_CN_MCAST_LISTEN) < 0) {
		int err = errno;
		if (err == EPERM || err == EACCES)
			snprintf(why, whylen, "the proc connector needs CAP_NET_ADMIN");
		else
			snprintf(why, whylen, "cannot talk to the proc connector: %s", strerror(err));
		goto fail;
	}
	struct procev_ack ack = { 0 };
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		size_t got;
		if (drain(l, b, 256, &ack, &got) < 0) {
			snprintf(why, whylen, "cannot read the proc connector: %s", strerror(errno));
			goto fail;
		}
		if (ack.seen)
			break;
		long long left = deadline - now_ms();
		if (left <= 0) {
			/* cn_proc drops requests from outside the initial user and pid namespaces
			 * without an answer; so does a kernel without CONFIG_PROC_EVENTS. */
			int init = procev_initial_namespaces(root);
			if (init == 0)
				snprintf(why, whylen, "no answer from the proc connector: not in the initial user "
					 "and pid namespaces (a container?), where the kernel ignores listeners");
			else if (init == 1)
				snprintf(why, whylen, "no answer from the proc connector: no process events in "
					 "this kernel (CONFIG_PROC_EVENTS)");
			else
				snprintf(why, whylen, "no answer from the proc connector: outside the initial "
					 "namespaces, or no process events in this kernel");
			goto fail;
		}
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		poll(&p, 1, (int)left);
	}
	if (ack.err) {
		if (ack.err == EPERM || ack.err == EACCES)
			snprintf(why, whylen, "the proc connector needs CAP_NET_ADMIN");
		else
			snprintf(why, whylen, "the proc connector refused: %s", strerror((int)ack.err));
		goto fail;
	}
	return l->fd;
fail:
	close(l->fd);
	l->fd = -1;
	procev_seqs_free(&l->seqs);
	return -1;
}

int procev_read(struct procev_listener *l, struct procev_batch *b, size_t max_msgs)
{
	size_t got;
	if (drain(l, b, max_msgs, NULL, &got) < 0)
		return -1;
	return (int)got;
}

void procev_close(struct procev_listener *l)
{
	if (l->fd >= 0) {
		(void)send_op(l->fd, l->cookie + 2, PROC_CN_MCAST_IGNORE);
		close(l->fd);
	}
	l->fd = -1;
	procev_seqs_free(&l->seqs);
}
