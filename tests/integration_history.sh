#!/bin/bash
# History with real processes: --record, then --replay -b at several moments equals the
# live snapshots; a recording cut by SIGKILL; --trace's slices and durations; bad,
# truncated and newer recordings; an unwritable --record.
. "${srcdir:-.}/tests/lib.sh"
[ -n "$PYTHON" ] || skip "python3 is needed to read the JSON output"

# The ids, orphan mark and command of each process of a snapshot, by pid.
rows_py='sorted((p["pid"], p["ppid"], p["pgid"], p["sid"], p["orphan"], p["command"]) for p in o["processes"])'

# The three recordings share nothing: they are made at once (tests/lib.sh part_start).

# 1. Record a family that forks, orphans, moves to a session of its own and execs, in batch
#    JSON at -d 0.2; every live snapshot's moment replayed gives the same rows.
replayed_moments() {
	local rec live times t differ
	rec=$TMPD/fam.rec
	live=$TMPD/fam.live
	watchdog 30 "$ORPHANAGE" -b --json -d 0.2 --record "$rec" -- \
		sh -c '(sleep 1.4 & sleep 0.3); setsid sleep 0.8 & sleep 0.5; exec sleep 0.7' \
		>"$live" 2>"$TMPD/fam.err" || fail "the recorded run failed: $(cat "$TMPD/fam.err")"
	json_true "$live" 'any(p["orphan"] for o in objs for p in o["processes"])' ||
		fail "the family never showed an orphan: $(cat "$live")"
	json_true "$rec" 'objs[0]["format"] == "orphanage-recording" and objs[0]["version"] == 1 and objs[0]["command"].startswith("sh -c")' ||
		fail "bad header: $(head -1 "$rec")"
	json_true "$rec" 'all(k in objs[0] for k in ("host", "kernel", "start", "tracking"))' || fail "the header lacks a field: $(head -1 "$rec")"
	# Between full snapshots the rows come from the "rows" lines: fewer full snapshots than moments.
	json_true "$rec" 'sum(1 for o in objs if "snapshot" in o) < 5 and any("rows" in o for o in objs)' ||
		fail "the recording holds no row changes between full snapshots"
	# Every event of the live run is in the recording, the same JSON.
	json_true "$rec" "[o['event'] for o in objs if 'event' in o][:3] == [e for o in __import__('json').loads('[' + ','.join(open('$live')) + ']') for e in o['events']][:3]" ||
		fail "the recording's events are not the live run's"
	times=$(json_eval "$live" '[o["time"] for o in objs]')
	[ "$(echo "$times" | wc -w)" -ge 5 ] || fail "too few live snapshots: $times"
	# Each moment replayed into a file of its own; one Python compares them all.
	for t in $times; do
		"$ORPHANAGE" --replay "$rec" -b --at "$t" --json >"$TMPD/at-$t.json" 2>"$TMPD/at.err" || fail "replay --at $t failed: $(cat "$TMPD/at.err")"
	done
	# (Each (time, live rows, replayed rows) that differ; an unreadable replay raises.)
	differ="[(o['time'], $rows_py, r) for o in objs for r in [(lambda o: $rows_py)(__import__('json').loads(open('$TMPD/at-%s.json' % o['time']).readline()))] if r != $rows_py]"
	json_true "$live" "$differ == []" ||
		fail "a replayed moment differs from the live run (time, live, replay): $(json_eval "$live" "$differ" 2>&1)"
	say "ok: replayed snapshots at $(echo "$times" | wc -w) moments equal the live ones"

	# Text replay: the ps j header and the orphan's mark.
	"$ORPHANAGE" --replay "$rec" -b -d 0.4 >"$TMPD/replay.txt" || fail "text replay failed"
	head -1 "$TMPD/replay.txt" | grep -q 'PPID *PID *PGID' || fail "no header in text replay"
	grep -q '\[orphan\] .*sleep 1.4' "$TMPD/replay.txt" || fail "no orphan in the text replay: $(cat "$TMPD/replay.txt")"
}
part_start replayed_moments

# 2. A recording cut by SIGKILL: every line whole; it replays, the last moment included.
killed_recording() {
	local rec orph job size n
	rec=$TMPD/killed.rec
	"$ORPHANAGE" -b -d 0.1 --record "$rec" -- sh -c 'while :; do sleep 0.05; done' >/dev/null 2>&1 &
	orph=$!
	track "$orph"
	lines() { [ "$(wc -l <"$rec" 2>/dev/null || echo 0)" -ge "$1" ]; }
	wait_until 20 lines 60 || fail "the recording did not grow: $(wc -l <"$rec")"
	# A full snapshot every 5 s while the family changes: the second one comes.
	fulls() { [ "$(grep -c '"snapshot": ' "$rec")" -ge 2 ]; }
	wait_until 20 fulls || fail "no second full snapshot after 5 s: $(grep -c '"snapshot": ' "$rec")"
	job=$(json_eval "$rec" 'objs[0]["pid"]')
	track "$job"
	kill_ours KILL "$orph" || fail "cannot kill orphanage"
	wait "$orph" 2>/dev/null
	kill_ours KILL "$job" || fail "cannot end the job $job"
	"$PYTHON" - "$rec" <<'PY' || fail "a line of the killed recording is not whole"
import json, sys
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "the last line is cut"
for line in data.splitlines():
    json.loads(line)
PY
	"$ORPHANAGE" --replay "$rec" -b --at 1000 --json >"$TMPD/end.json" 2>"$TMPD/end.err" || fail "the killed recording does not replay"
	grep -q 'the recording ends at' "$TMPD/end.err" || fail "a moment past the end was not said: $(cat "$TMPD/end.err")"
	json_true "$TMPD/end.json" "objs[0]['job']['pid'] == $job" || fail "the replay lost the job"
	# Cut mid-line (a disk that filled): what is whole replays, and where it stops is said.
	size=$(stat -c %s "$rec")
	head -c $((size - 7)) "$rec" >"$TMPD/cut.rec"
	n=$(wc -l <"$rec")
	"$ORPHANAGE" --replay "$TMPD/cut.rec" -b --at 0.5 >/dev/null 2>"$TMPD/cut.err" || fail "a cut recording does not replay"
	grep -q "cut.rec:$n: the line is cut short" "$TMPD/cut.err" || fail "the cut was not said at line $n: $(cat "$TMPD/cut.err")"
	say "ok: a recording killed with SIGKILL has whole lines and replays; a cut one says where it stops"
}
part_start killed_recording

# 3. The trace: a slice per process with its exit status, a 0.5 s child lasts about 0.5 s;
#    the same from the recording.
traced() {
	local trace n_live n_rec
	trace=$TMPD/trace.json
	watchdog 30 "$ORPHANAGE" -b -d 0.1 --record "$TMPD/tr.rec" --trace "$trace" --subreaper -- sh -c '(sleep 0.5 &); sleep 0.8' \
		>/dev/null 2>&1 || fail "the traced run failed"
	check_trace() {
		"$PYTHON" - "$1" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
ev = t["traceEvents"]
x = [e for e in ev if e["ph"] == "X"]
names = {e["pid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
assert all(e["pid"] in names for e in x), "a slice's track has no name"
half = [e for e in x if e["name"] == "sleep" and 400000 <= e["dur"] <= 800000 and e["args"]["exit"] == "exited 0"]
assert half, "no 0.5 s sleep slice: %r" % x
assert names[half[0]["pid"]].startswith("%d sleep" % half[0]["pid"]), names
assert any(e["ph"] == "i" and e["name"] == "orphan" and e["pid"] == half[0]["pid"] for e in ev), "no orphan instant"
assert all(e["dur"] >= 0 and e["ts"] >= 0 for e in x)
print(len(x))
PY
	}
	n_live=$(check_trace "$trace") || fail "bad trace: $(head -c 2000 "$trace")"
	"$ORPHANAGE" --replay "$TMPD/tr.rec" -b --trace "$TMPD/trace2.json" >"$TMPD/conv.out" || fail "converting a recording failed"
	[ ! -s "$TMPD/conv.out" ] || fail "converting printed snapshots too"
	n_rec=$(check_trace "$TMPD/trace2.json") || fail "bad converted trace: $(head -c 2000 "$TMPD/trace2.json")"
	[ "$n_live" = "$n_rec" ] || fail "the live trace has $n_live slices, the converted one $n_rec"
	say "ok: trace slices with exit status and duration, live and converted"
}
part_start traced

parts_wait

# 4. Bad and odd recordings.
printf 'hello\n' >"$TMPD/not.rec"
"$ORPHANAGE" --replay "$TMPD/not.rec" -b 2>"$TMPD/not.err" >/dev/null
[ $? = 1 ] || fail "a file that is no recording did not exit 1"
grep -q 'not.rec:1: not an orphanage recording' "$TMPD/not.err" || fail "no line named: $(cat "$TMPD/not.err")"
printf '{"format": "orphanage-recording", "version": 99}\n{"at": 0.1, "future": 1}\n' >"$TMPD/new.rec"
"$ORPHANAGE" --replay "$TMPD/new.rec" -b 2>"$TMPD/new.err" >/dev/null
[ $? = 1 ] || fail "a newer recording did not exit 1"
grep -q 'format version 99, newer than this orphanage reads (1)' "$TMPD/new.err" || fail "newer not said: $(cat "$TMPD/new.err")"
{ head -5 "$TMPD/killed.rec"; echo 'garbage {'; tail -3 "$TMPD/killed.rec"; } >"$TMPD/bad.rec"
"$ORPHANAGE" --replay "$TMPD/bad.rec" -b --json --at 0 >"$TMPD/bad.out" 2>"$TMPD/bad.err" || fail "a partly corrupt recording does not replay"
grep -q 'bad.rec:6: not a line of a recording: the replay stops there' "$TMPD/bad.err" || fail "the corrupt line was not named: $(cat "$TMPD/bad.err")"
[ -s "$TMPD/bad.out" ] || fail "the whole part of a corrupt recording printed nothing"
"$ORPHANAGE" --at 1 -b -- true 2>/dev/null
[ $? = 2 ] || fail "--at without --replay is not a usage error"
say "ok: not a recording, newer, corrupt and cut recordings"

# 5. An unwritable --record: an error before anything is launched.
"$ORPHANAGE" -b --record "$TMPD/no/such/dir/x.rec" -- sh -c "touch $TMPD/launched" 2>"$TMPD/unw.err"
[ $? = 1 ] || fail "an unwritable recording did not exit 1"
grep -q "cannot write the recording" "$TMPD/unw.err" || fail "unwritable not said: $(cat "$TMPD/unw.err")"
[ ! -e "$TMPD/launched" ] || fail "the job was launched though the recording cannot be written"
say "ok: an unwritable recording is an error before the launch"
exit 0
