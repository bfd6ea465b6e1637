# Shared helpers for orphanage's shell tests. Every test sources this file.
# Safety: a test signals only processes it started itself, recorded here by pid and start
# time, and never by name, session or -1.

: "${ORPHANAGE:?ORPHANAGE must name the orphanage binary}"
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/orphanage-test.XXXXXX")
TRACKED=""
CLEANUPS=""

say() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
skip() { say "SKIP: $*"; exit 77; }

# The start time of pid (field 22 of /proc/PID/stat), or nothing when it is gone.
start_time() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	shift 19
	echo "$1"
}

# Remember pid as ours, so cleanup can kill it if it is still the same process.
track() {
	local pid st
	for pid in "$@"; do
		st=$(start_time "$pid") || continue
		TRACKED="$TRACKED $pid:$st"
	done
}

# Is pid alive and not a zombie?
alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_until SECONDS COMMAND...: poll until COMMAND succeeds, or fail after SECONDS.
wait_until() {
	local limit=$1
	shift
	local end=$(($(date +%s%N) / 1000000 + ${limit%.*} * 1000))
	while ! "$@"; do
		[ "$(($(date +%s%N) / 1000000))" -lt "$end" ] || return 1
		sleep 0.05
	done
}

gone() {
	local pid
	for pid in "$@"; do
		alive "$pid" && return 1
	done
	return 0
}

on_cleanup() { CLEANUPS="$CLEANUPS
$*"; }

cleanup() {
	local entry pid st
	eval "$CLEANUPS"
	for entry in $TRACKED; do
		pid=${entry%%:*}
		st=${entry#*:}
		[ "$(start_time "$pid")" = "$st" ] && kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# json_get FILE PYTHON-EXPRESSION: evaluate an expression over the list of JSON objects
# in FILE (one per line), bound to `objs`; prints the result.
# The system's interpreter when there is one: a version manager's shim can be slow.
PYTHON=$(command -v /usr/bin/python3 || command -v python3)
json_eval() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
objs = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.strip()
    if line:
        try:
            objs.append(json.loads(line))
        except ValueError:
            pass
r = eval(sys.argv[2])
if r is True: print("true")
elif r is False or r is None: print("")
elif isinstance(r, list): print(" ".join(str(x) for x in r))
else: print(r)
PY
}

json_true() { [ "$(json_eval "$1" "$2")" = true ]; }

# --- Real-terminal helpers: orphanage in tmux on a private socket -----------------------
TMUX_SOCKET=""

# tmux_start COMMAND...: a detached 120x40 session running COMMAND (as one shell string).
# The pane's command records its exit status in $TMPD/tmux.rc.
tmux_start() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	TMUX_SOCKET=orph-test-$$-$RANDOM
	rm -f "$TMPD/tmux.rc"
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -x 120 -y 40 \
		"cd '$PWD' && LANG=C.UTF-8 $*; echo \$? > '$TMPD/tmux.rc'; sleep 300" || fail "tmux did not start"
	on_cleanup 'tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null'
}
tmux_keys() { tmux -L "$TMUX_SOCKET" send-keys "$@"; }
screen() { tmux -L "$TMUX_SOCKET" capture-pane -p 2>/dev/null; }
screen_has() { screen | grep -q -- "$1"; }
# wait_screen SECONDS PATTERN: until the screen matches, or fail with the screen shown.
wait_screen() {
	wait_until "$1" screen_has "$2" || fail "screen never showed '$2':
$(screen)"
}
# The table rows on screen: PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND...
table_rows() { screen | awk '/^ *PPID +PID +PGID/{t=1; next} /^──|^--/{t=0} t && $2 ~ /^[0-9]+$/'; }
# row_field PATTERN N: field N of the first table row whose text matches PATTERN.
row_field() { table_rows | awk -v pat="$1" -v n="$2" 'index($0, pat){print $n; exit}'; }
# The pid orphanage runs as: the pane's child.
orphanage_pid() {
	local pane
	pane=$(tmux -L "$TMUX_SOCKET" list-panes -F '#{pane_pid}' 2>/dev/null | head -1)
	[ -n "$pane" ] && pgrep -P "$pane" -x orphanage | head -1
}
tmux_exited() { [ -s "$TMPD/tmux.rc" ]; }
