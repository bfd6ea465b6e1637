#!/bin/bash
# Odd input from outside: a '--' with nothing after it, numbers that are not plain
# decimals, a directory or an unexecutable file as COMMAND, kernel threads and thread ids
# for -p, and a job that prints a lot. Each refusal: its exit status and one stderr line.
. "${srcdir:-.}/tests/lib.sh"

# expect_error STATUS TEXT ARGS...: orphanage ARGS exits STATUS with exactly one stderr
# line, which contains TEXT. (A deadline: a run that wrongly starts a job still ends.)
expect_error() {
	local want=$1 text=$2 rc
	shift 2
	timeout -s TERM 10 "$ORPHANAGE" "$@" </dev/null >"$TMPD/e.out" 2>"$TMPD/e.err"
	rc=$?
	track_output "$TMPD/e.out"
	[ "$rc" = "$want" ] || fail "orphanage $* exited $rc, not $want ($(head -3 "$TMPD/e.err"))"
	[ "$(wc -l <"$TMPD/e.err")" = 1 ] || fail "orphanage $*: not one line on stderr: $(cat "$TMPD/e.err")"
	grep -qF -- "$text" "$TMPD/e.err" || fail "orphanage $*: stderr does not say '$text': $(cat "$TMPD/e.err")"
	[ ! -s "$TMPD/e.out" ] || fail "orphanage $*: printed on standard output: $(head -3 "$TMPD/e.out")"
}

# 1. '--' promises a COMMAND: alone, it is a usage error, never the demo.
expect_error 2 "'--' must be followed by a COMMAND" -b --
expect_error 2 "'--' must be followed by a COMMAND" --
expect_error 2 "'--' must be followed by a COMMAND" -b --json -d 0.1 --
say "ok: '--' alone"

# 2. Numbers are plain decimals: no hex, exponent, sign, spaces, inf, or decimal comma.
expect_error 2 "invalid delay '0x10'" -b -d 0x10 -- true
expect_error 2 "invalid delay '1e1'" -b -d 1e1 -- true
expect_error 2 "invalid delay ' 1'" -b -d ' 1' -- true
expect_error 2 "invalid delay '+1'" -b -d +1 -- true
expect_error 2 "invalid delay 'inf'" -b -d inf -- true
expect_error 2 "invalid grace period '0x1'" -b --grace 0x1 -- true
expect_error 2 "invalid grace period '0,5'" -b --grace 0,5 -- true
expect_error 2 "invalid number of iterations '+2'" -b -n +2 -- true
expect_error 2 "invalid number of iterations ' 2'" -b -n ' 2' -- true
expect_error 2 "invalid PID '0x10'" -b -p 0x10
expect_error 2 "invalid PID '+5'" -b -p +5
expect_error 2 "unknown signal '0x9'" -b -s 0x9 -- true
# Under a locale whose decimal point is a comma, 0.5 is still half a second.
comma=$(locale -a 2>/dev/null | grep -m1 -iE '^(de_DE|fr_FR|ru_RU|it_IT)\.utf-?8$')
if [ -n "$comma" ]; then
	LC_ALL=$comma timeout 10 "$ORPHANAGE" -b -d 0.5 -n 1 -- true >/dev/null 2>"$TMPD/locale.err" ||
		fail "-d 0.5 refused under LC_ALL=$comma: $(cat "$TMPD/locale.err")"
else
	say "not checked: no locale with a decimal comma is installed"
fi
say "ok: numbers are plain decimals"

# 3. A directory is no COMMAND: "Is a directory" and 126, as bash says it, named by a path
#    or relative with a '/'; in PATH, a directory is skipped (bash: not found, 127).
mkdir -p "$TMPD/bin/subdir" "$TMPD/work/src"
expect_error 126 "$TMPD: Is a directory" -b -- "$TMPD"
(cd "$TMPD/work" && expect_error 126 "./src: Is a directory" -b -- ./src) || exit 1
PATH=$TMPD/bin:$PATH expect_error 127 "subdir: command not found" -b -- subdir
# Not found, and found but not executable, stay as a shell has them.
expect_error 127 "no-such-command-xyz: command not found" -b -- no-such-command-xyz
# The command's name in an error is escaped: an ESC in it never reaches the terminal.
expect_error 127 'orphanage: no-such\e[2J: command not found' -b -- "no-such$(printf '\033')[2J"
expect_error 127 "$TMPD/nothing: No such file or directory" -b -- "$TMPD/nothing"
printf '#!/bin/sh\n' >"$TMPD/bin/noexec"
chmod 644 "$TMPD/bin/noexec"
expect_error 126 "$TMPD/bin/noexec: Permission denied" -b -- "$TMPD/bin/noexec"
PATH=$TMPD/bin:$PATH expect_error 126 "$TMPD/bin/noexec: Permission denied" -b -- noexec
# A script with no #! still runs, under sh, as execvp runs it.
printf 'echo plain-script-ran\n' >"$TMPD/bin/plain"
chmod 755 "$TMPD/bin/plain"
PATH=$TMPD/bin:$PATH timeout 10 "$ORPHANAGE" -b -d 0.1 -- plain >"$TMPD/plain.out" 2>"$TMPD/plain.err" ||
	fail "a script with no #! did not run: $(cat "$TMPD/plain.err")"
track_output "$TMPD/plain.out"
grep -qx plain-script-ran "$TMPD/plain.err" || fail "the script's output is missing: $(cat "$TMPD/plain.err")"
# A name too long for a path: the reason, on one line, the name cut with an ellipsis.
long=$(printf '%05000d' 0)
expect_error 126 "…: File name too long" -b -- "/$long"
say "ok: directories, not found, not executable, too long"

# 4. A backslash in a command line is shown doubled, so it never passes for an escape:
#    the text a\x1b and a real ESC look different, in text and in JSON alike.
esc=$(printf '\033')
"$ORPHANAGE" -b -n 1 -- sh -c "sleep 1; : a\\x1b $esc" >"$TMPD/bs.out" 2>/dev/null || fail "backslash run failed"
track_output "$TMPD/bs.out"
grep -qF ': a\\x1b \e' "$TMPD/bs.out" || fail "the backslash is not doubled in text: $(head -2 "$TMPD/bs.out")"
"$ORPHANAGE" -b --json -n 1 -- sh -c "sleep 1; : a\\x1b $esc" >"$TMPD/bs.json" 2>/dev/null || fail "backslash JSON run failed"
track_output "$TMPD/bs.json"
json_true "$TMPD/bs.json" 'objs[0]["processes"][0]["command"].endswith(": a\\\\x1b \\e")' ||
	fail "the backslash is not doubled in JSON: $(head -1 "$TMPD/bs.json")"
say "ok: backslashes shown doubled"

# 4b. A 6000-byte command line is cut once, the same in text and JSON: 4096 bytes ending
#     in the mark.
long=$(printf '%06000d' 0)
"$ORPHANAGE" -b -n 1 -- sh -c "sleep 1; : $long" >"$TMPD/long.out" 2>/dev/null || fail "long command run failed"
track_output "$TMPD/long.out"
"$ORPHANAGE" -b --json -n 1 -- sh -c "sleep 1; : $long" >"$TMPD/long.json" 2>/dev/null || fail "long JSON run failed"
track_output "$TMPD/long.json"
text_cmd=$(sed -n 2p "$TMPD/long.out")
text_cmd="sh -c ${text_cmd#* sh -c }"
printf '%s' "$text_cmd" >"$TMPD/long.text"
"${PYTHON:-python3}" - "$TMPD/long.json" "$TMPD/long.text" <<'PY' || fail "the long command differs or is not cut with the mark"
import json, sys
obj = json.loads(open(sys.argv[1], encoding="utf-8").readline())
text = open(sys.argv[2], encoding="utf-8").read()
cmd, job = obj["processes"][0]["command"], obj["job"]["command"]
ok = cmd == text == job and cmd.endswith("\u2026") and len(cmd.encode()) == 4096
if not ok:
    print("text %d bytes ...%r, JSON %d bytes ...%r, job %d bytes" % (len(text.encode()), text[-8:],
          len(cmd.encode()), cmd[-8:], len(job.encode())), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
say "ok: a long command is cut once, with the mark, in text and JSON"

# 5. -p refuses what has no process group of its own to signal: a kernel thread, and a
#    thread id that is not its process's (it names the process to watch instead).
kthread=""
for stat in /proc/2/stat /proc/[0-9]*/stat; do
	rest=$(cat "$stat" 2>/dev/null) || continue
	rest=${rest##*) }
	# shellcheck disable=SC2086 # fields, split on purpose
	set -- $rest
	# Field 9, flags: PF_KTHREAD.
	if [ $# -ge 7 ] && (($7 & 0x00200000)); then
		kthread=${stat#/proc/}
		kthread=${kthread%/stat}
		kcomm=$(cat "/proc/$kthread/comm" 2>/dev/null) && break
		kthread=""
	fi
done
if [ -n "$kthread" ]; then
	expect_error 1 "PID $kthread is a kernel thread ($kcomm): it has no process group to signal" -b -p "$kthread"
else
	say "not checked: no kernel thread is visible here"
fi
[ -n "$PYTHON" ] || skip "python3 is needed for a process with a second thread"
"$PYTHON" -c 'import threading, time
t = threading.Thread(target=time.sleep, args=(300,), daemon=True)
t.start()
time.sleep(300)' &
threaded=$!
disown "$threaded"
track "$threaded"
second_thread() { ls "/proc/$threaded/task" 2>/dev/null | grep -vx "$threaded" | head -1; }
has_second_thread() { [ -n "$(second_thread)" ]; }
wait_until 10 has_second_thread || fail "python3 $threaded never started its second thread"
tid=$(second_thread)
expect_error 1 "PID $tid is a thread of process $threaded (python3): watch -p $threaded" -b -p "$tid"
alive "$threaded" || fail "refusing its thread id touched process $threaded"
kill_ours KILL "$threaded"
wait_quick 5 gone "$threaded" || fail "python3 $threaded outlived its SIGKILL"
say "ok: -p refuses kernel threads and thread ids"
exit 0
