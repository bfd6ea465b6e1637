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
cgroup2_place
mount=$mount_
tmux_keys c
wait_quick 15 gone "$job" "$sl" || fail "c left the family alive"
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
wait_quick 15 gone "$job" "$sl" || fail "c after r left the family alive"
tmux_quit "$job1" "$sl1" "$job" "$sl"
[ ! -d "$mount$cg2" ] || fail "the relaunch's cgroup $mount$cg2 was left at quit"
say "ok: after c, r relaunches a job that runs, in a new cgroup; the old one is removed"

# The live view: a title rewritten in place (no exec, no comm change: python3 writing its
# own argument area, as setproctitle does) and a setuid without exec are on screen within
# a refresh or two, as ps shows them.
[ -n "$PYTHON" ] || skip "python3 is needed for the title test"
write_file "$TMPD/retitle.py" <<'PY'
import os, sys, time
st = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
start, end = int(st[45]), int(st[46])	# arg_start, arg_end (fields 48 and 49)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
title = b"worker: idle"
with open("/proc/self/mem", "r+b", buffering=0) as mem:
    mem.seek(start)
    mem.write(title + b"\0" * (end - start - len(title)))
os.setuid(65534)
ppid = os.getppid()
while os.getppid() == ppid:
    time.sleep(0.2)
PY
tmux_launch -d 0.3 -- "$PYTHON" "$TMPD/retitle.py" "$TMPD/go"
await_row py 10 'retitle\.py'
touch "$TMPD/go"
wait_until 10 eval '[ "$(ps -o euid= -p "$py" | tr -d " ")" = 65534 ]' || fail "the title program did not run"
wait_screen 3 ':[0-9][0-9] . worker: idle$'
[ "$(row_field 'worker: idle$' 8)" = 65534 ] || fail "the live view shows UID $(row_field 'worker: idle$' 8), ps 65534:
$(screen)"
tmux_quit "$py"
say "ok: the live view shows a title rewritten in place and a setuid within a refresh"
