#!/bin/bash
# The inspector on real processes: signal dispositions (ignored, caught), the working
# directory, the pipe between the two ends of a pipeline with the pid holding the other
# end, and a process that has exited said so. Everything it starts is killed after.
. "${srcdir:-.}/tests/lib.sh"
PROBE=$(dirname "$ORPHANAGE")/tests/inspect_probe
[ -x "$PROBE" ] || skip "tests/inspect_probe was not built (cmocka missing?)"

WORK=$TMPD/work
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd -P)

# probe PID [START] [FAMILY...]: the probe's lines, kept in $TMPD/probe.out.
probe() { "$PROBE" "$@" >"$TMPD/probe.out" 2>&1; }
# shellcheck disable=SC2317 # called through wait_until
probe_has() {
	local pattern=$1
	shift
	probe "$@"
	grep -q -- "$pattern" "$TMPD/probe.out"
}
shown() { cat "$TMPD/probe.out"; }

# 1. A shell that ignores SIGINT and SIGTERM, started in the work directory.
(cd "$WORK" && exec sh -c "trap '' INT TERM; sleep 1000") &
ign=$!
track "$ign"
wait_until 5 probe_has '^note: ignores SIGINT,SIGTERM$' "$ign" ||
	fail "no note of SIGINT,SIGTERM ignored for $ign: $(shown)"
grep -q '^ignored: \(.*,\)\?SIGINT,\(.*,\)\?SIGTERM\(,\|$\)' "$TMPD/probe.out" ||
	fail "SIGINT and SIGTERM not in the ignored list: $(shown)"
grep -qxF "cwd: $WORK" "$TMPD/probe.out" || fail "cwd is not $WORK: $(shown)"
grep -q '^state: S: sleeping' "$TMPD/probe.out" || fail "the state is not sleeping: $(shown)"
grep -q "^pid: $ign (sh)" "$TMPD/probe.out" || grep -q "^pid: $ign (sleep)" "$TMPD/probe.out" ||
	fail "the pid line does not name $ign: $(shown)"
# The shell's sleep, if it forked one rather than exec'd it.
ign_child=$(pgrep -P "$ign" | head -1)
track "$ign_child"
say "ok: ignored SIGINT,SIGTERM and the cwd shown"

# Why it survives a SIGTERM: it ignores it; its child was not sent it, and ignores it too.
kill_ours TERM "$ign" || fail "SIGTERM could not be sent to $ign"
alive "$ign" || fail "$ign died of a SIGTERM it ignores"
why=$("$PROBE" --survived 15 "$ign" "$ign") || fail "no reason for $ign: $why"
[[ $why =~ ^$ign\ \((sh|sleep)\)\ survived\ SIGTERM:\ ignores\ it$ ]] || fail "wrong reason for $ign: $why"
if [ -n "$ign_child" ]; then
	why=$("$PROBE" --survived 15 "$ign" "$ign_child") || fail "no reason for $ign_child: $why"
	[ "$why" = "$ign_child (sleep) survived SIGTERM: not signalled: a naive kill reaches only $ign; also ignores it" ] ||
		fail "wrong reason for $ign_child: $why"
fi
say "ok: the SIGTERM survivors explained"

# 2. A perl process with a SIGTERM handler.
if command -v perl >/dev/null; then
	perl -e '$SIG{TERM} = sub {}; sleep 1000 while 1' &
	cgt=$!
	track "$cgt"
	wait_until 5 probe_has '^caught: \(.*,\)\?SIGTERM\(,\|$\)' "$cgt" ||
		fail "SIGTERM not shown caught for $cgt: $(shown)"
	# A background job of a script ignores SIGINT too: only the caught part is ours to check.
	grep -q '^note: .*catches SIGTERM$' "$TMPD/probe.out" || fail "no note of the caught SIGTERM: $(shown)"
	kill_ours TERM "$cgt" || fail "SIGTERM could not be sent to $cgt"
	alive "$cgt" || fail "$cgt died of a SIGTERM it catches"
	why=$("$PROBE" --survived 15 "$cgt" "$cgt") || fail "no reason for $cgt: $why"
	[ "$why" = "$cgt (perl) survived SIGTERM: catches it and lives on" ] || fail "wrong reason for $cgt: $why"
	say "ok: caught SIGTERM shown and explained"
else
	say "perl is not installed: the caught-signal case is left out"
fi

# 3. A pipeline: sleep's stdout is cat's stdin, each named as the other's peer.
sh -c 'sleep 1000 | cat' &
pipe_sh=$!
track "$pipe_sh"
# The two children of the shell this test started.
# shellcheck disable=SC2317 # called through wait_until
two_children() { [ "$(pgrep -P "$pipe_sh" | wc -l)" -ge 2 ]; }
wait_until 5 two_children || fail "the pipeline did not start"
sleep_pid="" cat_pid=""
# shellcheck disable=SC2317 # called through wait_until
both_named() {
	local c
	sleep_pid="" cat_pid=""
	for c in $(pgrep -P "$pipe_sh"); do
		case $(cat "/proc/$c/comm" 2>/dev/null) in
		sleep) sleep_pid=$c ;;
		cat) cat_pid=$c ;;
		esac
	done
	[ -n "$sleep_pid" ] && [ -n "$cat_pid" ]
}
wait_until 5 both_named || fail "the pipeline's sleep and cat did not exec"
track "$sleep_pid" "$cat_pid"
# cat given twice is still named once.
probe "$sleep_pid" 0 "$sleep_pid" "$cat_pid" "$cat_pid" || fail "the probe failed on $sleep_pid: $(shown)"
grep -q "^fd 1: pipe:\[[0-9]*\] -> $cat_pid (cat) fd 0\$" "$TMPD/probe.out" ||
	fail "sleep's fd 1 is not shown as the pipe to cat $cat_pid fd 0: $(shown)"
inode=$(sed -n 's/^fd 1: pipe:\[\([0-9]*\)\].*/\1/p' "$TMPD/probe.out")
probe "$cat_pid" 0 "$sleep_pid" "$cat_pid" || fail "the probe failed on $cat_pid: $(shown)"
grep -qx "fd 0: pipe:\[$inode\] -> $sleep_pid (sleep) fd 1" "$TMPD/probe.out" ||
	fail "cat's fd 0 is not the same pipe from sleep $sleep_pid fd 1: $(shown)"
say "ok: the pipe from sleep $sleep_pid fd 1 to cat $cat_pid fd 0"

# 4. Gone: a process that exited, and one whose start time is not the one asked for.
sleep 1000 &
dead=$!
track "$dead"
start=$(start_time "$dead")
probe "$dead" "$start" || fail "the probe failed on a live process: $(shown)"
kill_ours KILL "$dead"
wait "$dead" 2>/dev/null
wait_quick 5 gone "$dead" || fail "$dead did not die"
if probe "$dead" "$start"; then fail "the probe succeeded on an exited process: $(shown)"; fi
grep -qx "process: $dead: the process has exited" "$TMPD/probe.out" || fail "an exited process not said so: $(shown)"
if probe "$cat_pid" 1; then fail "the probe took $cat_pid for a process started at tick 1: $(shown)"; fi
grep -qx "process: $cat_pid: the process has exited" "$TMPD/probe.out" ||
	fail "a pid with another start time was not said to have exited: $(shown)"
say "ok: an exited process and a changed start time say so"

# 5. Batch: every JSON process has "signals", naming what it ignores and catches; the text
#    rows note an ignored SIGTERM, and quitting names the process that lived through it.
# The three runs share nothing: they are made at once (tests/lib.sh part_start).
# signals_in_json NAME PYTHON-CONDITION WHAT COMMAND...: in every snapshot of COMMAND in
# batch JSON, every process has "signals", and some process p meets the condition.
signals_in_json() {
	local out=$TMPD/$1.json cond=$2 what=$3
	shift 3
	watchdog 30 "$ORPHANAGE" -b --json -n 4 -d 0.3 --grace 0.3 -- "$@" \
		>"$out" 2>"$out.err" || fail "the JSON run of $1 failed: $(cat "$out.err")"
	json_true "$out" "all('signals' in p for o in objs for p in o.get('processes', [])) and len(objs) > 0" ||
		fail "a JSON process has no \"signals\": $(head -c 2000 "$out")"
	json_true "$out" "any($cond for o in objs for p in o['processes'])" ||
		fail "$what not named in JSON: $(head -c 2000 "$out")"
	say "ok: JSON names $what"
}
signals_text() {
	local out=$TMPD/sig.txt
	watchdog 30 "$ORPHANAGE" -b -n 3 -d 0.3 --grace 0.3 -- sh -c "trap '' TERM; sleep 5" \
		>"$out" 2>"$TMPD/sigtxt.err" || fail "the text run failed: $(cat "$TMPD/sigtxt.err")"
	grep -q '\[ignores [A-Z,]*SIGTERM\] sh -c trap' "$out" || fail "no note of the ignored SIGTERM: $(cat "$out")"
	grep -q '^# [0-9.]* [0-9]* (sh) survived SIGTERM: ignores it$' "$out" ||
		fail "quitting did not name the shell that lived through SIGTERM: $(cat "$out")"
	say "ok: text rows note an ignored SIGTERM; quitting names its survivor"
}
part_start signals_in_json sh "p['command'].startswith('sh -c trap') and {'SIGINT', 'SIGTERM'} <= set((p['signals'] or {}).get('ignored', []))" \
	"the ignored SIGINT and SIGTERM" sh -c "trap '' INT TERM; sleep 5"
# shellcheck disable=SC2016 # perl's own $SIG
needs perl "a caught SIGTERM in JSON" &&
	part_start signals_in_json perl "p['command'].startswith('perl') and 'SIGTERM' in (p['signals'] or {}).get('caught', [])" \
		"a caught SIGTERM" perl -e '$SIG{TERM} = sub {}; sleep 5'
part_start signals_text
parts_wait

# 6. An environment larger than what is kept (64 KiB): 2000 variables of 60 bytes and the
# test's token. e shows the first 64 and counts the rest to the end of the file: it is true.
vars=()
for i in $(seq 1000 2999); do
	printf -v v '%055d' "$i"
	vars+=("V$i=$v")
done
env -i "${vars[@]}" "ORPHANAGE_TEST_TOKEN=$ORPHANAGE_TEST_TOKEN" sleep 1000 &
big=$!
track "$big"
wait_until 5 probe_has '^environment: ' --env "$big" || fail "no environment line for $big: $(shown)"
[ "$(grep -c '^env: ' "$TMPD/probe.out")" = 64 ] || fail "not 64 variables shown: $(grep -c '^env: ' "$TMPD/probe.out")"
grep -qx 'environment: \.\.\. 1937 more' "$TMPD/probe.out" ||
	fail "the count beyond the 64 shown is not 1937: $(grep '^environment' "$TMPD/probe.out")"
say "ok: a cut environment's count is true"
