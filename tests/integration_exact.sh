#!/bin/bash
# The exact family sources on the real kernel, through tests/exact_probe: a cgroup of the
# job's own (spawn into it, members, freeze and thaw, cgroup.kill, removal) and the proc
# connector (fork and exit events of five children). Each part skips with the kernel's
# reason where it cannot run (not root, no writable cgroup2, a container's connector).
. "${srcdir:-.}/tests/lib.sh"
PROBE=$(dirname "$ORPHANAGE")/tests/exact_probe
[ -x "$PROBE" ] || skip "no $PROBE (it is built with the cmocka tests)"

# Where the probe's cgroups go: under this shell's own v2 cgroup, which it inherits.
cgroup2_place
CG_MOUNT=$mount_ CG_OWN=$own_
CG_DIR=$CG_MOUNT${CG_OWN%/}
PROBE_PID=""
# Whatever a killed probe left: its cgroup (only its own processes are in it) is emptied
# and removed.
probe_leftovers() {
	[ -n "$CG_MOUNT" ] && [ -n "$PROBE_PID" ] || return 0
	local d
	for d in "$CG_DIR"/orphanage-"$PROBE_PID"-*; do
		[ -d "$d" ] || continue
		echo 1 >"$d/cgroup.kill" 2>/dev/null
		wait_until 5 rmdir "$d" 2>/dev/null || say "could not remove $d"
	done
}
on_cleanup probe_leftovers

# run_probe PART: the probe's output in $TMPD/PART.out, its status in $TMPD/PART.rc.
run_probe() {
	"$PROBE" "$1" >"$TMPD/$1.out" 2>&1 </dev/null &
	PROBE_PID=$!
	track "$PROBE_PID"
	wait "$PROBE_PID"
	echo $? >"$TMPD/$1.rc"
}

skipped=""

# 1. The cgroup: the probe checks each step itself; here, that it said so, and that
# nothing it started or made is left.
run_probe cgroup
rc=$(cat "$TMPD/cgroup.rc")
if [ "$rc" = 77 ]; then
	skipped="$skipped cgroup"
	say "cgroup part skipped: $(sed -n 's/^SKIP: //p' "$TMPD/cgroup.out")"
else
	[ "$rc" = 0 ] || fail "cgroup probe exit $rc: $(cat "$TMPD/cgroup.out")"
	for step in 'fork fallback' 'lists the job' 'frozen: the busy loop ran 0 ticks' 'thawed' \
		'killed: 2 processes' 'populated 0' 'removed' 'nothing named'; do
		grep -q "^ok: .*$step" "$TMPD/cgroup.out" || fail "cgroup probe never said '$step': $(cat "$TMPD/cgroup.out")"
	done
	read -r job grandchild < <(sed -n 's/^ok: cgroup.procs lists the job \([0-9]*\) and its setsid grandchild \([0-9]*\)$/\1 \2/p' \
		"$TMPD/cgroup.out")
	[ -n "$grandchild" ] || fail "no pids in: $(cat "$TMPD/cgroup.out")"
	wait_quick 5 gone "$job" "$grandchild" || fail "the job $job or its grandchild $grandchild outlived cgroup.kill"
	for d in "$CG_DIR"/orphanage-"$PROBE_PID"-*; do
		[ -e "$d" ] && fail "$d is left behind"
	done
	say "ok: cgroup: spawned into, listed, frozen, thawed, killed, removed"
fi

# 2. The connector: a fork and an exit event for each of five children, right parent.
run_probe connector
rc=$(cat "$TMPD/connector.rc")
# A kernel built with process events, read from its config.
kernel_has_proc_events() {
	{ zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null; } |
		grep -qx 'CONFIG_PROC_EVENTS=y'
}
if [ "$rc" = 77 ]; then
	why=$(sed -n 's/^SKIP: //p' "$TMPD/connector.out")
	# Where the kernel has process events and we are in its initial namespaces, silence
	# is a fault of the listener, not of the machine.
	case $why in *CONFIG_PROC_EVENTS*) kernel_has_proc_events && fail "the connector should answer here: $why" ;; esac
	skipped="$skipped connector"
	say "connector part skipped: $why"
else
	[ "$rc" = 0 ] || fail "connector probe exit $rc: $(cat "$TMPD/connector.out")"
	grep -q '^ok: a fork and an exit event for each of 5 children' "$TMPD/connector.out" ||
		fail "no fork and exit events: $(cat "$TMPD/connector.out")"
	grep -q '^ok: exec for the child' "$TMPD/connector.out" || fail "no exec event: $(cat "$TMPD/connector.out")"
	say "ok: connector: $(grep '^ok: lost' "$TMPD/connector.out" | sed 's/^ok: //')"
fi

[ "$skipped" = " cgroup connector" ] && skip "neither the cgroup nor the connector can be used here"
exit 0
