#!/usr/bin/env bats
load helpers

@test "help alone lists commands" {
	run -0 mlk help
	assert_output --partial "   status     show the state of the repository"
}

@test "help <command> shows its manual page" {
	run -0 mlk help init
	assert_output --partial "mlk-init"
	assert_output --partial "SYNOPSIS"
}

@test "help for topics: revisions, repository" {
	run -0 mlk help revisions
	assert_output --partial "models:/"
	run -0 mlk help repository
	assert_output --partial "refs/tables/"
}

@test "help for an unknown command exits 2" {
	run -2 mlk help frob
	assert_output "mlk: 'frob' is not an mlk command or topic"
}
