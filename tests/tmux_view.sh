#!/bin/bash
# The live view in a real terminal (tmux): the ps j table and its tree, tiny sizes,
# hostile process names, a job that floods its output, and quitting or hanging up
# without leaving anything alive. The parts run at once, each in a session of its own.
. "${srcdir:-.}/tests/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"

SOCK=orph-view-$$
MARK=$$			# in every job's arguments: sleep 3001$$, ...
# Each part below runs its own tmux server, on the socket $SOCK-PART.
on_cleanup "for part in rows evil flood hup; do tmux -L '$SOCK'-\$part kill-server 2>/dev/null; done"
tm() { tmux -L "$SOCK" "$@"; }

# The panes run in UTF-8 when the machine has such a locale (the guides are then └─).
UTF8_LOCALE=$(locale -a 2>/dev/null | grep -i -m1 -E '^(C|en_US)\.utf-?8$')

# A pane runs orphanage through run.sh: it writes orphanage's pid to NAME.pid (sh execs
# into orphanage, so $$ is orphanage's pid) and its exit status to NAME.rc.
write_file "$TMPD/run.sh" <<'EOF'
dir=$1 name=$2
shift 2
sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$dir/$name.pid" "$@"
echo $? >"$dir/$name.rc"
EOF
quote() {
	local q="'\\''"	# a quote inside: end the string, an escaped quote, start again
	printf "'%s'" "${1//\'/$q}"
}
# launch NAME ARGS...: a tmux session NAME, 120x40, running orphanage ARGS. tmux starts
# the pane from the server's environment, not this shell's: the token goes on the command.
launch() {
	local name=$1 cmd a
	shift
	cmd="sh $(quote "$TMPD/run.sh") $(quote "$TMPD") $(quote "$name") $(quote "$ORPHANAGE")"
	for a in "$@"; do
		cmd="$cmd $(quote "$a")"
	done
	[ -n "$UTF8_LOCALE" ] && cmd="LC_ALL=$UTF8_LOCALE $cmd"
	cmd="env $(quote "ORPHANAGE_TEST_TOKEN=$ORPHANAGE_TEST_TOKEN") $cmd"
	tm -f /dev/null new-session -d -s "$name" -x 120 -y 40 "$cmd" || fail "tmux cannot start a session"
	wait_quick 10 test -s "$TMPD/$name.pid" || fail "$name: orphanage did not start"
	track "$(cat "$TMPD/$name.pid")"
}
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
# shows NAME PATTERN: the screen of NAME has a line matching the extended regex;
# shows_text NAME TEXT: one holding TEXT. (Matched with builtins: they are polled.)
shows() {
	local line
	while IFS= read -r line; do
		[[ $line =~ $2 ]] && return 0
	done <<<"$(screen "$1")"
	return 1
}
shows_text() {
	local line
	while IFS= read -r line; do
		[[ $line == *"$2"* ]] && return 0
	done <<<"$(screen "$1")"
	return 1
}
# row NAME REGEX: the first table row (it starts with PPID and PID) matching the extended
# regex, blanks squeezed.
ROW='^ *[0-9]+ +[0-9]+ .*'
row() { screen "$1" | grep -E -e "${ROW}$2" | head -n 1 | tr -s ' ' | sed 's/^ //'; }
# pid_of NAME REGEX: the PID column of that row.
pid_of() { row "$1" "$2" | cut -d ' ' -f 2; }
field() { printf '%s\n' "$1" | cut -d ' ' -f "$2"; }
HEADER='^ *PPID +PID +PGID +SID +TTY +TPGID +STAT +UID +TIME +COMMAND( +[0-9]+/[0-9]+)? *$'
header_ok() { shows "$1" "$HEADER"; }
# quit NAME: press q; orphanage must exit 0.
quit() {
	tm send-keys -t "$1" q
	wait_quick 15 test -s "$TMPD/$1.rc" || fail "$1: q did not quit: $(screen "$1")"
	[ "$(cat "$TMPD/$1.rc")" = 0 ] || fail "$1: q exited with status $(cat "$TMPD/$1.rc"), not 0"
}
# none_alive PID...: every pid is gone, or is no longer a process this test started.
# shellcheck disable=SC2317 # called through wait_until
none_alive() {
	local pid
	for pid in "$@"; do
		alive "$pid" && ours "$pid" && return 1
	done
	return 0
}
dump() { say "screen of $1:"; screen "$1" >&2; }

# 1. The table: the sleep under its sh, in the sh's group, with its terminal.
table_resize_quit() {
	SOCK=$SOCK-rows
	launch rows -- sh -c "sleep 3001$MARK; true"
	wait_until 10 shows rows "[^ ] sleep 3001$MARK\$" || { dump rows; fail "the sleep row never appeared"; }
	header_ok rows || { dump rows; fail "the table header is not PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND"; }
	sh_row=$(row rows "sh -c sleep 3001$MARK; true\$")
	sleep_row=$(row rows "[^ ] sleep 3001$MARK\$")
	sh_pid=$(field "$sh_row" 2)
	sleep_pid=$(field "$sleep_row" 2)
	orph_pid=$(cat "$TMPD/rows.pid")
	track "$sh_pid" "$sleep_pid"
	[ "$(field "$sh_row" 1)" = "$orph_pid" ] || fail "the sh's PPID is not orphanage ($orph_pid): $sh_row"
	[ "$(field "$sleep_row" 1)" = "$sh_pid" ] || fail "the sleep's PPID is not the sh: $sleep_row"
	[ "$(field "$sleep_row" 3)" = "$sh_pid" ] || fail "the sleep's PGID is not the sh's PID: $sleep_row"
	[ "$(field "$sh_row" 3)" = "$sh_pid" ] || fail "the job did not get its own group: $sh_row"
	field "$sleep_row" 5 | grep -q -E '^pts/[0-9]+$' || fail "no pts/N in the TTY column: $sleep_row"
	sh_line=$(screen rows | grep -n -E "${ROW} sh -c sleep 3001$MARK; true\$" | head -n 1 | cut -d: -f1)
	sleep_line=$(screen rows | grep -n -E "${ROW}[^ ] sleep 3001$MARK\$" | head -n 1 | cut -d: -f1)
	[ "$sleep_line" -eq $((sh_line + 1)) ] || { dump rows; fail "the sleep is not the row under the sh"; }
	screen rows | grep -q -E "(└─|\`-) sleep 3001$MARK\$" || { dump rows; fail "no tree guide before the sleep"; }
	shows rows "PID $sh_pid +PGID $sh_pid +running" || { dump rows; fail "the header does not name the running job"; }
	shows rows 'signal SIGKILL' || { dump rows; fail "the header does not show the signal"; }

	# 2. Tiny, then back: still alive, still drawing.
	# At 12x3 the view draws the job line, the table header, the selected row: the
	# second line is then the table header (tmux alone would show the old second line).
	tm resize-window -t rows -x 12 -y 3
	wait_until 10 eval 'screen rows | sed -n 2p | grep -q "^ *PPID"' || { dump rows; fail "nothing redrawn at 12x3"; }
	alive "$orph_pid" || fail "orphanage died at 12x3"
	tm resize-window -t rows -x 120 -y 40
	wait_until 10 header_ok rows || { dump rows; fail "the table did not come back at 120x40"; }
	alive "$orph_pid" || fail "orphanage died after the resize"

	# 3. q quits with status 0 and takes the job's family along.
	quit rows
	wait_until 10 none_alive "$sh_pid" "$sleep_pid" || fail "the job's sh or sleep survived q"
}
part_start table_resize_quit

# 4. A process naming itself with escape sequences is shown escaped; the screen holds.
escaped_name() {
	SOCK=$SOCK-evil
	# perl execs sleep under a hostile argv[0] (not `$0 = ...`: perl would then write the
	# name over its environment too, and the process would lose this run's token).
	launch evil -- perl -e "exec {\"sleep\"} \"evil\\e[2J\\e]0;pwned\\a name 3002$MARK\", 300"
	# The name comes with the exec, after perl starts: wait for the row with the new name.
	wait_until 10 shows_text evil "\\x07 name 3002$MARK 300" || { dump evil; fail "the renamed process never appeared"; }
	evil_pid=$(pid_of evil "3002$MARK 300\$")
	track "$evil_pid"
	shows_text evil 'evil\e[2J\e]0;pwned\x07 name' || { dump evil; fail "the name is not shown escaped"; }
	header_ok evil || { dump evil; fail "the table header was damaged"; }
	shows evil '^Job PID' || { dump evil; fail "the screen's first line was damaged"; }
	case $(tm display-message -p -t evil '#{pane_title}') in
	*pwned*) fail "an escape sequence reached the terminal: the pane's title changed" ;;
	esac
	quit evil
	wait_until 10 none_alive "$evil_pid" || fail "the perl survived q"
}
if needs perl "a name with escape sequences"; then
	part_start escaped_name
fi

# 5. A job printing 300 MB is not slowed down, and orphanage's memory stays bounded.
write_file "$TMPD/flood.sh" <<'EOF'
t0=$(date +%s%N)
yes orphanage-flood-line | head -c 300000000
t1=$(date +%s%N)
printf '\nFLOOD-DONE %s ms\n' $(((t1 - t0) / 1000000)) >"${1:-/dev/stdout}"
EOF
flood_output() {
	SOCK=$SOCK-flood
	sh "$TMPD/flood.sh" "$TMPD/base.ms" >/dev/null
	base_ms=$(awk '/FLOOD-DONE/ {print $2}' "$TMPD/base.ms")
	launch flood -- sh -c "sh '$TMPD/flood.sh'; exec sleep 3005$MARK"
	wait_until 120 shows flood '^FLOOD-DONE [0-9]+ ms' || { dump flood; fail "the flood never finished"; }
	flood_sleep=$(pid_of flood "sleep 3005$MARK\$")
	track "$flood_sleep"
	flood_ms=$(screen flood | sed -n 's/^FLOOD-DONE \([0-9]*\) ms.*/\1/p' | head -n 1)
	flood_orph=$(cat "$TMPD/flood.pid")
	hwm_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$flood_orph/status")
	rss_kb=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$flood_orph/status")
	say "300 MB: ${base_ms} ms to /dev/null, ${flood_ms} ms through orphanage; orphanage peak RSS ${hwm_kb} kB"
	[ "$flood_ms" -le $((base_ms * 20 + 3000)) ] || fail "the job was slowed: ${flood_ms} ms against ${base_ms} ms"
	if [ "${hwm_kb:-999999}" -ge 65536 ] || [ "${rss_kb:-999999}" -ge 65536 ]; then
		fail "orphanage used too much memory: VmHWM ${hwm_kb} kB, VmRSS ${rss_kb} kB"
	fi
	shows flood 'output: [0-9]+ lines, 30[0-9]{7} bytes' || { dump flood; fail "the output pane does not count the bytes"; }
	quit flood
	wait_until 10 none_alive "$flood_sleep" || fail "the flood's sleep survived q"
}
part_start flood_output

# 6. The terminal hangs up (tmux kill-server): nothing is left, orphans included.
# The subshell lives long enough to be seen, so its sleep is seen orphaned when it exits.
hang_up() {
	SOCK=$SOCK-hup
	launch hup -- sh -c "(sleep 3004$MARK & sleep 2); sleep 3003$MARK; true"
	wait_until 15 shows hup "orphan.*sleep 3004$MARK\$" || { dump hup; fail "the orphan sleep never appeared"; }
	wait_until 10 shows hup "[^ ] sleep 3003$MARK\$" || { dump hup; fail "the sleep never appeared"; }
	hup_orph=$(cat "$TMPD/hup.pid")
	hup_sh=$(pid_of hup "sleep 3003$MARK; true\$")
	hup_sleep=$(pid_of hup "[^ ] sleep 3003$MARK\$")
	hup_orphan=$(pid_of hup "orphan.*sleep 3004$MARK\$")
	track "$hup_sh" "$hup_sleep" "$hup_orphan"
	tm kill-server
	wait_quick 15 gone "$hup_orph" || fail "orphanage outlived its terminal"
	wait_until 15 none_alive "$hup_sh" "$hup_sleep" "$hup_orphan" || fail "the job or its orphan outlived the terminal"
}
part_start hang_up

parts_wait
exit 0
