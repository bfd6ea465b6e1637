#!/bin/bash
# The inspector in a real terminal: search (/) then k kills exactly the process found; the
# detail pane (Enter) shows a pipeline's working directory and the pid at the other end of
# its pipe, and says when its process exits; a click selects a row; after a kill, each
# survivor is named with why (it ignores the signal; it escaped to another session).
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"

GUIDE='(─|-) '
job="" s1="" s2="" s3="" sl="" ct="" esc="" blk=""	# set by await_row

# The title of the detail pane names the process it shows.
pane_title_has() { screen | grep -q -- "^──* $1 "; }

# 1. Search: / and a command's text, Enter, then k kills that process and no other.
tmux_launch -d 0.3 -- sh -c "'sleep 1001 & sleep 1002 & sleep 1003 & wait'"
await_row s1 10 "${GUIDE}sleep 1001\$"
await_row s2 10 "${GUIDE}sleep 1002\$"
await_row s3 10 "${GUIDE}sleep 1003\$"
job=$(row_field ':[0-9][0-9] . sh -c' 2)
track "$job"
tmux_keys /
wait_screen 10 'Enter finds (PID or COMMAND), Esc cancels'
tmux_keys -l 'no such text'
tmux_keys Enter
wait_screen 10 'search: no row has "no such text"'
tmux_keys /
tmux_keys -l 'sleep 1002'
tmux_keys Enter
tmux_keys k
wait_quick 10 gone "$s2" || fail "/ then k did not kill sleep 1002 ($s2):
$(screen)"
{ alive "$s1" && alive "$s3" && alive "$job"; } || fail "/ then k killed more than $s2"
wait_screen 10 "SIGKILL -> pid $s2 (naive)"
# n finds the next match: from the job's row, sleep 1001 first, then (1002 is gone) 1003.
tmux_keys Home
tmux_keys /
tmux_keys -l 'sleep 100'
tmux_keys Enter
tmux_keys n
tmux_keys Enter
wait_until 10 pane_title_has "$s3 (sleep)" || fail "/ then n did not select $s3:
$(screen)"
# The pane's process exits: the pane says so, and k does not fall on the row that took its
# place in the selection.
kill_ours KILL "$s3" || fail "could not kill $s3"
wait_screen 10 "$s3: the process has exited"
tmux_keys k
wait_screen 10 "the detail pane's process $s3 is not the selected one"
{ alive "$s1" && alive "$job"; } || fail "k with the pane on an exited process killed another one"
tmux_keys Escape
say "ok: / selects the process found, k kills only it; the pane keeps to its process"

# 2. A group kill with SIGINT: the background sleeps ignore it (a shell's & does that), and
#    each is named with the reason once the shell has died of it.
tmux_keys Home
tmux_keys s
wait_screen 10 'Enter picks, Esc cancels'
tmux_keys 2 Enter
wait_screen 10 'the kill keys now send SIGINT'
tmux_keys g
wait_screen 10 "$s1 (sleep) survived SIGINT: ignores it"
wait_quick 10 gone "$job" || fail "the shell did not die of SIGINT"
alive "$s1" || fail "a sleep that ignores SIGINT died of it"
tmux_quit "$s1" "$s3"
say "ok: the survivors of a group SIGINT named: they ignore it"

# 3. A pipeline started in a directory of its own. First a click on a row selects it (the
#    terminal's mouse report, as tmux passes it on); then the detail pane on the pipeline's
#    first process: its working directory and the pipe to cat, with cat's pid; then it
#    says when its process exits.
WORK=$TMPD/work-dir
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd -P)
tmux_launch -d 0.3 -- sh -c "'cd $WORK && sleep 1000 | cat'" "inspect-$$"
await_row sl 10 "${GUIDE}sleep 1000\$"
await_row ct 10 "${GUIDE}cat\$"
line=$(screen | grep -n -E "${GUIDE}cat\$" | head -1 | cut -d: -f1)
[ -n "$line" ] || fail "no row for cat to click on:
$(screen)"
# xterm's report: ESC [ M, then the button, the column and the line, each plus 32 (1-based).
# shellcheck disable=SC2059 # the format is built of octal escapes, on purpose
click() { printf "\\033[M\\$(printf %03o $((32 + $1)))\\$(printf %03o 42)\\$(printf %03o $((32 + $2)))"; }
tmux_keys -l "$(click 0 "$line")"
tmux_keys -l "$(click 3 "$line")"
tmux_keys Enter
wait_until 10 pane_title_has "$ct (cat)" || fail "a click on line $line did not select cat $ct:
$(screen)"
tmux_keys Escape
say "ok: a click selects the row"

tmux_keys /
tmux_keys -l "$sl"
tmux_keys Enter
tmux_keys Enter
wait_until 10 pane_title_has "$sl (sleep)" || fail "Enter did not open the pane on $sl:
$(screen)"
wait_screen 10 "^cwd  *$WORK\$"
tmux_keys End
wait_screen 10 "^fd 1  *pipe:\[[0-9]*\] -> $ct (cat) fd 0\$"
say "ok: the pane shows the cwd and the pipe to $ct (cat)"
kill_ours KILL "$sl" || fail "could not kill $sl"
wait_screen 10 "$sl: the process has exited"
tmux_quit "$sl" "$ct"
say "ok: the pane says its process exited"

# 4. A group kill on the daemon demo: the setsid child escaped it, named with its session.
tmux_launch --demo daemon -d 0.2
await_row job 10 ':[0-9][0-9] . daemon$'
await_row esc 10 "${GUIDE}(\\[orphan\\] )?sleep 100\$"
sid=$(row_field "${GUIDE}(\\[orphan\\] )?sleep 100\$" 4)
[ "$sid" != "$(row_field ':[0-9][0-9] . daemon$' 4)" ] || fail "the daemon's sleep is not in another session"
tmux_keys g
wait_screen 15 "$esc (sleep) survived SIGKILL: not reached: in session $sid, not "
alive "$esc" || fail "the setsid sleep did not escape the group kill"
tmux_quit "$esc"
say "ok: the setsid escapee named with its session"

# 5. SIGTERM to the block demo's group: its blocker lives on, the signal pending; the pane
#    on it shows both.
tmux_launch --demo block -d 0.3 --grace 0.5
await_row job 10 ':[0-9][0-9] . block$'
await_row blk 10 "${GUIDE}(\\[orphan\\] )?block\$"
# The flag is the field after TIME (the 10th).
blocker_flagged() { [ "$(row_field "${GUIDE}(\\[orphan\\] )?block\$" 10)" = B ]; }
wait_until 10 blocker_flagged ||
	fail "the blocker's row has no B flag:
$(screen)"
tmux_keys s
wait_screen 10 'Enter picks, Esc cancels'
tmux_keys 1 5 Enter
wait_screen 10 'the kill keys now send SIGTERM'
tmux_keys g
wait_screen 15 "$blk (blocker) survived SIGTERM: blocks it: SIGTERM stays pending"
alive "$blk" || fail "the blocker died of a SIGTERM it blocks"
tmux_keys Down Enter
wait_until 10 pane_title_has "$blk (blocker)" || fail "the pane did not open on $blk:
$(screen)"
wait_screen 10 '^pending  *SIGTERM$'
tmux_quit "$blk"
say "ok: the blocker named, and its pending SIGTERM shown"
