#!/bin/bash
# The events source on the real kernel, through tests/events_driver (the engine with the
# events source beside the scan source): children that live a millisecond between two
# refreshes are each named with their parent and exit, and a setsid daemon made between
# refreshes by a process orphanage attached to (-p) is found, orphaned, on the kernel's word.
# Skips with the kernel's reason where the proc connector is unavailable (a container).
# The two cases run at once (tests/lib.sh part_start).
. "${srcdir:-.}/tests/lib.sh"
DRIVER=$(dirname "$ORPHANAGE")/tests/events_driver
[ -x "$DRIVER" ] || skip "no $DRIVER (it is built with the cmocka tests)"

DRIVER_PID=""
# start_driver OUT SECONDS ARGS...: the driver in the background, its output in OUT.
start_driver() {
	local out=$1
	shift
	"$DRIVER" "$@" >"$out" 2>"$out.err" </dev/null &
	DRIVER_PID=$!
	track "$DRIVER_PID"
}
driver_done() { ! alive "$DRIVER_PID"; }
# finish_driver OUT: wait for the driver to end; skip when the connector is unavailable.
finish_driver() {
	wait_quick 20 driver_done || fail "the driver did not end: $(cat "$1")"
	wait "$DRIVER_PID"
	local rc=$?
	[ "$rc" = 77 ] && skip "$(sed -n 's/^SKIP: //p' "$1")"
	[ "$rc" = 0 ] || fail "driver exit $rc: $(cat "$1" "$1.err")"
}
# logged OUT TEXT: an event line with exactly this text.
logged() { cut -f3- "$1" | grep -qxF -- "$2"; }

# 1. Five children that each live about a millisecond (a busy subshell: a fork keeps
#    bash's name), then five that execute sleep for 50 ms, all between two refreshes at -d 5.
short_lives() {
	local out=$TMPD/short.out job pid
	# shellcheck disable=SC2016 # expanded by the job's bash
	start_driver "$out" 15 -d 5 -- bash -c '
		for i in 1 2 3 4 5; do (echo "$BASHPID" >>"$0/forked"; for ((j = 0; j < 200; j++)); do :; done); done
		for i in 1 2 3 4 5; do sleep 0.05 & echo "$!" >>"$0/execd"; wait; done' "$TMPD"
	finish_driver "$out"
	job=$(sed -n 's/^[0-9.]*\t\([0-9]*\)\t[0-9]* (bash) is the job.s first process$/\1/p' "$out")
	[ -n "$job" ] || fail "no job line: $(cat "$out")"
	[ "$(wc -l <"$TMPD/forked")" = 5 ] || fail "not five forked children: $(cat "$TMPD/forked")"
	[ "$(wc -l <"$TMPD/execd")" = 5 ] || fail "not five sleeps: $(cat "$TMPD/execd")"
	while read -r pid; do
		logged "$out" "$pid (bash) started, child of $job" || fail "no start of $pid: $(cat "$out")"
		logged "$out" "$pid (bash) exited 0" || fail "no exit of $pid: $(cat "$out")"
	done <"$TMPD/forked"
	while read -r pid; do
		logged "$out" "$pid (sleep) started, child of $job" || fail "no start of sleep $pid: $(cat "$out")"
		logged "$out" "$pid (sleep) exited 0" || fail "no exit of sleep $pid: $(cat "$out")"
	done <"$TMPD/execd"
	grep -q '^counts: .* lost 0, overflows 0$' "$out" || say "events were lost here: $(grep '^counts' "$out")"
	say "ok: ten children that lived between two refreshes, each named with its parent and exit"
}
part_start short_lives

# 2. Attached (-p) to a shell this test started, which then makes a double-forked setsid
#    daemon between two refreshes: the daemon is found, orphaned, on the kernel's word.
daemon_attached() {
	local out=$TMPD/daemon.out shell daemon ppid first
	mkfifo "$TMPD/go"
	bash -c 'read -r _ <"$0/go"; (setsid sh -c "echo \$\$ >\"$0/daemon\"; exec sleep 300" &); read -r _ <"$0/go"' \
		"$TMPD" &
	shell=$!
	track "$shell"
	start_driver "$out" 30 -d 3 -p "$shell"
	wait_until 10 grep -q "is the job's first process" "$out" || fail "the driver never attached: $(cat "$out" "$out.err")"
	exec 7>"$TMPD/go"
	echo go >&7
	wait_quick 5 test -s "$TMPD/daemon" || fail "no daemon made"
	daemon=$(cat "$TMPD/daemon")
	track "$daemon"
	alive "$daemon" || fail "daemon $daemon gone"
	ppid=$(sed 's/.*) //' "/proc/$daemon/stat" | cut -d' ' -f2)
	[ "$ppid" = 1 ] || say "daemon $daemon was reparented to $ppid (a subreaper), not 1"
	# The next refresh, 3 s after the first: the kernel's fork events vouched for it, born
	# under its first parent and orphaned when that parent died, at the kernel's time.
	wait_until 12 grep -q "^[0-9.]*	$daemon	$daemon orphaned: parent [0-9]* died, now child of $ppid$" "$out" ||
		fail "daemon $daemon not found as an orphan of $ppid: $(cat "$out")"
	first=$(sed -n "s/^[0-9.]*	$daemon	$daemon orphaned: parent \([0-9]*\) died.*/\1/p" "$out")
	grep -q "^[0-9.]*	$daemon	$daemon ([a-z]*) started, child of $first$" "$out" ||
		fail "the daemon's fork under its first parent $first is not in the events: $(cat "$out")"
	awk -F'\t' -v d="$daemon" '$3 ~ ("^" d " orphaned") { exit !($1 < 2.5) }' "$out" ||
		fail "the daemon's orphaning is not at its parent's exit, before the refresh that saw it: $(cat "$out")"
	grep -q "^[0-9.]*	[0-9]*	[0-9]* (bash) started, child of $shell$" "$out" ||
		fail "the daemon's first parent, which lived between two refreshes, is not in the events: $(cat "$out")"
	echo go >&7
	exec 7>&-
	kill_ours KILL "$daemon"
	finish_driver "$out"
	say "ok: attached, a double-forked setsid daemon made between refreshes is an orphan of $ppid"
}
part_start daemon_attached
parts_wait
