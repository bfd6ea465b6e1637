#!/bin/bash
# A member's exit between two refreshes is taken in when it happens, not at the next
# refresh: with --track scan (no kernel events) and -d 1.2, a grandchild seen at the refresh
# at 1.2 s exits at 1.5 s (its pidfd wakes orphanage: a zombie) and is reaped by its parent
# at 1.7 s by a parent that was not waiting (nothing wakes orphanage: it reads the zombie
# again soon after, the gap doubling); it is logged as exited before the refresh at 2.4 s
# could have seen it gone.
. "${srcdir:-.}/tests/lib.sh"
[ -n "$PYTHON" ] || skip "python3 is needed to read the JSON output"

out=$TMPD/exits.json
watchdog 20 "$ORPHANAGE" -b --json --track scan -d 1.2 -- \
	perl -e 'if (!fork) { exec "sleep", "1.5" } select(undef, undef, undef, 1.7); wait; select(undef, undef, undef, 0.8)' \
	>"$out" 2>"$TMPD/exits.err" || fail "orphanage failed: $(cat "$TMPD/exits.err")"
at=$(json_eval "$out" '([e["time"] for o in objs for e in o["events"] if e["kind"] == "exit" and e["comm"] == "sleep"] or [None])[0]')
[ -n "$at" ] || fail "no exit of the sleep in the log: $(cat "$out")"
json_true "$out" "$at < 2.3" || fail "the sleep's exit at 1.5 s (reaped at 1.7 s) was logged at $at s, by a refresh"
say "ok: an exit between refreshes is logged at $at s (the refreshes at 1.2 and 2.4 s)"
