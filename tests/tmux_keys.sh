#!/bin/bash
# The kill keys in a real terminal: the seed's three experiments and their variants,
# each one key, checked against /proc.
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"

# Start orphanage with ARGS in tmux, wait for the family's first rows, remember pids.
launch() {
	tmux_start "$ORPHANAGE" "$@"
	wait_screen 10 'PPID *PID *PGID'
}
quit_and_check_gone() { # PIDS...: q, status 0, nothing left
	tmux_keys q
	wait_until 10 tmux_exited || fail "orphanage did not quit on q:
$(screen)"
	[ "$(cat "$TMPD/tmux.rc")" = 0 ] || fail "q exited with $(cat "$TMPD/tmux.rc")"
	wait_until 5 gone "$@" || fail "q left $* alive"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
}

# 1. Naive kill (k) of execsleep: the sleep is orphaned, stays on screen with its new
#    parent, and q cleans it up.
launch --demo execsleep -d 0.2
wait_screen 10 'sleep 100'
job=$(row_field execsleep 2)
sl=$(row_field 'sleep 100' 2)
track "$job" "$sl"
tmux_keys k
wait_screen 5 '\[orphan\] sleep 100'
wait_until 5 gone "$job" || fail "k did not kill $job"
alive "$sl" || fail "the naive kill killed the sleep too"
[ "$(row_field 'sleep 100' 1)" = "$(awk '{print $4}' /proc/"$sl"/stat)" ] || fail "the orphan's PPID on screen is not its real parent"
wait_screen 2 "$sl orphaned: parent $job died"
quit_and_check_gone "$sl"
say "ok: naive kill orphans the sleep; q cleans it up"

# 2. Group kill (g): nothing left, orphanage stays.
launch --demo execsleep -d 0.2
wait_screen 10 'sleep 100'
job=$(row_field execsleep 2)
sl=$(row_field 'sleep 100' 2)
track "$job" "$sl"
tmux_keys g
wait_screen 5 "SIGKILL -> group $job: 2 processes"
wait_until 5 gone "$job" "$sl" || fail "g left something alive"
sleep 0.3
tmux_exited && fail "orphanage ended after a group kill"
# (PID 1 may take a moment to reap: an orphan zombie is dead, not left over.)
[ -z "$(table_rows | grep '\[orphan\]' | awk '$7 != "Z"')" ] || fail "a group kill left a live orphan on screen:
$(screen)"
# r relaunches the job once its family is gone.
tmux_keys r
wait_until 10 eval '[ -n "$(row_field execsleep 2)" ] && [ "$(row_field execsleep 2)" != "$job" ]' ||
	fail "r did not relaunch the job:
$(screen)"
job2=$(row_field execsleep 2)
track "$job2"
wait_screen 10 'sleep 100'
sl2=$(row_field 'sleep 100' 2)
track "$sl2"
quit_and_check_gone "$job" "$sl" "$job2" "$sl2"
say "ok: group kill leaves nothing, orphanage stays; r relaunches"

# 3. Ctrl+C is routed to the job's group: nothing left, orphanage stays open.
launch --demo execsleep -d 0.2
wait_screen 10 'sleep 100'
job=$(row_field execsleep 2)
sl=$(row_field 'sleep 100' 2)
track "$job" "$sl"
tmux_keys C-c
wait_screen 5 'SIGINT from the terminal routed'
wait_until 5 gone "$job" "$sl" || fail "the routed Ctrl+C left something alive"
sleep 0.3
tmux_exited && fail "orphanage ended on Ctrl+C"
quit_and_check_gone "$job" "$sl"
say "ok: Ctrl+C routed to the group"

# 4. --no-forward: Ctrl+C reaches nobody, the job keeps running, an event says so.
launch --demo execsleep -d 0.2 --no-forward
wait_screen 10 'sleep 100'
job=$(row_field execsleep 2)
sl=$(row_field 'sleep 100' 2)
track "$job" "$sl"
tmux_keys C-c
wait_screen 5 'not routed'
sleep 0.3
alive "$job" && alive "$sl" || fail "--no-forward: Ctrl+C reached the job"
quit_and_check_gone "$job" "$sl"
say "ok: --no-forward"

# 5. --same-group: g spares orphanage; Ctrl+C reaches the job once, from the terminal.
launch --demo execsleep -d 0.2 --same-group
wait_screen 10 'sleep 100'
job=$(row_field execsleep 2)
sl=$(row_field 'sleep 100' 2)
track "$job" "$sl"
orph=$(orphanage_pid)
[ "$(row_field execsleep 3)" = "$(awk '{print $5}' /proc/"$orph"/stat)" ] || fail "--same-group: the job is not in orphanage's group"
tmux_keys g
wait_screen 5 'one by one'
wait_until 5 gone "$job" "$sl" || fail "g in --same-group left the job alive"
alive "$orph" || fail "g in --same-group killed orphanage"
tmux_keys q
wait_until 10 tmux_exited || fail "orphanage did not quit"
tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
launch --demo execsleep -d 0.2 --same-group
wait_screen 10 'sleep 100'
job=$(row_field execsleep 2)
sl=$(row_field 'sleep 100' 2)
track "$job" "$sl"
tmux_keys C-c
wait_screen 5 'not sent twice'
wait_until 5 gone "$job" "$sl" || fail "Ctrl+C in --same-group did not reach the job"
wait_screen 3 'killed by SIGINT'
quit_and_check_gone "$job" "$sl"
say "ok: --same-group"

# 6. A setsid child escapes g and is caught by t.
launch --demo daemon -d 0.2
wait_until 10 eval '[ "$(table_rows | grep -c "sleep 100")" -ge 1 ]' || fail "daemon's sleep never showed"
job=$(table_rows | head -1 | awk '{print $2}')
sl=$(row_field 'sleep 100' 2)
track "$job" "$sl"
[ "$(row_field 'sleep 100' 4)" != "$(table_rows | head -1 | awk '{print $4}')" ] || fail "the daemon's sleep is not in another session"
tmux_keys g
wait_until 5 gone "$job" || fail "g did not kill the job"
sleep 0.5
alive "$sl" || fail "the setsid sleep did not escape the group kill"
# The job's row is now a dim ghost or gone; select the top row (the escaped branch) and tree-kill.
tmux_keys Home
tmux_keys t
wait_screen 5 'tree of'
wait_until 5 gone "$sl" || fail "t did not reach the escaped sleep"
quit_and_check_gone "$sl"
say "ok: setsid escapes g, t catches it"

# 7. STOP then CONT from the signal menu, seen in STAT.
launch --demo execsleep -d 0.2
wait_screen 10 'sleep 100'
job=$(row_field execsleep 2)
sl=$(row_field 'sleep 100' 2)
track "$job" "$sl"
tmux_keys Down
tmux_keys s
tmux_keys 1 9 Enter
wait_screen 5 'SIGSTOP'
tmux_keys k
wait_until 5 eval '[ "$(row_field "sleep 100" 7)" = T ]' || fail "STAT did not become T:
$(screen)"
grep -q '^State:.*T' "/proc/$sl/status" || fail "the sleep is not stopped in /proc"
tmux_keys s
tmux_keys 1 8 Enter
wait_screen 5 'SIGCONT'
tmux_keys k
wait_until 5 eval '[ "$(row_field "sleep 100" 7)" = S ]' || fail "STAT did not go back to S"
quit_and_check_gone "$job" "$sl"
say "ok: SIGSTOP and SIGCONT from the menu"

# 8. --subreaper: the orphan is adopted by orphanage, and reaped with its status logged.
launch --subreaper -d 0.2 -- sh -c "'sleep 300 & sleep 600'"
wait_until 10 eval '[ "$(table_rows | grep -c sleep)" -ge 2 ]' || fail "the sleeps never showed"
job=$(table_rows | head -1 | awk '{print $2}')
s300=$(row_field '─ sleep 300' 2)
s600=$(row_field '─ sleep 600' 2)
track "$job" "$s300" "$s600"
orph=$(orphanage_pid)
tmux_keys k
wait_screen 5 "orphaned: parent $job died, now child of $orph"
[ "$(row_field '] sleep 300' 1)" = "$orph" ] || fail "the adopted orphan's PPID is not orphanage"
kill -KILL "$s300"
wait_screen 5 "$s300 (sleep) killed by SIGKILL"
wait_until 3 eval '! [ -e /proc/'"$s300"' ]' || fail "orphanage left the adopted $s300 a zombie"
quit_and_check_gone "$s600"
say "ok: --subreaper adopts and reaps"

# 9. -p attaches; q leaves the tree alive.
setsid sh -c 'sleep 300 & sleep 301' </dev/null >/dev/null 2>&1 &
att=$!
disown "$att"
wait_until 5 eval '[ -n "$(pgrep -P '"$att"')" ]' || fail "the attach target did not start"
kids=$(pgrep -P "$att")
track "$att" $kids
launch -p "$att" -d 0.2
wait_until 10 eval '[ "$(table_rows | grep -c sleep)" -ge 2 ]' || fail "-p did not show the children"
tmux_keys q
wait_until 10 tmux_exited || fail "orphanage did not quit"
for p in "$att" $kids; do alive "$p" || fail "-p quit killed $p"; done
kill -KILL "$att" $kids
say "ok: -p leaves the tree alive"
exit 0
