#!/bin/bash
# In a real terminal, what must not go stale or stick: after c (cgroup kill), r relaunches
# a job that runs, in a cgroup of its own; the old cgroup is removed.
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"

JOB_ROW=':[0-9][0-9] . '
GUIDE='(─|-) '
job="" sl=""	# set by await_row

tmux_launch --demo execsleep -d 0.2 --track cgroup
await_row job 10 "${JOB_ROW}execsleep\$"
await_row sl 10 "${GUIDE}sleep 100\$"
cg1=$(sed -n 's/^0:://p' "/proc/$job/cgroup")
[ -n "$cg1" ] || fail "the job is in no v2 cgroup"
mount=$(awk '{for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break }}' /proc/self/mountinfo | head -1)
tmux_keys c
wait_until 15 gone "$job" "$sl" || fail "c left the family alive"
job1=$job sl1=$sl
# r once the family is gone: the new job runs, and keeps running.
new_job() { row=$(row_field "${JOB_ROW}execsleep\$" 2) && [ -n "$row" ] && [ "$row" != "$job1" ]; }
tmux_keys r
wait_until 15 new_job || fail "r did not relaunch the job:
$(screen)"
await_row job 10 "${JOB_ROW}execsleep\$"
await_row sl 10 "${GUIDE}sleep 100\$"
[ "$job" != "$job1" ] || fail "r did not relaunch the job"
sleep 1
alive "$job" && alive "$sl" || fail "the relaunched job died at birth:
$(screen)"
cg2=$(sed -n 's/^0:://p' "/proc/$sl/cgroup")
[ -n "$cg2" ] && [ "$cg2" != "$cg1" ] || fail "the relaunch is in the killed cgroup $cg1 (now: $cg2)"
[ ! -d "$mount$cg1" ] || fail "the killed cgroup $mount$cg1 was not removed"
# And c works on the new cgroup too.
tmux_keys c
wait_until 15 gone "$job" "$sl" || fail "c after r left the family alive"
tmux_quit "$job1" "$sl1" "$job" "$sl"
[ ! -d "$mount$cg2" ] || fail "the relaunch's cgroup $mount$cg2 was left at quit"
say "ok: after c, r relaunches a job that runs, in a new cgroup; the old one is removed"
