#!/bin/bash
# Nothing lost, nothing false: the job's output reaches standard error whole in batch mode,
# a snapshot that cannot be written is an error, quitting says what it could not end, a
# failed relaunch keeps its command, and orphanage's own group is not called orphaned.
# The bash -c scripts below are single-quoted on purpose: they get their values as arguments.
# shellcheck disable=SC2016
. "${srcdir:-.}/tests/lib.sh"

# 1. 50 MB into a regular file: every byte, in order.
size=50000000
watchdog 60 "$ORPHANAGE" -b -d 0.1 -- sh -c "yes | head -c $size" >/dev/null 2>"$TMPD/yes.err"
rc=$?
[ "$rc" = 0 ] || fail "the yes job ended orphanage with status $rc"
got=$(stat -c %s "$TMPD/yes.err")
[ "$got" = "$size" ] || fail "standard error got $got of the job's $size bytes"
cmp -s "$TMPD/yes.err" <(yes | head -c "$size") || fail "standard error differs from the job's output"
rm -f "$TMPD/yes.err"
say "ok: 50 MB of output reach a file whole"

# 2. A million lines to a pipe whose reader starts a second late: the job waits for it.
want=$(seq 1000000 | md5sum)
got=$(watchdog 60 bash -c '"$1" -b -d 0.1 -- seq 1000000 2>&1 >/dev/null | (sleep 1; md5sum)' _ "$ORPHANAGE")
[ "$got" = "$want" ] || fail "a late reader got other bytes than seq printed ($got, not $want)"
say "ok: a late reader gets every line"

# 3. The reader of standard error goes away: the job meets the broken pipe, as writing there
#    itself, and orphanage's status says the output was not all delivered.
watchdog 30 bash -c '"$1" -b -d 0.1 -- sh -c "seq 100000000; echo \$? >$2" 2>&1 >"$3" | head -c 10 >/dev/null
	exit "${PIPESTATUS[0]}"' _ "$ORPHANAGE" "$TMPD/seq.rc" "$TMPD/epipe.out"
rc=$?
[ "$rc" = 1 ] || fail "a gone reader of the job's output: status $rc, not 1"
[ "$(cat "$TMPD/seq.rc")" = 141 ] || fail "seq did not meet the broken pipe (status $(cat "$TMPD/seq.rc"))"
grep -q "standard error takes no more of the job's output (Broken pipe)" "$TMPD/epipe.out" ||
	fail "no event says the copy ended: $(cat "$TMPD/epipe.out")"
say "ok: a gone reader ends the copy, with status 1"

# 3b. A member left running (--on-exit leave) that never stops writing: quitting passes on
#     what the pipe held, and does not wait for the writer to stop.
watchdog 30 "$ORPHANAGE" -b -d 0.1 -n 2 --on-exit leave -- yes >"$TMPD/leave.out" 2>/dev/null ||
	fail "--on-exit leave with a writer left running failed"
# (The yes meets a broken pipe once orphanage is gone; cleanup ends it if it has not.)
track_output "$TMPD/leave.out"
say "ok: quitting does not wait for a writer left running"

# 4. Snapshots to a full disk: status 1, one line naming the error, and the family still
#    cleaned up (--on-exit kill).
# (The job may be ended before it writes its pid: its sleep's length, unique to this run and
# mode, finds it then, for the check only.)
n=0
for mode in text json; do
	n=$((n + 1))
	json="" length=300.$$$n
	[ "$mode" = json ] && json=--json
	watchdog 30 "$ORPHANAGE" -b $json -d 0.1 -- sh -c "echo \$\$ >$TMPD/full.pid; exec sleep $length" \
		>/dev/full 2>"$TMPD/full.err"
	rc=$?
	[ "$rc" = 1 ] || fail "$mode snapshots to /dev/full: status $rc, not 1"
	[ "$(cat "$TMPD/full.err")" = "orphanage: cannot write the snapshot to standard output: No space left on device" ] ||
		fail "$mode snapshots to /dev/full said: $(cat "$TMPD/full.err")"
	pid=$(cat "$TMPD/full.pid" 2>/dev/null)
	wait_quick 10 gone $pid || fail "$mode snapshots to /dev/full left the job's sleep $pid alive"
	wait_until 10 eval '! pgrep -f "sleep $length\$" >/dev/null' ||
		fail "$mode snapshots to /dev/full left the job's sleep $length alive: $(pgrep -af "sleep $length\$")"
	rm -f "$TMPD/full.pid"
done
say "ok: a snapshot that cannot be written is an error, after cleaning up"

# 5. A closed pipe on standard output is nobody reading: quit, status 0, nothing said.
watchdog 30 bash -c '"$1" -b -d 0.1 -- sleep 300 2>"$2" | head -c 1 >/dev/null; exit "${PIPESTATUS[0]}"' \
	_ "$ORPHANAGE" "$TMPD/pipe.err"
rc=$?
[ "$rc" = 0 ] || fail "snapshots to a closed pipe: status $rc, not 0"
[ ! -s "$TMPD/pipe.err" ] || fail "snapshots to a closed pipe said: $(cat "$TMPD/pipe.err")"
say "ok: a closed pipe ends batch mode quietly"

# 6. --on-exit kill that the kernel refuses (EPERM): said at once, naming what lives on,
#    status 1. A throwaway user attaches to a sleep of root's.
UNENDED_USER=""
# The test user goes last, once the cleanup has ended every process of the run (the test
# user's orphanage among them, tracked or not, by the token): userdel refuses while a
# process runs as the user, and a killed one counts until it is reaped.
# shellcheck disable=SC2317 # called through wait_until
user_removed() {
	local rc
	userdel "$1" 2>"$TMPD/userdel.err"
	rc=$?
	# 6: no such user (any more).
	[ "$rc" = 0 ] || [ "$rc" = 6 ]
}
# shellcheck disable=SC2317 # called through on_cleanup_last
unended_cleanup() {
	wait_until 10 user_removed "$UNENDED_USER" ||
		say "could not remove the test user $UNENDED_USER: $(cat "$TMPD/userdel.err")"
}
unended_check() {
	if [ "$(id -u)" != 0 ]; then
		say "SKIP: a refused --on-exit kill: a test user can only be made as root"
		SKIPPED="$SKIPPED; a refused --on-exit kill (not root)"
		return
	fi
	if ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
		say "SKIP: a refused --on-exit kill: useradd or setpriv is not installed"
		SKIPPED="$SKIPPED; a refused --on-exit kill (no useradd or setpriv)"
		return
	fi
	local user=orph-test-$$ uid bin=$TMPD/pub/orphanage
	useradd --system --no-create-home --shell /usr/sbin/nologin "$user" 2>"$TMPD/useradd.err" || {
		say "SKIP: a refused --on-exit kill: cannot make a test user: $(cat "$TMPD/useradd.err")"
		SKIPPED="$SKIPPED; a refused --on-exit kill (no test user)"
		return
	}
	UNENDED_USER=$user
	on_cleanup_last unended_cleanup
	uid=$(id -u "$user")
	# The binary where the test user can run it.
	mkdir -m 755 "$TMPD/pub" && chmod 755 "$TMPD" && cp "$ORPHANAGE" "$bin" && chmod 755 "$bin"
	sleep 300 &
	local sleep_pid=$!
	track "$sleep_pid"
	setpriv --reuid="$uid" --regid="$uid" --clear-groups "$bin" -b -d 0.1 -n 1000 --on-exit kill \
		-p "$sleep_pid" >"$TMPD/eperm.out" 2>"$TMPD/eperm.err" &
	local orph=$!
	track "$orph"
	wait_until 10 grep -q "^ *[0-9]* *$sleep_pid " "$TMPD/eperm.out" ||
		fail "the test user's orphanage never showed the sleep: $(cat "$TMPD/eperm.out" "$TMPD/eperm.err")"
	local t0 t1 rc
	t0=$(date +%s%N)
	kill_ours TERM "$orph" || fail "orphanage $orph not signalled"
	wait_quick 10 eval "! alive $orph" || fail "orphanage did not end on SIGTERM"
	wait "$orph"
	rc=$?
	t1=$(date +%s%N)
	[ "$rc" = 1 ] || fail "a refused --on-exit kill: status $rc, not 1: $(cat "$TMPD/eperm.err")"
	[ $(((t1 - t0) / 1000000)) -lt 2500 ] || fail "a refused --on-exit kill took $(((t1 - t0) / 1000000)) ms"
	alive "$sleep_pid" || fail "root's sleep $sleep_pid did not outlive the refused kill"
	grep -qx "orphanage: cannot end $sleep_pid (sleep): Operation not permitted" "$TMPD/eperm.err" ||
		fail "no line names the sleep that lives on: $(cat "$TMPD/eperm.err")"
	kill_ours KILL "$sleep_pid"
	wait "$sleep_pid" 2>/dev/null
	say "ok: a refused --on-exit kill is said at once, status 1"
}
unended_check

# 7. A relaunch that cannot start keeps the command in the header, with why (the pane is
#    too narrow for all of the command: its start is enough).
if needs tmux "a failed relaunch in the header"; then
	printf '#!/bin/sh\nrm -f "$0"\necho once\n' >"$TMPD/once.sh"
	chmod +x "$TMPD/once.sh"
	tmux_start "'$ORPHANAGE' -d 0.2 -- '$TMPD/once.sh'"
	wait_screen 10 'the family is gone'
	tmux_keys r
	wait_screen 10 'relaunch failed'
	job_line=$(screen | grep -m1 '^Job PID')
	case $job_line in
	*"relaunch failed: $TMPD/once.sh: No such file or directory  \$ /"*) ;;
	*) fail "the header after a failed relaunch: $job_line" ;;
	esac
	tmux_keys q
	wait_quick 10 tmux_exited || fail "orphanage did not quit after a failed relaunch"
	say "ok: a failed relaunch keeps the command in the header"
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
fi

# 8. --same-group under an interactive shell: orphanage's group has the shell (another
#    group of the same session) as the parent of a member, orphanage itself, so it is not
#    orphaned, and the header must not say it is.
if needs tmux "the same-group header under an interactive shell" && needs bash "the same-group header"; then
	tmux_start "bash --norc --noprofile -i"
	wait_until 10 eval "screen | grep -q '\\$ *\$\|# *\$'" || fail "no shell prompt: $(screen)"
	tmux_keys "'$ORPHANAGE' -d 0.2 --same-group -- sleep 1000" Enter
	await_row sleep_pid 10 ':[0-9][0-9] . sleep 1000$'
	orph=$(ps -o ppid= -p "$sleep_pid" | tr -d ' ')
	track "$orph"
	[ -n "$orph" ] || fail "orphanage's pid not found"
	pgid=$(ps -o pgid= -p "$orph" | tr -d ' ')
	# A few refreshes, each of which would judge the group.
	wait_screen 10 'alive'
	tmux_answers || fail "orphanage stopped answering"
	! screen_has "orphaned group" || fail "the header says a group is orphaned: $(screen | grep -m1 'orphaned group')"
	tmux_keys q
	wait_quick 10 gone "$sleep_pid" || fail "q left the sleep $sleep_pid alive"
	say "ok: orphanage's own group is not called orphaned under an interactive shell (group $pgid)"
fi
exit 0
