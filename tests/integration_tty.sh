#!/bin/bash
# --tty in batch mode and with --check: the job's standard input, output and error are a
# terminal of its own, its first process leads that terminal's session and is its
# foreground group, and what the terminal sends reaches standard error byte for byte, none
# of it lost when the job exits at once. --tty with -p or --same-group is a usage error.
# The sh -c scripts below are single-quoted on purpose: they expand in the job.
# shellcheck disable=SC2016
. "${srcdir:-.}/tests/lib.sh"

# 1. A terminal, a session and the foreground, as /proc/PID/stat says (pgrp, session, tpgid).
# The job lives on a moment after it spoke, so that a snapshot shows its row, however slow
# the machine (it was gone before the first one under a sanitizer).
watchdog 30 "$ORPHANAGE" -b -d 0.1 --tty -- sh -c '
	test -t 0 && test -t 1 && test -t 2 && echo "a terminal: $(tty)"
	echo "ids: $$ $(cut -d" " -f5,6,8 /proc/$$/stat)"
	sleep 0.5' >"$TMPD/ids.out" 2>"$TMPD/ids.err"
rc=$?
[ "$rc" = 0 ] || fail "the --tty job ended orphanage with status $rc: $(cat "$TMPD/ids.err")"
grep -q '^a terminal: /dev/pts/[0-9]*' "$TMPD/ids.err" || fail "the job's standard input, output and error are not a terminal:
$(cat "$TMPD/ids.err")"
read -r _ pid pgrp sid tpgid < <(grep '^ids:' "$TMPD/ids.err" | tr -d '\r')
[ -n "$pid" ] && [ "$pgrp" = "$pid" ] && [ "$sid" = "$pid" ] && [ "$tpgid" = "$pid" ] ||
	fail "the job is not its terminal's session leader and foreground group (pid pgrp sid tpgid: $pid $pgrp $sid $tpgid)"
# The snapshot's row says the same: TTY a pts, TPGID the job's group.
awk -v p="$pid" '$2 == p && $5 ~ /^pts\// && $6 == p {found=1} END {exit !found}' "$TMPD/ids.out" ||
	fail "the snapshot's row does not show the job's terminal and foreground group:
$(cat "$TMPD/ids.out")"
grep -q "in a new session on its own terminal /dev/pts/" "$TMPD/ids.out" || fail "no event names the job's terminal"
say "ok: the job leads a session on a terminal of its own, in its foreground group"

# 2. Every byte as the terminal sends it (newline as CR LF), colours untouched, though the
#    job exits the moment it has written: the terminal's last bytes are read before its EIO.
watchdog 60 "$ORPHANAGE" -b -d 0.1 --tty -- sh -c 'printf "\033[31mred\033[0m\n"; seq 200000' \
	>/dev/null 2>"$TMPD/seq.err" || fail "the seq job ended orphanage with an error"
cmp -s "$TMPD/seq.err" <({ printf '\033[31mred\033[0m\n'; seq 200000; } | sed 's/$/\r/') ||
	fail "standard error is not what the terminal sent ($(stat -c %s "$TMPD/seq.err") bytes; tail: $(tail -c 40 "$TMPD/seq.err" | od -c | head -3))"
say "ok: the job's output through its terminal reaches standard error whole"

# 3. --check: a terminal too, the output copied to standard error, the job's status kept.
watchdog 30 "$ORPHANAGE" --check --grace 0.2 --tty -- sh -c 'test -t 0 && echo on-a-tty; exit 5' \
	>"$TMPD/check.out" 2>"$TMPD/check.err"
rc=$?
[ "$rc" = 5 ] || fail "--check --tty: status $rc, not the job's 5"
grep -q 'on-a-tty' "$TMPD/check.err" || fail "--check --tty: the job saw no terminal, or its output was lost: $(cat "$TMPD/check.err")"
say "ok: --check with --tty runs the job on a terminal and keeps its status"

# 4. The ttyintr scenario's shape: the job leads the terminal's session and foreground
#    group; its sleep is on the same terminal in a group of its own, out of the terminal's
#    reach for Ctrl+C (tests/tmux_tty.sh types it).
[ -n "$PYTHON" ] || skip "python3 is needed to read orphanage's JSON"
watchdog 30 "$ORPHANAGE" -b --json -d 0.3 -n 4 --tty --demo ttyintr >"$TMPD/demo.json" 2>"$TMPD/demo.err" ||
	fail "--tty --demo ttyintr failed: $(cat "$TMPD/demo.err")"
track_output "$TMPD/demo.json"
shape='[p for p in objs[-1]["processes"] if p["command"] == "ttyintr" and p["pgid"] == p["pid"] == p["sid"] == p["tpgid"] and p["tty"].startswith("pts/")
    and any(q["command"] == "sleep 100" and q["ppid"] == p["pid"] and q["pgid"] == q["pid"] != p["pgid"] and q["sid"] == p["sid"] and q["tpgid"] == p["pid"] and q["tty"] == p["tty"]
            for q in objs[-1]["processes"])] != []'
json_true "$TMPD/demo.json" "$shape" || fail "ttyintr's family does not have its shape:
$(tail -1 "$TMPD/demo.json")"
say "ok: ttyintr: the job leads its terminal's session and foreground group, its sleep a group of its own"

# 5. Usage errors, each one line naming why.
for args in "-p $$" "--same-group -- true"; do
	# shellcheck disable=SC2086 # words on purpose
	out=$("$ORPHANAGE" --tty $args 2>&1)
	rc=$?
	[ "$rc" = 2 ] || fail "--tty $args: status $rc, not 2"
	case $out in
	*--tty*) ;;
	*) fail "--tty $args: the error does not name --tty: $out" ;;
	esac
done
say "ok: --tty with -p or --same-group is a usage error"
exit 0
