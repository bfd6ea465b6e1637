#!/bin/bash
# A member's exit between two refreshes is taken in when it happens, through its pidfd,
# not at the next refresh: with --track scan (no kernel events) and -d 2, a grandchild seen
# at the refresh at 2 s and reaped by its parent at 2.5 s is logged as exited before the
# refresh at 4 s could have seen it gone.
. "${srcdir:-.}/tests/lib.sh"
[ -n "$PYTHON" ] || skip "python3 is needed to read the JSON output"

out=$TMPD/exits.json
watchdog 20 "$ORPHANAGE" -b --json --track scan -d 2 -- sh -c 'sleep 2.5 & wait; sleep 1.5' \
	>"$out" 2>"$TMPD/exits.err" || fail "orphanage failed: $(cat "$TMPD/exits.err")"
at=$(json_eval "$out" '([e["time"] for o in objs for e in o["events"] if e["kind"] == "exit" and e["comm"] == "sleep"] or [None])[0]')
[ -n "$at" ] || fail "no exit of the sleep in the log: $(cat "$out")"
json_true "$out" "$at < 3.6" || fail "the sleep's exit at 2.5 s was logged at $at s, by a refresh, not by its pidfd"
say "ok: an exit between refreshes is logged at $at s (the refreshes at 2 and 4 s)"
