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
exit 0
