#!/usr/bin/env bats
load helpers

@test "fsck of a healthy repository" {
	init_repo
	mkversion -n 3 bronze.t
	mkversion -i bronze.t@1 silver.s
	mkversion -k model m
	run -0 mlk fsck
	assert_output "checked 11 objects, 3 refs, 5 versions: 0 problems"
	run -0 git --git-dir=.mlk fsck --strict
}

@test "fsck --json" {
	init_repo
	mkversion bronze.t
	run -0 mlk fsck --json
	echo "$output" | jq -e '.objects == 3 and .refs == 1 and .problems == []'
}

@test "a garbage loose object: exit 4, named" {
	init_repo
	mkversion bronze.t
	blob=$(git --git-dir=.mlk rev-parse refs/tables/bronze.t:data)
	f=".mlk/objects/${blob:0:2}/${blob:2}"
	chmod u+w "$f"
	echo garbage > "$f"
	run -4 mlk fsck
	assert_line "error: object $blob is truncated or not zlib data"
	assert_line --regexp "^error: table 'bronze.t' commit [0-9a-f]{12}: 'data' \(blob $blob\) is damaged$"
	assert_line "mlk: fsck found 2 problems"
}

@test "a truncated loose object: exit 4" {
	init_repo
	mkversion bronze.t
	commit=$(git --git-dir=.mlk rev-parse refs/tables/bronze.t)
	f=".mlk/objects/${commit:0:2}/${commit:2}"
	chmod u+w "$f"
	head -c 20 "$f" > "$f.tmp" && mv "$f.tmp" "$f"
	run -4 mlk fsck
	assert_line "error: object $commit is truncated or not zlib data"
	assert_line --regexp "^error: table 'bronze.t' commit [0-9a-f]{12}: the commit is damaged$"
}

@test "an object whose content does not match its id: exit 4" {
	init_repo
	mkversion -c one bronze.a
	mkversion -c two bronze.b
	a=$(git --git-dir=.mlk rev-parse refs/tables/bronze.a:data)
	b=$(git --git-dir=.mlk rev-parse refs/tables/bronze.b:data)
	fa=".mlk/objects/${a:0:2}/${a:2}"
	fb=".mlk/objects/${b:0:2}/${b:2}"
	chmod u+w "$fa"
	cp "$fb" "$fa"
	run -4 mlk fsck
	assert_output --partial "$a"
}

@test "a commit without a record, and a ref outside mlk's namespaces" {
	init_repo
	mkversion bronze.t
	tree=$(git --git-dir=.mlk rev-parse refs/tables/bronze.t^{tree})
	c=$(GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b git --git-dir=.mlk commit-tree -m "hand made" "$tree")
	git --git-dir=.mlk update-ref refs/tables/bronze.hand "$c"
	git --git-dir=.mlk update-ref refs/heads/stray "$c"
	run -4 mlk fsck
	assert_line --regexp "^error: table 'bronze.hand' commit [0-9a-f]{12}: no valid record in the commit message$"
	assert_line "error: ref 'refs/heads/stray' is outside mlk's namespaces"
}

@test "a record that names another table, and a broken version chain" {
	init_repo
	mkversion -n 2 bronze.t
	git --git-dir=.mlk update-ref refs/tables/bronze.other refs/tables/bronze.t
	git --git-dir=.mlk update-ref refs/tables/bronze.t refs/tables/bronze.t~1
	mkversion -n 2 bronze.u
	git --git-dir=.mlk update-ref refs/tables/bronze.u refs/tables/bronze.u~1
	run -4 mlk fsck
	assert_line --regexp "^error: table 'bronze.other' commit [0-9a-f]{12}: record names 'bronze.t'$"
}

@test "fsck takes no arguments" {
	init_repo
	run -2 mlk fsck x
}
