#!/bin/sh
# The built-in scenarios (--demo NAME) in batch mode: each family has the shape its scenario
# promises, the kernel does to it what the scenario says when a member is killed, and
# orphanage's exit (--on-exit kill) leaves nothing of it alive.
#
# Safety: this test signals only processes it started, by the exact pids orphanage showed it,
# and only while their start time is the one it recorded when it first saw them and they
# carry this run's token in their environment (every process the test starts inherits it).
# Never by name, never a group, never -1.
set -u

if [ -z "${ORPHANAGE:-}" ] || [ ! -x "$ORPHANAGE" ]; then
	echo "SKIP: ORPHANAGE does not name the built binary"
	exit 77
fi
# The interpreter itself: a version manager's shim costs a second a call on a busy machine.
python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ ! -r /proc/self/stat ] || [ -z "$python" ]; then
	echo "SKIP: needs /proc and python3"
	exit 77
fi

# Before anything is launched. (This shell's own /proc/PID/environ predates the export:
# only what it starts carries the token.)
ORPHANAGE_TEST_TOKEN=orph-$$-$(cat /proc/sys/kernel/random/uuid 2>/dev/null)-$(date +%s%N)
export ORPHANAGE_TEST_TOKEN
tmp=$(mktemp -d "${TMPDIR:-/tmp}/orphanage-demos.XXXXXX") || exit 1
seen=$tmp/seen		# "pid starttime" of every process orphanage showed this test
: >"$seen"
bg=			# the orphanage running now, a child of this shell
label=
out=
err=
passed=0
failed=0

cleanup() {
	if [ -n "$bg" ]; then
		"$python" "$tmp/fam.py" own KILL "$bg" 2>/dev/null
		wait "$bg" 2>/dev/null
	fi
	# shellcheck disable=SC2046 # pids, split on purpose
	"$python" "$tmp/fam.py" kill "$seen" KILL $("$python" "$tmp/fam.py" alive "$seen" 2>/dev/null) 2>/dev/null
	# Then anything of this run still alive, seen or not: it carries the token.
	"$python" "$tmp/fam.py" sweep KILL
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# Reading orphanage's output, and /proc, is done in Python; signals are sent from here.
cat >"$tmp/fam.py" <<'EOF'
import json, os, signal, sys, time

TOKEN = ('ORPHANAGE_TEST_TOKEN=' + os.environ['ORPHANAGE_TEST_TOKEN']).encode()

def ours(pid):
    """Did this test start pid? Its environment holds this run's token."""
    try:
        with open('/proc/%d/environ' % pid, 'rb') as f:
            return TOKEN in f.read().split(b'\0')
    except OSError:
        return False

def send(pid, sig, start=None):
    """Signal pid if it is alive, carries the token and (given start) still has that start
    time. The checks are made while holding a pidfd, so the signal reaches the very process
    that passed them. Returns what happened."""
    fd = None
    try:
        if hasattr(os, 'pidfd_open'):
            fd = os.pidfd_open(pid)
        st = proc(pid)
        if st is None or st[0] in 'ZXx':
            return 'gone'
        if start is not None and st[1] != start:
            return 'refused: its start time changed'
        if not ours(pid):
            return 'refused: not started by this test'
        if fd is not None:
            signal.pidfd_send_signal(fd, sig)
        else:
            os.kill(pid, sig)
        return 'sent'
    except ProcessLookupError:
        return 'gone'
    finally:
        if fd is not None:
            os.close(fd)

def proc(pid):
    """(state, starttime, ppid, pgid, sid) of a live pid, or None."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            s = f.read()
    except (OSError, ValueError):
        return None
    rest = s[s.rindex(')') + 2:].split()
    return rest[0], rest[19], int(rest[1]), int(rest[2]), int(rest[3])

def snapshots(path):
    """Every complete snapshot in orphanage's output: JSON objects, or text tables turned
    into the same shape (rows only)."""
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            data = f.read()
    except OSError:
        return []
    lines = data.split('\n')[:-1]   # the last one may be half written
    snaps, rows = [], None
    for line in lines:
        if line.startswith('{'):
            try:
                snaps.append(json.loads(line))
            except ValueError:
                pass
            continue
        f = line.split()
        if f[:2] == ['PPID', 'PID']:
            rows = []
            snaps.append({'job': {}, 'processes': rows, 'text': True})
        elif rows is not None and len(f) >= 10 and f[0].lstrip('-').isdigit() and f[1].isdigit():
            rows.append({'ppid': int(f[0]), 'pid': int(f[1]), 'pgid': int(f[2]),
                         'sid': int(f[3]), 'stat': f[6], 'command': line.split(None, 9)[9],
                         'orphan': 'orphan' in f[9:]})
    return snaps

def load_seen(path):
    seen = {}
    with open(path) as f:
        for line in f:
            pid, start = line.split()
            seen[int(pid)] = start
    return seen

def record(out, seen_path):
    """Remember the start time of every pid orphanage showed, when first seen, if ours."""
    seen = load_seen(seen_path)
    with open(seen_path, 'a') as f:
        for s in snapshots(out):
            for p in s['processes']:
                pid = p['pid']
                if pid in seen:
                    continue
                st = proc(pid)
                if st and ours(pid) and proc(pid) == st:
                    seen[pid] = st[1]
                    f.write('%d %s\n' % (pid, st[1]))

def alive(seen):
    """The recorded pids still running (zombies are dead: only their parent's wait is left)."""
    left = []
    for pid, start in sorted(seen.items()):
        st = proc(pid)
        if st and st[1] == start and st[0] not in 'ZXx':
            left.append(pid)
    return left

def job(s):
    for p in s['processes']:
        if p['pid'] == s['job'].get('pid') or (s.get('text') and p is s['processes'][0]):
            return p
    return None

def children(s, parent):
    return [p for p in s['processes'] if p['ppid'] == parent['pid'] and not p.get('orphan')]

def by_pid(s, pid):
    for p in s['processes']:
        if p['pid'] == pid:
            return p
    return None

# Conditions on the output so far: each returns what it found (pids, to print) or None.
# Made fresh for each wait, so a condition may keep state across polls.

def c_text_execsleep(args):
    def check(snaps, err):
        for s in snaps:
            if not s.get('text') or not s['processes']:
                continue
            j = s['processes'][0]
            if j['command'] != 'execsleep':
                continue
            for p in s['processes'][1:]:
                c = p['command']
                if p['ppid'] == j['pid'] and c.endswith('sleep 100') and c != 'sleep 100':
                    return [j['pid'], p['pid']]
        return None
    return check

def c_execsleep(args):
    def check(snaps, err):
        for s in snaps:
            j = job(s)
            if not j or j['command'] != 'execsleep' or j['depth'] != 0:
                continue
            for p in children(s, j):
                if p['command'] == 'sleep 100' and p['depth'] == 1:
                    return [j['pid'], p['pid']]
        return None
    return check

def c_orphaned(args):
    pid, parent = int(args[0]), int(args[1])
    def check(snaps, err):
        for s in snaps:
            p = by_pid(s, pid)
            if p and p['orphan'] and p['ppid'] != parent:
                return [pid, p['ppid']]
        return None
    return check

def c_fanout(args):
    def check(snaps, err):
        for s in snaps:
            j = job(s)
            if not j or j['command'] != 'fanout':
                continue
            workers = children(s, j)
            if len(workers) != 3 or any(w['depth'] != 1 for w in workers):
                continue
            found = []
            for w in workers:
                kids = children(s, w)
                if len(kids) != 1 or kids[0]['command'] != 'sleep 100' or kids[0]['depth'] != 2:
                    break
                found += [w['pid'], kids[0]['pid']]
            else:
                return found
        return None
    return check

def c_daemon(args):
    def check(snaps, err):
        for s in snaps:
            j = job(s)
            if not j:
                continue
            for p in s['processes']:
                if (p['command'] == 'sleep 100' and p['sid'] != j['sid']
                        and p['pgid'] != j['pgid'] and not p['orphan']):
                    return [p['pid'], p['ppid']]
        return None
    return check

def c_trap(args):
    def check(snaps, err):
        for s in snaps:
            j = job(s)
            if j and j['command'] == 'trap':
                for p in children(s, j):
                    if p['command'] == 'sleep 100':
                        return [j['pid'], p['pid']]
        return None
    return check

def c_said(args):
    def check(snaps, err):
        return [len(args)] if all(a in err for a in args) else None
    return check

def c_survive(args):
    """The pids are alive, and in every one of two snapshots taken after this wait began."""
    pids = [int(a) for a in args]
    first = []
    def check(snaps, err):
        if not first:
            first.append(len(snaps))
        later = snaps[first[0]:]
        for s in later:
            for pid in pids:
                p = by_pid(s, pid)
                if not p or p['stat'][0] in 'ZX':
                    raise SystemExit('%d is gone from a snapshot' % pid)
        if len(later) < 2:
            return None
        if any(not proc(pid) or proc(pid)[0] in 'ZX' for pid in pids):
            raise SystemExit('not running any more: %s' % pids)
        return pids
    return check

def c_zombie(args):
    def check(snaps, err):
        for s in snaps:
            j = job(s)
            for p in children(s, j) if j else []:
                if p['stat'][0] == 'Z':
                    return [j['pid'], p['pid']]
        return None
    return check

def c_deep(args):
    def check(snaps, err):
        for s in snaps:
            j = job(s)
            if not j or j['command'] != 'deep':
                continue
            for p in s['processes']:
                if p['command'] != 'sleep 100' or p['depth'] != 5:
                    continue
                chain, q = [p['pid']], p
                while q is not j and len(chain) <= 6:
                    q = by_pid(s, q['ppid'])
                    if not q:
                        break
                    chain.append(q['pid'])
                if q is j and len(chain) == 6:
                    depths = [by_pid(s, x)['depth'] for x in chain]
                    if depths == [5, 4, 3, 2, 1, 0]:
                        return list(reversed(chain))
        return None
    return check

def c_stopped(args):
    def check(snaps, err):
        for s in snaps:
            j = job(s)
            for p in children(s, j) if j else []:
                if p['stat'][0] == 'T' and p['pgid'] == j['pgid']:
                    return [j['pid'], p['pid']]
        return None
    return check

def c_continued(args):
    """The stopped child, orphaned, was sent SIGHUP and SIGCONT by the kernel and runs again.
    Unless its new parent is in its session but another group: then its group is not
    orphaned, and the kernel rightly sends nothing."""
    pid = int(args[0])
    def check(snaps, err):
        for s in snaps:
            p = by_pid(s, pid)
            if not p or not p['orphan']:
                continue
            parent = proc(p['ppid'])
            if parent and parent[4] == p['sid'] and parent[3] != p['pgid']:
                return [pid, 'not-orphaned-group']
            if p['stat'][0] not in 'TZ' and 'got SIGHUP' in err and 'got SIGCONT' in err:
                return [pid, p['ppid']]
        return None
    return check

def c_pipeline(args):
    def check(snaps, err):
        for s in snaps:
            j = job(s)
            if not j or j['command'] != 'pipeline':
                continue
            kids = children(s, j)
            cmds = sorted(k['command'] for k in kids)
            if (cmds == ['cat', 'cat', 'sleep 100'] and all(k['depth'] == 1 for k in kids)
                    and all(k['pgid'] == j['pgid'] == j['pid'] for k in kids)):
                kids.sort(key=lambda k: k['command'] != 'sleep 100')
                return [k['pid'] for k in kids]
        return None
    return check

def bg_ended(bg):
    st = proc(bg)
    return st is None or st[0] in 'ZXx'

def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'alive':
        print(' '.join(map(str, alive(load_seen(args[0])))))
    elif cmd == 'kill':
        # kill SEEN SIG PID...: signal each pid that is still the process recorded for it
        seen, sig = load_seen(args[0]), getattr(signal, 'SIG' + args[1])
        for pid in map(int, args[2:]):
            if pid not in seen:
                print('SIG%s to %d refused: never seen by this test' % (args[1], pid), file=sys.stderr)
                continue
            r = send(pid, sig, seen[pid])
            if r.startswith('refused'):
                print('SIG%s to %d %s' % (args[1], pid, r), file=sys.stderr)
    elif cmd == 'own':
        # own SIG PID...: signal this test's own children (the orphanage it started)
        sig = getattr(signal, 'SIG' + args[0])
        for pid in map(int, args[1:]):
            r = send(pid, sig)
            if r.startswith('refused'):
                print('SIG%s to %d %s' % (args[0], pid, r), file=sys.stderr)
    elif cmd == 'sweep':
        # sweep SIG: every process of this run still alive, until none is left
        sig, end, killed = getattr(signal, 'SIG' + args[0]), time.monotonic() + 5, set()
        while time.monotonic() < end:
            found = False
            for d in os.listdir('/proc'):
                if d.isdigit() and int(d) != os.getpid() and ours(int(d)) and send(int(d), sig) == 'sent':
                    found = True
                    killed.add(int(d))
            if not found:
                break
            time.sleep(0.05)
        if killed:
            print('cleanup: SIG%s to %d leftover process(es) of this run: %s'
                  % (args[0], len(killed), ' '.join(map(str, sorted(killed)))), file=sys.stderr)
    elif cmd == 'record':
        record(args[0], args[1])
    elif cmd == 'settle':
        # settle SEEN SECS [PID...]: wait until those (all) recorded pids are gone
        seen, end = load_seen(args[0]), time.monotonic() + float(args[1])
        if args[2:]:
            seen = {p: seen[p] for p in map(int, args[2:]) if p in seen}
        while alive(seen) and time.monotonic() < end:
            time.sleep(0.05)
        print(' '.join(map(str, alive(seen))))
    elif cmd == 'ended':
        # ended BG SECS: orphanage has exited (a zombie until this shell waits for it)
        bg, end = int(args[0]), time.monotonic() + float(args[1])
        while not bg_ended(bg) and time.monotonic() < end:
            time.sleep(0.05)
        sys.exit(0 if bg_ended(bg) else 1)
    elif cmd == 'await':
        # await BG OUT ERR SEEN CONDITION [ARG...]: up to 10 s, or until orphanage ends
        bg, out, errf, seen_path, name = int(args[0]), args[1], args[2], args[3], args[4]
        check = globals()['c_' + name](args[5:])
        end = time.monotonic() + 10
        while True:
            over = bg_ended(bg) or time.monotonic() > end
            record(out, seen_path)
            try:
                with open(errf, encoding='utf-8', errors='replace') as f:
                    err = f.read()
            except OSError:
                err = ''
            found = check(snapshots(out), err)
            if found:
                print(' '.join(map(str, found)))
                return
            if over:
                sys.exit(1)
            time.sleep(0.1)

main()
EOF

fam() {
	"$python" "$tmp/fam.py" "$@"
}

ok() {
	passed=$((passed + 1))
	echo "ok: $label${1:+: $1}"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL: $label: $*"
	for f in "$out" "$err"; do
		if [ -z "$f" ] || [ ! -s "$f" ]; then
			continue
		fi
		echo "--- $f (last lines)"
		tail -n 12 "$f" | cut -c1-400
	done
}

# Start orphanage in the background: a label for messages and files, the snapshot count,
# then its options.
start() {
	label=$1
	n=$2
	shift 2
	out=$tmp/$(echo "$label" | tr -c 'a-z0-9\n' '_').out
	err=${out%.out}.err
	"$ORPHANAGE" -b -d 0.2 -n "$n" --grace 0.5 "$@" >"$out" 2>"$err" &
	bg=$!
}

# Wait for a condition on orphanage's output (see the c_ functions); prints what it found.
await() {
	fam await "$bg" "$out" "$err" "$seen" "$@"
}

# Send a signal (KILL, TERM) to pids orphanage showed, each only while it is still the
# process that was shown.
signal() {
	fam kill "$seen" "$@"
}

# Let orphanage end by itself (-n), then check that it quit cleanly and that every process
# it ever showed is gone within 5 s.
finish() {
	if ! fam ended "$bg" 30; then
		fail "orphanage did not end within 30 s"
		fam own KILL "$bg"
	fi
	wait "$bg"
	rc=$?
	bg=
	[ "$rc" -eq 0 ] || fail "orphanage exited $rc"
	fam record "$out" "$seen"
	left=$(fam settle "$seen" 5)
	if [ -n "$left" ]; then
		fail "still alive after orphanage quit: $left"
		# shellcheck disable=SC2086 # pids, split on purpose
		signal KILL $left
	else
		ok "${1:-nothing left alive}"
	fi
}

# --demo list and an unknown name.
label="--demo list"
out=$tmp/list.out
err=$tmp/list.err
"$ORPHANAGE" --demo list >"$out" 2>"$err"
rc=$?
if [ "$rc" -ne 0 ]; then
	fail "exit status $rc"
else
	missing=
	for name in execsleep fanout daemon trap zombie deep stopped pipeline; do
		grep -q "^${name}[[:space:]][[:space:]]*[^[:space:]]" "$out" || missing="$missing $name"
	done
	if [ -n "$missing" ]; then
		fail "not listed with a description:$missing"
	else
		ok "8 scenarios"
	fi
fi

label="--demo nosuch"
out=$tmp/nosuch.out
err=$tmp/nosuch.err
"$ORPHANAGE" -b -n 1 --demo nosuch >"$out" 2>"$err"
rc=$?
if [ "$rc" -ne 2 ]; then
	fail "exit status $rc, not 2"
elif [ "$(wc -l <"$err")" -ne 1 ] || [ -s "$out" ]; then
	fail "wanted one line on stderr and nothing on stdout"
else
	ok "exit 2: $(cat "$err")"
fi

# The seed, in text: execsleep with sleep 100 as its child, under a tree guide.
start "execsleep text" 5 --demo execsleep
if found=$(await text_execsleep); then
	ok "execsleep $found"
else
	fail "no execsleep row with a sleep 100 row below it"
fi
finish

# With no command, batch mode runs the seed too.
start "no command" 5
if found=$(await text_execsleep); then
	ok "runs execsleep: $found"
else
	fail "no execsleep family"
fi
finish

# The seed's point: a naive kill of execsleep orphans its sleep, and orphanage shows it.
start "execsleep naive kill" 30 --json --demo execsleep
if found=$(await execsleep); then
	# shellcheck disable=SC2086 # pids, split on purpose
	set -- $found
	ok "execsleep $1 with sleep $2 at depth 1"
	signal KILL "$1"
	if found=$(await orphaned "$2" "$1"); then
		ok "sleep orphaned, now child of ${found#* }"
	else
		fail "sleep $2 never shown as an orphan after execsleep $1 was killed"
	fi
else
	fail "no execsleep with a sleep 100 at depth 1"
fi
finish "the orphan was killed on exit"

start "fanout" 8 --json --demo fanout
if found=$(await fanout); then
	ok "worker sleep pairs: $found"
else
	fail "not 3 workers each with one sleep 100"
fi
finish

# The daemon escapes the job's session and group, then is orphaned when its parent exits;
# orphanage must still kill it on exit.
start "daemon" 25 --json --demo daemon
if found=$(await daemon); then
	# shellcheck disable=SC2086 # pids, split on purpose
	set -- $found
	ok "sleep $1 in another session and group"
	if found=$(await orphaned "$1" "$2"); then
		ok "orphaned when $2 exited"
	else
		fail "sleep $1 never shown as an orphan"
	fi
else
	fail "no sleep 100 outside the job's session and group"
fi
finish "the escaped daemon was killed on exit"

# SIGTERM and SIGINT do nothing to trap and its sleep; orphanage's exit needs SIGKILL.
start "trap" 30 --json --demo trap
if found=$(await trap); then
	# shellcheck disable=SC2086 # pids, split on purpose
	set -- $found
	signal TERM "$1" "$2"
	signal INT "$1"
	if await said "ignored SIGTERM" "ignored SIGINT" >/dev/null \
		&& found=$(await survive "$1" "$2"); then
		ok "$found survived SIGTERM and SIGINT"
	else
		fail "trap $1 or its sleep $2 did not survive SIGTERM/SIGINT"
	fi
else
	fail "no trap with a sleep 100 child"
fi
finish "SIGKILL after the grace period ended them"

start "zombie" 5 --json --demo zombie
if found=$(await zombie); then
	ok "job and zombie: $found"
else
	fail "no Z child of the job"
fi
finish

start "deep" 8 --json --demo deep
if found=$(await deep); then
	ok "chain: $found"
else
	fail "no chain of 5 levels down to sleep 100 at depth 5"
fi
finish

# Killing the stopped child's parent orphans its group: the kernel sends SIGHUP and SIGCONT.
start "stopped" 30 --json --demo stopped
if found=$(await stopped); then
	# shellcheck disable=SC2086 # pids, split on purpose
	set -- $found
	ok "child $2 of $1 is stopped (T)"
	signal KILL "$1"
	if found=$(await continued "$2"); then
		case $found in
		*not-orphaned-group) ok "its new parent keeps the group from being orphaned: no SIGHUP expected" ;;
		*) ok "orphaned, got SIGHUP and SIGCONT, running again" ;;
		esac
	else
		fail "the stopped child $2 was not continued after its parent $1 was killed"
	fi
else
	fail "no stopped (T) child in the job's group"
fi
finish

# Three stages in the job's group; killing sleep ends both cats by end of file.
start "pipeline" 30 --json --demo pipeline
if found=$(await pipeline); then
	# shellcheck disable=SC2086 # pids, split on purpose
	set -- $found
	ok "sleep $1 | cat $2 | cat $3 in the job's group"
	signal KILL "$1"
	left=$(fam settle "$seen" 5 "$2" "$3")
	if [ -z "$left" ]; then
		ok "the cats ended when sleep died"
	else
		fail "cats still running: $left"
	fi
else
	fail "no sleep 100, cat, cat below the job, in its group"
fi
finish

echo "demos: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
