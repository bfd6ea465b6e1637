#!/bin/bash
# Attached safely, and never waiting, in a real terminal: with -p a lone Ctrl+C sends
# nothing and says what a second would send, counting the whole group from /proc; q leaves
# the attached processes alive; a second Ctrl+C within 2 s sends it; a group kill counts
# every process it reached; the key bar offers no r, c or z with -p; no false "orphaned"
# for the group of an attached worker; and a tree kill of a family that lives on does not
# hold up the keys. Checked against /proc.
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"
[ -n "$PYTHON" ] || skip "python3 is not installed (it makes the process group)"

JOB_ROW=':[0-9][0-9] . '
S="" L="" W="" W2=""	# set by make_group

# A session S (python) with a process group of its own, led by L (sleep 301), whose two
# children W (sleep 300) and W2 (sleep 302) work in it. L's parent S is in another group of
# the same session, so the group is not orphaned (POSIX), though W's parent is in it.
make_group() {
	setsid "$PYTHON" -c '
import os, signal
signal.signal(signal.SIGINT, signal.SIG_DFL)
if os.fork() == 0:
    os.setpgid(0, 0)
    for n in ("300", "302"):
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", n])
    os.execvp("sleep", ["sleep", "301"])
os.wait()
' </dev/null >/dev/null 2>&1 &
	S=$!
	disown "$S"
	track "$S"
	leader() { L=$(pgrep -P "$S" -x sleep | head -1) && [ -n "$L" ] && [ "$(pgrep -P "$L" -x sleep | wc -l)" = 2 ]; }
	wait_until 15 leader || { track $(pgrep -P "$S"); fail "the group's leader and workers did not start"; }
	track "$L"
	W=$(pgrep -P "$L" -f '^sleep 300$')
	W2=$(pgrep -P "$L" -f '^sleep 302$')
	track "$W" "$W2"
	[ -n "$W" ] && [ -n "$W2" ] || fail "the workers were not found under $L"
	[ "$(awk '{print $5}' "/proc/$W/stat")" = "$L" ] || fail "$W is not in group $L"
}

# The group dies of the key (else fail with WHY); orphanage quits, and S goes too.
group_gone_then_quit() {
	wait_quick 15 gone "$W" "$W2" "$L" || fail "$1"
	tmux_quit_ok 10
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
	kill_ours KILL "$S"
}

# 1. -p on a worker: a lone Ctrl+C sends nothing, and says what a second would: SIGINT to
#    group L, 3 processes, 2 of them outside the watched family. No false orphaned group.
#    The key bar offers no r (nothing to relaunch) and no c or z (no cgroup with -p). q
#    leaves everything alive.
make_group
tmux_launch -p "$W" -d 0.2
wait_screen 10 "${JOB_ROW}sleep 300"
keybar=$(screen | grep 'q quit')
[ -n "$keybar" ] || fail "no key bar on screen:
$(screen)"
case $keybar in *"r relaunch"* | *"c cgroup"* | *"z freeze"*) fail "the key bar offers a key that does not work with -p: $keybar" ;; esac
case $keybar in *"k kill"*) ;; *) fail "the key bar lost the k key: $keybar" ;; esac
tmux_keys C-c
wait_screen 10 "Ctrl+C: nothing sent (-p); another within 2 s sends SIGINT to group $L: 3 processes, 2 outside the family"
alive "$W" && alive "$W2" && alive "$L" || fail "a lone Ctrl+C reached the attached group"
! screen_has "orphaned group $L" || fail "the header calls group $L orphaned, which its leader's parent prevents:
$(screen)"
! screen_has "process group $L orphaned" || fail "the log calls group $L orphaned:
$(screen)"
tmux_keys q
wait_quick 10 tmux_exited || fail "orphanage did not quit on q"
[ "$(cat "$TMUX_RC")" = 0 ] || fail "q exited with $(cat "$TMUX_RC")"
alive "$W" && alive "$W2" && alive "$L" && alive "$S" || fail "q with -p did not leave the attached group alive"
tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
say "ok: -p: a lone Ctrl+C sends nothing and says what a second would; q leaves them"

# 2. A second Ctrl+C within 2 s sends SIGINT to the group: all three die.
tmux_launch -p "$W" -d 0.2
wait_screen 10 "${JOB_ROW}sleep 300"
tmux_keys C-c
wait_screen 10 "Ctrl+C: nothing sent (-p)"
tmux_keys C-c
wait_screen 10 "SIGINT from the terminal routed to the job's group $L"
group_gone_then_quit "the second Ctrl+C left the group alive"
say "ok: -p: a second Ctrl+C within 2 s sends it"

# 3. A group kill counts every process it reached, watched or not.
make_group
tmux_launch -p "$W" -d 0.2
wait_screen 10 "${JOB_ROW}sleep 300"
tmux_keys g
wait_screen 10 "SIGKILL -> group $L: 3 processes, 2 outside the family"
group_gone_then_quit "g left the group alive"
say "ok: a group kill counts the 3 processes it reached"

# 4. A tree kill of a family that ignores the signal waits up to 0.3 s for it to die before
#    it says what it did: on the loop's timer. Twenty of them at once, then ?: the help
#    opens at once (a kill that waited inside the key would hold the keys for 6 s).
tmux_launch -s TERM -d 0.2 --grace 0.3 -- sh -c "'trap \"\" TERM; sleep 300 & sleep 301 & wait'"
wait_screen 10 "${JOB_ROW}sh -c trap"
await_row s300 10 "(─|-) sleep 300\$"
await_row s301 10 "(─|-) sleep 301\$"
started=$(($(date +%s%N) / 1000000))
tmux_keys t t t t t t t t t t t t t t t t t t t t '?'
wait_until 10 screen_has 'Any key closes this help' || fail "the help never opened after the tree kills"
took=$(($(date +%s%N) / 1000000 - started))
[ "$took" -lt 3000 ] || fail "the help took $took ms to open behind twenty tree kills"
tmux_keys '?'
wait_until 10 help_closed || fail "the help did not close"
wait_screen 10 "SIGTERM -> tree of"
alive "$s300" && alive "$s301" || fail "a SIGTERM the family ignores ended it"
job=$(row_field "${JOB_ROW}sh -c trap" 2)
track "$job"
tmux_quit "$job" "$s300" "$s301"
say "ok: tree kills of a stubborn family do not hold up the keys ($took ms)"

# 5. z freezes the family: a SIGTERM its shell catches waits, pending until it is thawed, and
#    its survivor line says so (not "catches it"); the sleep, at its defaults, dies of it
#    frozen or not. c kills the frozen family, and FROZEN goes with it.
tmux_launch -s TERM -d 0.2 -- sh -c "'trap \"echo term\" TERM; sleep 300 & wait'"
wait_screen 10 "${JOB_ROW}sh -c trap"
if screen_has 'tracking: cgroup'; then
	await_row s300 10 "(─|-) sleep 300\$"
	job=$(row_field "${JOB_ROW}sh -c trap" 2)
	track "$job"
	tmux_keys z
	wait_screen 10 '| FROZEN'
	tmux_keys g
	wait_screen 10 "$job (sh) survived SIGTERM: frozen (cgroup.freeze): it catches SIGTERM, which stays pending"
	! screen_has "$job (sh) survived SIGTERM: catches it" || fail "the frozen shell was said to catch SIGTERM and live on:
$(screen)"
	wait_quick 15 gone "$s300" || fail "the frozen sleep lived through a SIGTERM at its default action"
	alive "$job" || fail "the frozen shell ended of a SIGTERM it catches"
	tmux_keys c
	wait_screen 10 '(cgroup.kill): 1 process, all died'
	wait_quick 15 gone "$job" || fail "c left the frozen shell alive"
	not_frozen() { ! screen_has 'FROZEN'; }
	wait_until 10 not_frozen || fail "the header still says FROZEN with the family killed:
$(screen)"
	tmux_quit "$job" "$s300"
	say "ok: a frozen family's caught signal waits pending; c kills it and FROZEN goes"
else
	say "SKIP: FROZEN: no cgroup here"
	SKIPPED="$SKIPPED; FROZEN (no cgroup here)"
	tmux_quit
fi
exit 0
