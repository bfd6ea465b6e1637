#!/bin/bash
# The kill keys in a real terminal: the seed's three experiments and their variants,
# each one key, checked against /proc.
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"

# Rows are found by how their COMMAND ends (see row_field): the job's has no tree guide,
# the others follow one (└─ in the panes' UTF-8, `- in ASCII); the job's follows the TIME
# and the signal flag (I, B, C or blank); a row that shows only
# 'sleep 100' somewhere may be the job's own command line or a fork not yet exec'd.
JOB_ROW=':[0-9][0-9] . '
GUIDE='(─|-) '
job="" sl="" s300="" s600="" k300="" k301=""	# set by await_row

# execsleep_pids: the demo's job and its sleep 100 (as exec'd, not the fork before it).
execsleep_pids() {
	await_row job 10 "${JOB_ROW}execsleep\$"
	await_row sl 10 "${GUIDE}sleep 100\$"
}

# The sections run at once in four parts (tests/lib.sh part_start), each launching its
# orphanages on tmux servers of their own.

kill_keys() {
	# 1. With no arguments, the default demo and its hint; naive kill (k) of execsleep: the
	#    sleep is orphaned, stays on screen with its new parent, and q cleans it up.
	tmux_launch
	wait_screen 10 'k: naive kill (orphans the sleep)'
	execsleep_pids
	tmux_keys k
	wait_screen 15 '\[orphan\] sleep 100'
	wait_quick 15 gone "$job" || fail "k did not kill $job"
	alive "$sl" || fail "the naive kill killed the sleep too"
	[ "$(row_field "${GUIDE}\\[orphan\\] sleep 100\$" 1)" = "$(awk '{print $4}' /proc/"$sl"/stat)" ] ||
		fail "the orphan's PPID on screen is not its real parent"
	wait_screen 15 "$sl orphaned: parent $job died"
	tmux_quit "$sl"
	say "ok: naive kill orphans the sleep; q cleans it up"

	# 2. Group kill (g): nothing left, orphanage stays.
	tmux_launch --demo execsleep -d 0.2
	execsleep_pids
	tmux_keys g
	wait_screen 15 "SIGKILL -> group $job: 2 processes"
	wait_quick 15 gone "$job" "$sl" || fail "g left something alive"
	wait_screen 15 "$job (execsleep) killed by SIGKILL"
	{ tmux_answers && ! tmux_exited; } || fail "orphanage ended after a group kill"
	# (PID 1 may take a moment to reap: an orphan zombie is dead, not left over.)
	[ -z "$(table_rows | grep '\[orphan\]' | awk '$7 != "Z"')" ] || fail "a group kill left a live orphan on screen:
	$(screen)"
	# r relaunches the job once its family is gone.
	tmux_keys r
	new_job() { row=$(row_field "${JOB_ROW}execsleep\$" 2) && [ -n "$row" ] && [ "$row" != "$job" ]; }
	wait_until 10 new_job || fail "r did not relaunch the job:
	$(screen)"
	job1=$job sl1=$sl
	execsleep_pids
	[ "$job" != "$job1" ] || fail "r did not relaunch the job"
	tmux_quit "$job1" "$sl1" "$job" "$sl"
	say "ok: group kill leaves nothing, orphanage stays; r relaunches"

	# 3. Ctrl+C is routed to the job's group: nothing left, orphanage stays open.
	tmux_launch --demo execsleep -d 0.2
	execsleep_pids
	tmux_keys C-c
	wait_screen 15 'SIGINT from the terminal routed'
	wait_quick 15 gone "$job" "$sl" || fail "the routed Ctrl+C left something alive"
	wait_screen 15 "$job (execsleep) killed by SIGINT"
	{ tmux_answers && ! tmux_exited; } || fail "orphanage ended on Ctrl+C"
	tmux_quit "$job" "$sl"
	say "ok: Ctrl+C routed to the group"
}
part_start kill_keys

forwarding() {
	# 4. --no-forward: Ctrl+C reaches nobody, the job keeps running, an event says so.
	tmux_launch --demo execsleep -d 0.2 --no-forward
	execsleep_pids
	tmux_keys C-c
	wait_screen 15 'not routed'
	tmux_answers || fail "orphanage stopped answering after Ctrl+C with --no-forward"
	alive "$job" && alive "$sl" || fail "--no-forward: Ctrl+C reached the job"
	tmux_quit "$job" "$sl"
	say "ok: --no-forward"

	# 5. --same-group: g spares orphanage; Ctrl+C reaches the job once, from the terminal.
	tmux_launch --demo execsleep -d 0.2 --same-group
	execsleep_pids
	orph=$(orphanage_pid)
	track "$orph"
	[ -n "$orph" ] || fail "no orphanage process in the pane"
	# shellcheck disable=SC2317 # called through wait_until (a capture may fall mid-repaint)
	in_orphanage_group() { [ "$(row_field "${JOB_ROW}execsleep\$" 3)" = "$(awk '{print $5}' /proc/"$orph"/stat)" ]; }
	wait_until 5 in_orphanage_group || fail "--same-group: the job is not in orphanage's group"
	tmux_keys g
	wait_screen 15 'one by one'
	wait_quick 15 gone "$job" "$sl" || fail "g in --same-group left the job alive"
	alive "$orph" || fail "g in --same-group killed orphanage"
	tmux_keys q
	wait_quick 10 tmux_exited || fail "orphanage did not quit"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
	tmux_launch --demo execsleep -d 0.2 --same-group
	execsleep_pids
	tmux_keys C-c
	wait_screen 15 'not sent twice'
	wait_quick 15 gone "$job" "$sl" || fail "Ctrl+C in --same-group did not reach the job"
	wait_screen 15 'killed by SIGINT'
	tmux_quit "$job" "$sl"
	say "ok: --same-group"
}
part_start forwarding

escapes_and_signals() {
	# 6. A setsid child escapes g and is caught by t.
	tmux_launch --demo daemon -d 0.2
	await_row job 10 "${JOB_ROW}daemon\$"
	await_row sl 10 "${GUIDE}(\\[orphan\\] )?sleep 100\$"
	[ "$(row_field "${GUIDE}(\\[orphan\\] )?sleep 100\$" 4)" != "$(row_field "${JOB_ROW}daemon\$" 4)" ] ||
		fail "the daemon's sleep is not in another session"
	tmux_keys g
	wait_quick 15 gone "$job" || fail "g did not kill the job"
	wait_screen 15 "$job (daemon) killed by SIGKILL"
	tmux_answers || fail "orphanage stopped answering after the group kill"
	alive "$sl" || fail "the setsid sleep did not escape the group kill"
	# The job's row is now a dim ghost or gone; select the top row (the escaped branch) and tree-kill.
	tmux_keys Home
	tmux_keys t
	wait_screen 15 'tree of'
	wait_quick 15 gone "$sl" || fail "t did not reach the escaped sleep"
	tmux_quit "$sl"
	say "ok: setsid escapes g, t catches it"

	# 7. STOP then CONT from the signal menu, seen in STAT.
	tmux_launch --demo execsleep -d 0.2
	execsleep_pids
	tmux_keys Down
	tmux_keys s
	tmux_keys 1 9 Enter
	wait_screen 15 'SIGSTOP'
	tmux_keys k
	wait_until 15 eval '[ "$(row_field "${GUIDE}sleep 100\$" 7)" = T ]' || fail "STAT did not become T:
	$(screen)"
	grep -q '^State:.*T' "/proc/$sl/status" || fail "the sleep is not stopped in /proc"
	tmux_keys s
	tmux_keys 1 8 Enter
	wait_screen 15 'SIGCONT'
	tmux_keys k
	wait_until 15 eval '[ "$(row_field "${GUIDE}sleep 100\$" 7)" = S ]' || fail "STAT did not go back to S"
	tmux_quit "$job" "$sl"
	say "ok: SIGSTOP and SIGCONT from the menu"

	# 8. --subreaper: the orphan is adopted by orphanage, and reaped with its status logged.
	#    (The sh's own row also ends in 'sleep 600', and its forks show its command line
	#    until they exec: only rows after a tree guide are the sleeps.)
	tmux_launch --subreaper -d 0.2 -- sh -c "'sleep 300 & sleep 600'"
	await_row job 10 "${JOB_ROW}sh -c sleep 300 & sleep 600\$"
	await_row s300 10 "${GUIDE}sleep 300\$"
	await_row s600 10 "${GUIDE}sleep 600\$"
	orph=$(orphanage_pid)
	track "$orph"
	[ -n "$orph" ] || fail "no orphanage process in the pane"
	tmux_keys k
	wait_screen 15 "orphaned: parent $job died, now child of $orph"
	[ "$(row_field "${GUIDE}\\[orphan\\] sleep 300\$" 1)" = "$orph" ] || fail "the adopted orphan's PPID is not orphanage:
	$(screen)"
	kill_ours KILL "$s300" || fail "could not signal the adopted sleep $s300"
	wait_screen 15 "$s300 (sleep) killed by SIGKILL"
	wait_quick 15 eval '! [ -e /proc/'"$s300"' ]' || fail "orphanage left the adopted $s300 a zombie"
	tmux_quit "$s600"
	say "ok: --subreaper adopts and reaps"
}
part_start escapes_and_signals

attach_and_quit() {
	# 9. -p attaches; q leaves the tree alive.
	setsid sh -c 'sleep 300 & sleep 301' </dev/null >/dev/null 2>&1 &
	att=$!
	disown "$att"
	track "$att"
	two_kids() { [ "$(pgrep -P "$att" | wc -l)" = 2 ]; }
	wait_until 15 two_kids || { track $(pgrep -P "$att"); fail "the attach target did not start its two sleeps"; }
	kids=$(pgrep -P "$att")
	# shellcheck disable=SC2086 # pids, split on purpose
	track $kids
	tmux_launch -p "$att" -d 0.2
	await_row k300 10 "${GUIDE}sleep 300\$"
	await_row k301 10 "${GUIDE}sleep 301\$"
	tmux_keys q
	wait_quick 10 tmux_exited || fail "orphanage did not quit"
	for p in "$k300" "$k301"; do
		printf '%s\n' "$kids" | grep -qx "$p" || fail "-p showed $p as a sleep, not one of $att's children ($kids)"
	done
	for p in "$att" $kids; do alive "$p" || fail "-p quit killed $p"; done
	# shellcheck disable=SC2086 # pids, split on purpose
	kill_ours KILL "$att" $kids
	say "ok: -p leaves the tree alive"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null

	# 10. Ctrl+\ (SIGQUIT) quits like q: status 0, the terminal given back, nothing left.
	tmux_launch --demo execsleep -d 0.2
	execsleep_pids
	tmux_keys 'C-\'
	wait_quick 10 tmux_exited || fail "orphanage did not quit on Ctrl+\\:
	$(screen)"
	[ "$(cat "$TMUX_RC")" = 0 ] || fail "Ctrl+\\ exited with $(cat "$TMUX_RC")"
	wait_quick 15 gone "$job" "$sl" || fail "Ctrl+\\ left $job $sl alive"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
	say "ok: Ctrl+\\ quits cleanly"

	# 11. A terminal orphanage cannot use: exit 1 with one line, and the job never launched.
	tmux_start env TERM=no-such-terminal-type "$ORPHANAGE" -- sh -c "'touch $TMPD/launched'" 2>"$TMPD/term.err"
	wait_quick 10 tmux_exited || fail "orphanage did not give up on an unknown terminal type"
	[ "$(cat "$TMUX_RC")" = 1 ] || fail "an unknown terminal type exited with $(cat "$TMUX_RC")"
	[ ! -e "$TMPD/launched" ] || fail "the job was launched although the terminal was unusable"
	say "ok: an unusable terminal launches nothing"
}
part_start attach_and_quit

parts_wait
exit 0
