# bash completion for mlk(1).
#
# Thin on purpose: the commands come from `mlk --list-cmds` and each
# command's options from `mlk <command> --completion-helper`, so this file
# never lists them and cannot drift. Other words complete as file names.
# Needs nothing but bash; works with or without the bash-completion package.

_mlk()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	local mlk=${COMP_WORDS[0]} cmd= words i

	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	# The mlk being completed, if it runs; `mlk` from PATH otherwise.
	[[ $mlk == "~/"* ]] && mlk=$HOME/${mlk#"~/"}
	type -P -- "$mlk" > /dev/null 2>&1 || mlk=mlk

	# The command is the first word that is not a global option.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-C) ((i++)) ;;
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $prev == -C ]]; then
			compopt -o dirnames 2> /dev/null
			return 0
		fi
		if [[ $cur == -* ]]; then
			words='-C --version -h --help --list-cmds'
		else
			words=$("$mlk" --list-cmds 2> /dev/null)
		fi
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
	fi

	if [[ $cur == -* ]]; then
		words=$("$mlk" "$cmd" --completion-helper 2> /dev/null)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		# An option that takes a value ends in '=': no space after it.
		if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
			compopt -o nospace 2> /dev/null
		fi
		return 0
	fi

	# `mlk help <topic>`: the commands and the other pages.
	if [[ $cmd == help && $i -eq $((COMP_CWORD - 1)) ]]; then
		words="$("$mlk" --list-cmds 2> /dev/null) mlk revisions repository sql sql-functions"
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
	fi

	# Anything else: file names (complete -o default).
	return 0
}

complete -o bashdefault -o default -F _mlk mlk
