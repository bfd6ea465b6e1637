#!/bin/bash
# Scrollback in a real terminal: the events and output panes keep more than fits and
# scroll when focused (Tab): PgUp and Home show the first event and the first line, / finds
# a line; past the output pane's cap the oldest lines go, with a line saying how many.
. "${srcdir:-.}/tests/lib.sh"

# 60 short children (120 events and more) and 5200 output lines, then a long sleep.
write_file "$TMPD/job.sh" <<'SH'
i=0
while [ $i -lt 5200 ]; do echo "out-line-$i"; i=$((i + 1)); done
j=0
while [ $j -lt 60 ]; do true & j=$((j + 1)); done
wait
sleep 300
SH
tmux_launch -d 0.2 -- sh "$TMPD/job.sh"
wait_screen 20 'out-line-5199'
wait_screen 20 'output: 5200 lines'
wait_screen 20 'sleep 300$'
screen_has "is the job's first process" && fail "the first event fits on the first screen: the test shows nothing"

# Tab: the events pane; PgUp then Home: the first events.
tmux_keys Tab
wait_screen 10 'events [0-9]*-[0-9]* of [0-9]* \[Tab: focus here'
tmux_keys PPage
wait_until 10 eval "screen | grep -q 'events [0-9]*-[0-9]* of'" || fail "no window after PgUp: $(screen)"
tmux_keys Home
wait_screen 10 "is the job's first process"
wait_screen 10 'events 1-'
# End: back to the newest, following again.
tmux_keys End
wait_until 10 eval "! screen_has \"is the job's first process\"" || fail "End did not go back to the newest: $(screen)"

# Tab again: the output pane. Home: its oldest held line, after the line saying what went.
tmux_keys Tab
wait_screen 10 'output: 5200 lines, [0-9]* bytes [0-9]*-[0-9]* of 5001 \[Tab: focus here'
tmux_keys Home
wait_screen 10 '200 earlier lines dropped (the pane keeps the last 5000)'
wait_screen 10 '^out-line-200$'
# / searches the pane: the line comes to the top.
tmux_keys / out-line-4321 Enter
wait_screen 10 '^out-line-4321$'
screen_has '^out-line-4320$' && fail "the found line is not the pane's first: $(screen)"
# Tab back to the table: arrows move the selection again, q quits.
tmux_keys Tab
wait_until 10 eval "! screen_has 'Tab: focus here'" || fail "Tab did not come back to the table: $(screen)"
tmux_quit_ok 15
say "ok: scrollback: events and output panes scroll past the first screen, Home, End, search, the cap's line"
exit 0
