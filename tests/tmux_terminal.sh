#!/bin/bash
# The terminal orphanage shares with its job: a job that takes the terminal's foreground,
# orphanage stopped and continued.
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"
command -v perl >/dev/null || skip "perl is not installed"

# quit_with_q WHEN [COMMAND...]: q quits with status 0; COMMAND runs before the pane goes.
quit_with_q() {
	local when=$1
	shift
	tmux_keys q
	wait_until 10 tmux_exited || fail "$when: orphanage did not quit on q (no Enter):
$(screen)"
	[ "$(cat "$TMPD/tmux.rc")" = 0 ] || fail "$when: q exited with status $(cat "$TMPD/tmux.rc")"
	[ $# -eq 0 ] || "$@"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
}
# CPU seconds (user + system, in clock ticks) pid has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# shellcheck disable=SC2317 # called through wait_until
is_stopped() { grep -q '^State:[[:space:]]*T' "/proc/$1/status" 2>/dev/null; }
# shellcheck disable=SC2317 # called through wait_until
not_stopped() { alive "$1" && ! is_stopped "$1"; }

# 1. A job that ignores SIGTTOU makes its own group the terminal's foreground: orphanage
#    takes it back, says who took it, stays quiet (no spinning on EIO) and answers q.
cat >"$TMPD/take.pl" <<'PL'
use POSIX;
$SIG{TTOU} = "IGNORE";
open(my $t, "+<", "/dev/tty") or die "/dev/tty: $!";
select(undef, undef, undef, 0.05) until -e $ARGV[0];
POSIX::tcsetpgrp(fileno($t), getpgrp()) or die "tcsetpgrp: $!";
open(my $f, ">", $ARGV[1]) and close($f);
sleep 100;
PL
tmux_start "$ORPHANAGE" -d 0.5 -- perl "'$TMPD/take.pl'" "'$TMPD/go'" "'$TMPD/took'"
wait_screen 10 'PPID *PID *PGID'
orph=$(orphanage_pid)
[ -n "$orph" ] || fail "no orphanage process in the pane"
track "$orph"
touch "$TMPD/go"
wait_until 10 test -e "$TMPD/took" || fail "the job did not take the terminal's foreground:
$(screen)"
# A key waiting to be read: the read that fails with EIO while another group holds the
# foreground would keep poll() reporting it.
tmux_keys x
before=$(cpu_ticks "$orph")
sleep 2
used=$(($(cpu_ticks "$orph") - before))
hz=$(getconf CLK_TCK)
[ $((used * 10)) -lt $((hz * 3)) ] || fail "orphanage used $used/$hz s of CPU in 2 s after the job took the terminal"
wait_screen 10 "[0-9]* (perl) took the terminal's foreground: taken back"
quit_with_q "after the job took the terminal"
say "ok: the terminal's foreground taken back from the job"

# 2. Stopped from outside (SIGSTOP) while a shell puts the terminal back in line mode and
#    prints on it, then continued (SIGCONT): the view's modes and screen come back, so q
#    quits without Enter and the shell's text is gone.
tmux_start "$ORPHANAGE" -d 0.5 -- sleep 100
wait_screen 10 'PPID *PID *PGID'
orph=$(orphanage_pid)
[ -n "$orph" ] || fail "no orphanage process in the pane"
track "$orph"
tty=$(tmux -L "$TMUX_SOCKET" display -p '#{pane_tty}')
[ -c "$tty" ] || fail "no pane terminal ($tty)"
kill_ours STOP "$orph"
wait_until 10 is_stopped "$orph" || fail "orphanage did not stop on SIGSTOP"
# What a job-control shell does when its job stops: its own modes, its prompt.
stty -F "$tty" sane || fail "stty on $tty failed"
printf '\r\nSHELL-PROMPT-TEXT$ ' >"$tty"
wait_screen 10 'SHELL-PROMPT-TEXT'
kill_ours CONT "$orph"
wait_until 10 not_stopped "$orph" || fail "orphanage did not continue on SIGCONT"
wait_until 10 eval '! screen_has SHELL-PROMPT-TEXT' || fail "the view was not repainted after SIGCONT:
$(screen)"
quit_with_q "after SIGSTOP and SIGCONT"
say "ok: stopped and continued, the view's modes come back"

exit 0
