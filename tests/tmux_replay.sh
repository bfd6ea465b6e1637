#!/bin/bash
# The live view over a recording, in a real terminal: the REPLAY header and its time, End
# and Home, one event forward and back, play, and kill keys that signal nothing.
. "${srcdir:-.}/tests/lib.sh"

rec=$TMPD/fam.rec
watchdog 30 "$ORPHANAGE" -b -d 0.2 --record "$rec" -- \
	sh -c '(sleep 1.2 & sleep 0.3); echo first-line; sleep 0.4; exec sleep 0.3' >/dev/null 2>&1 ||
	fail "the recorded run failed"

tmux_start "$ORPHANAGE" --replay "$rec"
wait_screen 10 'REPLAY 0.00/'
screen_has 'space play/pause' || fail "no replay keys in the header: $(screen)"
[ -z "$(table_rows)" ] || fail "rows at the recording's start, before the first snapshot: $(screen)"

# End: the family's last moment, the job exited, its output line shown.
tmux_keys End
wait_screen 10 'exited 0'
screen_has 'first-line' || fail "the job's output line is not replayed: $(screen)"
end=$(screen | sed -n 's/^REPLAY \([0-9.]*\)\/\([0-9.]*\) s.*/\1 \2/p')
set -- $end
[ "$1" = "$2" ] || fail "End is not at the end: $end"

# Home, then one event at a time: the events pane holds one more, then one fewer.
events_shown() { screen | awk '/^── events/{e=1; next} /^── output/{e=0} e && NF' | wc -l; }
shown_is() { [ "$(events_shown)" = "$1" ]; }
tmux_keys Home
wait_screen 10 'REPLAY 0.00/'
for _ in 1 2 3 4; do tmux_keys .; done
wait_until 10 shown_is 4 || fail "four steps forward do not show four events: $(screen)"
screen_has "is the job's first process" || fail "stepping forward did not show the job's fork: $(screen)"
tmux_keys ,
wait_until 10 shown_is 3 || fail "a step back does not show one event fewer: $(screen)"

# The kill keys signal nothing, and say so.
tmux_keys k
wait_screen 10 'k signals nothing'

# Play to the end.
tmux_keys Home ' '
wait_screen 10 'playing'
wait_screen 15 'paused.*exited 0'
tmux_quit_ok 10
say "ok: the replay view: REPLAY header, End, Home, one event forward and back, play, no kill"
exit 0
