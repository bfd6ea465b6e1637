#!/bin/bash
# The live view at 80x24: the key bar keeps ? help and q quit; Left and Right scroll the
# table sideways (header included) so a long command can be read to its end; w adds and
# removes %CPU and RSS; the detail pane fills the rows the table does not need.
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"

MARK=TAIL$$END
long=$(printf 'a%.0s' $(seq 150))
# tmux_start joins the words into a shell command: the job's script is quoted once more.
TMUX_SIZE=80x24 tmux_launch -- sh -c "'sleep 300; : $long $MARK'"
await_row job 10 ' sh -c sleep 300; : a+$'
await_row kid 10 '─ sleep 300$'

# Press KEY until PATTERN shows, then wait for SHOWN: three presses a round (the table
# stops scrolling at either end, so the last round may press past it), 15 rounds at most,
# a moment apart.
press_until() {
	for _ in $(seq 15); do
		screen_has "$1" && break
		tmux_keys "$2" "$2" "$2"
		nap 0.1
	done
	wait_screen 5 "$3"
}

# 1. The key bar, the third line, fits and keeps help and quit.
bar=$(screen | sed -n 3p)
case $bar in *'? help'*'q quit'*) ;; *) fail "the key bar at 80 columns lost ? help or q quit: '$bar'" ;; esac
say "ok: the key bar at 80x24: $bar"

# 2. Right until the command's tail shows; the header scrolled with it; Left back.
screen_has "$MARK" && fail "the tail is on screen before any scroll:
$(screen)"
press_until "$MARK" Right "a $MARK"
screen_has ' PPID  *PID  *PGID' && fail "the header did not scroll with the rows:
$(screen)"
press_until ' PPID  *PID  *PGID' Left '^ PPID  *PID  *PGID'
screen_has "$MARK" && fail "Left did not scroll back:
$(screen)"
say "ok: Right shows the command's end, Left brings the columns back"

# 3. w: %CPU and RSS before COMMAND, and gone again.
tmux_keys w
wait_screen 10 'TIME  *%CPU  *RSS  *COMMAN'
tmux_keys w
wait_screen 10 'UID  *TIME  *COMMAND'
say "ok: w"

# 4. The detail pane: its lines fill the screen down to the event log, none blank, and it
# shows at least 13 lines (the table needs two rows).
tmux_keys Enter
wait_screen 10 'Esc closes'
pane=$(screen | awk '/Esc closes/ {p = 1; next} /^── events|^-- events/ {p = 0} p')
shown=$(printf '%s\n' "$pane" | grep -c .)
blank=$(printf '%s\n' "$pane" | grep -c '^ *$')
[ "$blank" = 0 ] || fail "the detail pane has $blank blank rows:
$(screen)"
[ "$shown" -ge 13 ] || fail "the detail pane shows $shown lines at 80x24:
$(screen)"
title=$(screen | grep 'Esc closes')
case $title in *' of '*) ;; *) [ "$shown" -ge 13 ] || fail "the pane is cut with no range in its title" ;; esac
say "ok: the detail pane shows $shown lines: $title"
tmux_keys Escape
tmux_quit "$job" "$kid"
exit 0
