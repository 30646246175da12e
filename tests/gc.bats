#!/usr/bin/env bats
load helpers

@test "gc packs everything reachable and keeps the history" {
	init_repo
	mkversion -n 5 bronze.t
	mkversion -k model m
	before=$(mlk log --json)
	run -0 mlk gc
	assert_output --regexp '^packed 16 objects: [0-9.]+ [kM]?B -> [0-9.]+ [kM]?B$'
	[ "$(find .mlk/objects -type f -path '*/objects/??/*' | wc -l)" -eq 0 ]
	[ "$(ls .mlk/objects/pack/*.pack | wc -l)" -eq 1 ]
	[ "$(mlk log --json)" = "$before" ]
	run -0 mlk fsck
	run -0 git --git-dir=.mlk fsck --strict
}

@test "gc keeps young unreachable objects, --prune=now removes them" {
	init_repo
	mkversion bronze.t
	blob=$(echo stray | git --git-dir=.mlk hash-object -w --stdin)
	run -0 mlk gc
	run -0 git --git-dir=.mlk cat-file -e "$blob"
	run -0 mlk gc --prune=never
	run -0 git --git-dir=.mlk cat-file -e "$blob"
	run -0 mlk gc --prune=now --json
	echo "$output" | jq -e '.objects == 3 and .bytes_after > 0'
	run -1 git --git-dir=.mlk cat-file -e "$blob"
}

@test "gc twice is harmless, and versions after gc still work" {
	init_repo
	mkversion -n 2 bronze.t
	mlk gc >/dev/null
	mlk gc >/dev/null
	mkversion bronze.t
	run -0 mlk log -n 1 bronze.t --json
	echo "$output" | jq -e '.[0].record.version == 2'
	mlk gc --prune=now >/dev/null
	[ "$(ls .mlk/objects/pack/*.pack | wc -l)" -eq 1 ]
	run -0 mlk fsck
	assert_output "checked 7 objects, 1 refs, 3 versions: 0 problems"
}

@test "gc --prune with a bad value exits 2" {
	init_repo
	run -2 mlk gc --prune=soon
	assert_line --index 0 "mlk: bad --prune value 'soon'"
	run -0 mlk gc --prune=30d
}

@test "an unreachable object in an older pack stays until it is old enough" {
	init_repo
	mkversion bronze.a
	mkversion bronze.b
	mlk gc >/dev/null
	b=$(git --git-dir=.mlk rev-parse refs/tables/bronze.b)
	git --git-dir=.mlk update-ref -d refs/tables/bronze.b
	run -0 mlk gc
	run -0 git --git-dir=.mlk cat-file -e "$b"
	run -0 mlk gc --prune=never
	run -0 git --git-dir=.mlk cat-file -e "$b"
	run -0 mlk gc --prune=now
	run -1 git --git-dir=.mlk cat-file -e "$b"
	[ "$(ls .mlk/objects/pack/*.pack | wc -l)" -eq 1 ]
	run -0 mlk fsck
}

@test "gc removes the temporary files a killed writer left, once old enough" {
	init_repo
	mkversion bronze.t
	mkdir -p .mlk/objects/ab
	echo partial > .mlk/objects/ab/tmp_obj_Xy12Zq
	echo partial > .mlk/objects/ab/tmp_object_git2_a1b2c3
	touch -d '30 days ago' .mlk/objects/ab/tmp_obj_Xy12Zq \
	    .mlk/objects/ab/tmp_object_git2_a1b2c3
	echo writing > .mlk/objects/ab/tmp_obj_young1
	run -0 mlk gc
	[ ! -e .mlk/objects/ab/tmp_obj_Xy12Zq ]
	[ ! -e .mlk/objects/ab/tmp_object_git2_a1b2c3 ]
	[ -e .mlk/objects/ab/tmp_obj_young1 ]
	run -0 mlk gc --prune=now
	[ ! -e .mlk/objects/ab/tmp_obj_young1 ]
	run -0 mlk fsck
}
