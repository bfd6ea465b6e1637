#!/bin/bash
# Batch mode with real processes: the seed's naive kill seen from outside, orphans with
# their new parent, signal routing, exit statuses and error lines.
. "${srcdir:-.}/tests/lib.sh"
[ -n "$PYTHON" ] || skip "python3 is needed to read the JSON output"

ORPH_PID=""
# start_in_background OUT ERR COMMAND...: a command that execs orphanage, in the background.
# (A shell's background job starts with SIGINT and SIGQUIT ignored.)
start_in_background() {
	local out=$1 err=$2
	shift 2
	"$@" >"$out" 2>"$err" &
	ORPH_PID=$!
	track "$ORPH_PID"
}
start_orphanage() { # OUT ERR ARGS...: orphanage in the background
	local out=$1 err=$2
	shift 2
	start_in_background "$out" "$err" "$ORPHANAGE" "$@"
}
orphanage_done() { ! alive "$ORPH_PID"; }
# stop_orphanage: SIGTERM ends the orphanage in the background.
stop_orphanage() {
	kill_ours TERM "$ORPH_PID"
	wait_quick 10 orphanage_done || fail "orphanage did not end on SIGTERM"
	wait "$ORPH_PID"
}

# 1. Kill the job's sh from outside: its sleep is orphaned, reported with its new parent,
#    and SIGTERM to orphanage leaves nothing alive.
naive_kill() {
	out=$TMPD/naive.json
	start_orphanage "$out" "$TMPD/naive.err" -b --json -d 0.1 -- sh -c 'sleep 300; true'
	# (Wait for the sleep itself: the sh's fork shows the sh's command line until it execs.)
	wait_json 10 "$out" 'any(p["command"] == "sleep 300" for o in objs for p in o["processes"])' ||
		{ track_output "$out"; fail "sh and sleep never both seen: $(cat "$out")"; }
	sh_pid=$(json_eval "$out" 'objs[0]["job"]["pid"]')
	sleep_pid=$(json_eval "$out" '[p["pid"] for o in objs for p in o["processes"] if p["command"] == "sleep 300"][0]')
	track "$sh_pid" "$sleep_pid"
	[ -n "$sh_pid" ] && [ -n "$sleep_pid" ] || fail "no pid for the sh ($sh_pid) or the sleep ($sleep_pid)"
	[ "$(json_eval "$out" "[p['pgid'] for o in objs for p in o['processes'] if p['pid'] == $sleep_pid][0]")" = "$sh_pid" ] ||
		fail "the sleep is not in the sh's new process group"
	[ "$(json_eval "$out" "[p['depth'] for o in objs for p in o['processes'] if p['pid'] == $sleep_pid][0]")" = 1 ] ||
		fail "the sleep is not shown under the sh"
	kill_ours KILL "$sh_pid"
	wait_json 10 "$out" "any(p['pid'] == $sleep_pid and p['orphan'] for o in objs for p in o['processes'])" ||
		fail "the sleep was never marked orphan: $(tail -3 "$out")"
	new_parent=$(awk '{print $4}' "/proc/$sleep_pid/stat")
	json_true "$out" "any(p['pid'] == $sleep_pid and p['orphan'] and p['ppid'] == $new_parent for o in objs for p in o['processes'])" ||
		fail "the orphan's PPID is not its real new parent $new_parent"
	json_true "$out" "any(e['text'] == '$sleep_pid orphaned: parent $sh_pid died, now child of $new_parent' for o in objs for e in o['events'])" ||
		fail "no orphaning event: $(tail -2 "$out")"
	json_true "$out" "any(e['text'].endswith('killed by SIGKILL') and e['text'].startswith('$sh_pid ') for o in objs for e in o['events'])" ||
		fail "the sh's exit by SIGKILL was not reported"
	json_true "$out" "objs[-1]['job']['state'] == 'exited' and objs[-1]['job']['exit'] == 'killed by SIGKILL'" ||
		fail "job state is not exited/killed by SIGKILL: $(tail -1 "$out")"
	stop_orphanage
	wait_quick 15 gone "$sleep_pid" || fail "the orphaned sleep $sleep_pid outlived orphanage"
	say "ok: naive kill from outside shows the orphan; SIGTERM cleans up"
}
part_start naive_kill

# 2. Text mode: the ps j header, tree guides, and the family's end ends batch mode.
text_mode() {
	out=$TMPD/text.out
	watchdog 30 "$ORPHANAGE" -b -d 0.1 -- sh -c 'sleep 0.5; true' >"$out" 2>"$TMPD/text.err" || fail "text batch run failed"
	head -1 "$out" | grep -qx ' *PPID  *PID  *PGID  *SID TTY  *TPGID STAT  *UID  *TIME COMMAND' || fail "bad header: $(head -1 "$out")"
	# (Started in the background, the sleep ignores SIGINT, and the row says so before it.)
	grep -q '`- \(\[ignores [A-Z,]*\] \)\?sleep 0.5$' "$out" || fail "no tree guide before the sleep: $(cat "$out")"
	grep -q '^# .* exited 0$' "$out" || fail "no exit event in text mode"
	say "ok: text snapshots"
}
part_start text_mode

# 3. -n stops after N snapshots and kills the family (--on-exit kill is the default).
count_limit() {
	out=$TMPD/n.json
	watchdog 30 "$ORPHANAGE" -b --json -d 0.1 -n 3 -- sh -c 'sleep 300; true' >"$out" 2>/dev/null
	rc=$?
	track_output "$out"
	[ "$rc" = 0 ] || fail "-n run failed with status $rc"
	[ "$(wc -l <"$out")" = 3 ] || fail "-n 3 printed $(wc -l <"$out") snapshots"
	pids=$(json_eval "$out" 'sorted({p["pid"] for o in objs for p in o["processes"]})')
	wait_quick 15 gone $pids || fail "-n running out left $pids alive"
	say "ok: -n"
}
part_start count_limit

# 4. SIGINT reaching orphanage is routed to the job's group; the family dies, batch ends.
#    Started with SIGINT at its default: a script's background job starts with SIGINT
#    ignored, and orphanage, as a shell does, leaves an ignored SIGINT alone.
sigint_routed() {
	out=$TMPD/int.json
	start_in_background "$out" "$TMPD/int.err" env --default-signal=INT "$ORPHANAGE" -b --json -d 0.1 -- sh -c 'sleep 300; true'
	wait_json 10 "$out" 'any(p["command"] == "sleep 300" for o in objs for p in o["processes"])' ||
		{ track_output "$out"; fail "family not seen"; }
	pids=$(json_eval "$out" 'sorted({p["pid"] for o in objs for p in o["processes"]})')
	track $pids
	kill_ours INT "$ORPH_PID"
	wait_quick 10 orphanage_done || fail "batch mode did not end when the routed SIGINT ended the family"
	wait "$ORPH_PID" || fail "orphanage exited $? after a routed SIGINT"
	json_true "$out" "any('SIGINT sent to orphanage routed to the job' in e['text'] for o in objs for e in o['events'])" ||
		fail "no routing event: $(tail -2 "$out")"
	json_true "$out" "any(e['text'].endswith('killed by SIGINT') for o in objs for e in o['events'])" || fail "the job did not die of SIGINT"
	wait_quick 15 gone $pids || fail "routed SIGINT left $pids alive"
	say "ok: SIGINT routed"
}
part_start sigint_routed

# 5. --no-forward: SIGINT is not routed (the seed's bug), and an event says so.
no_forward() {
	out=$TMPD/nofwd.json
	start_in_background "$out" "$TMPD/nofwd.err" env --default-signal=INT "$ORPHANAGE" -b --json -d 0.1 --no-forward -- sh -c 'sleep 300; true'
	wait_json 10 "$out" 'any(p["command"] == "sleep 300" for o in objs for p in o["processes"])' ||
		{ track_output "$out"; fail "family not seen"; }
	pids=$(json_eval "$out" 'sorted({p["pid"] for o in objs for p in o["processes"]})')
	track $pids
	kill_ours INT "$ORPH_PID"
	wait_json 10 "$out" "any('not routed' in e['text'] and '--no-forward' in e['text'] for o in objs for e in o['events'])" ||
		fail "no --no-forward event"
	for p in $pids; do alive "$p" || fail "--no-forward: $p died of a SIGINT it should not have got"; done
	kill_ours TERM "$ORPH_PID"
	wait_quick 10 orphanage_done || fail "orphanage did not end on SIGTERM"
	wait_quick 15 gone $pids || fail "quitting with --on-exit kill left $pids alive"
	say "ok: --no-forward"
}
part_start no_forward

# 6. --on-exit leave leaves the family running; the test then kills what it started.
on_exit_leave() {
	out=$TMPD/leave.json
	watchdog 30 "$ORPHANAGE" -b --json -d 0.1 -n 2 --on-exit leave -- sh -c 'sleep 300; true' >"$out" 2>/dev/null
	rc=$?
	track_output "$out"
	[ "$rc" = 0 ] || fail "leave run failed with status $rc"
	pids=$(json_eval "$out" 'sorted({p["pid"] for o in objs for p in o["processes"]})')
	for p in $pids; do alive "$p" || fail "--on-exit leave: $p did not survive"; done
	kill_ours KILL $pids
	wait_quick 15 gone $pids || fail "$pids survived SIGKILL"
	say "ok: --on-exit leave"
}
part_start on_exit_leave

# 7. --subreaper: the orphan is adopted by orphanage and still marked orphan.
subreaper() {
	out=$TMPD/sub.json
	start_orphanage "$out" "$TMPD/sub.err" -b --json -d 0.1 --subreaper -- sh -c 'sleep 300 & sleep 0.3'
	wait_json 10 "$out" "any(p['orphan'] and p['ppid'] == $ORPH_PID for o in objs for p in o['processes'])" ||
		{ track_output "$out"; fail "the orphan was not adopted by orphanage: $(tail -2 "$out")"; }
	pids=$(json_eval "$out" 'sorted({p["pid"] for o in objs for p in o["processes"]})')
	track $pids
	kill_ours TERM "$ORPH_PID"
	wait_quick 10 orphanage_done || fail "orphanage did not end"
	wait_quick 15 gone $pids || fail "--subreaper quit left $pids alive"
	say "ok: --subreaper"
}
part_start subreaper

# 8. Untrusted names: control characters never reach the output raw, JSON stays valid.
#    perl execs sleep under a hostile argv[0]. (Not `$0 = ...`: perl then writes the new
#    name over its environment too, and the process would no longer show this run's token.)
untrusted_names() {
	out=$TMPD/evil.json
	start_orphanage "$out" "$TMPD/evil.err" -b --json -d 0.1 -- perl -e 'exec {"sleep"} "evil\e[2J\"q\x01 name", "300"'
	wait_json 10 "$out" "any(p['command'] == 'evil\\\\e[2J\"q\\\\x01 name 300' for o in objs for p in o['processes'])" ||
		{ track_output "$out"; fail "escaped command not found: $(head -c 600 "$out")"; }
	stop_orphanage
	track_output "$out"
	LC_ALL=C grep -q "$(printf '\033')" "$out" && fail "an escape character reached the JSON output"
	start_orphanage "$TMPD/evil.txt" "$TMPD/evil.err" -b -d 0.1 -- perl -e 'exec {"sleep"} "evil\e[2J name", "300"'
	wait_until 10 grep -qF 'evil\e[2J name 300' "$TMPD/evil.txt" ||
		{ track_output "$TMPD/evil.txt"; fail "escaped name missing from the text output"; }
	stop_orphanage
	track_output "$TMPD/evil.txt"
	LC_ALL=C grep -q "$(printf '\033')" "$TMPD/evil.txt" && fail "an escape character reached the text output"
	say "ok: untrusted names escaped"
}
if needs perl "untrusted names escaped"; then
	part_start untrusted_names
fi

# 9. Exit statuses and one-line errors.
exit_statuses() {
	expect_error() { # STATUS PATTERN ARGS...
		local want=$1 pattern=$2 rc
		shift 2
		watchdog 30 "$ORPHANAGE" "$@" </dev/null >"$TMPD/e.out" 2>"$TMPD/e.err"
		rc=$?
		[ "$rc" = "$want" ] || fail "orphanage $* exited $rc, not $want ($(cat "$TMPD/e.err"))"
		[ "$(wc -l <"$TMPD/e.err")" = 1 ] || fail "orphanage $*: not one line on stderr: $(cat "$TMPD/e.err")"
		grep -q -- "$pattern" "$TMPD/e.err" || fail "orphanage $*: stderr does not say '$pattern': $(cat "$TMPD/e.err")"
	}
	expect_error 127 'no-such-command-xyz: command not found' -b -- no-such-command-xyz
	printf '#!/bin/sh\n' >"$TMPD/noexec"
	chmod 644 "$TMPD/noexec"
	expect_error 126 'Permission denied' -b -- "$TMPD/noexec"
	expect_error 2 "unknown option '--frobnicate'" --frobnicate
	expect_error 2 "invalid delay 'abc'" -d abc -b -- true
	expect_error 2 "unknown signal 'FOO'" -s FOO -b -- true
	expect_error 2 "unknown demo 'nosuch'" --demo nosuch
	expect_error 2 "invalid PID 'x'" -p x
	expect_error 2 "invalid number of iterations '0'" -n 0 -b -- true
	expect_error 1 'no process with PID' -b -p 2147483646
	expect_error 1 'needs a terminal' -- true
	say "ok: exit statuses and error lines"
}
part_start exit_statuses

# 10. -p attaches, and quitting leaves the process alive by default.
attach() {
	sleep 300 &
	attached=$!
	disown "$attached"
	track "$attached"
	out=$TMPD/attach.json
	watchdog 30 "$ORPHANAGE" -b --json -d 0.1 -n 2 -p "$attached" >"$out" 2>/dev/null || fail "-p run failed"
	json_true "$out" "objs[0]['processes'][0]['pid'] == $attached" || fail "-p did not show the process"
	alive "$attached" || fail "-p quit killed the attached process"
	kill_ours KILL "$attached"
	say "ok: -p"
}
part_start attach

# 11. A SIGHUP ignored when orphanage starts (nohup) stays ignored, as a shell leaves it:
#     orphanage neither quits on it nor routes it, and the job inherits it ignored.
# ignores PID SIGNUM: the signal is ignored by pid (SigIgn in /proc/PID/status).
ignored_sighup() {
	ignores() {
		local mask
		mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
		[ -n "$mask" ] && (((0x$mask >> ($2 - 1)) & 1))
	}
	# nohup_holds: for 1.5 s, orphanage and the whole family stay alive.
	nohup_holds() {
		local end=$(($(now_ms) + 1500)) p
		while [ "$(now_ms)" -lt "$end" ]; do
			alive "$ORPH_PID" || fail "orphanage ended on a SIGHUP that was ignored when it started: $(tail -2 "$out")"
			for p in $pids; do
				alive "$p" || fail "the job's $p died after a SIGHUP that was ignored when orphanage started: $(tail -2 "$out")"
			done
			nap 0.1
		done
	}
	out=$TMPD/nohup.json
	(
		trap '' HUP
		exec "$ORPHANAGE" -b --json -d 0.1 -- sh -c 'sleep 300; true'
	) >"$out" 2>"$TMPD/nohup.err" &
	ORPH_PID=$!
	track "$ORPH_PID"
	wait_json 10 "$out" 'any(p["command"] == "sleep 300" for o in objs for p in o["processes"])' ||
		{ track_output "$out"; fail "family not seen: $(cat "$out" "$TMPD/nohup.err")"; }
	pids=$(json_eval "$out" 'sorted({p["pid"] for o in objs for p in o["processes"]})')
	track $pids
	sleep_pid=$(json_eval "$out" '[p["pid"] for o in objs for p in o["processes"] if p["command"] == "sleep 300"][0]')
	kill_ours HUP "$ORPH_PID"
	nohup_holds
	json_true "$out" "not any('SIGHUP' in e['text'] and 'routed to' in e['text'] for o in objs for e in o['events'])" ||
		fail "an ignored SIGHUP was routed to the job: $(grep -o '"text": "SIGHUP[^"]*"' "$out")"
	ignores "$sleep_pid" 1 || fail "the job's sleep $sleep_pid does not inherit SIGHUP ignored, as under nohup"
	stop_orphanage
	wait_quick 15 gone $pids || fail "SIGTERM left $pids alive"
	say "ok: an ignored SIGHUP stays ignored"
}
part_start ignored_sighup

# 12. An exec that keeps the comm (sh exec sh): the new command line is shown, although
#     an idle member's later readings are of its stat alone.
exec_same_comm() {
	out=$TMPD/exec.json
	start_orphanage "$out" "$TMPD/exec.err" -b --json -d 0.1 -- sh -c 'sleep 1; exec sh -c "sleep 300; true"'
	wait_json 10 "$out" 'any(p["command"] == "sleep 300" for o in objs for p in o["processes"])' ||
		{ track_output "$out"; fail "the exec'd sh's sleep never seen: $(tail -2 "$out")"; }
	pids=$(json_eval "$out" 'sorted({p["pid"] for o in objs for p in o["processes"]})')
	track $pids
	sh_pid=$(json_eval "$out" 'objs[0]["job"]["pid"]')
	json_true "$out" "any(p['pid'] == $sh_pid and p['command'] == 'sh -c sleep 1; exec sh -c \"sleep 300; true\"' for o in objs for p in o['processes'])" ||
		fail "the sh before its exec was never shown: $(head -1 "$out")"
	wait_json 5 "$out" "any(p['pid'] == $sh_pid and p['command'] == 'sh -c sleep 300; true' for o in objs for p in o['processes'])" ||
		fail "the sh's new command line after exec sh was never shown: $(tail -1 "$out")"
	json_true "$out" "[p['command'] for p in objs[-1]['processes'] if p['pid'] == $sh_pid] == ['sh -c sleep 300; true']" ||
		fail "the sh's latest row is not its new command: $(tail -1 "$out")"
	stop_orphanage
	wait_quick 15 gone $pids || fail "SIGTERM left $pids alive"
	say "ok: exec sh from sh shows the new command line"
}
part_start exec_same_comm

parts_wait
exit 0
