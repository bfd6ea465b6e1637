# Shared helpers for orphanage's shell tests. Every test sources this file.
# Safety: a test signals only processes it started itself. Every process a test starts
# (orphanage, its job, the job's descendants, setsid or double-forked or not) inherits
# this run's token in its environment, and a pid is signalled only when it carries the
# token (/proc/PID/environ) and, if the test recorded it, still has the start time it had
# then: never by name, session, group, 0 or -1.

: "${ORPHANAGE:?ORPHANAGE must name the orphanage binary}"
TEST_NAME=${0##*/}
TEST_NAME=${TEST_NAME%.sh}
# Before anything is launched. The shell's own /proc/PID/environ predates the export, so
# only what it starts carries the token.
ORPHANAGE_TEST_TOKEN=orph-$$-$RANDOM-${EPOCHREALTIME/[.,]/}
export ORPHANAGE_TEST_TOKEN
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/orphanage-test.XXXXXX")
TRACKED=""
CLEANUPS="" LAST_CLEANUPS=""

# write_file FILE: standard input (a here-document) into FILE, with no process started.
write_file() {
	local text_
	IFS= read -r -d '' text_ || :
	printf '%s' "$text_" >"$1"
}
say() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
skip() { say "SKIP: $*"; exit 77; }
SKIPPED=""
# needs COMMAND PART: true when COMMAND is installed. If not, PART of the test does not run:
# it is said now, and a test that otherwise passes ends in SKIP (77) naming each such part.
needs() {
	command -v "$1" >/dev/null && return 0
	say "SKIP: $2: $1 is not installed"
	SKIPPED="$SKIPPED; $2 ($1 is not installed)"
	return 1
}

# The start time of pid (field 22 of /proc/PID/stat), or nothing when it is gone.
# (Read with builtins only: these helpers run in every poll, and a fork costs on a loaded
# machine.)
# read_start_time PID: its start time into start_time_, with no fork; false once it is gone.
read_start_time() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	start_time_=${20}
}
start_time() {
	local start_time_
	read_start_time "$1" && echo "$start_time_"
}

# Is pid alive and not a zombie? Read from its stat, which a process in the middle of an
# exec still has whole (its environment can read as nothing then).
alive() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	case ${stat##*) } in Z* | X* | x*) return 1 ;; esac
}

# Did this test start pid? Its environment holds this run's token. (A zombie's
# environment cannot be read: it is not ours to signal, nor does it need a signal. Nor
# can a process that wrote over its environment area: perl's `$0 = ...` does.)
ours() {
	local var
	case $1 in '' | *[!0-9]*) return 1 ;; esac
	{ while IFS= read -r -d '' var; do
		[ "$var" = "ORPHANAGE_TEST_TOKEN=$ORPHANAGE_TEST_TOKEN" ] && return 0
	done <"/proc/$1/environ"; } 2>/dev/null
	return 1
}

# nap SECONDS: sleep with no fork (a process start costs milliseconds on a loaded
# machine, and the polls below nap hundreds of times a test): a read that times out on a
# FIFO nobody writes to, opened afresh each time, so that no process started inherits it.
# (Made with the FIFO of the test's Python, see py_run: one mkfifo for both.)
NAP_FIFO=$TMPD/nap.fifo
mkfifo "$NAP_FIFO" "$TMPD/pyserve.fifo" 2>/dev/null
[ -p "$NAP_FIFO" ] || NAP_FIFO=""
nap() {
	# (Checked each time: a part still running after its test's cleanup removed the FIFO
	# must not spin.)
	if [ -p "$NAP_FIFO" ]; then
		read -r -t "$1" _ <>"$NAP_FIFO"
		return 0
	fi
	sleep "$1"
}
# wait_until SECONDS COMMAND...: poll until COMMAND succeeds, or fail after SECONDS. Every
# 0.05 s for the first second, then every 0.1 s: a poll may fork (tmux, grep), and a long
# wait polling fast would take the CPU the awaited state needs.
# wait_quick SECONDS COMMAND...: the same every 0.01 s, for a check made with builtins only
# (alive, gone, a file test): it costs no process, and most such waits end within 0.1 s.
# now_ms: the time in milliseconds, with no fork.
now_ms() { echo $((${EPOCHREALTIME/[.,]/} / 1000)); }
wait_until() { poll_until 0.05 0.1 "$@"; }
wait_quick() { poll_until 0.01 0.01 "$@"; }
# poll_until FIRST THEN SECONDS COMMAND...: nap FIRST between polls in the first second,
# THEN after it.
poll_until() {
	local first=$1 then=$2 limit=$3
	shift 3
	local start=$((${EPOCHREALTIME/[.,]/} / 1000)) now
	local end=$((start + ${limit%.*} * 1000))
	while ! "$@"; do
		now=$((${EPOCHREALTIME/[.,]/} / 1000))
		[ "$now" -lt "$end" ] || return 1
		if [ "$now" -lt $((start + 1000)) ]; then nap "$first"; else nap "$then"; fi
	done
}

# watchdog SECONDS COMMAND...: run COMMAND and return its status; if it has not finished
# within SECONDS, kill it (it is this test's own child) and fail: a hang fails the test
# instead of stalling the suite. COMMAND runs in the background: stdin is /dev/null.
watchdog() {
	local limit=$1 pid
	shift
	"$@" &
	pid=$!
	track "$pid"
	if ! wait_quick "$limit" eval "! alive $pid"; then
		kill_ours KILL "$pid"
		wait "$pid" 2>/dev/null
		fail "did not finish within $limit s, killed: $*"
	fi
	wait "$pid"
}

gone() {
	local pid
	for pid in "$@"; do
		alive "$pid" && return 1
	done
	return 0
}
# ours_since PID: PID carries the token, read between two readings of one start time (kept
# in ours_st_): the token is that very process's, not a reused pid's.
ours_since() {
	local st start_time_
	read_start_time "$1" || return 1
	st=$start_time_
	ours "$1" && read_start_time "$1" && [ "$start_time_" = "$st" ] && ours_st_=$st
}
# shellcheck disable=SC2317 # called through wait_until
ours_since_or_gone() { ours_since "$1" || ! alive "$1"; }

# Remember pids as ours, with their start time, so kill_ours and cleanup can signal them
# while they are still the same process. A pid without the token is not recorded.
track() {
	local pid ours_st_ start_time_
	for pid in "$@"; do
		case $pid in '' | *[!0-9]*) continue ;; esac
		alive "$pid" || continue
		# Tracked already, as this very process: nothing to read again.
		if read_start_time "$pid"; then
			case " $TRACKED " in *" $pid:$start_time_ "*) continue ;; esac
		fi
		# A child this shell just forked carries the token only once it has exec'd: under
		# load (the sanitizer build, a busy machine) that can take seconds. And while a
		# process execs, its environment reads empty (the new one is not set up yet): a
		# chain of execs (setpriv, then what it runs) shows the token, then none, then the
		# token again. So the token and the start time are taken in one reading, awaited.
		ours_st_=""
		ours_since "$pid" || wait_quick 10 ours_since_or_gone "$pid"
		if [ -z "$ours_st_" ]; then
			# (Unless it is exiting: its environment is then empty before it is a zombie.)
			alive "$pid" && { IFS= read -r -d '' _ <"/proc/$pid/environ"; } 2>/dev/null &&
				say "not tracking $pid: not a process this test started"
			continue
		fi
		case " $TRACKED " in *" $pid:$ours_st_ "*) continue ;; esac
		TRACKED="$TRACKED $pid:$ours_st_"
	done
}
# The tracked pids still alive as the very process that was tracked.
tracked_alive() {
	local entry
	for entry in $(tracked_alive_entries); do
		echo "${entry%%:*}"
	done
}
# The tracked entries (PID:START) whose pid is alive with that start time.
tracked_alive_entries() {
	local entry pid start_time_
	for entry in $TRACKED; do
		pid=${entry%%:*}
		alive "$pid" && read_start_time "$pid" && [ "$start_time_" = "${entry#*:}" ] && echo "$entry"
	done
	return 0
}
# None of the tracked pids is alive as the process that was tracked (with builtins only:
# it is polled with wait_quick).
# shellcheck disable=SC2317 # called through wait_until
none_tracked_alive() {
	local entry pid start_time_
	for entry in $TRACKED; do
		pid=${entry%%:*}
		alive "$pid" && read_start_time "$pid" && [ "$start_time_" = "${entry#*:}" ] && return 1
	done
	return 0
}
# track_output FILE: track every pid in orphanage's output (JSON objects or ps j rows).
track_output() {
	# shellcheck disable=SC2046 # pids, split on purpose
	track $(awk '
		function out(pid) { if (!(pid in seen)) { seen[pid] = 1; print pid } }
		/^ *PPID +PID +PGID/ { t = 1; next }
		/^$/ { t = 0 }
		t && $1 ~ /^-?[0-9]+$/ && $2 ~ /^[0-9]+$/ { out($2) }
		{
			s = $0
			while (match(s, /"pid": *[0-9]+/)) {
				pid = substr(s, RSTART, RLENGTH)
				sub(/^"pid": */, "", pid)
				out(pid)
				s = substr(s, RSTART + RLENGTH)
			}
		}' "$1" 2>/dev/null)
}

# The interpreter itself when there is one: a version manager's shim can be slow.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
# A test's short Python scripts (jsonq.py eval, ours.py kill, a test's own) run in one
# Python of its own, started once: py_run SCRIPT ARG... (or -c CODE ARG...) is
# "$PYTHON" SCRIPT ARG..., with the same output and status, without a Python start each
# time. A request is a file of NUL-separated words (the answer's FIFO, then the command
# line), its path written as one line to the server's FIFO (a write under PIPE_BUF: whole,
# also from parts at once); the answer is the status, a line, then standard output and
# standard error, each ended by a NUL. Scripts that read standard input or run for long
# (wait_json) start a Python of their own.
write_file "$TMPD/pyserve.py" <<'PY'
import contextlib, io, os, runpy, sys, traceback
requests = open(sys.argv[1], "r+b", buffering=0)	# read-write: never an end of file
# Answer FIFOs made ahead (a mkfifo is a process start for a shell), taken and given back
# through a pool: a FIFO of one-letter tokens that this process keeps open (a FIFO's
# bytes are gone once nobody has it open), put in place whole.
here, letters = os.path.dirname(sys.argv[1]), "0123456789abcdef"
for letter in letters:
    os.mkfifo(os.path.join(here, "pyans." + letter))
os.mkfifo(os.path.join(here, "pypool.new"))
pool = os.open(os.path.join(here, "pypool.new"), os.O_RDWR)
os.write(pool, letters.encode())
os.rename(os.path.join(here, "pypool.new"), os.path.join(here, "pypool"))
for line in iter(requests.readline, b""):
    path = line.decode().rstrip("\n")
    if path == "quit":
        break
    with open(path, "rb") as f:
        words = [w.decode() for w in f.read().split(b"\0")[:-1]]
    answer, argv = words[0], words[1:]
    out, err, rc = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if argv[0] == "-c":
                sys.argv = ["-c"] + argv[2:]
                exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
            else:
                sys.argv = argv
                runpy.run_path(argv[0], run_name="__main__")
        except SystemExit as e:
            if isinstance(e.code, int):
                rc = e.code
            elif e.code is not None:
                print(e.code, file=sys.stderr)
                rc = 1
        except BaseException:
            traceback.print_exc()
            rc = 1
    with open(answer, "wb") as f:
        f.write(b"%d\n%s\0%s\0" % (rc, out.getvalue().encode(), err.getvalue().encode()))
PY
PYSERVE_PID="" PYSERVE_N=0
# Started by a test that sources this file, from its own shell, once.
pyserve_start() {
	[ -n "$PYTHON" ] && [ -z "$PYSERVE_PID" ] && [ -p "$TMPD/pyserve.fifo" ] || return 0
	"$PYTHON" "$TMPD/pyserve.py" "$TMPD/pyserve.fifo" </dev/null >/dev/null 2>>"$TMPD/pyserve.err" &
	PYSERVE_PID=$!
}
pyserve_stop() {
	[ -n "$PYSERVE_PID" ] || return 0
	alive "$PYSERVE_PID" && echo quit >"$TMPD/pyserve.fifo"
	wait "$PYSERVE_PID" 2>/dev/null
	PYSERVE_PID=""
}
# py_take: a free answer FIFO of the pool, its letter into letter_; false when the pool is
# not made yet or every FIFO is in use (a request then makes its own). py_give LETTER: the
# FIFO back to the pool. (One-byte reads and writes: whole, also from parts at once.)
py_take() {
	local fd
	letter_=""
	[ -p "$TMPD/pypool" ] || return 1
	exec {fd}<>"$TMPD/pypool"
	IFS= read -r -n 1 -t 1 -u "$fd" letter_
	exec {fd}<&-
	[ -n "$letter_" ]
}
py_give() {
	local fd
	exec {fd}<>"$TMPD/pypool"
	printf %s "$1" >&"$fd"
	exec {fd}<&-
}
py_run() {
	local req fd rc out err letter_ answer
	if [ -z "$PYSERVE_PID" ] || ! alive "$PYSERVE_PID"; then
		"$PYTHON" "$@"
		return
	fi
	PYSERVE_N=$((PYSERVE_N + 1))
	req=$TMPD/py-$BASHPID-$PYSERVE_N
	if py_take; then
		answer=$TMPD/pyans.$letter_
	else
		answer=$req.answer
		mkfifo "$answer" || fail "mkfifo $answer failed"
	fi
	printf '%s\0' "$answer" "$@" >"$req"
	exec {fd}<>"$answer"	# read-write: opening it waits for no writer
	echo "$req" >"$TMPD/pyserve.fifo"
	if ! IFS= read -r -t 120 -u "$fd" rc || ! IFS= read -r -d '' -t 120 -u "$fd" out ||
		! IFS= read -r -d '' -t 120 -u "$fd" err; then
		exec {fd}<&-
		fail "the test's Python did not answer within 120 s: $*"
	fi
	exec {fd}<&-	# the last to hold it: whatever is left in it goes
	[ -z "$letter_" ] || py_give "$letter_"
	[ -z "$out" ] || printf '%s' "$out"
	[ -z "$err" ] || printf '%s' "$err" >&2
	return "$rc"
}
# With pidfds (Python 3.9, Linux 5.3) the checks below are made while holding the process,
# so the signal reaches the very process that passed them, even if its pid is reused.
write_file "$TMPD/ours.py" <<'PY'
import os, signal, sys, time
TOKEN = ('ORPHANAGE_TEST_TOKEN=' + os.environ['ORPHANAGE_TEST_TOKEN']).encode()

def stat(pid):
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(b')') + 2:].split()
    return rest[0].decode(), rest[19].decode()

def ours(pid):
    try:
        with open('/proc/%d/environ' % pid, 'rb') as f:
            return TOKEN in f.read().split(b'\0')
    except OSError:
        return False

def send(pid, sig, start=None):
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return 'gone'
    try:
        st = stat(pid)
        if st is None or st[0] in 'ZXx':
            return 'gone'
        if start is not None and st[1] != start:
            return 'refused: its start time changed'
        # A tracked process in the middle of an exec (or exiting) reads an empty
        # environment for a moment: it is read again, for up to half a second.
        tries = 50 if start is not None else 1
        while not ours(pid):
            tries -= 1
            if tries == 0:
                return 'refused: not started by this test'
            time.sleep(0.01)
            st = stat(pid)
            if st is None or st[0] in 'ZXx':
                return 'gone'
            if st[1] != start:
                return 'refused: its start time changed'
        signal.pidfd_send_signal(fd, sig)
        return 'sent'
    except ProcessLookupError:
        return 'gone'
    finally:
        os.close(fd)

mode, name = sys.argv[1], sys.argv[2]
sig = int(name) if name.isdigit() else getattr(signal, 'SIG' + name)
rc = 0
if mode == 'kill':            # kill SIG PID:START...
    for entry in sys.argv[3:]:
        pid, start = entry.split(':')
        r = send(int(pid), sig, start)
        if r.startswith('refused'):
            print('%s: SIG%s to %s %s' % (os.environ.get('TEST_NAME', 'test'), name, pid, r), file=sys.stderr)
            rc = 1
elif mode == 'sweep':         # sweep SIG: every process of this run, until none is left
    killed, end = {}, time.monotonic() + 5
    while time.monotonic() < end:
        found = False
        for d in os.listdir('/proc'):
            if not d.isdigit() or int(d) == os.getpid() or not ours(int(d)):
                continue
            try:
                with open('/proc/%s/comm' % d) as f:
                    comm = f.read().strip()
            except OSError:
                comm = '?'
            if send(int(d), sig) == 'sent':
                found = True
                killed.setdefault(int(d), comm)
        if not found:
            break
        time.sleep(0.05)
    if killed:
        print('%s: cleanup: SIG%s to %d leftover process(es) of this run: %s' % (
            os.environ.get('TEST_NAME', 'test'), name, len(killed),
            ' '.join('%d(%s)' % kv for kv in sorted(killed.items()))), file=sys.stderr)
sys.exit(rc)
PY
export TEST_NAME
# Whether Python has pidfds: asked once, the first time a signal is to be sent (most tests
# never send one, and a Python start is not free on a loaded machine).
HAVE_PIDFD=unknown
have_pidfd() {
	if [ "$HAVE_PIDFD" = unknown ]; then
		HAVE_PIDFD=""
		[ -n "$PYTHON" ] && py_run -c 'import os, signal; os.pidfd_open(os.getpid()); signal.pidfd_send_signal' 2>/dev/null &&
			HAVE_PIDFD=1
	fi
	[ -n "$HAVE_PIDFD" ]
}

# signal_entries SIG PID:START...: SIG to each pid that is still that process and ours.
signal_entries() {
	local sig=$1 entry pid st rc=0
	shift
	[ $# -gt 0 ] || return 0
	if have_pidfd; then
		py_run "$TMPD/ours.py" kill "$sig" "$@"
		return
	fi
	for entry in "$@"; do
		pid=${entry%%:*}
		st=${entry#*:}
		alive "$pid" || continue
		if [ "$(start_time "$pid")" != "$st" ]; then
			say "SIG$sig to $pid refused: its start time changed"
			rc=1
		elif ! ours "$pid"; then
			say "SIG$sig to $pid refused: not started by this test"
			rc=1
		else
			kill -"$sig" "$pid" 2>/dev/null
		fi
	done
	return $rc
}

# kill_ours SIG PID...: the only way tests signal a process. Each pid must have been
# tracked, and is signalled only while it has the same start time and carries the token.
kill_ours() {
	local sig=$1 pid entry found entries=() rc=0
	shift
	for pid in "$@"; do
		found=""
		for entry in $TRACKED; do
			[ "${entry%%:*}" = "$pid" ] && found=$entry
		done
		if [ -z "$found" ]; then
			say "SIG$sig to '$pid' refused: not tracked by this test"
			rc=1
		else
			entries+=("$found")
		fi
	done
	signal_entries "$sig" "${entries[@]}" || rc=1
	return $rc
}

# Kill every process of this run still alive: by the token, so also what was never seen.
sweep_ours() {
	local path pid _
	# None left (the usual end of a test that passed): nothing to start. grep runs with
	# the token emptied, or it would find itself.
	ORPHANAGE_TEST_TOKEN= grep -qzxF "ORPHANAGE_TEST_TOKEN=$ORPHANAGE_TEST_TOKEN" /proc/[0-9]*/environ 2>/dev/null ||
		return 0
	if have_pidfd; then
		"$PYTHON" "$TMPD/ours.py" sweep KILL
		return
	fi
	for _ in 1 2 3; do
		for path in $(grep -lzxF "ORPHANAGE_TEST_TOKEN=$ORPHANAGE_TEST_TOKEN" /proc/[0-9]*/environ 2>/dev/null); do
			pid=${path#/proc/}
			pid=${pid%/environ}
			alive "$pid" && ours "$pid" && kill -KILL "$pid" 2>/dev/null
		done
		nap 0.05
	done
}

on_cleanup() { CLEANUPS="$CLEANUPS
$*"; }
# on_cleanup_last COMMAND: run at cleanup once every process of the run is gone, for what
# they held while they ran (a test user: userdel refuses while a process runs as it).
on_cleanup_last() { LAST_CLEANUPS="$LAST_CLEANUPS
$*"; }

# cgroup2_place: where cgroup v2 is mounted (the first such mount) into mount_, and this
# shell's own v2 cgroup under it into own_; false, both empty, with no cgroup v2.
cgroup2_place() {
	local f i line
	mount_="" own_=""
	while read -r -a f; do
		for ((i = 6; i < ${#f[@]} - 1; i++)); do
			[ "${f[i]}" = - ] || continue
			[ "${f[i + 1]}" = cgroup2 ] && mount_=${f[4]}
			break
		done
		[ -z "$mount_" ] || break
	done </proc/self/mountinfo
	[ -n "$mount_" ] || return 1
	while IFS= read -r line; do
		case $line in 0::*) own_=${line#0::} ;; esac
	done </proc/self/cgroup
}
# The cgroups orphanage made for this run's jobs (--track auto) and left behind (--on-exit
# leave, or orphanage killed): under this shell's own v2 cgroup, named for an orphanage this
# test tracked, or holding a process of this run. Only an empty one can be removed.
ours_cgroups() {
	local mount_ own_ d pid p
	cgroup2_place || return 0
	for d in "$mount_${own_%/}"/orphanage-*-*; do
		[ -d "$d" ] || continue
		pid=${d##*/orphanage-}
		pid=${pid%%-*}
		case " $TRACKED " in *" $pid:"*) echo "$d" && continue ;; esac
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			ours "$p" && echo "$d" && break
		done
	done
}
# shellcheck disable=SC2317 # called through wait_until
cgroup_removed() { [ ! -d "$1" ] || rmdir "$1" 2>/dev/null; }

cleanup() {
	eval "$CLEANUPS"
	pyserve_stop
	local cgroups d sock
	# shellcheck disable=SC2013 # one name a line
	for sock in $(cat "$TMPD/tmux.sockets" 2>/dev/null); do
		tmux -L "$sock" kill-server 2>/dev/null
	done
	cgroups=$(ours_cgroups)
	# shellcheck disable=SC2086 # entries, split on purpose
	signal_entries KILL $(tracked_alive_entries)
	sweep_ours
	# Emptied by the sweep; a zombie counts until PID 1 reaps it, which takes a moment here.
	for d in $cgroups; do
		wait_until 10 cgroup_removed "$d" || say "could not remove $d"
	done
	eval "$LAST_CLEANUPS"
	rm -rf "$TMPD"
}
# On exit, whatever the status: clean up; a passing test with parts skipped is a SKIP.
finish_test() {
	local rc=$?
	cleanup
	if [ "$rc" = 0 ] && [ -n "$SKIPPED" ]; then
		say "SKIP: not run:${SKIPPED#;}"
		rc=77
	fi
	exit "$rc"
}
trap finish_test EXIT
trap 'exit 1' INT TERM HUP

# Parts of a test that share nothing (each its own orphanage, family and files) run at once:
# part_start COMMAND... runs COMMAND (a function of the test) in a subshell of its own, in
# the background, its messages kept in a log of its own; parts_wait waits for every part
# started, shows their messages in the order they were started, and fails if any failed
# (a part that skips makes a test that passes otherwise a SKIP).
# A part's exit runs no cleanup: on_cleanup is for this shell, before the part starts
# (sweep_ours kills whatever of the run a failed part left).
PARTS=() PART_LOGS=()
part_start() {
	local log=$TMPD/part-${#PARTS[@]}.log
	have_pidfd || :	# asked once here, not again in each part
	"$@" 2>"$log" </dev/null &
	PARTS+=("$!")
	PART_LOGS+=("$log")
}
parts_wait() {
	local i failed=0 n=${#PARTS[@]}
	for i in "${!PARTS[@]}"; do
		wait "${PARTS[$i]}"
		case $? in
		0) ;;
		77) SKIPPED="$SKIPPED; part $((i + 1)) of $n (its SKIP line says why)" ;;
		*) failed=$((failed + 1)) ;;
		esac
		cat "${PART_LOGS[$i]}" >&2
	done
	PARTS=() PART_LOGS=()
	[ "$failed" = 0 ] || fail "$failed of $n parts failed"
}

# json_eval FILE PYTHON-EXPRESSION: evaluate an expression over the list of JSON objects
# in FILE (one per line), bound to `objs`; prints the result.
# wait_json SECONDS FILE PYTHON-EXPRESSION: until the expression is true, or fail after
# SECONDS; one Python reads the file on as it grows and evaluates every 0.05 s (an
# expression that raises is not true yet: the last error is shown at the deadline).
write_file "$TMPD/jsonq.py" <<'PY'
import json, sys, time

def read_objects(f, objs, whole):
    """Parse the lines added to f since the last call into objs; a last line without its
    newline is parsed only when whole (the file is read once, not followed)."""
    data = f.read()
    end = len(data) if whole else data.rfind(b"\n") + 1
    f.seek(end - len(data), 1)
    for line in data[:end].decode("utf-8", errors="replace").split("\n"):
        line = line.strip()
        if line:
            try:
                objs.append(json.loads(line))
            except ValueError:
                pass

def show(r):
    if r is True: print("true")
    elif r is False or r is None: print("")
    elif isinstance(r, list): print(" ".join(str(x) for x in r))
    else: print(r)

if sys.argv[1] == "eval":
    objs = []
    with open(sys.argv[2], "rb") as f:
        read_objects(f, objs, True)
    show(eval(sys.argv[3]))
    sys.exit(0)
secs, path, expr = float(sys.argv[2]), sys.argv[3], sys.argv[4]
end, objs, f, err = time.monotonic() + secs, [], None, None
while True:
    if f is None:
        try:
            f = open(path, "rb")
        except OSError:
            pass
    if f is not None:
        read_objects(f, objs, False)
        try:
            if eval(expr) is True:
                sys.exit(0)
            err = None
        except Exception as e:
            err = e
    if time.monotonic() > end:
        if err is not None:
            print("wait_json: %s: %r" % (expr, err), file=sys.stderr)
        sys.exit(1)
    time.sleep(0.05)
PY
json_eval() { py_run "$TMPD/jsonq.py" eval "$1" "$2"; }
wait_json() { "$PYTHON" "$TMPD/jsonq.py" wait "$@"; }

json_true() { [ "$(json_eval "$1" "$2")" = true ]; }

# --- Real-terminal helpers: orphanage in tmux on a private socket -----------------------
TMUX_SOCKET=""
TMUX_RC=""

# tmux_start COMMAND...: a detached 120x40 session (TMUX_SIZE=80x24 for another) running
# COMMAND (as one shell string), on a tmux server of its own (TMUX_SOCKET).
# The pane's command records its exit status in $TMUX_RC. tmux starts it from the
# server's environment, not this shell's: the token is passed on the command line. The
# servers are listed in a file, so that the cleanup ends them also when a part of the
# test (tests/lib.sh part_start) started them.
tmux_start() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	TMUX_SOCKET=orph-test-$$-$BASHPID-$RANDOM
	TMUX_RC=$TMPD/$TMUX_SOCKET.rc
	echo "$TMUX_SOCKET" >>"$TMPD/tmux.sockets"
	local size=${TMUX_SIZE:-120x40}
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -x "${size%x*}" -y "${size#*x}" \
		"cd '$PWD' && env ORPHANAGE_TEST_TOKEN='$ORPHANAGE_TEST_TOKEN' LANG=C.UTF-8 $*; echo \$? > '$TMUX_RC'; sleep 300" ||
		fail "tmux did not start"
}
tmux_keys() { tmux -L "$TMUX_SOCKET" send-keys "$@"; }
# tmux_launch ARGS...: orphanage ARGS in a tmux_start session, once its table is drawn.
tmux_launch() {
	tmux_start "$ORPHANAGE" "$@"
	wait_screen 10 'PPID *PID *PGID'
}
# tmux_quit_ok SECONDS: q quits orphanage within SECONDS, with status 0.
tmux_quit_ok() {
	tmux_keys q
	wait_quick "$1" tmux_exited || fail "orphanage did not quit on q:
$(screen)"
	[ "$(cat "$TMUX_RC")" = 0 ] || fail "q exited with $(cat "$TMUX_RC")"
}
# tmux_quit PIDS...: q quits orphanage with status 0 and leaves none of PIDS alive.
tmux_quit() {
	tmux_quit_ok 10
	wait_quick 15 gone "$@" || fail "q left $* alive"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
}
screen() { tmux -L "$TMUX_SOCKET" capture-pane -p 2>/dev/null; }
# bre_to_ere BRE: the same pattern as a POSIX extended regex, in ere_ (GNU grep's basic
# regex: \( \) \{ \} \| \+ \? are the operators and ( ) { } | + ? literals; a * that
# starts the pattern or a group is a literal, as are a ^ not at a start and a $ not at an
# end; bracket expressions are the same in both). Back-references stay. (start: 1 at the
# start of the pattern or a group, 2 just after an anchoring ^ there, else 0.)
bre_to_ere() {
	local re=$1 i=0 n=${#1} c next start=1 j close
	ere_=""
	while [ "$i" -lt "$n" ]; do
		c=${re:i:1}
		next=${re:i+1:1}
		case $c in
		\\)
			case $next in
			'(' | '|') ere_+=$next && start=1 && i=$((i + 2)) && continue ;;
			')' | '{' | '}' | '+' | '?') ere_+=$next ;;
			*) ere_+=$c$next ;;
			esac
			i=$((i + 2))
			;;
		'[')
			# To the closing ], which may come first (after ^) and is then a member.
			j=$((i + 1))
			[ "${re:j:1}" = '^' ] && j=$((j + 1))
			[ "${re:j:1}" = ']' ] && j=$((j + 1))
			while [ "$j" -lt "$n" ] && [ "${re:j:1}" != ']' ]; do
				case ${re:j:2} in
				'[:' | '[.' | '[=')
					# A class, to its :] (or .] or =]).
					close=${re:j+1:1}]
					j=$((j + 2))
					while [ "$j" -lt "$n" ] && [ "${re:j:2}" != "$close" ]; do j=$((j + 1)); done
					j=$((j + 2))
					;;
				*) j=$((j + 1)) ;;
				esac
			done
			ere_+=${re:i:j-i+1}
			i=$((j + 1))
			;;
		'(' | ')' | '{' | '}' | '|' | '+' | '?') ere_+=\\$c && i=$((i + 1)) ;;
		'*') if [ "$start" != 0 ]; then ere_+='\*'; else ere_+='*'; fi && i=$((i + 1)) ;;
		'^')
			# An anchor at a start only; a * right after it is still a literal.
			if [ "$start" = 1 ]; then ere_+='^' && start=2 && i=$((i + 1)) && continue; fi
			ere_+='\^' && i=$((i + 1))
			;;
		'$')
			case ${re:i+1} in '' | '\)'* | '\|'*) ere_+='$' ;; *) ere_+='\$' ;; esac
			i=$((i + 1))
			;;
		*) ere_+=$c && i=$((i + 1)) ;;
		esac
		start=0
	done
}
# screen_has PATTERN: a line on screen matches the basic regex PATTERN, as grep would say
# (matched with builtins: a poll runs it many times, and only the capture forks).
screen_has() {
	local ere_ line
	bre_to_ere "$1"
	while IFS= read -r line; do
		[[ $line =~ $ere_ ]] && return 0
	done <<<"$(screen)"
	return 1
}
# wait_screen SECONDS PATTERN: until the screen matches, or fail with the screen shown.
wait_screen() {
	wait_until "$1" screen_has "$2" || fail "screen never showed '$2':
$(screen)"
}
# The table rows on screen: PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND... Read from
# one capture with builtins into rows_ (read_rows), or printed (table_rows).
read_rows() {
	local line in_table="" _ pid
	rows_=()
	while IFS= read -r line; do
		if [ -z "$in_table" ]; then
			[[ $line =~ ^\ *PPID\ +PID\ +PGID ]] && in_table=1
			continue
		fi
		case $line in ──* | --*) in_table="" && continue ;; esac
		read -r _ pid _ <<<"$line"
		[[ $pid =~ ^[0-9]+$ ]] && rows_+=("$line")
	done <<<"$(screen)"
	return 0
}
table_rows() {
	local rows_
	read_rows
	[ ${#rows_[@]} = 0 ] || printf '%s\n' "${rows_[@]}"
}
# row_field PATTERN N: field N of the first table row whose text matches the extended
# regex PATTERN. Match a row by how its COMMAND ends, after the tree guide or the time:
# '─ sleep 100$', ':[0-9][0-9] . execsleep$' (the job, no guide, after the time and the
# signal flag); a plain 'sleep 100'
# would also match the job's own command line, or a fork not yet exec'd.
row_field() {
	local rows_ row fields
	read_rows
	for row in "${rows_[@]}"; do
		[[ $row =~ $1 ]] || continue
		read -r -a fields <<<"$row"
		printf '%s\n' "${fields[$2 - 1]}"
		return 0
	done
}
# shellcheck disable=SC2317 # called through wait_until
has_row() { [ -n "$(row_field "$1" 2)" ]; }
# has_row_pid PATTERN: like has_row, keeping the PID of the same capture in row_pid_ (a
# second capture may fall in the middle of a repaint, as --same-group's at every refresh).
# shellcheck disable=SC2317 # called through wait_until
has_row_pid() {
	row_pid_=$(row_field "$1" 2)
	[ -n "$row_pid_" ]
}
# await_row VAR SECONDS PATTERN: wait for a table row matching PATTERN, set VAR to its
# PID and track it; fail with the screen shown if it never comes.
await_row() {
	local row_pid_=""
	wait_until "$2" has_row_pid "$3" || fail "no table row matched '$3':
$(screen)"
	track "$row_pid_"
	printf -v "$1" %s "$row_pid_"
}
# The pid orphanage runs as: the pane's child.
orphanage_pid() {
	local pane
	pane=$(tmux -L "$TMUX_SOCKET" list-panes -F '#{pane_pid}' 2>/dev/null | head -1)
	[ -n "$pane" ] && pgrep -P "$pane" -x orphanage | head -1
}
tmux_exited() { [ -s "$TMUX_RC" ]; }
# tmux_answers: orphanage in the pane still reads keys and draws, a round trip later: ?
# opens its help and the next key closes it. (For checks that something did not happen.)
tmux_answers() {
	tmux_keys '?'
	wait_until 15 screen_has 'Any key closes this help' || return 1
	tmux_keys '?'
	wait_until 15 help_closed
}
# shellcheck disable=SC2317 # called through wait_until
help_closed() { ! screen_has 'Any key closes this help'; }

# Run as a program, `bash tests/lib.sh watchdog SECONDS COMMAND...` (the unit tests' log
# compiler): COMMAND under the watchdog, with this file's cleanup.
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = watchdog ] && [ $# -ge 3 ]; then
	TEST_NAME=$(basename "$3")
	watchdog "$2" "${@:3}"
	exit
fi
# A test that sources this file: its Python, for py_run.
pyserve_start
