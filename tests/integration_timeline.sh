#!/bin/bash
# The event log as a timeline, with real processes: the kernel's times (a 50 ms child
# lives about 50 ms in the log), time order across a whole run, typed JSON events, exit
# statuses in words, and a storm of more than 1,000 children with every fork and exit in
# the JSON batch.
. "${srcdir:-.}/tests/lib.sh"
[ -n "$PYTHON" ] || skip "python3 is needed to read the JSON output"

# check_run FILE PYTHON: run PYTHON over the events of every snapshot in FILE (`evs`, in
# order, and `objs`); it prints nothing when all is well, else what is wrong.
check_run() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
evs = [e for o in objs for e in o["events"]]
exec(sys.argv[2])
PY
}

# 1. A 50 ms child: its exit comes its lifetime after its fork; statuses in words; every
#    event typed; times never go back, across snapshots too. (On a loaded machine the
#    child lives longer than 50 ms: the job's bash brackets its life with the clock, and
#    says how long it had, at most.)
out=$TMPD/short.json
# shellcheck disable=SC2016 # expanded by the job's bash
watchdog 30 "$ORPHANAGE" -b --json -d 0.2 -- bash -c 'sleep 0.3; t0=$EPOCHREALTIME; sleep 0.05; t1=$EPOCHREALTIME
	echo "short: $t0 $t1" >&2; sh -c "exit 3"; true' \
	>"$out" 2>"$TMPD/short.err" || fail "the short run failed: $(cat "$TMPD/short.err")"
# The short child's life at most, as its parent saw it (a dot or a comma, by the locale).
read -r _ t0 t1 < <(grep '^short: ' "$TMPD/short.err" | tr , .)
[ -n "$t1" ] || fail "the job did not say how long its short child had: $(cat "$TMPD/short.err")"
at_most=$("$PYTHON" -c "print(round($t1 - $t0, 3))")
tracking=$(json_eval "$out" 'objs[0]["job"]["tracking"]')
case $tracking in
*events*) ;;
*) skip "the kernel's process events are not available here (tracking: $tracking)" ;;
esac
problems=$(check_run "$out" '
kinds = {"start", "tracking", "fork", "exec", "title", "group", "session", "uid", "exit", "orphan",
         "zombie", "signal", "survivor", "freeze", "thaw", "lost", "error", "quit"}
last = 0
for e in evs:
    if e.get("kind") not in kinds or not isinstance(e.get("time"), (int, float)) or "text" not in e:
        print("untyped event: %r" % e)
    if e["time"] < last:
        print("time goes back: %r after %s" % (e, last))
    last = e["time"]
    if e["kind"] in ("fork", "exit") and (not e.get("pid") or "comm" not in e):
        print("a %s without pid and comm: %r" % (e["kind"], e))
    if "child of 0" in e["text"]:
        print("child of 0: %r" % e)
# The job forks sleep 0.3, then sleep 0.05, then sh: the second child is the short one.
# (Named by the comm it had when seen: "sh" before its exec, "sleep" after.)
root = objs[0]["job"]["pid"]
kids = sorted((e for e in evs if e["kind"] == "fork" and e.get("ppid") == root), key=lambda e: e["time"])
exits = {e["pid"]: e for e in evs if e["kind"] == "exit"}
if len(kids) != 3 or kids[1]["pid"] not in exits:
    print("not three children with the short one exited: forks %r exits %r" % (kids, exits))
else:
    short, fork = kids[1]["pid"], kids[1]
    life = exits[short]["time"] - fork["time"]
    if not 0.045 <= life <= max(0.05, '"$at_most"') + 0.14:
        print("the 50 ms sleep lived %.3f s in the log, at most '"$at_most"' s by its parent" % life)
    if exits[short].get("code") != 0 or not exits[short]["text"].endswith(" exited 0"):
        print("its exit has no status 0: %r" % exits[short])
three = [e for e in evs if e["kind"] == "exit" and e.get("code") == 3]
# Its name is read from /proc after its exec; one reaped before that read is "?".
if len(three) != 1 or not three[0]["text"].endswith(("(sh) exited 3", "(?) exited 3")):
    print("no (sh) exited 3: %r" % three)
')
[ -z "$problems" ] || fail "$problems"
say "ok: a 50 ms child lives 50 ms in the log, statuses said, typed events in time order"

# 2. The text batch says the same words.
out=$TMPD/short.txt
watchdog 30 "$ORPHANAGE" -b -d 0.2 -- sh -c 'sh -c "exit 3"; sleep 0.2' >"$out" 2>"$TMPD/text.err" ||
	fail "the text run failed"
grep -Eq '^# [0-9.]+ [0-9]+ \((sh|\?)\) exited 3$' "$out" || fail "no '(sh) exited 3' line: $(grep '^#' "$out")"
awk '/^# [0-9]/ { if ($2 + 0 < last) bad = 1; last = $2 + 0 } END { exit bad }' "$out" ||
	fail "text event times go back: $(grep '^#' "$out")"
say "ok: text events in time order with the exit status"

# 3. A storm: 1,200 children that fork and exit at once. JSON carries every fork and every
#    exit (none dropped, whatever a snapshot's size), each once.
out=$TMPD/storm.json
watchdog 90 "$ORPHANAGE" -b --json -d 0.5 -- sh -c 'i=0; while [ $i -lt 1200 ]; do (exit 0) & i=$((i+1)); done; wait' \
	>"$out" 2>"$TMPD/storm.err" || fail "the storm run failed: $(tail -3 "$TMPD/storm.err")"
problems=$(check_run "$out" '
root = objs[0]["job"]["pid"]
lost = [e for e in evs if e["kind"] == "lost"]
forks = [e["pid"] for e in evs if e["kind"] == "fork" and e.get("ppid") == root]
exits = [e["pid"] for e in evs if e["kind"] == "exit" and e["pid"] in set(forks)]
if lost:
    print("the kernel lost events: %r" % lost[:2])
if len(forks) != 1200 or len(set(forks)) != 1200:
    print("%d forks of the root (%d pids), not 1200" % (len(forks), len(set(forks))))
if len(exits) != 1200 or len(set(exits)) != 1200:
    print("%d exits of its children (%d pids), not 1200" % (len(exits), len(set(exits))))
mine = [e for e in evs if e["kind"] == "exit" and e["pid"] in set(forks)]
# A status is never false. It may be unknown (no code, no signal, the words end in
# "exited") for an exit that falls between the read of the kernel events and the read
# of /proc on a loaded machine: a few, never most.
wrong = [e for e in mine if e.get("code", 0) != 0 or "signal" in e]
unknown = [e for e in mine if "code" not in e and "signal" not in e]
if wrong:
    print("%d children exited with a status other than 0: %r" % (len(wrong), wrong[:2]))
if any(not e["text"].endswith(" exited") for e in unknown):
    print("an exit of unknown status says one: %r" % unknown[:2])
if len(unknown) > len(mine) // 100:
    print("%d of %d children exited with no status known" % (len(unknown), len(mine)))
last = 0
for e in evs:
    if e["time"] < last:
        print("time goes back: %r after %s" % (e, last))
        break
    last = e["time"]
')
[ -z "$problems" ] || fail "$problems"
say "ok: a storm of 1,200 children: every fork and exit in the JSON batch, in time order"
exit 0
