# fish completion for orphanage: options, their values, --demo's scenarios (asked of the
# program, so new ones appear by themselves) and -p's pids; after COMMAND, its own.

function __orphanage_demos
    command orphanage --demo list 2>/dev/null | string replace -r '^(\S+)\s+' '$1\t'
    printf 'list\tname the scenarios\n'
end

# Once COMMAND has started, its own arguments are completed as its own command line.
function __orphanage_no_command
    set -l words (commandline -opc)
    set -e words[1]
    set -l takes_value -d --delay -n --iterations -p --pid --demo -s --signal --on-exit --grace --junit --track
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        if test "$w" = --
            return 1
        end
        if contains -- $w $takes_value
            set skip 1
            continue
        end
        string match -q -- '-*' $w; or return 1
    end
    return 0
end

complete -c orphanage -f
complete -c orphanage -n __orphanage_no_command -s d -l delay -x -d 'refresh interval in seconds'
complete -c orphanage -n __orphanage_no_command -s b -l batch -d 'print snapshots to standard output, no curses'
complete -c orphanage -n __orphanage_no_command -s n -l iterations -x -d 'stop after N snapshots'
complete -c orphanage -n __orphanage_no_command -l json -d 'batch: one JSON object per snapshot'
complete -c orphanage -n __orphanage_no_command -s p -l pid -x -a '(__fish_complete_pids)' -d 'watch an existing process'
complete -c orphanage -n __orphanage_no_command -l demo -x -a '(__orphanage_demos)' -d 'launch a built-in scenario'
complete -c orphanage -n __orphanage_no_command -l same-group -d "keep the job in orphanage's process group"
complete -c orphanage -n __orphanage_no_command -l no-forward -d "do not route SIGINT/SIGTERM/SIGHUP to the job"
complete -c orphanage -n __orphanage_no_command -l subreaper -d "adopt the family's orphans and reap them"
complete -c orphanage -n __orphanage_no_command -s s -l signal -x -a '(string replace -r "^SIG" "" -- (kill -l 2>/dev/null | string split " "))' -d 'signal the kill keys send'
complete -c orphanage -n __orphanage_no_command -l on-exit -x -a 'kill\t"SIGTERM, then SIGKILL after --grace" leave\t"leave it running"' -d 'what quitting does to the family'
complete -c orphanage -n __orphanage_no_command -l grace -x -d 'time between SIGTERM and SIGKILL'
complete -c orphanage -n __orphanage_no_command -s c -l check -d 'leak check for scripts and CI'
complete -c orphanage -n __orphanage_no_command -l junit -r -F -d 'with --check: the report as JUnit XML'
complete -c orphanage -n __orphanage_no_command -l wide -d 'add the %CPU and RSS columns'
complete -c orphanage -n __orphanage_no_command -l track -x -a 'auto\t"cgroup and events where available, else scan" cgroup\t"a cgroup v2 of the job\'s own" events\t"the kernel\'s process events" scan\t"/proc at each refresh"' -d 'how the family is found'
complete -c orphanage -n __orphanage_no_command -s h -l help -d 'show the help and exit'
complete -c orphanage -n __orphanage_no_command -s V -l version -d 'show the version and exit'
complete -c orphanage -n __orphanage_no_command -a '(__fish_complete_command)'
complete -c orphanage -n 'not __orphanage_no_command' -a '(__fish_complete_subcommand)'
