#!/bin/bash
# --tty in the live view: the output pane is the job's terminal's screen (its colours reach
# the real terminal), the table shows that terminal and its foreground group, Ctrl+] gives
# the keyboard to the job (typed text reaches its read) and takes it back, the pane's size
# reaches the job (SIGWINCH, stty size), a Ctrl+C typed there ends the foreground group and
# misses a child in its own group, which is shown orphaned with why, a job that exits
# leaves its last screen, and quitting closes
# the terminal: the job gets SIGHUP before --on-exit.
# The bash -c scripts below are single-quoted on purpose: they expand in the job.
# shellcheck disable=SC2016
. "${srcdir:-.}/tests/lib.sh"

# 1-4. One job: a red word, a read echoed back, then stty size at every SIGWINCH.
write_file "$TMPD/job.sh" <<'SH'
printf '\033[31mREDWORD\033[0m plain\n'
trap 'echo "size: $(stty size)"' WINCH
read -r line
echo "got: $line"
while :; do sleep 0.1; done
SH
tmux_launch -d 0.2 --tty -- bash "$TMPD/job.sh"
wait_screen 10 'REDWORD plain'
tmux -L "$TMUX_SOCKET" capture-pane -p -e | grep -q $'\033\[31mREDWORD' ||
	fail "the red word reached the screen without its colour:
$(tmux -L "$TMUX_SOCKET" capture-pane -p -e | grep REDWORD | od -c | head -5)"
say "ok: colours reach the pane"

await_row job 10 ':[0-9][0-9] . bash '
track "$job"
row=$(table_rows | awk -v p="$job" '$2 == p')
tty=$(awk '{print $5}' <<<"$row")
tpgid=$(awk '{print $6}' <<<"$row")
[ "$tpgid" = "$job" ] && [[ $tty == pts/* ]] || fail "the job's row shows TTY $tty TPGID $tpgid, not its terminal and $job:
$(screen)"
# The kernel's word for it: the job's terminal's foreground group is the job's.
[ "$(cut -d' ' -f8 "/proc/$job/stat")" = "$job" ] || fail "/proc says the job is not its terminal's foreground group"
say "ok: the table shows the job's terminal and its foreground group"

tmux_keys 'C-]'
wait_screen 10 "keys go to the job's terminal"
tmux_keys 'typed words' Enter
wait_screen 10 'got: typed words'
say "ok: typed text reaches the job through Ctrl+]"

tmux -L "$TMUX_SOCKET" resize-window -x 100 -y 30
wait_until 10 screen_has 'size: [0-9]* 100$' || fail "the job did not learn the new width (stty size):
$(screen)"
say "ok: the pane's size reaches the job"

# Ctrl+] again: keys are orphanage's (? opens its help), then q quits.
tmux_keys 'C-]'
wait_screen 10 'keys go to orphanage'
tmux_answers || fail "orphanage did not take the keys back after Ctrl+]:
$(screen)"
tmux_quit "$job"

# 5. The seed's third experiment on the job's terminal: Ctrl+C ends the job (the foreground
#    group) and misses the sleep in its own group, shown orphaned with the reason.
tmux_launch -d 0.2 --tty --demo ttyintr
await_row sleeper 10 '─ sleep 100$'
await_row demo 10 ':[0-9][0-9] . ttyintr$'
tmux_keys 'C-]'
wait_screen 10 "keys go to the job's terminal"
tmux_keys 'C-c'
wait_quick 10 gone "$demo" || fail "Ctrl+C on the job's terminal did not end the job:
$(screen)"
alive "$sleeper" || fail "the sleep in its own group died too"
wait_screen 10 '\[orphan\] sleep 100'
wait_screen 10 "survived SIGINT: not reached: not in the terminal's foreground group $demo"
say "ok: Ctrl+C typed on the job's terminal misses the child in its own group, named with why"
tmux_keys 'C-]'
wait_screen 10 'keys go to orphanage'
tmux_quit "$sleeper"

# 6. A job that exits leaves its last screen in the pane.
write_file "$TMPD/last.sh" <<'SH'
printf '\033[2J\033[5;3Hlast screen line\n'
exit 0
SH
tmux_launch -d 0.2 --tty -- bash "$TMPD/last.sh"
wait_screen 10 'exited 0  \$ bash'
screen | grep -q '^  last screen line' || fail "the job's last screen is gone once it exited:
$(screen)"
say "ok: a job that exits leaves its last screen"
tmux_quit_ok 10
tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null

# 7. Quitting closes the terminal: the job's session gets SIGHUP, even with --on-exit leave.
write_file "$TMPD/hup.sh" <<'SH'
trap 'echo hangup >"$1"; exit 0' HUP
echo ready
while :; do sleep 0.1; done
SH
tmux_launch -d 0.2 --tty --on-exit leave -- bash "$TMPD/hup.sh" "$TMPD/hup"
await_row hupjob 10 ':[0-9][0-9] . bash '
wait_screen 10 '^ready'
tmux_quit "$hupjob"
[ "$(cat "$TMPD/hup" 2>/dev/null)" = hangup ] || fail "quitting did not hang the job's terminal up (no SIGHUP)"
say "ok: quitting closes the job's terminal: SIGHUP"
exit 0
