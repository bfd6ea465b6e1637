#!/bin/bash
# The live view's output pane counts every line the job prints, however the reads split
# it: seq 100000 prints 100000 lines, 588895 bytes, and the pane's title says so.
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"
command -v seq >/dev/null || skip "seq is not installed"

tmux_start "$ORPHANAGE" -d 0.2 -- seq 100000
wait_until 30 screen_has 'output: 100000 lines, 588895 bytes' ||
	fail "the pane does not count seq's 100000 lines, 588895 bytes:
$(screen)"
# The last line held is seq's last.
screen | grep -qxE " *100000 *" || fail "seq's last line is not shown:
$(screen)"
tmux_quit_ok 10
say "ok: seq 100000 counted in the live view"
exit 0
