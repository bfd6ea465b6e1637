#!/bin/bash
# The job's own cgroup on the real kernel: a daemon made between refreshes is found, c
# leaves nothing of a forking family, z stops and resumes a busy member, a key pressed
# as children are forked reaches them, the cgroup is removed on quitting or left (and
# named) with --on-exit leave, and --track cgroup with -p is refused. Skips with the reason
# where orphanage cannot make a cgroup here (not root, no writable cgroup2).
. "${srcdir:-.}/tests/lib.sh"

cgroup2_place
CG_MOUNT=$mount_ CG_OWN=$own_
CG_DIR=$CG_MOUNT${CG_OWN%/}
# The pids orphanage ran as, one a line (parts of the test add theirs): their cgroups are
# this test's own.
ORPHANAGES=$TMPD/orphanages
: >"$ORPHANAGES"
ran() { echo "$1" >>"$ORPHANAGES"; }
busy="" job=""	# set by await_row

# cgroup_leftovers [PID...]: whatever a failed part left: the cgroups of the orphanages
# this test ran (or of those PIDs) are killed (only what they started is in them) and
# removed.
cgroup_leftovers() {
	local pid d
	[ -n "$CG_MOUNT" ] || return 0
	# shellcheck disable=SC2048 # pids, split on purpose
	for pid in ${*:-$(cat "$ORPHANAGES")}; do
		for d in "$CG_DIR"/orphanage-"$pid"-*; do
			[ -d "$d" ] || continue
			echo 1 >"$d/cgroup.kill" 2>/dev/null
			wait_until 10 removed "$d" || say "could not remove $d"
		done
	done
}
on_cleanup cgroup_leftovers
# shellcheck disable=SC2317 # called through wait_until
removed() { [ ! -d "$1" ] || rmdir "$1" 2>/dev/null; }
# finish SECONDS PID: wait for orphanage PID (this shell's child) to end; its status.
finish() {
	wait_quick "$1" eval "! alive $2" || fail "orphanage $2 did not finish within $1 s"
	wait "$2"
}

# no_cgroup_left PID: orphanage PID left no cgroup directory behind.
no_cgroup_left() {
	local d
	for d in "$CG_DIR"/orphanage-"$1"-*; do
		[ -e "$d" ] && return 1
	done
	return 0
}

# Can orphanage make a cgroup here? Its own answer is the reason to skip.
"$ORPHANAGE" -b -n 1 --track cgroup -- true >"$TMPD/probe.out" 2>"$TMPD/probe.err" &
probe=$!
ran "$probe"
wait "$probe"
rc=$?
if [ "$rc" = 1 ] && grep -q '^orphanage: --track cgroup: ' "$TMPD/probe.err"; then
	skip "no cgroup here: $(sed -n 's/^orphanage: --track cgroup: //p' "$TMPD/probe.err")"
fi
[ "$rc" = 0 ] || fail "--track cgroup -- true exited $rc: $(cat "$TMPD/probe.err")"
no_cgroup_left "$probe" || fail "orphanage $probe left its cgroup behind"

# 1. A double-forked setsid daemon made between two refreshes at -d 2: in the cgroup, it
#    is shown as an orphan of PID 1, with its real parent. JSON names the cgroup.
daemon_between_refreshes() {
	"$ORPHANAGE" -b --json -d 2 -n 2 -- sh -c 'sleep 0.5; setsid sh -c "sleep 300 &"; sleep 300' \
		>"$TMPD/daemon.json" 2>"$TMPD/daemon.err" &
	orph=$!
	ran "$orph"
	track "$orph"
	finish 20 "$orph" || fail "orphanage -d 2 -n 2 failed: $(cat "$TMPD/daemon.err")"
	track_output "$TMPD/daemon.json"
	# auto takes the kernel's process events too, where they work here.
	want=cgroup
	"$ORPHANAGE" -b -n 1 --track events -- true >/dev/null 2>&1 && want=cgroup+events
	json_true "$TMPD/daemon.json" "objs[0]['job']['tracking'] == '$want'" ||
		fail "tracking is not $want: $(head -1 "$TMPD/daemon.json")"
	json_true "$TMPD/daemon.json" "objs[0]['job']['cgroup'] == '$CG_DIR/orphanage-$orph-1'" ||
		fail "the job's cgroup is not $CG_DIR/orphanage-$orph-1: $(head -1 "$TMPD/daemon.json")"
	json_true "$TMPD/daemon.json" "len(objs) == 2 and any(p['command'] == 'sleep 300' and p['ppid'] == 1 and p['orphan'] and p['sid'] == p['pgid'] != objs[1]['processes'][0]['sid'] for p in objs[1]['processes'])" ||
		fail "the setsid daemon is not shown as an orphan of PID 1: $(tail -1 "$TMPD/daemon.json")"
	# Which exact source vouched first is a race: the cgroup, or (with events) the fork event,
	# which names the daemon's real parent, then its orphaning when that parent died.
	daemon=$(json_eval "$TMPD/daemon.json" "[p['pid'] for p in objs[1]['processes'] if p['command'] == 'sleep 300' and p['ppid'] == 1][0]")
	json_true "$TMPD/daemon.json" "any('in the job\\'s cgroup' in e['text'] or ('$want' == 'cgroup+events' and e['kind'] == 'orphan' and e['pid'] == $daemon and e.get('was', 0) > 1 and any(f['kind'] == 'fork' and f['pid'] == $daemon and f['ppid'] == e['was'] for f in objs[1]['events'])) for e in objs[1]['events'])" ||
		fail "no event says the daemon is in the job's cgroup (or, with events, forked by a member, then orphaned): $(tail -1 "$TMPD/daemon.json")"
	wait_quick 10 none_tracked_alive || fail "quitting left $(tracked_alive)"
	no_cgroup_left "$orph" || fail "orphanage $orph left its cgroup behind"
	say "ok: a setsid daemon made between refreshes is an orphan of PID 1, found in the cgroup"
}
part_start daemon_between_refreshes

# The live view in tmux: the job's cgroup, found through orphanage's pid.
launch() {
	# One shell string: the job's own quoting kept.
	tmux_start "$(printf '%q ' "$ORPHANAGE" "$@")"
	# A tall window: the event log holds a kill's line and the exits around it.
	tmux -L "$TMUX_SOCKET" resize-window -y 100 2>/dev/null
	wait_screen 10 'PPID *PID *PGID'
	wait_until 5 orphanage_pid >/dev/null || fail "no orphanage in the pane"
	opid=$(orphanage_pid)
	ran "$opid"
	cg=$CG_DIR/orphanage-$opid-1
	[ -d "$cg" ] || fail "no cgroup $cg:
$(screen)"
	wait_screen 5 'tracking: cgroup'
}
quit_clean() {
	tmux_keys q
	wait_quick 15 tmux_exited || fail "orphanage did not quit on q:
$(screen)"
	[ "$(cat "$TMUX_RC")" = 0 ] || fail "q exited with $(cat "$TMUX_RC")"
	no_cgroup_left "$opid" || fail "orphanage left its cgroup behind: $(ls -d "$CG_DIR"/orphanage-"$opid"-*)"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
}
procs() { cat "$cg/cgroup.procs" 2>/dev/null; }
# shellcheck disable=SC2317 # called through wait_until
at_least() { [ "$(procs | wc -l)" -ge "$1" ]; }
# shellcheck disable=SC2317 # called through wait_until
empty() { [ -z "$(procs)" ]; }

# 2. c: a family forking in a loop, with a setsid escapee, dies at once; nothing of it is
#    left, and orphanage stays.
cgroup_kill() {
	launch -d 0.5 -- sh -c 'setsid sh -c "sleep 300 & sleep 300" & while :; do sleep 300 & sleep 0.05; done'
	wait_until 10 at_least 12 || fail "the family never grew: $(procs)"
	before=$(procs)
	tmux_keys c
	wait_screen 15 "SIGKILL -> cgroup $cg (cgroup.kill): [0-9]* processes, all died"
	# shellcheck disable=SC2086 # pids, split on purpose
	wait_quick 10 gone $before || fail "c left some of $before"
	empty || fail "c left $(procs) in $cg"
	{ tmux_answers && ! tmux_exited; } || fail "orphanage ended on c"
	empty || fail "something came back in $cg: $(procs)"
	quit_clean
	say "ok: c kills a forking family and its setsid escapee at once"
}
part_start cgroup_kill

# 3. z: a busy loop runs no CPU time while frozen (the header says FROZEN, its row is
#    marked), runs again once thawed; quitting a frozen family thaws it and ends it.
# (Read with builtins: these are polled.)
# read_ticks PID: its CPU time in clock ticks (user + system) into ticks_.
read_ticks() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086 # fields, split on purpose
	set -- $stat
	ticks_=$((${12} + ${13}))
}
ticks() { local ticks_; read_ticks "$1" && echo "$ticks_"; }
# Has pid run past T0 ticks of CPU time?
ran_past() { local ticks_; read_ticks "$1" && [ "$ticks_" -gt "$2" ]; }
# Has the kernel frozen every process of the cgroup (not only been asked to)?
cg_frozen() {
	local line
	while IFS= read -r line; do
		[ "$line" = 'frozen 1' ] && return 0
	done <"$cg/cgroup.events"
	return 1
}
# Has pid lived at least MS milliseconds (its age from /proc, against the clock of boot)?
HZ=$(getconf CLK_TCK)
older_than() {
	local up start_time_
	read_start_time "$1" || return 1
	read -r up _ </proc/uptime
	up=${up/./}	# hundredths of a second
	[ $((up * 10 - start_time_ * 1000 / HZ)) -ge "$2" ]
}
freeze() {
	launch -d 0.5 -- sh -c 'while :; do :; done'
	await_row busy 10 ':[0-9][0-9] . sh -c while'
	tmux_keys z
	wait_screen 10 'FROZEN'
	wait_screen 5 '\[frozen\] sh -c while'
	wait_until 5 cg_frozen || fail "the kernel did not freeze $cg: $(cat "$cg/cgroup.events")"
	t0=$(ticks "$busy")
	# Frozen, it runs no more: a second in which its CPU time would grow by ~100 ticks.
	! wait_until 1 ran_past "$busy" "$t0" || fail "frozen, the busy loop still ran: $t0 -> $(ticks "$busy") ticks"
	tmux_keys z
	wait_until 10 eval '! screen_has FROZEN' || fail "z did not thaw:
	$(screen)"
	t0=$(ticks "$busy")
	wait_until 10 ran_past "$busy" "$t0" || fail "thawed, the busy loop did not run: $t0 -> $(ticks "$busy") ticks"
	tmux_keys z
	wait_screen 10 'FROZEN'
	quit_clean
	gone "$busy" || fail "quitting left the frozen $busy alive"
	say "ok: z freezes and thaws the family; quitting thaws and ends it"
}
part_start freeze

# 4. A key the moment children are forked reaches them: the job forks 20 children at a
#    word from the test, and t is pressed at once, before any refresh could have seen them.
key_as_forked() {
	mkfifo "$TMPD/go"
	launch -d 30 -- sh -c "read x <'$TMPD/go'; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 300 & done; echo >'$TMPD/ready'; wait"
	await_row job 10 ':[0-9][0-9] . sh -c read'
	# Past the quick looks the live view takes just after launching (0.1 and 0.3 s in).
	wait_until 5 older_than "$job" 500 || fail "$job did not live 0.5 s"
	echo go >"$TMPD/go"
	wait_quick 10 test -e "$TMPD/ready" || fail "the job did not fork its children"
	tmux_keys t
	# shellcheck disable=SC2046 # pids, split on purpose
	track $(procs)
	wait_screen 10 "SIGKILL -> tree of $job: 21 processes in 1 group, 1 session (1 round)"
	wait_quick 10 none_tracked_alive || fail "t left $(tracked_alive)"
	wait_until 10 empty || fail "t left $(procs) in $cg"
	quit_clean
	say "ok: t pressed as 20 children are forked reaches all of them in one round"
}
part_start key_as_forked

# 5. --on-exit leave: the cgroup is left with what runs in it, and its path is printed.
on_exit_leave() {
	"$ORPHANAGE" -b -n 1 --on-exit leave -- sleep 300 >"$TMPD/leave.out" 2>"$TMPD/leave.err" &
	orph=$!
	ran "$orph"
	finish 20 "$orph" || fail "orphanage --on-exit leave failed: $(cat "$TMPD/leave.err")"
	track_output "$TMPD/leave.out"
	grep -q "^orphanage: the job's cgroup $CG_DIR/orphanage-$orph-1 is left with 1 process in it" "$TMPD/leave.err" ||
		fail "--on-exit leave did not name the cgroup: $(cat "$TMPD/leave.err")"
	[ -n "$(tracked_alive)" ] || fail "--on-exit leave did not leave the job running"
	cgroup_leftovers "$orph"
	wait_quick 10 none_tracked_alive || fail "the left cgroup's processes outlived cgroup.kill"
	no_cgroup_left "$orph" || fail "the left cgroup could not be removed"
	say "ok: --on-exit leave leaves the cgroup and names it"
}
part_start on_exit_leave

# 6. --check with a cgroup: the leak report names what is still in it, then it is removed.
check_leak() {
	"$ORPHANAGE" --check --json --grace 0.3 -- sh -c 'setsid sh -c "sleep 300 &"' >"$TMPD/check.json" 2>"$TMPD/check.err" &
	orph=$!
	ran "$orph"
	finish 20 "$orph"
	rc=$?
	track_output "$TMPD/check.json"
	[ "$rc" = 3 ] || fail "--check with a setsid leak exited $rc: $(cat "$TMPD/check.err")"
	json_true "$TMPD/check.json" "objs[-1]['job']['tracking'].startswith('cgroup') and [p['command'] for p in objs[-1]['leaked']] == ['sleep 300']" ||
		fail "the leak report does not name the sleep: $(tail -1 "$TMPD/check.json")"
	wait_quick 10 none_tracked_alive || fail "--check left $(tracked_alive)"
	no_cgroup_left "$orph" || fail "--check left its cgroup behind"
	say "ok: --check names what leaked in the cgroup, then removes it"
}
part_start check_leak

# 7. --track cgroup with -p: not orphanage's process to move, exit 1 with why.
attach_refused() {
	sleep 300 &
	victim=$!
	disown "$victim"	# its SIGKILL at the end is expected: no job notice
	track "$victim"
	"$ORPHANAGE" -b -n 1 --track cgroup -p "$victim" >"$TMPD/attach.out" 2>"$TMPD/attach.err"
	rc=$?
	[ "$rc" = 1 ] || fail "--track cgroup -p exited $rc: $(cat "$TMPD/attach.err")"
	grep -q '^orphanage: --track cgroup: with -p ' "$TMPD/attach.err" ||
		fail "--track cgroup -p did not say why: $(cat "$TMPD/attach.err")"
	kill_ours KILL "$victim"
	say "ok: --track cgroup -p is exit 1 with why"
}
part_start attach_refused

parts_wait
exit 0
