#!/usr/bin/env bats
# Meta-tests that keep the docs and completions honest: every command in
# the table has a man page whose SYNOPSIS, NAME and OPTIONS match what the
# binary says, every page renders cleanly and opens with `mlk help`, mlk(1)
# lists the commands and the exit codes, and the shell completions get
# their words from the binary.
#
#   MLK=$PWD/mlk MLK_SRC=$PWD bats tests/docs.bats

load helpers

[[ $MLK == /* ]] || MLK=$PWD/$MLK
MAN=$MLK_SRC/man
# ASCII output from man, at a known width; pages from this tree only.
export LC_ALL=C MANWIDTH=80
unset MLK_MANDIR

# --- helpers ---------------------------------------------------------

commands() {
	"$MLK" --list-cmds
}

# "name<TAB>summary" for each command in the list of `mlk -h`.
summaries() {
	"$MLK" -h | sed -n -E 's/^   ([a-z][a-z0-9-]*) +(.*)$/\1\t\2/p'
}

summary_of() {
	summaries | awk -F '\t' -v c="$1" '$1 == c { print $2 }'
}

# The synopsis lines of `mlk <cmd> -h`: the lines before the first blank
# one, without their 7-column prefix ("usage: ", "   or: " or spaces).
help_synopsis() {
	"$MLK" "$1" -h | sed -n -E -e '/^$/q' -e 's/^(usage: |   or: |       )//p'
}

# The long options `mlk <cmd> -h` documents, "name" or "name=" when the
# option takes a value ("--max-count <count>", "--prune=<when>").
help_long_options() {
	"$MLK" "$1" -h | sed -n '/^$/,$p' |
	    grep -oE -- '--[a-z][a-z0-9-]*(=<| <)?' |
	    sed -E -e 's/^--//' -e 's/(=<| <)$/=/'
}

# The body of section $2 of page $1, in roff.
page_section() {
	awk -v want="$2" '
		/^\.SH / {
			name = $0
			sub(/^\.SH +/, "", name)
			gsub(/"/, "", name)
			in_section = (name == want)
			next
		}
		in_section { print }
	' "$1"
}

# The text lines of the .nf/.fi block of a page's SYNOPSIS, with \- as -.
page_synopsis() {
	page_section "$1" SYNOPSIS |
	    awk '/^\.nf/ { n = 1; next } /^\.fi/ { n = 0; next } n && !/^\./' |
	    sed 's/\\-/-/g'
}

# The NAME line of a page, with \- as -.
page_name_line() {
	page_section "$1" NAME | grep -v '^\.' | head -n 1 | sed 's/\\-/-/g'
}

# The codes a page's EXIT STATUS lists as ".TP" then ".B <code>", sorted.
page_exit_codes() {
	page_section "$1" "EXIT STATUS" |
	    awk '/^\.TP$/ { tp = 1; next } tp && /^\.B [0-9]+$/ { print $2 } { tp = 0 }' |
	    sort -n | paste -sd ' '
}

# The topic `mlk help` takes for a page: mlk.1 is "mlk", mlk-X.N is "X".
page_topic() {
	local base
	base=$(basename "$1")
	base=${base%.*}
	[[ $base == mlk ]] && echo mlk || echo "${base#mlk-}"
}

# A directory holding `mlk`, for the completions, which run `mlk`.
mlk_bin_dir() {
	mkdir -p "$TEST_DIR/bin"
	ln -sf "$MLK" "$TEST_DIR/bin/mlk"
	echo "$TEST_DIR/bin"
}

# Runs the bash completion on the words given; prints COMPREPLY, one a line.
bash_complete() {
	bash --norc --noprofile -c '
		PATH=$1:$PATH
		source "$2" || exit 1
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_mlk || exit 1
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$(mlk_bin_dir)" "$MLK_SRC/completions/mlk.bash" "$@"
}

# --- the command table ----------------------------------------------

@test "--list-cmds names the same commands as mlk -h" {
	run --separate-stderr commands
	assert_success
	refute_output ''
	assert_equal "$stderr" ""
	assert_output "$(summaries | cut -f 1)"
}

# --- one page per command -------------------------------------------

@test "every command in --list-cmds has man/mlk-<cmd>.1" {
	local missing=()

	for c in $(commands); do
		[[ -f $MAN/mlk-$c.1 ]] || missing+=("man/mlk-$c.1")
	done
	assert_equal "${missing[*]}" ""
}

@test "every man/mlk-*.1 is the page of a command" {
	local orphans=() page name

	for page in "$MAN"/mlk-*.1; do
		name=$(basename "$page" .1)
		name=${name#mlk-}
		commands | grep -qxF -- "$name" || orphans+=("$page")
	done
	assert_equal "${orphans[*]}" ""
}

@test "every command answers -h and --help on stdout, exit 0, outside a repository" {
	# A command that tried to open a repository would fail.
	export MLK_DIR=$TEST_DIR/no-repository/.mlk
	for c in $(commands); do
		run --separate-stderr "$MLK" "$c" -h
		assert_success
		assert_equal "$stderr" ""
		assert_line --index 0 --regexp "^usage: mlk $c( |\$)"
		local short=$output
		run --separate-stderr "$MLK" "$c" --help
		assert_success
		assert_equal "$output" "$short"
	done
}

@test "each page's SYNOPSIS is exactly the synopsis of mlk <cmd> -h" {
	local c diffs=""

	for c in $(commands); do
		[[ -f $MAN/mlk-$c.1 ]] || { diffs+="no man/mlk-$c.1"$'\n'; continue; }
		diffs+=$(diff -u --label "mlk $c -h" --label "man/mlk-$c.1" \
		    <(help_synopsis "$c") <(page_synopsis "$MAN/mlk-$c.1"))
	done
	assert_equal "$diffs" ""
}

@test "mlk.1's SYNOPSIS is the usage line of mlk -h" {
	run page_synopsis "$MAN/mlk.1"
	assert_success
	assert_output "$("$MLK" -h | sed -n '1s/^usage: //p')"
}

@test "each page's NAME line is the command's summary from the table" {
	local c bad=()

	for c in $(commands); do
		[[ -f $MAN/mlk-$c.1 ]] || { bad+=("no man/mlk-$c.1"); continue; }
		[[ $(page_name_line "$MAN/mlk-$c.1") == "mlk-$c - $(summary_of "$c")" ]] ||
		    bad+=("mlk-$c.1")
	done
	assert_equal "${bad[*]}" ""
}

@test "each command page has NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, EXAMPLES, SEE ALSO in order" {
	local want='NAME|SYNOPSIS|DESCRIPTION|OPTIONS|EXIT STATUS|EXAMPLES|SEE ALSO'
	local c got bad=()

	for c in $(commands); do
		[[ -f $MAN/mlk-$c.1 ]] || { bad+=("no man/mlk-$c.1"); continue; }
		got=$(sed -n -E 's/^\.SH +"?([^"]*)"?$/\1/p' "$MAN/mlk-$c.1" |
		    grep -xE "$want" | paste -sd '|')
		[[ $got == "$want" ]] || bad+=("mlk-$c.1: $got")
	done
	assert_equal "${bad[*]}" ""
}

@test "each command page documents every long option of the command" {
	local c o missing=()

	for c in $(commands); do
		[[ -f $MAN/mlk-$c.1 ]] || { missing+=("no man/mlk-$c.1"); continue; }
		for o in $("$MLK" "$c" --completion-helper); do
			o=${o%=}
			o=${o#--}
			page_section "$MAN/mlk-$c.1" OPTIONS |
			    grep -qF -- "\\-\\-${o//-/\\-}" ||
			    missing+=("mlk-$c.1: --$o")
		done
	done
	assert_equal "${missing[*]}" ""
}

# --- rendering ------------------------------------------------------

@test "every page renders without warnings with groff -man -ww, for a terminal and for print" {
	command -v groff > /dev/null || skip "groff is not installed"
	local page out=""

	for page in "$MAN"/*.[157]; do
		out+=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
		out+=$(groff -man -ww -z "$page" 2>&1)
	done
	assert_equal "$out" ""
}

@test "every page renders without warnings with man --warnings" {
	command -v man > /dev/null || skip "man is not installed"
	local page out=""

	for page in "$MAN"/*.[157]; do
		[[ -n $(man -l -Tutf8 "$page" 2> /dev/null) ]] ||
		    out+="$page renders empty"$'\n'
		out+=$(man --warnings -l -Tutf8 "$page" 2>&1 > /dev/null)
	done
	assert_equal "$out" ""
}

# --- mlk(1) -----------------------------------------------------------

@test "mlk.1's EXIT STATUS lists the codes 0 1 2 3 4 and 141" {
	run page_exit_codes "$MAN/mlk.1"
	assert_success
	assert_output "0 1 2 3 4 141"
}

@test "mlk.1 lists every command with its summary from the table, and no other" {
	local listed
	listed=$(page_section "$MAN/mlk.1" COMMANDS | awk '
		/^\.BR mlk\\-[a-z0-9\\-]+ \(1\)$/ {
			name = $2
			gsub(/\\-/, "-", name)
			sub(/^mlk-/, "", name)
			getline summary
			gsub(/\\-/, "-", summary)
			print name "\t" summary
		}')
	assert_equal "$listed" "$(summaries)"
}

@test "every mlk page a page refers to exists" {
	local refs ref missing=()

	refs=$(grep -ohE 'mlk(\\-[a-z0-9]+)* \([1-9]\)' "$MAN"/*.[157] | sort -u)
	[[ -n $refs ]]
	while read -r ref; do
		ref=${ref//\\-/-}
		[[ $ref =~ ^([a-z0-9-]+)\ \(([1-9])\)$ ]]
		[[ -f $MAN/${BASH_REMATCH[1]}.${BASH_REMATCH[2]} ]] ||
		    missing+=("$ref")
	done <<< "$refs"
	assert_equal "${missing[*]}" ""
}

# --- mlk help -------------------------------------------------------

@test "mlk help <command> shows the command's page" {
	export MANPAGER=cat PAGER=cat MLK_MANDIR=$MAN
	local c out bad=()

	for c in $(commands); do
		out=$("$MLK" help "$c" 2> /dev/null) ||
		    { bad+=("mlk help $c: exit $?"); continue; }
		grep -qF -- "mlk-$c - $(summary_of "$c")" <<< "$out" &&
		    grep -qx 'SYNOPSIS' <<< "$out" ||
		    bad+=("mlk help $c: not its page")
	done
	assert_equal "${bad[*]}" ""
}

@test "mlk help <topic> shows every page in man/" {
	export MANPAGER=cat PAGER=cat MLK_MANDIR=$MAN
	local page topic out bad=()

	for page in "$MAN"/*.[157]; do
		topic=$(page_topic "$page")
		out=$("$MLK" help "$topic" 2> /dev/null) ||
		    { bad+=("mlk help $topic: exit $?"); continue; }
		grep -qF -- "$(page_name_line "$page")" <<< "$out" ||
		    bad+=("mlk help $topic: not $(basename "$page")")
	done
	assert_equal "${bad[*]}" ""
}

# --- completion -------------------------------------------------------

@test "--completion-helper on every command prints only long options" {
	local c o

	export MLK_DIR=$TEST_DIR/no-repository/.mlk
	for c in $(commands); do
		run --separate-stderr "$MLK" "$c" --completion-helper
		assert_success
		assert_equal "$stderr" ""
		assert_equal "${#lines[@]}" 1
		for o in $output; do
			[[ $o =~ ^--[a-z][a-z0-9-]*=?$ ]] ||
			    fail "mlk $c --completion-helper: '$o' is not a long option"
		done
		assert_output --regexp '(^| )--help( |$)'
		refute_output --partial 'completion-helper'
	done
}

@test "--completion-helper lists the long options -h documents, '=' when they take a value" {
	local c o

	for c in $(commands); do
		for o in $(help_long_options "$c"); do
			run "$MLK" "$c" --completion-helper
			assert_output --regexp "(^| )--$o( |\$)"
		done
	done
}

@test "bash completion: mlk st<TAB> completes to status" {
	run bash_complete mlk st
	assert_success
	assert_output status
}

@test "bash completion: mlk log --j<TAB> completes to --json" {
	run bash_complete mlk log --j
	assert_success
	assert_output -- --json
}

@test "bash completion: options that take a value, global options, help topics" {
	run bash_complete mlk gc --pr
	assert_output -- --prune=
	run bash_complete mlk -C /tmp fs
	assert_output fsck
	run bash_complete mlk --list
	assert_output -- --list-cmds
	run bash_complete mlk help revi
	assert_output revisions
	run bash_complete mlk ""
	assert_output "$(commands)"
}

@test "zsh completion parses" {
	command -v zsh > /dev/null || skip "zsh is not installed"
	run zsh -n "$MLK_SRC/completions/_mlk"
	assert_success
	assert_output ""
}

@test "fish completion parses and completes commands and options" {
	command -v fish > /dev/null || skip "fish is not installed"
	local file=$MLK_SRC/completions/mlk.fish

	run fish -n "$file"
	assert_success
	assert_output ""
	export PATH=$(mlk_bin_dir):$PATH
	run fish --no-config -c "source '$file'; complete -C 'mlk st'"
	assert_success
	assert_output status
	run fish --no-config -c "source '$file'; complete -C 'mlk log --j'"
	assert_success
	assert_output -- --json
}
