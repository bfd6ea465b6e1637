#include "config.h"

#include "demo.h"
#include "options.h"
#include "signame.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

enum {
	OPT_JSON = 256,
	OPT_DEMO,
	OPT_SAME_GROUP,
	OPT_NO_FORWARD,
	OPT_SUBREAPER,
	OPT_ON_EXIT,
	OPT_GRACE,
	OPT_TRACK,
	OPT_JUNIT,
	OPT_WIDE,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_TRACE,
	OPT_AT,
};

static const struct option long_options[] = {
	{ "delay", required_argument, NULL, 'd' },
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pid", required_argument, NULL, 'p' },
	{ "demo", required_argument, NULL, OPT_DEMO },
	{ "same-group", no_argument, NULL, OPT_SAME_GROUP },
	{ "no-forward", no_argument, NULL, OPT_NO_FORWARD },
	{ "subreaper", no_argument, NULL, OPT_SUBREAPER },
	{ "signal", required_argument, NULL, 's' },
	{ "on-exit", required_argument, NULL, OPT_ON_EXIT },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "check", no_argument, NULL, 'c' },
	{ "tty", no_argument, NULL, 't' },
	{ "track", required_argument, NULL, OPT_TRACK },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "wide", no_argument, NULL, OPT_WIDE },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "at", required_argument, NULL, OPT_AT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Decimal digits only, with no sign and no spaces: strtol and strtod would also take " 5",
 * "+5", "0x10" (read as 16 by strtod), "1e3", "inf", and the locale's decimal comma. */
static const char *decimal_digits(const char *p, unsigned long long limit, unsigned long long *out)
{
	unsigned long long v = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > limit)
			return NULL;
	}
	*out = v;
	return p;
}

int options_seconds(const char *text, double max, double *out)
{
	unsigned long long whole = 0, frac = 0, scale = 1;
	if (!text || max < 0)
		return -1;
	const char *p = decimal_digits(text, (unsigned long long)max, &whole);
	if (!p)
		return -1;
	bool digits = p != text;
	if (*p == '.') {
		const char *f = ++p;
		/* Digits past the 18th cannot change a double: read them, keep 18. */
		for (; *p >= '0' && *p <= '9'; p++)
			if (p - f < 18) {
				frac = frac * 10 + (unsigned long long)(*p - '0');
				scale *= 10;
			}
		if (p == f)
			return -1;
		digits = true;
	}
	if (!digits || *p)
		return -1;
	/* The nearest double to the text, as strtod and a JSON reader give it: whole + frac /
	 * scale rounds twice (1.61 would be 1.6099999999999999); one exact integer over an
	 * exact power of ten rounds once, while both fit in a double's 53 bits. */
	const unsigned long long exact = 1ULL << 53;
	double v = (double)whole + (double)frac / (double)scale;
	if (scale < exact && whole <= (exact - frac) / scale)
		v = (double)(whole * scale + frac) / (double)scale;
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_long(const char *text, long min, long max, long *out)
{
	unsigned long long v;
	if (!text || max < 0)
		return -1;
	const char *end = decimal_digits(text, (unsigned long long)max, &v);
	if (!end || end == text || *end || (long long)v < min)
		return -1;
	*out = (long)v;
	return 0;
}

const char *options_track_name(enum track_mode mode)
{
	static const char *const names[] = { "auto", "cgroup", "events", "scan" };
	return mode >= TRACK_AUTO && mode <= TRACK_SCAN ? names[mode] : "?";
}

void options_help(FILE *out)
{
	fputs("Usage: orphanage [OPTION]... [--] COMMAND [ARG]...\n"
	      "  or:  orphanage [OPTION]... -p PID\n"
	      "  or:  orphanage [OPTION]... --demo NAME\n"
	      "  or:  orphanage [OPTION]... --replay FILE [-b [--at SECS] [--json]]\n"
	      "Launch COMMAND as a job (or watch PID) and show its whole process family live,\n"
	      "in the columns of ps j, as a tree: who dies, who is orphaned, and to whom.\n"
	      "With no arguments, run the built-in demo: orphanage --demo execsleep.\n"
	      "\n"
	      "  -d, --delay SECS      refresh interval, decimals allowed (default 1;\n"
	      "                        0 in batch mode: as fast as possible)\n"
	      "  -b, --batch           no curses: print snapshots to standard output\n"
	      "  -n, --iterations N    stop after N snapshots (the live view: after N refreshes;\n"
	      "                        default: batch mode runs until the family is gone)\n"
	      "      --json            batch: one JSON object per snapshot, one per line\n"
	      "  -p, --pid PID         watch an existing process and its descendants (not PID 1,\n"
	      "                        orphanage itself or its ancestors, a kernel thread, or a\n"
	      "                        thread id: give its process's PID)\n"
	      "      --demo NAME       launch a built-in scenario (--demo list names them)\n"
	      "      --same-group      keep the job in orphanage's process group (plain fork/exec):\n"
	      "                        its writes to the terminal are not stopped, but repainted over\n"
	      "      --no-forward      do not route SIGINT/SIGTERM/SIGHUP to the job's group\n"
	      "      --subreaper       adopt the family's orphans (PR_SET_CHILD_SUBREAPER) and reap them\n"
	      "  -s, --signal SIG      signal the kill keys send: KILL, SIGTERM, term, 15 (default KILL)\n"
	      "      --on-exit MODE    on quitting: kill (SIGTERM, then SIGKILL after --grace, to every\n"
	      "                        live member, orphans included; one the kernel refuses\n"
	      "                        is named at once, exit 1) or leave\n"
	      "                        (default kill when launched, leave with -p)\n"
	      "      --grace SECS      time between SIGTERM and SIGKILL (default 2)\n"
	      "  -c, --check           leak check (implies -b and --subreaper): run the job; when its\n"
	      "                        first process exits (or a signal interrupts), wait --grace,\n"
	      "                        report every member still alive as leaked (exit 3), then\n"
	      "                        apply --on-exit\n"
	      "      --junit FILE      with --check: also write the report to FILE as JUnit XML (one\n"
	      "                        failing testcase per leaked process, or one passing testcase);\n"
	      "                        with GITHUB_ACTIONS=true each leak is also an ::error annotation\n"
	      "      --wide            add the %CPU and RSS columns (text batch; the live view's w)\n"
	      "  -t, --tty             the job runs on a terminal of its own (a pseudo-terminal):\n"
	      "                        it leads a new session there; the output pane is that\n"
	      "                        terminal's screen, Ctrl+] gives it the keyboard (and takes\n"
	      "                        it back); in batch mode its output is copied to standard\n"
	      "                        error as the terminal sends it (lines end in CR LF)\n"
	      "      --track MODE      how the family is found: auto (default), cgroup (a cgroup v2\n"
	      "                        of the job's own), events (the kernel's process events) or\n"
	      "                        scan (/proc at each refresh); auto takes cgroup and events\n"
	      "                        where both work, then either, then scan; an explicit mode\n"
	      "                        that cannot work here is an error (exit 1)\n"
	      "      --record FILE     write the family's life to FILE as it happens: JSON lines of\n"
	      "                        events, output lines and snapshots (an unwritable FILE is an\n"
	      "                        error before anything starts, exit 1)\n"
	      "      --replay FILE     show a recording instead of a job: space plays or pauses,\n"
	      "                        , and . step one event, Home/End, - and + the speed; kill\n"
	      "                        keys signal nothing. With -b: snapshots every -d over the\n"
	      "                        recording, or the one at --at SECS\n"
	      "      --at SECS         with --replay: the moment of the recording (seconds since\n"
	      "                        its start) to print, or to open the view at\n"
	      "      --trace FILE      at quit, write the family's life as Chrome trace event JSON\n"
	      "                        (Perfetto, speedscope); with --replay -b, convert the\n"
	      "                        recording\n"
	      "  -h, --help            show this help and exit\n"
	      "  -V, --version         show the version and exit\n"
	      "Numbers are plain decimals: digits, and for SECS one '.' (0.5, .5); no sign, spaces,\n"
	      "hex or exponent. '--' must be followed by COMMAND.\n"
	      "\n"
	      "Keys: Up/Down PgUp/PgDn Home/End select; Left/Right scroll sideways; k naive kill;\n"
	      "g group kill; t tree kill; s choose the signal; c cgroup kill; z freeze or thaw;\n"
	      "Ctrl+C SIGINT to the job's group (with -p only a second Ctrl+C within 2 s sends it);\n"
	      "with --tty, Ctrl+] gives the keyboard to the job's terminal and takes it back;\n"
	      "r relaunch; Enter or i the detail pane (e its environment, Esc closes); / search,\n"
	      "n next; w the %CPU and RSS columns; a click selects; ? help; q quit.\n"
	      "Tab focuses the events, then the output pane: arrows, PgUp/PgDn, Home/End scroll it.\n"
	      "Replay: space play/pause; , and . one event back/forward; Home/End; - and + speed.\n"
	      "\n"
	      "Exit status: 0 on a normal quit; with --check, the job's status (128+N for signal N)\n"
	      "or 3 when something leaked; 1 on a runtime error (also -p 1, orphanage, an ancestor,\n"
	      "a kernel thread or a thread id; a --track mode not available here; a snapshot not\n"
	      "written, such as to a full disk; --on-exit kill that could not end the family, such\n"
	      "as EPERM; standard error closed before the job's output was all passed on); 2 on a\n"
	      "usage error (also --subreaper with -p, -n with --check, --tty with -p or\n"
	      "--same-group, '--' alone); 126 when COMMAND cannot be executed (also a directory);\n"
	      "127 when it cannot be found (a directory in PATH is no command), as a shell does.\n",
	      out);
}

/* The rules between options, once every option is read. Returns 0, or 2 with err. */
static int options_validate(const struct options *o, char *err, size_t errlen)
{
	int sources = (o->command != NULL) + (o->pid != 0) + (o->demo != NULL);
	if (sources > 1) {
		snprintf(err, errlen, "give only one of COMMAND, -p PID and --demo NAME");
		return 2;
	}
	if (o->check && o->pid) {
		snprintf(err, errlen, "--check runs a job: it cannot watch an existing process (-p)");
		return 2;
	}
	if (o->check && o->iterations > 0) {
		snprintf(err, errlen, "--check ends when the job does: it takes no -n");
		return 2;
	}
	if (o->subreaper && o->pid) {
		snprintf(err, errlen, "--subreaper adopts orphans of the job orphanage starts: it cannot with -p");
		return 2;
	}
	if (o->junit && !o->check) {
		snprintf(err, errlen, "--junit writes --check's report: it needs --check");
		return 2;
	}
	if (o->tty && o->pid) {
		snprintf(err, errlen, "--tty gives a terminal to a job orphanage starts: it cannot with -p");
		return 2;
	}
	if (o->tty && o->same_group) {
		snprintf(err, errlen, "--tty starts the job in a session of its own: it cannot stay in orphanage's group (--same-group)");
		return 2;
	}
	if (o->replay && (sources || o->check || o->record)) {
		snprintf(err, errlen, "--replay shows a recording: it takes no COMMAND, -p, --demo, --check or --record");
		return 2;
	}
	if (o->at >= 0 && !o->replay) {
		snprintf(err, errlen, "--at is a moment of a recording: it needs --replay FILE");
		return 2;
	}
	if (o->check && !o->command && !o->demo) {
		snprintf(err, errlen, "--check needs a COMMAND to run");
		return 2;
	}
	return 0;
}

/* What the options imply once they are valid: the default demo, --check and --json. */
static void options_settle(struct options *o, bool on_exit_set, bool delay_set)
{
	if (!o->command && !o->pid && !o->demo && !o->replay)
		o->demo = "execsleep";
	if (o->check) {
		o->batch = true;
		o->subreaper = true;
	}
	if (o->json)
		o->batch = true;
	if (!on_exit_set)
		o->on_exit = o->pid ? ON_EXIT_LEAVE : ON_EXIT_KILL;
	/* A live view refreshing with no pause would only burn a core. */
	if (!o->batch && delay_set && o->delay < 0.05)
		o->delay = 0.05;
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	bool on_exit_set = false, delay_set = false;
	long n;
	memset(o, 0, sizeof *o);
	o->delay = 1.0;
	o->iterations = -1;
	o->sig = SIGKILL;
	o->grace = 2.0;
	o->at = -1;
	/* 0, not 1: glibc then also forgets a half-read cluster such as -hb. */
	optind = 0;
	opterr = 0;
	int c;
	/* '+': the first non-option starts COMMAND, whose own options are not ours. */
	while ((c = getopt_long(argc, argv, "+:d:bn:p:s:cthV", long_options, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (options_seconds(optarg, 86400, &o->delay) < 0) {
				snprintf(err, errlen, "invalid delay '%s': give seconds, such as 0.2 or 1", optarg);
				return 2;
			}
			delay_set = true;
			o->delay_set = true;
			break;
		case 'b':
			o->batch = true;
			break;
		case 'n':
			if (parse_long(optarg, 1, 1000000000L, &o->iterations) < 0) {
				snprintf(err, errlen, "invalid number of iterations '%s': give a whole number from 1", optarg);
				return 2;
			}
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'p':
			if (parse_long(optarg, 1, 0x7fffffffL, &n) < 0) {
				snprintf(err, errlen, "invalid PID '%s'", optarg);
				return 2;
			}
			o->pid = (pid_t)n;
			break;
		case OPT_DEMO:
			if (strcmp(optarg, "list") == 0) {
				o->demo_list = true;
			} else if (!demo_find(optarg)) {
				snprintf(err, errlen, "unknown demo '%s' (orphanage --demo list names them)", optarg);
				return 2;
			}
			o->demo = optarg;
			break;
		case OPT_SAME_GROUP:
			o->same_group = true;
			break;
		case OPT_NO_FORWARD:
			o->no_forward = true;
			break;
		case OPT_SUBREAPER:
			o->subreaper = true;
			break;
		case 's':
			o->sig = signame_parse(optarg);
			if (o->sig < 0) {
				snprintf(err, errlen, "unknown signal '%s': give a name (KILL, SIGTERM, int) or a number", optarg);
				return 2;
			}
			break;
		case OPT_ON_EXIT:
			if (strcmp(optarg, "kill") == 0) {
				o->on_exit = ON_EXIT_KILL;
			} else if (strcmp(optarg, "leave") == 0) {
				o->on_exit = ON_EXIT_LEAVE;
			} else {
				snprintf(err, errlen, "invalid --on-exit '%s': give kill or leave", optarg);
				return 2;
			}
			on_exit_set = true;
			break;
		case OPT_GRACE:
			if (options_seconds(optarg, 86400, &o->grace) < 0) {
				snprintf(err, errlen, "invalid grace period '%s': give seconds, such as 2 or 0.5", optarg);
				return 2;
			}
			break;
		case 'c':
			o->check = true;
			break;
		case OPT_JUNIT:
			o->junit = optarg;
			break;
		case OPT_WIDE:
			o->wide = true;
			break;
		case 't':
			o->tty = true;
			break;
		case OPT_TRACK: {
			bool known = false;
			for (int m = TRACK_AUTO; m <= TRACK_SCAN && !known; m++)
				if (strcmp(optarg, options_track_name((enum track_mode)m)) == 0) {
					o->track = (enum track_mode)m;
					known = true;
				}
			if (!known) {
				snprintf(err, errlen, "invalid --track '%s': give auto, cgroup, events or scan", optarg);
				return 2;
			}
			break;
		}
		case OPT_RECORD:
		case OPT_REPLAY:
		case OPT_TRACE:
			if (!optarg[0]) {
				snprintf(err, errlen, "option '%s' needs a FILE", argv[optind - 1]);
				return 2;
			}
			*(c == OPT_RECORD ? &o->record : c == OPT_REPLAY ? &o->replay : &o->trace) = optarg;
			break;
		case OPT_AT:
			if (options_seconds(optarg, 1e9, &o->at) < 0) {
				snprintf(err, errlen, "invalid --at '%s': give seconds since the recording's start, such as 2.5", optarg);
				return 2;
			}
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'V':
			o->version = true;
			return 0;
		case ':':
			snprintf(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
			return 2;
		default:
			if (optopt)
				snprintf(err, errlen, "unknown option '-%c'", optopt);
			else
				snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc)
		o->command = &argv[optind];
	/* "--" promises a COMMAND: with nothing after it, running the demo would surprise. */
	if (!o->command && optind > 1 && strcmp(argv[optind - 1], "--") == 0) {
		snprintf(err, errlen, "'--' must be followed by a COMMAND");
		return 2;
	}
	if (o->demo_list)
		return 0;
	int rc = options_validate(o, err, errlen);
	if (rc)
		return rc;
	options_settle(o, on_exit_set, delay_set);
	return 0;
}
