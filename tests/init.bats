#!/usr/bin/env bats
load helpers

@test "init creates a bare git repository in .mlk" {
	run -0 mlk init
	assert_output "Initialized empty mlk repository in $TEST_DIR/work/.mlk"
	[ -d .mlk/objects ] && [ -d .mlk/refs ] && [ -f .mlk/HEAD ]
	run -0 git --git-dir=.mlk rev-parse --is-bare-repository
	assert_output true
	run -0 git --git-dir=.mlk config core.logAllRefUpdates
	assert_output always
}

@test "init in a named folder creates it" {
	run -0 mlk init new/place
	assert_output "Initialized empty mlk repository in $TEST_DIR/work/new/place/.mlk"
	[ -d new/place/.mlk/objects ]
}

@test "init twice says so and exits 0, changing nothing" {
	mlk init >/dev/null
	mkversion bronze.t
	before=$(git --git-dir=.mlk for-each-ref)
	run -0 mlk init
	assert_output "mlk repository already exists in $TEST_DIR/work/.mlk"
	[ "$(git --git-dir=.mlk for-each-ref)" = "$before" ]
}

@test "init refuses a .mlk that is not a repository" {
	mkdir .mlk
	echo junk > .mlk/file
	run -1 mlk init
	assert_output "mlk: '$TEST_DIR/work/.mlk' exists and is not an mlk repository"
	[ -f .mlk/file ]
}

@test "init in an unwritable folder fails with exit 1" {
	[ "$(id -u)" -ne 0 ] || skip "root can write anywhere"
	mkdir ro && chmod 555 ro
	run -1 mlk init ro
	assert_output --partial "mlk: cannot create"
}

@test "init into a path under a file fails with exit 1" {
	touch afile
	run -1 mlk init afile/sub
	assert_output --partial "mlk: cannot create '$TEST_DIR/work/afile/sub/.mlk'"
}

@test "init takes at most one folder" {
	run -2 mlk init a b
	assert_line --index 0 "mlk: too many arguments"
	assert_line --index 1 "usage: mlk init [<dir>]"
}

@test "init where nobody may write, not even root, fails with exit 1" {
	[ -d /sys/kernel ] || skip "no /sys"
	run -1 mlk init /sys/kernel/mlk-test
	assert_output "mlk: cannot create '/sys/kernel/mlk-test/.mlk': failed to make directory '/sys/kernel/mlk-test': Operation not permitted"
}
