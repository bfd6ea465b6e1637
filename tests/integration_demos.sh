#!/bin/bash
# The built-in scenarios (--demo NAME) in batch mode: each family has the shape its scenario
# promises, the kernel does to it what the scenario says when a member is killed, and
# orphanage's exit (--on-exit kill) leaves nothing of it alive. Signals go through
# tests/lib.sh (kill_ours): only to pids orphanage showed and this run started.
. "${srcdir:-.}/tests/lib.sh"
[ -x "$ORPHANAGE" ] || skip "ORPHANAGE does not name the built binary"
[ -n "$PYTHON" ] || skip "python3 is needed to read orphanage's output"

# Reading orphanage's output, and /proc, is done in Python; signals are sent from here.
write_file "$TMPD/fam.py" <<'EOF'
import json, os, signal, sys, time

def proc(pid):
    """(state, starttime, ppid, pgid, sid) of a live pid, or None."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            s = f.read()
    except (OSError, ValueError):
        return None
    rest = s[s.rindex(')') + 2:].split()
    return rest[0], rest[19], int(rest[1]), int(rest[2]), int(rest[3])

def comm(pid):
    try:
        with open('/proc/%d/comm' % pid) as f:
            return f.read().rstrip('\n')
    except OSError:
        return None

MASKS = ('SigPnd', 'ShdPnd', 'SigBlk', 'SigIgn', 'SigCgt')

def masks(pid):
    """The signal masks of /proc/PID/status, as numbers: {'SigBlk': ..., ...}, or None."""
    try:
        with open('/proc/%d/status' % pid) as f:
            lines = f.read().split('\n')
    except OSError:
        return None
    m = {}
    for line in lines:
        key, _, value = line.partition(':')
        if key in MASKS:
            m[key] = int(value.strip(), 16)
    return m if len(m) == len(MASKS) else None

def bit(name):
    return 1 << (getattr(signal, 'SIG' + name) - 1)

def fd_link(pid, fd):
    try:
        return os.readlink('/proc/%d/fd/%s' % (pid, fd))
    except OSError:
        return None

def fds_to(pid, target):
    """The fds of pid that are open on target (a link such as pipe:[1234])."""
    try:
        fds = os.listdir('/proc/%d/fd' % pid)
    except OSError:
        return []
    return sorted(int(fd) for fd in fds if fd_link(pid, fd) == target)

def fd_flags(pid, fd):
    try:
        with open('/proc/%d/fdinfo/%d' % (pid, fd)) as f:
            for line in f:
                if line.startswith('flags:'):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return None

PARSED = {'pos': 0, 'snaps': [], 'rows': None}

def snapshots(path):
    """Every complete snapshot in orphanage's output: JSON objects, or text tables turned
    into the same shape (rows only). Each call reads on from where the last one stopped
    (the output only grows), up to the last complete line."""
    try:
        with open(path, 'rb') as f:
            f.seek(PARSED['pos'])
            data = f.read()
    except OSError:
        return PARSED['snaps']
    end = data.rfind(b'\n') + 1    # the last line may be half written
    PARSED['pos'] += end
    snaps = PARSED['snaps']
    for line in data[:end].decode('utf-8', errors='replace').split('\n')[:-1]:
        if line.startswith('{'):
            try:
                snaps.append(json.loads(line))
            except ValueError:
                pass
            continue
        f = line.split()
        if f[:2] == ['PPID', 'PID']:
            PARSED['rows'] = []
            snaps.append({'job': {}, 'processes': PARSED['rows'], 'text': True})
        elif PARSED['rows'] is not None and len(f) >= 10 and f[0].lstrip('-').isdigit() and f[1].isdigit():
            PARSED['rows'].append({'ppid': int(f[0]), 'pid': int(f[1]), 'pgid': int(f[2]),
                                   'sid': int(f[3]), 'stat': f[6], 'command': line.split(None, 9)[9],
                                   'orphan': 'orphan' in f[9:]})
    return snaps

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

def per_snapshot(fn):
    """A condition one snapshot meets: fn(s, args, err) returns what it found in s, or None."""
    def make(args):
        def check(snaps, err):
            for s in snaps:
                found = fn(s, args, err)
                if found:
                    return found
            return None
        return check
    return make

@per_snapshot
def c_text_execsleep(s, args, err):
    if not s.get('text') or not s['processes']:
        return None
    j = s['processes'][0]
    if j['command'] != 'execsleep':
        return None
    for p in s['processes'][1:]:
        c = p['command']
        if p['ppid'] == j['pid'] and c.endswith('sleep 100') and c != 'sleep 100':
            return [j['pid'], p['pid']]

@per_snapshot
def c_execsleep(s, args, err):
    j = job(s)
    if not j or j['command'] != 'execsleep' or j['depth'] != 0:
        return None
    for p in children(s, j):
        if p['command'] == 'sleep 100' and p['depth'] == 1:
            return [j['pid'], p['pid']]

@per_snapshot
def c_orphaned(s, args, err):
    pid, parent = int(args[0]), int(args[1])
    p = by_pid(s, pid)
    if p and p['orphan'] and p['ppid'] != parent:
        return [pid, p['ppid']]

@per_snapshot
def c_fanout(s, args, err):
    j = job(s)
    if not j or j['command'] != 'fanout':
        return None
    workers = children(s, j)
    if len(workers) != 3 or any(w['depth'] != 1 for w in workers):
        return None
    found = []
    for w in workers:
        kids = children(s, w)
        if len(kids) != 1 or kids[0]['command'] != 'sleep 100' or kids[0]['depth'] != 2:
            break
        found += [w['pid'], kids[0]['pid']]
    else:
        return found

@per_snapshot
def c_daemon(s, args, err):
    j = job(s)
    if not j:
        return None
    for p in s['processes']:
        if (p['command'] == 'sleep 100' and p['sid'] != j['sid']
                and p['pgid'] != j['pgid'] and not p['orphan']):
            return [p['pid'], p['ppid']]

@per_snapshot
def c_trap(s, args, err):
    j = job(s)
    if j and j['command'] == 'trap':
        for p in children(s, j):
            if p['command'] == 'sleep 100':
                return [j['pid'], p['pid']]

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

@per_snapshot
def c_zombie(s, args, err):
    j = job(s)
    for p in children(s, j) if j else []:
        if p['stat'][0] == 'Z':
            return [j['pid'], p['pid']]

@per_snapshot
def c_deep(s, args, err):
    j = job(s)
    if not j or j['command'] != 'deep':
        return None
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

@per_snapshot
def c_stopped(s, args, err):
    j = job(s)
    for p in children(s, j) if j else []:
        if p['stat'][0] == 'T' and p['pgid'] == j['pgid']:
            return [j['pid'], p['pid']]

@per_snapshot
def c_continued(s, args, err):
    """The stopped child, orphaned, was sent SIGHUP and SIGCONT by the kernel and runs again.
    Unless its new parent is in its session but another group: then its group is not
    orphaned, and the kernel rightly sends nothing."""
    pid = int(args[0])
    p = by_pid(s, pid)
    if not p or not p['orphan']:
        return None
    parent = proc(p['ppid'])
    if parent and parent[4] == p['sid'] and parent[3] != p['pgid']:
        return [pid, 'not-orphaned-group']
    if p['stat'][0] not in 'TZ' and 'got SIGHUP' in err and 'got SIGCONT' in err:
        return [pid, p['ppid']]

@per_snapshot
def c_pipeline(s, args, err):
    j = job(s)
    if not j or j['command'] != 'pipeline':
        return None
    kids = children(s, j)
    cmds = sorted(k['command'] for k in kids)
    if (cmds == ['cat', 'cat', 'sleep 100'] and all(k['depth'] == 1 for k in kids)
            and all(k['pgid'] == j['pgid'] == j['pid'] for k in kids)):
        kids.sort(key=lambda k: k['command'] != 'sleep 100')
        return [k['pid'] for k in kids]

def family_with(s, name, kid_comms):
    """The job named name and, in its group and in the order given, one child for each of
    kid_comms (a child's comm, from /proc: a fork that has not exec'd keeps the job's
    command line). None until all are there."""
    j = job(s)
    if not j or j['command'] != name or j['pgid'] != j['pid']:
        return None
    kids = [k for k in children(s, j) if k['depth'] == 1 and k['pgid'] == j['pgid']]
    found = [j['pid']]
    for want in kid_comms:
        match = [k['pid'] for k in kids if comm(k['pid']) == want and k['pid'] not in found]
        if not match:
            return None
        found.append(match[0])
    return found

@per_snapshot
def c_catch(s, args, err):
    return family_with(s, 'catch', ['catcher'])

@per_snapshot
def c_block(s, args, err):
    return family_with(s, 'block', ['blocker'])

@per_snapshot
def c_holder(s, args, err):
    """sleep 100 and cat in the job's group, and pipe-holder, the job's child too, leader of
    a session (and so a group) of its own."""
    j = job(s)
    if not j or j['command'] != 'holder':
        return None
    found = family_with(s, 'holder', ['sleep', 'cat'])
    holders = [k for k in children(s, j) if comm(k['pid']) == 'pipe-holder'
               and k['pid'] == k['pgid'] == k['sid'] != j['sid']]
    if found and by_pid(s, found[1])['command'] == 'sleep 100' and len(holders) == 1:
        return found + [holders[0]['pid']]

def c_signals(args):
    """/proc/PID/status: each SIG... is in the mask named (caught: SigCgt, blocked: SigBlk,
    ignored: SigIgn) and in neither of the other two (a scenario may block a signal until
    its handler is in place: wait for the state it settles in)."""
    pid, how, sigs = int(args[0]), args[1], args[2:]
    field = {'caught': 'SigCgt', 'blocked': 'SigBlk', 'ignored': 'SigIgn'}[how]
    want = 0
    for name in sigs:
        want |= bit(name)
    def check(snaps, err):
        m = masks(pid)
        if not m or m[field] & want != want:
            return None
        if any(m[other] & want for other in ('SigCgt', 'SigBlk', 'SigIgn') if other != field):
            return None
        return [pid, '%s:%x' % (field, m[field])]
    return check

def c_pending(args):
    """/proc/PID/status: each SIG... is pending (SigPnd for the thread, ShdPnd for the
    process), blocked and not caught."""
    pid, sigs = int(args[0]), args[1:]
    want = 0
    for name in sigs:
        want |= bit(name)
    def check(snaps, err):
        m = masks(pid)
        if m and (m['SigPnd'] | m['ShdPnd']) & want == want and m['SigBlk'] & want == want:
            return [pid, 'SigPnd:%x' % m['SigPnd'], 'ShdPnd:%x' % m['ShdPnd']]
        return None
    return check

def c_pipeheld(args):
    """The writer's stdout and the reader's stdin are one pipe, and the holder has it open
    for writing too; the job, its parent, closed its own copies."""
    jpid, writer, reader, holder = (int(a) for a in args)
    def check(snaps, err):
        target = fd_link(reader, 0)
        if not target or not target.startswith('pipe:[') or fd_link(writer, 1) != target:
            return None
        held = [fd for fd in fds_to(holder, target) if fd_flags(holder, fd) is not None
                and fd_flags(holder, fd) & os.O_ACCMODE == os.O_WRONLY]
        if not held:
            return None
        if fds_to(jpid, target):
            raise SystemExit('the job %d still has %s open itself' % (jpid, target))
        return [target, 'holder-fd', held[0]]
    return check

def wait(bg, out, errf, secs, check):
    """Until check holds (what it found), SECS pass or orphanage ends (None)."""
    end = time.monotonic() + secs
    while True:
        st = proc(bg)
        over = st is None or st[0] in 'ZXx' or time.monotonic() > end
        try:
            with open(errf, encoding='utf-8', errors='replace') as f:
                err = f.read()
        except OSError:
            err = ''
        found = check(snapshots(out), err)
        if found or over:
            return found
        time.sleep(0.1)

def main():
    # BG OUT ERR: waits asked on standard input, a line each: SECS CONDITION [ARG...],
    # tab-separated (no argument in the table holds a tab or a newline). Each is answered with three lines: 0 when the condition held, 1 when
    # SECS passed or orphanage ended (or the condition found something wrong, said on
    # standard error); what it found; every pid shown so far (for the test to track).
    bg, out, errf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    for line in sys.stdin:
        words = line.rstrip('\n').split('\t')
        try:
            found = wait(bg, out, errf, float(words[0]), globals()['c_' + words[1]](words[2:]))
        except SystemExit as e:
            print(e.code, file=sys.stderr)
            found = None
        snaps = PARSED['snaps']
        shown = {p['pid'] for s in snaps for p in s['processes']}
        shown |= {s['job']['pid'] for s in snaps if s['job'].get('pid')}
        print(0 if found else 1)
        print(' '.join(map(str, found or [])))
        print(' '.join(map(str, sorted(shown))), flush=True)

main()
EOF

# One row per step. A row with a label starts a scenario, orphanage -b -d 0.2 -n COUNT
# --grace 0.5 OPTIONS in the background; the rows below it without one go on with it.
# A step is `await CONDITION ARG...` (a c_ function above: up to 20 s, or until orphanage
# ends), `kill SIG PID...` or `gone PID...` (within 10 s). What the scenario's first await
# found is $1 $2... in the later steps and in the messages. A group kill is a `kill` of
# every member of the group the first await found (a test never signals a group). Each
# scenario ends when orphanage runs out of snapshots or the family is gone: it must exit 0
# and leave nothing it showed alive. The scenarios run at once (see run_scenario below).
# shellcheck disable=SC2016 # expanded by eval, step by step
SCENARIOS='
execsleep text       |5 |--demo execsleep        |await text_execsleep |no execsleep row with a sleep 100 row below it
no command           |5 |                        |await text_execsleep |batch mode with no command did not run execsleep
execsleep naive kill |30|--json --demo execsleep |await execsleep      |no execsleep with a sleep 100 at depth 1
                     |  |                        |kill KILL $1         |execsleep $1 could not be killed
                     |  |                        |await orphaned $2 $1 |sleep $2 never shown as an orphan after execsleep $1 was killed
fanout               |8 |--json --demo fanout    |await fanout         |not 3 workers each with one sleep 100
daemon               |25|--json --demo daemon    |await daemon         |no sleep 100 outside the session and group of the job
                     |  |                        |await orphaned $1 $2 |the escaped sleep $1 never shown as an orphan when $2 exited
trap                 |30|--json --demo trap      |await trap           |no trap with a sleep 100 child
                     |  |                        |kill TERM $1 $2      |trap $1 or its sleep $2 could not be sent SIGTERM
                     |  |                        |kill INT $1          |trap $1 could not be sent SIGINT
                     |  |                        |await said "ignored SIGTERM" "ignored SIGINT" |trap never said it ignored SIGTERM and SIGINT
                     |  |                        |await survive $1 $2  |trap $1 or its sleep $2 did not survive SIGTERM and SIGINT
zombie               |5 |--json --demo zombie    |await zombie         |no Z child of the job
deep                 |8 |--json --demo deep      |await deep           |no chain of 5 levels down to sleep 100 at depth 5
stopped              |30|--json --demo stopped   |await stopped        |no stopped (T) child in the group of the job
                     |  |                        |kill KILL $1         |$1, parent of the stopped child, could not be killed
                     |  |                        |await continued $2   |the stopped child $2 was not continued after its parent $1 was killed
pipeline             |30|--json --demo pipeline  |await pipeline       |no sleep 100, cat, cat below the job, in its group
                     |  |                        |kill KILL $1         |sleep $1 of the pipeline could not be killed
                     |  |                        |gone $2 $3           |cat $2 or cat $3 still running after sleep $1 was killed
catch                |30|--json --demo catch     |await catch          |no catch with a catcher child in its group
                     |  |                        |await signals $1 caught INT TERM |catch $1 does not catch SIGINT and SIGTERM (SigCgt)
                     |  |                        |await signals $2 caught INT TERM |catcher $2 does not catch SIGINT and SIGTERM (SigCgt)
                     |  |                        |kill TERM $1 $2      |the group of catch $1 and catcher $2 could not be sent SIGTERM
                     |  |                        |await said "catch[$1]: caught SIGTERM" "catcher[$2]: caught SIGTERM" |catch $1 and catcher $2 never both said they caught SIGTERM
                     |  |                        |await survive $1 $2  |catch $1 or catcher $2 did not survive the group kill with SIGTERM
                     |  |                        |kill KILL $1 $2      |catch $1 or catcher $2 could not be sent SIGKILL
                     |  |                        |gone $1 $2           |catch $1 or catcher $2 survived SIGKILL
block                |30|--json --demo block     |await block          |no block with a blocker child in its group
                     |  |                        |await signals $2 blocked INT TERM |blocker $2 does not block SIGINT and SIGTERM (SigBlk)
                     |  |                        |kill TERM $1 $2      |the group of block $1 and blocker $2 could not be sent SIGTERM
                     |  |                        |gone $1              |block $1, at its defaults, survived SIGTERM
                     |  |                        |await orphaned $2 $1 |blocker $2 never shown as an orphan after block $1 died
                     |  |                        |await pending $2 TERM |SIGTERM is not pending and blocked in blocker $2 (SigPnd, ShdPnd, SigBlk)
                     |  |                        |await said "blocker[$2]: SIGTERM is pending" |blocker $2 never said SIGTERM is pending
                     |  |                        |await survive $2     |blocker $2 did not survive SIGTERM
                     |  |                        |kill KILL $2         |blocker $2 could not be sent SIGKILL
                     |  |                        |gone $2              |blocker $2 survived SIGKILL
holder               |35|--json --demo holder    |await holder         |no holder with sleep 100 and cat in its group and a pipe-holder in a session of its own
                     |  |                        |await pipeheld $1 $2 $3 $4 |sleep $2 and cat $3 do not share a pipe whose write end pipe-holder $4 holds too
                     |  |                        |kill KILL $2         |the writer, sleep $2, could not be killed
                     |  |                        |gone $2              |the writer, sleep $2, survived SIGKILL
                     |  |                        |await survive $3 $4  |cat $3 or pipe-holder $4 ended when the writer sleep $2 was killed
                     |  |                        |await said "sees no end of file: pipe-holder $4 holds" |holder $1 never said cat waits for pipe-holder $4
                     |  |                        |kill TERM $1 $3      |the group of holder $1 and cat $3 could not be sent SIGTERM
                     |  |                        |gone $1 $3           |holder $1 or cat $3 survived SIGTERM
                     |  |                        |await survive $4     |pipe-holder $4, in a session of its own, did not survive the group kill
                     |  |                        |kill KILL $4         |pipe-holder $4 could not be sent SIGKILL
                     |  |                        |gone $4              |pipe-holder $4 survived SIGKILL
'

bg=""		# the orphanage running now, a child of this shell
label=""
out=""
err=""
found=""

# flunk MESSAGE: fail, with the end of the scenario's output.
flunk() {
	local f
	for f in "$out" "$err"; do
		[ -s "$f" ] || continue
		say "--- $f (last lines)"
		tail -n 12 "$f" | cut -c1-400 >&2
	done
	fail "$label: $*"
}

# start COUNT OPTION...: orphanage in the background for the scenario $label. COUNT
# snapshots are what a quiet machine needs; a loaded one takes longer over the steps, so
# the budget is ten times that, and finish ends a run that outlives its steps.
start() {
	local n=$(($1 * 10))
	shift
	out=$TMPD/$(echo "$label" | tr -c 'a-z0-9\n' '_').out
	err=${out%.out}.err
	"$ORPHANAGE" -b -d 0.2 -n "$n" --grace 0.5 "$@" >"$out" 2>"$err" &
	bg=$!
	track "$bg"
	# The scenario's waits (await), answered by one Python that reads the output on.
	coproc "$PYTHON" "$TMPD/fam.py" "$bg" "$out" "$err"
	track "$COPROC_PID"
}
orphanage_done() { ! alive "$bg"; }

# step ACTION ARG...: one step of a scenario (see SCENARIOS); sets found.
step() {
	local action=$1
	shift
	case $action in
	await)
		local rc shown
		{ printf 20 && printf '\t%s' "$@" && echo; } >&"${COPROC[1]}"
		read -r -t 60 rc <&"${COPROC[0]}" && read -r found <&"${COPROC[0]}" &&
			read -r shown <&"${COPROC[0]}" || fail "fam.py did not answer: await $*"
		# shellcheck disable=SC2086 # pids, split on purpose
		track $shown
		return "$rc"
		;;
	kill) kill_ours "$@" && found="SIG$1 sent" ;;
	gone) wait_quick 10 gone "$@" && found="gone: $*" ;;
	*) fail "unknown step '$action'" ;;
	esac
}

# The scenario's steps are done: orphanage quits as on a supervisor's SIGTERM (it routes
# it to the job's group, then applies --on-exit), unless the family ended it already. It
# must exit 0, and every process it ever showed must be gone within 10 s.
finish() {
	local rc
	[ -n "$bg" ] || return 0
	# The waits are done: fam.py ends at the end of its input.
	local to_fam=${COPROC[1]:-} fam=${COPROC_PID:-}
	[ -z "$to_fam" ] || exec {to_fam}>&-
	[ -z "$fam" ] || wait "$fam" 2>/dev/null
	alive "$bg" && kill_ours TERM "$bg"
	wait_quick 30 orphanage_done || { kill_ours KILL "$bg"; flunk "orphanage did not end within 30 s"; }
	wait "$bg"
	rc=$?
	bg=""
	[ "$rc" -eq 0 ] || flunk "orphanage exited $rc"
	track_output "$out"
	wait_quick 10 none_tracked_alive || flunk "still alive after orphanage quit: $(tracked_alive | tr '\n' ' ')"
	say "ok: $label: nothing left alive"
}

# --demo list names every scenario above, each with a description; an unknown name is a
# usage error.
out=$TMPD/list.out
err=$TMPD/list.err
label="--demo list"
"$ORPHANAGE" --demo list >"$out" 2>"$err" || flunk "exit status $?"
names=$(printf '%s\n' "$SCENARIOS" | grep -o -e '--demo [a-z]*' | cut -d' ' -f2 | sort -u)
for name in $names; do
	grep -q "^${name}[[:space:]][[:space:]]*[^[:space:]]" "$out" || flunk "$name is not listed with a description"
done
[ "$(echo "$names" | wc -l)" = 11 ] || fail "the table does not cover the 11 scenarios: $names"
say "ok: --demo list: ${names//$'\n'/ }"

label="--demo nosuch"
out=$TMPD/nosuch.out
err=$TMPD/nosuch.err
"$ORPHANAGE" -b -n 1 --demo nosuch >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 2 ] || flunk "exit status $rc, not 2"
if [ "$(wc -l <"$err")" -ne 1 ] || [ -s "$out" ]; then
	flunk "wanted one line on stderr and nothing on stdout"
fi
say "ok: --demo nosuch: exit 2: $(cat "$err")"

# run_scenario ROWS: the rows of one scenario, step by step, then finish.
run_scenario() {
	local name n options action message pids=""	# pids: what the first await found
	while IFS='|' read -r name n options action message; do
		[ -n "$action" ] || continue
		read -r name <<<"$name"
		read -r n <<<"$n"
		read -r action <<<"$action"
		if [ -n "$name" ]; then
			label=$name
			# shellcheck disable=SC2086 # options, split on purpose
			start "$n" $options
		fi
		# shellcheck disable=SC2086 # pids, split on purpose
		set -- $pids
		eval "step $action" || eval "flunk \"$message\""
		[ -n "$pids" ] || pids=$found
		say "ok: $label: $action: $found"
	done <<<"$1"
	finish
}

# The scenarios share nothing: they run at once, each a part (tests/lib.sh part_start).
rows=""
n_scenarios=0
start_scenario() {
	[ -n "$rows" ] || return 0
	part_start run_scenario "$rows"
	n_scenarios=$((n_scenarios + 1))
	rows=""
}
while IFS= read -r row; do
	[ -n "${row//[[:space:]]/}" ] || continue
	[[ $row =~ ^[[:space:]]*\| ]] || start_scenario
	rows+=$row$'\n'
done <<<"$SCENARIOS"
start_scenario
parts_wait
say "ok: all $n_scenarios scenarios"
