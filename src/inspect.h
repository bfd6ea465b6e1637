/* The details of one process, for the detail pane and JSON: what it runs, where, in what
 * state, its signal masks and its open files, with the family members holding the other end
 * of its pipes, as typed fields (ui/detail_fields.c puts them in words). Reads /proc under
 * the root directory it is given (scan_ops.root: "/", or a test's hand-made tree), only
 * regular files, links and directories: never blocks on a fifo, and every size is bounded.
 * Each field that cannot be read holds why (an errno). */
#ifndef ORPHANAGE_INSPECT_H
#define ORPHANAGE_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "sigmask.h"
#include "survivor.h"

#define INSPECT_MAX_FDS 64		/* open files listed; the rest are counted */
#define INSPECT_MAX_PEERS 4		/* holders named per pipe or socket */
#define INSPECT_MAX_ENV 64		/* environment entries listed */
#define INSPECT_MAX_ARGS_BYTES 65536	/* command line and environment are cut there */
#define INSPECT_MAX_SCAN_LINKS 8192	/* fd links read in the family to find peers */

/* A text read from /proc, or why not. */
struct inspect_text {
	char *text;	/* owned; NULL when err */
	int err;	/* 0, or the errno of the failed read */
};

/* One open file. */
struct inspect_fd {
	int fd;
	struct inspect_text target;	/* the link: "/dev/pts/3", "pipe:[1234]", "/tmp/x (deleted)" */
	char *peers;	/* owned or NULL: "4243 (cat) fd 0, 4244 (tee) fd 3", other holders */
};

/* What the caller knows and wants. */
struct inspect_opts {
	unsigned long long now_ticks;	/* now in the clock of the start time; 0: no age */
	long ticks_per_sec;		/* sysconf(_SC_CLK_TCK); 0: no age */
	time_t now;			/* wall clock now, to show the start time; 0: not shown */
	const pid_t *family;		/* where to look for the other end of pipes; may be NULL */
	size_t nfamily;
	pid_t self;			/* orphanage: a zombie of it is about to be reaped */
	bool environ;			/* read the environment too */
	int stop_signal;		/* the signal that stopped it, when the caller knows; else 0 */
};

struct inspect {
	pid_t pid;
	bool gone;			/* exited (or the pid is another process now): nothing else holds */
	int err;			/* why the identity could not be checked, when not gone */
	unsigned long long start_ticks;
	pid_t ppid, pgid, sid;
	char comm[64];
	char state;			/* R S D T t Z X I ... */
	char parent_comm[64];		/* for a zombie */
	long threads;			/* 0: unknown */
	bool ids_known;
	uid_t uid, euid;
	gid_t gid, egid;
	char user[64], euser[64], group[64], egroup[64];	/* names, or "" when unknown */
	struct inspect_text cmdline;	/* raw: arguments separated by NUL, cmdline_len bytes */
	size_t cmdline_len;
	bool cmdline_cut;
	struct inspect_text exe, cwd, wchan, cgroup;
	struct sigmasks masks;
	int masks_err;
	struct inspect_fd *fds;		/* owned, nfds of them, in fd order */
	size_t nfds, fds_more;		/* fds_more: open files beyond INSPECT_MAX_FDS */
	int fds_err;
	bool peers_cut;			/* the search for peers stopped short (INSPECT_MAX_SCAN_LINKS) */
	size_t peers_unreadable;	/* family members whose open files could not be listed */
	struct inspect_text env;	/* raw: entries separated by NUL, env_len bytes; only if asked */
	size_t env_len;
	bool env_asked, env_cut;
	/* With env_cut: the entries of the whole environment (the one cut short in env
	 * included), counted to the end of the file, and whether that count could be made. */
	size_t env_total;
	bool env_counted;
};

/* Reads pid's details into out (always to be freed with inspect_free). start_ticks is the
 * start time the caller knows the process by (0: take whatever runs as pid); when /proc
 * says otherwise, the process has exited: out->gone, and -1. Returns 0 when the identity
 * held from the first read to the last; -1 when gone or unreadable (out->err). */
int inspect_read(int root, pid_t pid, unsigned long long start_ticks, struct inspect *out,
		 const struct inspect_opts *o);
void inspect_free(struct inspect *in);

/* What survivor_explain needs of pid, read after a kill: ids, state, masks (masks_err
 * says why not), and the parent's comm for a zombie. comm and parent_comm are the
 * caller's buffers of 64 bytes that out->comm and out->parent_comm point into; out->send
 * is left SURVIVOR_SEND_UNKNOWN for the caller to set. 0, or -1 when pid is gone or is
 * no longer the process started at start_ticks (0: any). */
int inspect_read_survivor(int root, pid_t pid, unsigned long long start_ticks, struct survivor_proc *out, char *comm,
			  char *parent_comm);

/* ---- the pure parts ---- */

/* Fields of /proc/PID/stat after the command name. */
struct inspect_stat {
	char comm[64];
	char state;
	pid_t ppid, pgid, sid;
	long threads;
	unsigned long long start_ticks;
};
/* Parses /proc/PID/stat text; false when it is not one. */
bool inspect_parse_stat(const char *text, size_t len, struct inspect_stat *out);

/* The v2 cgroup path: the "0::PATH" line of /proc/PID/cgroup, into buf; false if none. */
bool inspect_parse_cgroup(const char *text, size_t len, char *buf, size_t buflen);

/* One fd link of one process, as the family was scanned. */
struct inspect_link {
	pid_t pid;
	const char *comm;	/* may be NULL */
	int fd;
	const char *target;	/* readlink of /proc/PID/fd/FD */
};
/* Is target a pipe or socket, an object whose other holders are worth naming? Holders
 * share the same inode: both ends of a pipe do; the two ends of a socket pair or of a
 * connected unix socket are two inodes, so only holders of the same socket are found. */
bool inspect_is_shared(const char *target);
/* The other holders of target among links, skipping (pid, fd) itself:
 * "4243 (cat) fd 0, 4244 (tee) fd 3", at most INSPECT_MAX_PEERS named, then ", N more".
 * Returns how many holders there are (0: buf is ""). */
size_t inspect_peers(const char *target, pid_t pid, int fd, const struct inspect_link *links, size_t nlinks,
		     char *buf, size_t len);

#endif
