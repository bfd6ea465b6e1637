#!/bin/bash
# The terminal orphanage shares with its job: a job that takes the terminal's foreground,
# orphanage stopped and continued, a job that writes to or reads the terminal. Each is a
# terminal of its own: they run at once (tests/lib.sh part_start).
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"
command -v perl >/dev/null || skip "perl is not installed"
job="" reader=""	# set by await_row

# quit_with_q WHEN [COMMAND...]: q quits with status 0; COMMAND runs before the pane goes.
quit_with_q() {
	local when=$1
	shift
	tmux_keys q
	wait_quick 10 tmux_exited || fail "$when: orphanage did not quit on q (no Enter):
$(screen)"
	[ "$(cat "$TMUX_RC")" = 0 ] || fail "$when: q exited with status $(cat "$TMUX_RC")"
	[ $# -eq 0 ] || "$@"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
}
# CPU seconds (user + system, in clock ticks) pid has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# shellcheck disable=SC2317 # called through wait_until
is_stopped() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	case ${stat##*) } in T*) return 0 ;; *) return 1 ;; esac
}
# release FIFO: the job, blocked reading FIFO (no process spawned while it waits, so no
# event pushes the ones the test looks for off the log), goes on.
# shellcheck disable=SC2016 # expanded by the inner shell
release() { timeout 10 sh -c 'echo >"$1"' sh "$1" || fail "the job never waited on $1"; }
# The orphanage a shell in the pane runs as its job: the pane's shell's bash's child.
shell_job() {
	local pane sh
	pane=$(tmux -L "$TMUX_SOCKET" list-panes -F '#{pane_pid}' 2>/dev/null | head -1)
	[ -n "$pane" ] || return 1
	sh=$(pgrep -P "$pane" -x bash | head -1)
	[ -n "$sh" ] && pgrep -P "$sh" -x orphanage | head -1
}
# Is TOSTOP set on terminal $1?
tostop() { stty -F "$1" -a | grep -qE '(^| )tostop( |;|$)'; }
# shellcheck disable=SC2317 # called through wait_until
not_stopped() { alive "$1" && ! is_stopped "$1"; }

# 1. A job that ignores SIGTTOU makes its own group the terminal's foreground: orphanage
#    takes it back, says who took it, stays quiet (no spinning on EIO) and answers q.
write_file "$TMPD/take.pl" <<'PL'
use POSIX;
$SIG{TTOU} = "IGNORE";
open(my $t, "+<", "/dev/tty") or die "/dev/tty: $!";
select(undef, undef, undef, 0.05) until -e $ARGV[0];
POSIX::tcsetpgrp(fileno($t), getpgrp()) or die "tcsetpgrp: $!";
open(my $f, ">", $ARGV[1]) and close($f);
sleep 100;
PL
foreground_taken() {
	local orph before used hz
	tmux_start "$ORPHANAGE" -d 0.5 -- perl "'$TMPD/take.pl'" "'$TMPD/go'" "'$TMPD/took'"
	wait_screen 10 'PPID *PID *PGID'
	orph=$(orphanage_pid)
	[ -n "$orph" ] || fail "no orphanage process in the pane"
	track "$orph"
	touch "$TMPD/go"
	wait_quick 10 test -e "$TMPD/took" || fail "the job did not take the terminal's foreground:
	$(screen)"
	# A key waiting to be read: the read that fails with EIO while another group holds the
	# foreground would keep poll() reporting it.
	tmux_keys x
	before=$(cpu_ticks "$orph")
	sleep 1	# the window measured: a loop on EIO would use all of it
	used=$(($(cpu_ticks "$orph") - before))
	hz=$(getconf CLK_TCK)
	[ $((used * 20)) -lt $((hz * 3)) ] || fail "orphanage used $used/$hz s of CPU in 1 s after the job took the terminal"
	wait_screen 10 "[0-9]* (perl) took the terminal's foreground: taken back"
	quit_with_q "after the job took the terminal"
	say "ok: the terminal's foreground taken back from the job"
}
part_start foreground_taken

# 2. Stopped from outside (SIGSTOP) while a shell puts the terminal back in line mode and
#    prints on it, then continued (SIGCONT): the view's modes and screen come back, so q
#    quits without Enter and the shell's text is gone. TOSTOP is on while the view is up,
#    back on after the stop, and off again once orphanage has quit.
stopped_continued() {
	local orph tty
	tmux_start "$ORPHANAGE" -d 0.5 -- sleep 100
	wait_screen 10 'PPID *PID *PGID'
	orph=$(orphanage_pid)
	[ -n "$orph" ] || fail "no orphanage process in the pane"
	track "$orph"
	tty=$(tmux -L "$TMUX_SOCKET" display -p '#{pane_tty}')
	[ -c "$tty" ] || fail "no pane terminal ($tty)"
	tostop "$tty" || fail "TOSTOP is not set while the view is up"
	kill_ours STOP "$orph"
	wait_quick 10 is_stopped "$orph" || fail "orphanage did not stop on SIGSTOP"
	# What a job-control shell does when its job stops: its own modes, its prompt.
	stty -F "$tty" sane || fail "stty on $tty failed"
	printf '\r\nSHELL-PROMPT-TEXT$ ' >"$tty"
	wait_screen 10 'SHELL-PROMPT-TEXT'
	kill_ours CONT "$orph"
	wait_quick 10 not_stopped "$orph" || fail "orphanage did not continue on SIGCONT"
	wait_until 10 eval '! screen_has SHELL-PROMPT-TEXT' || fail "the view was not repainted after SIGCONT:
	$(screen)"
	tostop "$tty" || fail "TOSTOP was not set again after SIGCONT"
	# shellcheck disable=SC2317 # called by quit_with_q
	tostop_off() { ! tostop "$tty" || fail "TOSTOP is still set after orphanage quit"; }
	quit_with_q "after SIGSTOP and SIGCONT" tostop_off
	say "ok: stopped and continued, the view's modes come back"
}
part_start stopped_continued

# 2b. The same under a job-control shell, as a person meets it: bash puts its own modes
#    back when its job stops; after its fg, q quits without Enter. Ctrl+Z and fg put the
#    terminal's TOSTOP off while bash has the terminal, and on again.
under_bash() {
	local orph tty
	tmux_start env PS1=SHELL-PROMPT: bash --norc --noprofile -i
	wait_screen 10 'SHELL-PROMPT:'
	tty=$(tmux -L "$TMUX_SOCKET" display -p '#{pane_tty}')
	tmux_keys "$ORPHANAGE -d 0.5 sleep 100" Enter
	wait_screen 10 'PPID *PID *PGID'
	orph=$(shell_job)
	[ -n "$orph" ] || fail "bash: no orphanage process under the pane's bash"
	track "$orph"
	kill_ours STOP "$orph"
	wait_screen 10 'Stopped'
	tmux_keys fg Enter
	wait_quick 10 not_stopped "$orph" || fail "bash: fg did not continue orphanage"
	wait_screen 10 'PPID *PID *PGID'
	tostop "$tty" || fail "bash: TOSTOP is not set after fg"
	tmux_keys C-z
	wait_quick 10 is_stopped "$orph" || fail "bash: Ctrl+Z did not stop orphanage"
	wait_screen 10 'Stopped'
	! tostop "$tty" || fail "bash: TOSTOP stayed set while orphanage was stopped by Ctrl+Z"
	tmux_keys fg Enter
	wait_quick 10 not_stopped "$orph" || fail "bash: fg did not continue orphanage"
	wait_screen 10 'PPID *PID *PGID'
	tostop "$tty" || fail "bash: TOSTOP is not set again after Ctrl+Z and fg"
	tmux_keys q
	wait_quick 10 gone "$orph" || fail "bash: after SIGSTOP and fg, q did not quit (no Enter):
	$(screen)"
	! tostop "$tty" || fail "bash: TOSTOP is still set after orphanage quit"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
	say "ok: stopped and continued under bash; Ctrl+Z and fg"
}
needs bash "stopped and continued under bash" && part_start under_bash

# 3. A job whose members read and write the terminal: the reader (in a group of its own)
#    is stopped by SIGTTIN, the writer by SIGTTOU (TOSTOP) and its text never reaches the
#    screen; the events say which and why; Ctrl+C reaches the stopped job, with SIGCONT.
# The reader is perl: a shell's background job would ignore SIGINT.
write_file "$TMPD/rw.sh" <<'SH'
read -r _ <"$1"
perl -e 'setpgrp(0, 0); $SIG{INT} = "DEFAULT"; open(my $t, "<", "/dev/tty") or die; sysread($t, my $c, 1)' &
read -r _ <"$2"
printf 'STRAY-TEXT-FROM-THE-JOB\n' >/dev/tty
sleep 100
SH
mkfifo "$TMPD/read" "$TMPD/write" || fail "mkfifo failed"
read_write() {
	tmux_start "$ORPHANAGE" -d 0.3 -- sh "'$TMPD/rw.sh'" "'$TMPD/read'" "'$TMPD/write'"
	wait_screen 10 'PPID *PID *PGID'
	await_row job 10 ':[0-9][0-9] . sh .*rw.sh'
	release "$TMPD/read"
	await_row reader 10 '(─|-) perl -e '
	wait_screen 15 "$reader (perl) stopped by SIGTTIN: it read the terminal (its standard input is /dev/null)"
	release "$TMPD/write"
	wait_screen 15 "$job (sh) stopped by SIGTTOU: it wrote to the terminal"
	! screen_has 'STRAY-TEXT' || fail "the job's write to the terminal reached the screen:
	$(screen)"
	if ! is_stopped "$job" || ! is_stopped "$reader"; then
		fail "the writer and the reader are not both stopped"
	fi
	# Ctrl+C: SIGINT to the job's group, then SIGCONT, so the stopped job acts on it. (The
	# reader goes first: its group, orphaned with the job, would fill the log at once.)
	kill_ours KILL "$reader"
	wait_quick 10 gone "$reader" || fail "the reader $reader outlived SIGKILL"
	tmux_keys C-c
	wait_screen 10 "SIGINT from the terminal routed to the job's group $job, then SIGCONT: 1 of its processes was stopped"
	wait_quick 10 gone "$job" || fail "Ctrl+C did not end the stopped job:
	$(screen)"
	! screen_has 'STRAY-TEXT' || fail "the job's write reached the screen once it was continued:
	$(screen)"
	quit_with_q "after the job wrote to the terminal"
	say "ok: a job writing to or reading the terminal is stopped, and the log says why"
}
part_start read_write

# 4. --same-group: the job is in the foreground group, so its write goes through; the view
#    says it repaints, and does: the text is gone at the next refresh.
write_file "$TMPD/w.sh" <<'SH'
read -r _ <"$1"
printf 'STRAY-SAME-GROUP\n' >/dev/tty
sleep 100
SH
mkfifo "$TMPD/go4" || fail "mkfifo failed"
same_group() {
	tmux_start "$ORPHANAGE" -d 0.3 --same-group -- sh "'$TMPD/w.sh'" "'$TMPD/go4'"
	wait_screen 10 'same group: the job.s writes to the terminal cannot be stopped'
	await_row job 10 ':[0-9][0-9] . sh .*w.sh'
	release "$TMPD/go4"
	# The write happened (the job went on to its sleep); the repaint follows within a refresh.
	wait_until 10 has_row '(─|-) sleep 100$' || fail "--same-group: the job never went on to its sleep:
	$(screen)"
	wait_until 10 eval '! screen_has STRAY-SAME-GROUP' || fail "--same-group: the job's write stayed on the view:
	$(screen)"
	quit_with_q "--same-group"
	say "ok: --same-group repaints over the job's writes"
}
part_start same_group
parts_wait
exit 0
