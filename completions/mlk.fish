# fish completion for mlk(1).
#
# Thin on purpose: the commands come from `mlk --list-cmds` and each
# command's options from `mlk <command> --completion-helper`, so this file
# never lists them and cannot drift. Other words complete as file names.

# The mlk being completed, if it runs; `mlk` from PATH otherwise.
function __mlk_bin
    set -l bin (commandline -opc)[1]
    if command -q -- $bin
        echo $bin
    else
        echo mlk
    end
end

# The command: the first word after mlk that is not a global option.
function __mlk_cmd
    set -l words (commandline -opc)
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case -C
                set -e words[1]
            case '-*'
            case '*'
                echo $words[1]
                return 0
        end
        set -e words[1]
    end
    return 1
end

function __mlk_commands
    set -l bin (__mlk_bin)
    $bin --list-cmds 2>/dev/null
end

function __mlk_options
    set -l cmd (__mlk_cmd); or return
    set -l bin (__mlk_bin)
    string split ' ' -- ($bin $cmd --completion-helper 2>/dev/null)
end

complete -c mlk -f -n 'not __mlk_cmd' -s C -r -a '(__fish_complete_directories)' -d 'run in another directory'
complete -c mlk -f -n 'not __mlk_cmd' -l version -d 'print the version'
complete -c mlk -f -n 'not __mlk_cmd' -s h -l help -d 'print the commands'
complete -c mlk -f -n 'not __mlk_cmd' -l list-cmds -d 'print the command names'
complete -c mlk -f -n 'not __mlk_cmd' -a '(__mlk_commands)'
complete -c mlk -f -n '__fish_seen_subcommand_from help; and test (count (commandline -opc)) -le 2' -a '(__mlk_commands) mlk revisions repository sql sql-functions'
complete -c mlk -n '__mlk_cmd; and string match -q -- "-*" (commandline -ct)' -a '(__mlk_options)'
