#!/bin/bash
# The completions load in bash, zsh and fish without error and complete options, --track's
# and --on-exit's values, --demo's scenarios (asked of the built orphanage) and -p's pids.
. "${srcdir:-.}/tests/lib.sh"

comp=$srcdir/completion
# The completions ask `orphanage --demo list`: the one just built.
PATH=$(dirname "$ORPHANAGE"):$PATH
export PATH
first_demo=$("$ORPHANAGE" --demo list | awk 'NR == 1 {print $1}')
[ -n "$first_demo" ] || fail "orphanage --demo list names no scenario"

# has LIST WORD: WORD is one of LIST's lines (a candidate, with fish's tab and description cut).
has() { printf '%s\n' "$1" | cut -f1 | grep -qx -- "$2"; }

# --- bash: the completion function, called as bash-completion calls it.
bash_complete() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash --norc --noprofile -c '
		. /usr/share/bash-completion/bash_completion || exit 1
		. "$0" || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_orphanage orphanage "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" || exit 1
		printf "%s\n" "${COMPREPLY[@]}"' "$comp/orphanage" orphanage "$@" 2>"$TMPD/bash.err"
}
complete_bash() {
	out=$(bash_complete --track '') || fail "bash: the completion did not load: $(cat "$TMPD/bash.err")"
	[ -s "$TMPD/bash.err" ] && fail "bash: errors loading the completion: $(cat "$TMPD/bash.err")"
	for v in auto cgroup events scan; do has "$out" "$v" || fail "bash: --track does not offer $v: $out"; done
	out=$(bash_complete --on-exit '')
	has "$out" kill && has "$out" leave || fail "bash: --on-exit offers: $out"
	out=$(bash_complete --demo '')
	has "$out" "$first_demo" || fail "bash: --demo does not offer $first_demo: $out"
	out=$(bash_complete -p '')
	has "$out" $$ || fail "bash: -p does not offer this test's pid $$"
	out=$(bash_complete --ju)
	has "$out" --junit || fail "bash: --ju does not complete to --junit: $out"
	say "ok: bash"
}
if [ -r /usr/share/bash-completion/bash_completion ]; then
	part_start complete_bash
else
	say "SKIP: bash completion: bash-completion is not installed"
	SKIPPED="$SKIPPED; bash completion (bash-completion is not installed)"
fi

# --- zsh: an interactive zsh -f on a pty (zpty), compinit with the file first in fpath;
# Ctrl+D lists the candidates of the line typed so far.
write_file "$TMPD/complete.zsh" <<'ZSH'
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PS1='<P''42>'; LISTMAX=100000; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -d $3"
# The prompt after the setup: zle reads the keys from there on (typed sooner, the
# terminal's line discipline would take Ctrl+D and Ctrl+U).
zpty -r z line '*<P42>*' || exit 1
# The line, Ctrl+D (list the choices), Ctrl+U (clear it), then a marker to read up to.
zpty -w -n z "$2"$'\x04\x15'"print -r -- DONE\$((6*7))"$'\n'
zpty -r z out '*DONE42*' || exit 1
print -r -- "$out"
zpty -d z
ZSH
zsh_complete() {
	watchdog 20 zsh -f "$TMPD/complete.zsh" "$comp" "$1" "$TMPD/zcompdump" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g'
}
complete_zsh() {
	# compinit reads every function in fpath once, into a dump the sessions below load.
	out=$(zsh -f -c "fpath=($comp \$fpath); autoload -Uz compinit; compinit -u -d '$TMPD/zcompdump'; autoload -Uz _orphanage; whence -w _orphanage" 2>&1)
	printf '%s\n' "$out" | grep -q '_orphanage: function' || fail "zsh: _orphanage is not a function: $out"
	out=$(zsh_complete 'orphanage --track ')
	for v in auto cgroup events scan; do
		printf '%s\n' "$out" | grep -q "^$v  *-- " || fail "zsh: --track does not offer $v: $out"
	done
	out=$(zsh_complete 'orphanage --on-exit ')
	printf '%s\n' "$out" | grep -q '^kill  *-- ' && printf '%s\n' "$out" | grep -q '^leave  *-- ' ||
		fail "zsh: --on-exit offers: $out"
	out=$(zsh_complete 'orphanage --demo ')
	printf '%s\n' "$out" | grep -q "$first_demo  *-- " || fail "zsh: --demo does not offer $first_demo: $out"
	# _pids offers the processes on the shell's terminal: the zsh on the pty among them.
	out=$(zsh_complete 'orphanage -p ')
	printf '%s\n' "$out" | grep -Eq '^ *[0-9]+ .* zsh *$' || fail "zsh: -p offers no pid: $out"
	say "ok: zsh"
}
if needs zsh "zsh completion"; then
	part_start complete_zsh
fi

# --- fish: complete -C with the file sourced.
fish_complete() {
	fish --no-config -c "source $comp/orphanage.fish; or exit 1; complete -C '$1'" 2>"$TMPD/fish.err"
}
complete_fish() {
	out=$(fish_complete 'orphanage --track ') || fail "fish: the completion did not load: $(cat "$TMPD/fish.err")"
	[ -s "$TMPD/fish.err" ] && fail "fish: errors loading the completion: $(cat "$TMPD/fish.err")"
	for v in auto cgroup events scan; do has "$out" "$v" || fail "fish: --track does not offer $v: $out"; done
	out=$(fish_complete 'orphanage --on-exit ')
	has "$out" kill && has "$out" leave || fail "fish: --on-exit offers: $out"
	out=$(fish_complete 'orphanage --demo ')
	has "$out" "$first_demo" || fail "fish: --demo does not offer $first_demo: $out"
	out=$(fish_complete 'orphanage -p ')
	has "$out" $$ || fail "fish: -p does not offer this test's pid $$"
	out=$(fish_complete 'orphanage --wi')
	has "$out" --wide || fail "fish: --wi does not complete to --wide: $out"
	say "ok: fish"
}
if needs fish "fish completion"; then
	part_start complete_fish
fi
parts_wait
exit 0
