# Shared by every suite: a fresh repository folder per test with HOME
# isolated; the folder of a failed test is kept and named on fd 3.
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

: "${MLK:?MLK must name the mlk binary}"
: "${MLK_SRC:=$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
: "${MLK_TOOLS:=$MLK_SRC/build/std/tests/tools}"

setup() {
	TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mlk-test.XXXXXX")
	export HOME="$TEST_DIR/home"
	mkdir -p "$HOME" "$TEST_DIR/work"
	cd "$TEST_DIR/work" || return 1
	export MLK_USER="Test User <test@example.org>"
	export NO_COLOR=1 MANPAGER=cat PAGER=cat
	unset MLK_DIR MLK_NOW GIT_DIR
}

teardown() {
	cd / || true
	if [ -n "${BATS_TEST_COMPLETED:-}" ]; then
		chmod -R u+w "$TEST_DIR" 2>/dev/null
		rm -rf "$TEST_DIR"
	else
		echo "# kept $TEST_DIR" >&3
	fi
}

mlk() {
	"$MLK" "$@"
}

# Writes versions straight through lib/ (tests/tools/mkversion.c).
mkversion() {
	"$MLK_TOOLS/mkversion" "$@"
}

# Writes a table version from CSV rows on stdin (tests/tools/mktable.c).
mktable() {
	"$MLK_TOOLS/mktable" "$@"
}

# A repository in the current folder.
init_repo() {
	mlk init >/dev/null
}

# Deletes the stored column blobs of chunk $2 (from 0) of the latest
# version of table $1, or only column $3 ("c0", ...): a command that
# reads them fails, so tests can prove what a command does not read.
drop_chunk() {
	local tree mode type oid name
	tree=$(git --git-dir=.mlk show "refs/tables/$1:meta.json" |
	    jq -r ".chunks[$2].tree")
	git --git-dir=.mlk ls-tree "$tree" |
	while read -r mode type oid name; do
		[ -z "${3:-}" ] || [ "$name" = "$3" ] || continue
		rm -f ".mlk/objects/${oid:0:2}/${oid:2}"
	done
}
