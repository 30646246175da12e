#!/usr/bin/env bats
# The binary as a whole: global options, the command table, exit codes.
load helpers

@test "mlk with no command lists commands and exits 2" {
	run -2 mlk
	assert_output --partial "usage: mlk"
	assert_output --partial "status"
}

@test "mlk -h and --help list every command on stdout" {
	run -0 mlk -h
	for c in $(mlk --list-cmds); do
		assert_output --partial "   $c "
	done
	run -0 mlk --help
	assert_line --partial "init       create an empty mlk repository"
}

@test "mlk --version" {
	run -0 mlk --version
	assert_output --regexp '^mlk version [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "an unknown command exits 2 and names it" {
	run -2 mlk frobnicate
	assert_line --index 0 "mlk: 'frobnicate' is not an mlk command"
	assert_output --partial "status"
}

@test "no prefix guessing: 'stat' is not 'status'" {
	init_repo
	run -2 mlk stat
	assert_line --index 0 "mlk: 'stat' is not an mlk command"
}

@test "an unknown global option exits 2" {
	run -2 mlk --frob status
	assert_output --partial "unknown option '--frob'"
}

@test "every command answers -h on stdout with exit 0, outside a repository" {
	for c in $(mlk --list-cmds); do
		run -0 mlk "$c" -h
		assert_line --index 0 --regexp "^usage: mlk $c( |$)"
	done
}

@test "a bad option to a command exits 2 with its usage" {
	init_repo
	run -2 mlk status --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	assert_line --index 1 "usage: mlk status [--json]"
	run -2 mlk log -x
	assert_line --index 0 "mlk: unknown option '-x'"
	run -2 mlk log -n
	assert_line --index 0 "mlk: option '-n' needs a value"
	run -2 mlk log --max-count
	assert_line --index 0 "mlk: option '--max-count' needs a value"
	run -2 mlk status --json=yes
	assert_line --index 0 "mlk: option '--json' takes no value"
}

@test "outside a repository a command that needs one exits 1" {
	for c in status log fsck gc; do
		run -1 mlk "$c"
		assert_output "mlk: not an mlk repository (or any parent up to /): run 'mlk init'"
	done
}

@test "the repository is found from a subfolder" {
	init_repo
	mkdir -p a/b/c
	cd a/b/c
	run -0 mlk status
	assert_line --index 0 "repository   $TEST_DIR/work/.mlk"
}

@test "-C runs elsewhere" {
	mkdir other
	run -0 mlk -C other init
	assert_output "Initialized empty mlk repository in $TEST_DIR/work/other/.mlk"
	run -0 mlk -C other status
	assert_line --index 0 "repository   $TEST_DIR/work/other/.mlk"
	run -1 mlk -C nowhere status
	assert_output "mlk: cannot change to 'nowhere': No such file or directory"
	run -2 mlk -C
	assert_output "mlk: option '-C' needs a directory"
}

@test "MLK_DIR names the repository explicitly" {
	mkdir repo elsewhere
	mlk -C repo init >/dev/null
	cd elsewhere
	MLK_DIR="$TEST_DIR/work/repo/.mlk" run -0 mlk status
	assert_line --index 0 "repository   $TEST_DIR/work/repo/.mlk"
	MLK_DIR="$TEST_DIR/work/elsewhere" run -1 mlk status
	assert_output --partial "is not an mlk repository"
}

@test "--list-cmds lists the command table, one per line" {
	run -0 mlk --list-cmds
	assert_line init
	assert_line status
	assert_line log
	assert_line show
	assert_line fsck
	assert_line gc
	assert_line help
}

@test "a failed write to stdout is an error (full disk)" {
	[ -w /dev/full ] || skip "no /dev/full"
	init_repo
	run -1 bash -c '"$MLK" status > /dev/full'
	assert_output --partial "mlk: cannot write output"
}

@test "a closed pipe ends mlk quietly" {
	init_repo
	mkversion -n 30 bronze.t
	run bash -c 'set -o pipefail; "$MLK" log | head -1'
	assert_output --regexp '^commit [0-9a-f]{40}$'
}

@test "exit code 3: a ref moved by another writer between read and write" {
	init_repo
	mkversion bronze.t
	# The writer reads the head, sleeps, then writes; another moves it.
	mkversion -s 700 bronze.t 2>"$TEST_DIR/err" &
	pid=$!
	sleep 0.2
	mkversion bronze.t
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 3 ]
	grep -q "concurrent update of 'refs/tables/bronze.t'" "$TEST_DIR/err"
	run -0 mlk log bronze.t --json
	echo "$output" | jq -e 'length == 2' 
}

@test "a usage error outside a repository is a usage error" {
	run -2 mlk status --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	run -2 mlk log a b
	run -2 mlk show
}

@test "the record's user is the commit's author: MLK_USER, then the repository's user.name" {
	init_repo
	unset MLK_USER
	git --git-dir=.mlk config user.name "Repo User"
	git --git-dir=.mlk config user.email "repo@example.org"
	printf 'a\n1\n' > a.csv
	mlk ingest bronze.t a.csv >/dev/null
	run -0 mlk show bronze.t --json
	echo "$output" | jq -e '.record.user == "Repo User <repo@example.org>"'
	run -0 git --git-dir=.mlk log -1 --format='%an <%ae>' refs/tables/bronze.t
	assert_output "Repo User <repo@example.org>"
}

@test "start-up skips libgit2's network transports (cmd/nonet.c)" {
	init_repo
	# glibc's loader reports where each symbol binds: libgit2's calls
	# that would parse the certificate bundle and start libssh2 must
	# reach mlk's own definitions.
	LD_DEBUG=bindings mlk status > /dev/null 2> bindings
	grep -q "libgit2.* to .*mlk.*mbedtls_x509_crt_parse_file'" bindings
	grep -q "libgit2.* to .*mlk.*libssh2_init'" bindings
}
