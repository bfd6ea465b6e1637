#!/bin/bash
# Fresh and never stuck: every shown field equals what ps shows at most one refresh later
# (a title rewritten in place, setuid without exec: nginx, perl, python3); the files held
# for members close when they die; closed standard descriptors; --check --json on a line
# of its own; nothing left behind in the cgroup tree.
. "${srcdir:-.}/tests/lib.sh"
[ -n "$PYTHON" ] || skip "python3 is needed to read the JSON output"

# Questions about the last snapshot of a JSON batch output FILE:
#   snap row FILE PID: "UID<TAB>COMMAND" of pid, a newline in an argument as a space, as ps
#   shows it; snap pid FILE ERE: the first pid whose command matches; snap count FILE CMD:
#   how many processes have that very command.
write_file "$TMPD/snap.py" <<'PY'
import json, re, sys
what, path, arg = sys.argv[1:4]
# The last line that is a snapshot, read back from the end a block at a time: a storm's
# output is megabytes, and this runs at every poll.
def last_snapshot(f):
    f.seek(0, 2)
    pos, head = f.tell(), b""
    while pos > 0:
        step = min(1 << 16, pos)
        pos -= step
        f.seek(pos)
        lines = (f.read(step) + head).split(b"\n")
        head = lines.pop(0) if pos > 0 else b""  # maybe cut: completed by the block before
        for line in reversed(lines):
            try:
                o = json.loads(line.decode("utf-8", errors="replace"))
            except ValueError:
                continue
            if isinstance(o, dict) and "processes" in o:
                return o
    return {}
with open(path, "rb") as f:
    last = last_snapshot(f)
procs = last.get("processes", [])
if what == "row":
    for p in procs:
        if p["pid"] == int(arg):
            print("%d\t%s" % (p["uid"], p["command"].replace("\n", " ").rstrip()))
elif what == "pid":
    for p in procs:
        if re.search(arg, p["command"], re.S):
            print(p["pid"])
            break
else:
    print(sum(1 for p in procs if p["command"] == arg))
PY
snap() { py_run "$TMPD/snap.py" "$@"; }
snap_row() { snap row "$@"; }
pid_of() { snap pid "$@"; }
# What ps shows of pid: "EUID<TAB>ARGS", trailing padding trimmed as orphanage trims it.
ps_row() {
	local uid args
	uid=$(ps -o euid= -p "$1" | tr -d ' ') || return 1
	args=$(ps -ww -o args= -p "$1" | sed 's/[[:space:]]*$//') || return 1
	printf '%s\t%s\n' "$uid" "$args"
}
snapshots() { grep -c '"processes"' "$1" 2>/dev/null; }
# after_two_refreshes FILE: wait for two snapshots more than now (one may be half made).
SNAP_FILE="" SNAP_N=0
# shellcheck disable=SC2317 # called through wait_until
two_more() { [ "$(snapshots "$SNAP_FILE")" -ge $((SNAP_N + 2)) ]; }
after_two_refreshes() {
	SNAP_FILE=$1 SNAP_N=$(snapshots "$1")
	wait_until 10 two_more || fail "no new snapshots in $1"
}
# fresh_as_ps FILE PID WHAT: the row of pid equals ps's, read before two more refreshes.
fresh_as_ps() {
	local want got
	want=$(ps_row "$2") || fail "$3: $2 is gone"
	after_two_refreshes "$1"
	got=$(snap_row "$1" "$2")
	[ "$got" = "$want" ] || fail "$3: orphanage shows '$got', ps showed '$want' two refreshes before"
}
# batch_bg NAME ARGS...: orphanage -b --json in the background, its output in NAME.out.
batch_bg() {
	local name=$1
	shift
	"$ORPHANAGE" -b --json "$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err" </dev/null &
	BG=$!
	track "$BG"
}
# await_pid VAR FILE ERE [untracked]: wait for a process whose command matches, set VAR,
# track it (unless it cannot carry this run's token: untracked).
AWAIT_FILE="" AWAIT_RE="" AWAIT_SECS=15
# shellcheck disable=SC2317 # called through wait_until
awaited() { [ -n "$(pid_of "$AWAIT_FILE" "$AWAIT_RE")" ]; }
await_pid() {
	local p_
	AWAIT_FILE=$2 AWAIT_RE=$3
	wait_until "$AWAIT_SECS" awaited || fail "no process matching '$3' in $2: $(tail -c 2000 "$2")"
	p_=$(pid_of "$2" "$3")
	[ "${4:-}" = untracked ] || track "$p_"
	printf -v "$1" %s "$p_"
}

# The parts run at once (tests/lib.sh part_start), each with its own orphanage, files and
# family; the first runs alone before them.

# 1. Nothing left behind: at start, empty orphanage-* cgroups of runs whose orphanage is
#    gone are removed (the pid in the name dead, or no orphanage); a live one's stays; with
#    --on-exit leave the cgroup holds the family, and goes once empty at the next start.
#    The orphanages run in a cgroup of this test's own (in_stale), where no orphanage of
#    another test, nor of another part, looks for empty cgroups to remove.
cgroup2_place
mount=$mount_ own=$own_
parent=$mount${own%/}
stale=$parent/fresh-stale-$$
in_stale() { sh -c 'echo $$ >"$1/cgroup.procs" || exit 1; shift; exec "$@"' sh "$stale" "$@"; }
true &
dead=$!
wait "$dead"
sleep 300 &
notorph=$!
track "$notorph"
if [ -z "$mount" ] || ! alive "$notorph" || alive "$dead" || ! mkdir "$stale" 2>/dev/null ||
	! in_stale true || ! mkdir "$stale/orphanage-$dead-1" 2>/dev/null; then
	kill_ours KILL "$notorph"
	rmdir "$stale" 2>/dev/null
	say "SKIP: stale cgroups: cgroup v2 is not writable at '$parent' here"
	SKIPPED="$SKIPPED; stale cgroups (cgroup v2 not writable)"
else
	# On failure, what of this run is in its cgroups is killed (by the token) before they go.
	on_cleanup "for d in '$stale'/orphanage-*; do [ -d \"\$d\" ] || continue; for p in \$(cat \"\$d/cgroup.procs\" 2>/dev/null); do ours \"\$p\" && kill -KILL \"\$p\"; done; wait_until 10 cgroup_removed \"\$d\" || say \"could not remove \$d\"; done; wait_until 10 cgroup_removed '$stale' || say 'could not remove $stale'"
	mkdir "$stale/orphanage-$notorph-7"
	in_stale "$ORPHANAGE" -b -n 1 -- true >"$TMPD/stale.out" 2>&1 </dev/null
	[ ! -d "$stale/orphanage-$dead-1" ] || fail "the empty cgroup of a dead orphanage $dead was left"
	[ ! -d "$stale/orphanage-$notorph-7" ] || fail "the empty cgroup named for $notorph, no orphanage, was left"
	grep -q 'removed 2 empty cgroups left by orphanages gone' "$TMPD/stale.out" || fail "the removal was not said: $(cat "$TMPD/stale.out")"
	kill_ours KILL "$notorph"
	# --on-exit leave: the cgroup holds the leaked sleep; once it ends, the next run removes it.
	in_stale "$ORPHANAGE" --check --on-exit leave --grace 0.3 -- sh -c 'sleep 300 & exit 0' >"$TMPD/leave.out" 2>"$TMPD/leave.err" </dev/null
	track_output "$TMPD/leave.out"
	leaked=$(awk '/\[leaked: /{print $2}' "$TMPD/leave.out")
	[ -n "$leaked" ] || fail "--on-exit leave: no leak reported: $(cat "$TMPD/leave.out")"
	left=$mount$(sed -n 's/^0:://p' "/proc/$leaked/cgroup")
	[ -d "$left" ] && [ "$left" != "$stale" ] || fail "--on-exit leave: the family is not in a cgroup of its own"
	kill_ours KILL $leaked
	wait_quick 15 gone $leaked || fail "the left sleep did not die"
	wait_until 10 eval '[ -z "$(cat "$left/cgroup.procs" 2>/dev/null)" ]' || fail "$left did not empty"
	in_stale "$ORPHANAGE" -b -n 1 -- true >/dev/null 2>&1 </dev/null
	[ ! -d "$left" ] || fail "the emptied cgroup $left left by --on-exit leave was not removed at the next start"
	wait_until 10 cgroup_removed "$stale" || fail "could not remove $stale"
	say "ok: empty cgroups of orphanages gone are removed at start, also one --on-exit leave left"
fi

# 2. A title rewritten in place with no exec and no comm change (python3 writing its own
#    argument area through /proc/self/mem, as setproctitle does), one by perl's $0 (comm
#    too), and setuid without exec: each row is ps's two refreshes later.
write_file "$TMPD/retitle.py" <<'PY'
import os, sys, time
st = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
start, end = int(st[45]), int(st[46])	# arg_start, arg_end (fields 48 and 49)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
title = sys.argv[1].encode()[: end - start - 1]
with open("/proc/self/mem", "r+b", buffering=0) as mem:
    mem.seek(start)
    mem.write(title + b"\0" * (end - start - len(title)))
ppid = os.getppid()
while os.getppid() == ppid:
    time.sleep(0.2)
PY
# Each waits for the go file, then changes, then lives while its parent sh does (perl's $0
# hides the test's token: it must end by itself).
titles() {
	local go=$TMPD/go job py pl su comm_before
	batch_bg titles -d 0.3 -- sh -c "\"$PYTHON\" '$TMPD/retitle.py' 'worker: idle   ' '$go' &
		perl -e 'sleep 0.05 until -e \$ARGV[0]; \$0 = q{perl: renamed}; my \$pp = getppid(); select(undef, undef, undef, 0.2) while getppid() == \$pp' '$go' &
		\"$PYTHON\" -c 'import os, sys, time
while not os.path.exists(sys.argv[1]): time.sleep(0.05)
os.setuid(65534)
p = os.getppid()
while os.getppid() == p: time.sleep(0.2)' '$go' setuid & wait"
	job=$BG
	await_pid py "$TMPD/titles.out" '^[^ ]*python3 [^ ]*retitle\.py'
	await_pid pl "$TMPD/titles.out" '^perl -e'
	await_pid su "$TMPD/titles.out" '^[^ ]*python3 -c .* setuid$'
	comm_before=$(cat "/proc/$py/comm")
	touch "$go"
	wait_until 10 eval '[ "$(ps -o args= -p "$py" | sed "s/ *$//")" = "worker: idle" ]' || fail "the title was not rewritten"
	wait_until 10 eval '[ "$(ps -o euid= -p "$su" | tr -d " ")" = 65534 ]' || fail "setuid did not happen"
	wait_until 10 eval 'ps -o args= -p "$pl" | grep -q "perl: renamed"' || fail "perl did not rename itself"
	[ "$(cat "/proc/$py/comm")" = "$comm_before" ] || fail "the title rewrite changed comm: not the case under test"
	fresh_as_ps "$TMPD/titles.out" "$py" "title rewritten in place"
	[ "$(snap_row "$TMPD/titles.out" "$py")" = "0	worker: idle" ] || fail "trailing padding of the title was not trimmed: '$(snap_row "$TMPD/titles.out" "$py")'"
	fresh_as_ps "$TMPD/titles.out" "$pl" "perl \$0"
	fresh_as_ps "$TMPD/titles.out" "$su" "setuid without exec"
	[ "$(snap_row "$TMPD/titles.out" "$su" | cut -f1)" = 65534 ] || fail "setuid: UID not 65534"
	json_true "$TMPD/titles.out" "[p for p in objs[-1]['processes'] if p['pid'] == $su][0]['command'].count('\\n') == 4" ||
		fail "the arguments' newlines are not real newlines in JSON"
	kill_ours TERM "$job"
	wait_quick 15 eval '! alive "$job"' || fail "orphanage did not quit on SIGTERM"
	wait_quick 15 gone "$py" "$su" || fail "the family was left alive"
	say "ok: a title rewritten in place, perl's \$0 and setuid are shown as ps shows them, within a refresh"
}
part_start titles

# 3. nginx, a real title-rewriting server from Debian: master and workers (setuid to
#    nobody) as ps shows them, within a refresh, the master's title trimmed.
# (Its processes cannot be tracked: they are awaited untracked, and checked gone by pid.)
nginx_titles() {
	local ngx master worker workers
	batch_bg nginx -d 0.3 -- "$(command -v nginx)" -e "$TMPD/nginx/error.log" -p "$TMPD/nginx" -c "$TMPD/nginx/nginx.conf"
	ngx=$BG
	await_pid master "$TMPD/nginx.out" '^nginx: master process' untracked
	await_pid worker "$TMPD/nginx.out" '^nginx: worker process$' untracked
	fresh_as_ps "$TMPD/nginx.out" "$master" "nginx master"
	fresh_as_ps "$TMPD/nginx.out" "$worker" "nginx worker"
	workers=$(snap count "$TMPD/nginx.out" "nginx: worker process")
	[ "$workers" = 2 ] || fail "nginx: $workers rows say 'nginx: worker process', not 2: $(tail -1 "$TMPD/nginx.out")"
	kill_ours TERM "$ngx"
	wait_quick 15 eval '! alive "$ngx"' || fail "orphanage did not quit on SIGTERM"
	wait_quick 15 gone "$master" "$worker" || fail "nginx was left alive"
	say "ok: nginx's master and workers are shown as ps shows them, within a refresh"
}
if needs nginx "nginx's titles"; then
	port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$TMPD/nginx"
	write_file "$TMPD/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $TMPD/nginx/nginx.pid;
error_log $TMPD/nginx/error.log;
events { worker_connections 16; }
http {
	access_log off;
	client_body_temp_path $TMPD/nginx/body;
	proxy_temp_path $TMPD/nginx/proxy;
	fastcgi_temp_path $TMPD/nginx/fastcgi;
	uwsgi_temp_path $TMPD/nginx/uwsgi;
	scgi_temp_path $TMPD/nginx/scgi;
	server { listen 127.0.0.1:$port; }
}
CONF
	chmod 755 "$TMPD" "$TMPD/nginx"
	# nginx moves its environment to write its titles: the test's token is gone from it.
	# On failure, the nginx this test started (its pid file, its command line naming this
	# test's directory) is stopped by that pid.
	on_cleanup 'ngx_pid=$(cat "$TMPD/nginx/nginx.pid" 2>/dev/null); case $ngx_pid in "" | *[!0-9]*) ;; *) grep -qF "$TMPD/nginx" "/proc/$ngx_pid/cmdline" 2>/dev/null && kill -QUIT "$ngx_pid" ;; esac'
	part_start nginx_titles
fi

# 4. A storm of short children (tests/forkstorm: 300 forked at once, each alive for a
#    second, then the storm execs a sleep): once they are dead, the files orphanage holds
#    are a small constant per live member, not the storm's, within a few refreshes (files
#    not read for a while are closed only much later).
STORM=$(dirname "$ORPHANAGE")/tests/forkstorm
# storm MODE: the storm under --track MODE.
storm() {
	local mode=$1 orph sl bound open_now # sl: the sleep awaited
	batch_bg "storm-$mode" -d 0.5 --track "$mode" -- "$STORM" 300 1 sleep 60
	orph=$BG
	AWAIT_SECS=120 await_pid sl "$TMPD/storm-$mode.out" '^sleep 60$'
	fds() { find "/proc/$orph/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
	# orphanage's own (standard, signals, pipes, the cgroup's and the events' files) plus
	# a few a live member (its pidfd and held /proc files).
	bound=$((24 + 8 * 1))
	wait_until 3 eval '[ "$(fds)" -le $bound ]' || fail "--track $mode: $(fds) files open after a storm with 1 live member (at most $bound): $(ls -l /proc/$orph/fd | awk '{print $NF}' | sed 's/[0-9]\+/N/g' | sort | uniq -c)"
	open_now=$(fds)
	kill_ours TERM "$orph"
	wait_quick 15 eval '! alive "$orph"' || fail "orphanage did not quit on SIGTERM"
	say "ok: --track $mode: $open_now files open after a 300-child storm with 1 live member"
}
if [ -x "$STORM" ]; then
	part_start storm auto
	part_start storm scan
else
	say "SKIP: the files held after a storm: no $STORM (make check builds it)"
	SKIPPED="$SKIPPED; the files held after a storm (no tests/forkstorm)"
fi

# 5. Started with standard input, output or error closed, nothing hangs, nothing is
#    written into orphanage's own files, exit codes are the usual.
closed_standard_fds() {
	local c1 c2 c012
	(exec 2>&-; "$ORPHANAGE" -b -d 0.2 -- sh -c 'echo to-stderr >&2; sleep 0.3' >"$TMPD/closed2.out" </dev/null) &
	c2=$!
	wait_quick 15 eval '! kill -0 $c2 2>/dev/null' || { kill -KILL "$c2"; fail "batch with standard error closed hangs"; }
	wait "$c2" || fail "batch with standard error closed exited $?"
	(exec 1>&-; "$ORPHANAGE" --check --grace 0.3 -- sh -c 'echo out; sleep 300 & exit 0' 2>"$TMPD/closed1.err" </dev/null; echo $? >"$TMPD/closed1.rc") &
	c1=$!
	wait_quick 30 eval '! kill -0 $c1 2>/dev/null' || { kill -KILL "$c1"; fail "--check with standard output closed hangs"; }
	[ "$(cat "$TMPD/closed1.rc")" = 3 ] || fail "--check with standard output closed exited $(cat "$TMPD/closed1.rc"), not 3: $(cat "$TMPD/closed1.err")"
	(exec 0<&- 1>&- 2>&-; "$ORPHANAGE" --check --grace 0.3 -- sh -c 'echo out; echo err >&2; sleep 300 & exit 0'; echo $? >"$TMPD/closed012.rc") &
	c012=$!
	wait_quick 30 eval '! kill -0 $c012 2>/dev/null' || { kill -KILL "$c012"; fail "--check with all three closed hangs"; }
	[ "$(cat "$TMPD/closed012.rc")" = 3 ] || fail "--check with all three standard descriptors closed exited $(cat "$TMPD/closed012.rc"), not 3"
	say "ok: standard descriptors closed: no hang, exit codes as usual"
}
part_start closed_standard_fds

# 6. --check --json: the report is a line of its own after output with no newline, into
#    a file and into a pipe.
report_line() {
	"$ORPHANAGE" --check --json --grace 0.3 -- sh -c 'printf no-newline; sleep 300 & exit 0' >"$TMPD/nonl.out" 2>/dev/null </dev/null
	track_output "$TMPD/nonl.out"
	grep -qx 'no-newline' "$TMPD/nonl.out" || fail "--check --json into a file: the job's output and the report share a line: $(cat "$TMPD/nonl.out")"
	json_true "$TMPD/nonl.out" 'len(objs) == 1 and len(objs[0]["leaked"]) == 1' || fail "--check --json into a file: no report line: $(cat "$TMPD/nonl.out")"
	"$ORPHANAGE" --check --json --grace 0.3 -- sh -c 'printf no-newline; sleep 300 & exit 0' 2>/dev/null </dev/null | cat >"$TMPD/nonlp.out"
	track_output "$TMPD/nonlp.out"
	grep -qx 'no-newline' "$TMPD/nonlp.out" || fail "--check --json into a pipe: the job's output and the report share a line: $(cat "$TMPD/nonlp.out")"
	json_true "$TMPD/nonlp.out" 'len(objs) == 1 and len(objs[0]["leaked"]) == 1' || fail "--check --json into a pipe: no report line"
	"$ORPHANAGE" --check --json --grace 0.3 -- sh -c 'echo with-newline; sleep 300 & exit 0' >"$TMPD/nl.out" 2>/dev/null </dev/null
	track_output "$TMPD/nl.out"
	[ "$(sed -n 2p "$TMPD/nl.out" | cut -c1)" = '{' ] || fail "--check --json into a file after a newline: not the report on line 2: $(cat "$TMPD/nl.out")"
	say "ok: --check --json's report starts a line of its own"
}
part_start report_line

# 7. --track cgroup: a member that moved itself out of the job's cgroup still has its
#    children shown (born outside the cgroup, they are found through its children file).
if [ -n "$mount" ] && mkdir "$parent/fresh-test-$$" 2>/dev/null; then
	sib=$parent/fresh-test-$$
	# On failure, what of this run is in it is killed (by the token, as sweep_ours does)
	# before it is removed.
	on_cleanup "for p in \$(cat '$sib/cgroup.procs' 2>/dev/null); do ours \"\$p\" && kill -KILL \"\$p\"; done; wait_until 10 cgroup_removed '$sib' || say 'could not remove $sib'"
	printf '%s\n' 'echo $$ > "$1/cgroup.procs" || exit 1' 'sleep 300 &' 'wait' >"$TMPD/leave_cg.sh"
	batch_bg leavecg -d 0.3 --track cgroup -- sh "$TMPD/leave_cg.sh" "$sib"
	lcg=$BG
	await_pid sleeper "$TMPD/leavecg.out" '^sleep 300$'
	[ "$(sed -n 's/^0:://p' "/proc/$sleeper/cgroup")" = "${sib#"$mount"}" ] || fail "the sleep is not outside the job's cgroup: the case is not under test"
	kill_ours TERM "$lcg"
	wait_quick 15 eval '! alive "$lcg"' || fail "orphanage did not quit on SIGTERM"
	wait_quick 15 gone "$sleeper" || fail "the sleep outside the cgroup was left alive"
	wait_until 10 cgroup_removed "$sib" || fail "could not remove $sib"
	say "ok: --track cgroup: a child of a member that left the cgroup is shown"
else
	say "SKIP: --track cgroup and a member leaving it: cgroup v2 is not writable here"
	SKIPPED="$SKIPPED; a member leaving the cgroup (cgroup v2 not writable)"
fi

parts_wait
