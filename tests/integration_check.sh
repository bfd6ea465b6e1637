#!/bin/bash
# --check, the leak gate: leaked processes are named and killed, exit 3; a clean job's
# status passes through; nothing any case starts is left alive. The cases run at once.
. "${srcdir:-.}/tests/lib.sh"
[ -n "$PYTHON" ] || skip "python3 is needed to read the JSON output"

# The pids in the leak report's rows (second column), so the test can check they are gone.
leaked_pids() { awk '/\[leaked: /{print $2}' "$TMPD/$1.out"; }
# run_check NAME ARGS...: run orphanage --check, keep stdout, stderr and status, and track
# every pid it reported at once, before any check can fail and leave one running.
run_check() {
	local name=$1
	shift
	watchdog 30 "$ORPHANAGE" --check "$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err" </dev/null
	echo $? >"$TMPD/$name.rc"
	track_output "$TMPD/$name.out"
}
rc_of() { cat "$TMPD/$1.rc"; }

# 1. A background sleep left by the job is reported and killed: exit 3.
background_leak() {
	run_check bg --grace 0.5 -- sh -c 'sleep 300 & echo started; exit 0'
	[ "$(rc_of bg)" = 3 ] || fail "a leaked sleep gave exit $(rc_of bg), not 3: $(cat "$TMPD/bg.out" "$TMPD/bg.err")"
	grep -qx started "$TMPD/bg.out" || fail "the job's output did not pass through to stdout"
	grep -q '^ *PPID  *PID  *PGID  *SID TTY  *TPGID STAT  *UID  *TIME COMMAND$' "$TMPD/bg.out" || fail "no ps j header in the report"
	grep -q '\[leaked: .*\] sleep 300$' "$TMPD/bg.out" || fail "the sleep is not reported as leaked: $(cat "$TMPD/bg.out")"
	pids=$(leaked_pids bg)
	[ -n "$pids" ] || fail "no pid in the report"
	grep -q 'none is left' "$TMPD/bg.out" || fail "no confirmation that the leaked processes are gone"
	wait_quick 15 gone $pids || fail "leaked $pids still alive after --check"
	say "ok: background sleep leaked, exit 3, killed"
}
part_start background_leak

# 2. A double fork with setsid, as fast as it goes: caught by the subreaper all the same.
setsid_leak() {
	run_check daemon --grace 0.5 -- sh -c '(setsid sh -c "sleep 300 & exit 0" &); exit 0'
	[ "$(rc_of daemon)" = 3 ] || fail "a double-forked setsid sleep gave exit $(rc_of daemon): $(cat "$TMPD/daemon.out" "$TMPD/daemon.err")"
	grep -q 'leaked: .*setsid.*\] sleep 300$' "$TMPD/daemon.out" || fail "the escape with setsid is not named: $(cat "$TMPD/daemon.out")"
	pids=$(leaked_pids daemon)
	wait_quick 15 gone $pids || fail "the setsid sleep $pids is still alive"
	say "ok: double fork with setsid caught"
}
part_start setsid_leak

# 3. A clean job's status passes through, with no report.
clean_status() {
	run_check clean -- sh -c 'echo out; echo err >&2; exit 5'
	[ "$(rc_of clean)" = 5 ] || fail "a clean job's exit 5 came back as $(rc_of clean)"
	[ "$(cat "$TMPD/clean.out")" = out ] || fail "stdout was not passed through unchanged: $(cat "$TMPD/clean.out")"
	[ "$(cat "$TMPD/clean.err")" = err ] || fail "stderr was not passed through unchanged: $(cat "$TMPD/clean.err")"
	say "ok: clean job status 5 passes through"
}
part_start clean_status

# 4. A job killed by SIGTERM gives 143, as a shell reports it.
sigterm_status() {
	run_check term -- sh -c 'kill -TERM $$; sleep 5'
	[ "$(rc_of term)" = 143 ] || fail "a job killed by SIGTERM gave $(rc_of term), not 143"
	say "ok: SIGTERM gives 143"
}
part_start sigterm_status

# 5. Children that finish within the grace period are not leaks.
grace() {
	run_check grace --grace 3 -- sh -c 'sleep 0.3 & exit 0'
	[ "$(rc_of grace)" = 0 ] || fail "a child finishing within --grace was called a leak: $(cat "$TMPD/grace.out")"
	say "ok: the grace period is honoured"
}
part_start grace

# 6. --json: one final object lists the leaked processes.
json_report() {
	run_check json --json --grace 0.3 -- sh -c 'sleep 300 & exit 0'
	[ "$(rc_of json)" = 3 ] || fail "--json leak gave exit $(rc_of json)"
	json_true "$TMPD/json.out" "objs[-1]['leaked'][0]['command'] == 'sleep 300' and objs[-1]['job']['exit'] == 'exited 0'" ||
		fail "the final JSON object does not list the leak: $(cat "$TMPD/json.out")"
	pids=$(json_eval "$TMPD/json.out" "[p['pid'] for p in objs[-1]['leaked']]")
	wait_quick 15 gone $pids || fail "leaked $pids still alive"
	say "ok: --json report"
}
part_start json_report

# 7. --on-exit leave reports and leaves; the test kills what it started.
on_exit_leave() {
	run_check leave --on-exit leave --grace 0.3 -- sh -c 'sleep 300 & exit 0'
	[ "$(rc_of leave)" = 3 ] || fail "leave gave exit $(rc_of leave)"
	pids=$(leaked_pids leave)
	for p in $pids; do alive "$p" || fail "--on-exit leave killed $p"; done
	grep -q 'left running' "$TMPD/leave.out" || fail "no line saying the leak was left running"
	kill_ours KILL $pids
	wait_quick 15 gone $pids || fail "$pids survived SIGKILL"
	say "ok: --on-exit leave"
}
part_start on_exit_leave

# 8. No terminal, not a session leader, under set -e: a script's step fails with status 3.
write_file "$TMPD/script.sh" <<SCRIPT
set -e
"$ORPHANAGE" --check --grace 0.3 -- sh -c 'sleep 300 & exit 0' >"$TMPD/script.out" 2>&1
echo "not reached"
SCRIPT
set_e_script() {
	watchdog 30 setsid bash "$TMPD/script.sh" </dev/null >"$TMPD/script.log" 2>&1
	rc=$?
	track_output "$TMPD/script.out"
	[ "$rc" = 3 ] || fail "under set -e the script ended with $rc, not 3"
	grep -q 'not reached' "$TMPD/script.log" && fail "set -e did not stop the script"
	pids=$(leaked_pids script)
	wait_quick 15 gone $pids || fail "leaked $pids still alive"
	say "ok: set -e script without a terminal"
}
part_start set_e_script

# 9. --check cut short by SIGTERM: the signal is routed to the job's group, and what
#    escaped the group is still reported and killed: exit 3. Without a leak: 128+15.
interrupted_check() { # NAME JOB-SCRIPT: --check in the background, SIGTERM once the job says ready
	local name=$1 orph
	"$ORPHANAGE" --check --grace 0.5 -- sh -c "$2" >"$TMPD/$name.out" 2>"$TMPD/$name.err" </dev/null &
	orph=$!
	track "$orph"
	wait_until 10 grep -q '^ready ' "$TMPD/$name.out" || fail "$name: the job never started: $(cat "$TMPD/$name.err")"
	# shellcheck disable=SC2046 # pids, split on purpose
	track $(sed -n 's/^ready //p' "$TMPD/$name.out")
	kill_ours TERM "$orph"
	wait_quick 10 gone "$orph" || fail "$name: --check did not end after SIGTERM"
	wait "$orph"
	echo $? >"$TMPD/$name.rc"
	track_output "$TMPD/$name.out"
}
interrupted() {
	interrupted_check intleak 'setsid sleep 300 & echo "ready $$ $!"; exec sleep 400'
	[ "$(rc_of intleak)" = 3 ] || fail "an interrupted --check with a leak gave exit $(rc_of intleak), not 3: $(cat "$TMPD/intleak.out" "$TMPD/intleak.err")"
	grep -q '\[leaked: .*\] sleep 300$' "$TMPD/intleak.out" || fail "the setsid sleep is not reported as leaked: $(cat "$TMPD/intleak.out")"
	pids=$(sed -n 's/^ready //p' "$TMPD/intleak.out")
	wait_quick 15 gone $pids || fail "an interrupted --check left $pids alive"
	interrupted_check intclean 'echo "ready $$"; exec sleep 400'
	[ "$(rc_of intclean)" = 143 ] || fail "an interrupted --check without a leak gave exit $(rc_of intclean), not 143: $(cat "$TMPD/intclean.out" "$TMPD/intclean.err")"
	grep -q 'leaked' "$TMPD/intclean.out" && fail "a leak was reported when nothing leaked: $(cat "$TMPD/intclean.out")"
	pids=$(sed -n 's/^ready //p' "$TMPD/intclean.out")
	wait_quick 15 gone $pids || fail "an interrupted --check left $pids alive"
	say "ok: --check interrupted by SIGTERM still reports and cleans up"
}
part_start interrupted

parts_wait
exit 0
