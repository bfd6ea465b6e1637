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

# End: the family's last moment, the job exited, its output line shown. (The header names
# the moment and the job's state on one line: End is reached when they are drawn together.)
tmux_keys End
wait_screen 10 '^REPLAY \([0-9.]*\)/\1 s.*exited 0'
screen_has 'first-line' || fail "the job's output line is not replayed: $(screen)"

# Home, then one event at a time, in the recording's order: each . shows one event more, at
# the moment it was learnt; , one fewer. Which event says the job's first process is the
# recording's: the first refresh reads it, and under load the events of its children's
# forks can come first (the recording is read for its place, not assumed).
events=$TMPD/events.json
grep '"event"' "$rec" >"$events"
first=$(json_eval "$events" "[i for i, o in enumerate(objs, 1) if o['event'].get('how') == 'first'][:1]")
[ -n "$first" ] || fail "the recording has no event for the job's first process: $(cat "$rec")"
first_at=$(json_eval "$events" "'%.2f' % objs[$first - 1]['at']")
events_pane() { screen | awk '/^── events/{e=1; next} /^── output/{e=0} e'; }
# shellcheck disable=SC2317 # called through wait_until
events_shown() { events_pane | awk NF | wc -l; }
shown_is() { [ "$(events_shown)" = "$1" ]; }
tmux_keys Home
wait_screen 10 '^REPLAY 0.00/'
rows=$(events_pane | wc -l)
for i in $(seq "$first"); do
	tmux_keys .
	wait_until 10 shown_is $((i < rows ? i : rows)) || fail "step $i forward does not show one event more: $(screen)"
done
screen_has "is the job's first process" || fail "stepping forward to event $first did not show the job's fork: $(screen)"
wait_screen 10 "^REPLAY $first_at/"
tmux_keys ,
wait_until 10 shown_is $((first - 1 < rows ? first - 1 : rows)) || fail "a step back does not show one event fewer: $(screen)"
! screen_has "is the job's first process" || fail "a step back still shows the job's fork: $(screen)"

# The kill keys signal nothing, and say so.
tmux_keys k
wait_screen 10 'k signals nothing'

# Play to the end, at half speed: the recording's 1.2 s last long enough for a poll under
# load to see it playing.
tmux_keys Home - ' '
wait_screen 10 'playing x0.5'
wait_screen 20 '^REPLAY \([0-9.]*\)/\1 s paused.*exited 0'
tmux_quit_ok 10
say "ok: the replay view: REPLAY header, End, Home, one event forward and back (the job's first process was event $first), play, no kill"
exit 0
