#!/usr/bin/env bats
load helpers

# 60 rows of a noisy linear function and a class.
data() {
	awk 'BEGIN { print "x1,x2,region,y,hot"
		for (i = 0; i < 60; i++) {
			x1 = (i * 7 % 13) / 4; x2 = (i * 5 % 11) / 8
			r = i % 3 == 0 ? "north" : i % 3 == 1 ? "south" : "east"
			y = 1 + 2 * x1 - x2 + (i * 37 % 17) / 17
			printf "%s,%s,%s,%s,%s\n", x1, x2, r, y, (y > 4 ? "true" : "false") } }' > d.csv
	mlk ingest bronze.d d.csv > /dev/null
}

# Rewrites run $1's record with the jq filter $2: a run whose record no
# longer matches its model.
edit_record() {
	local ref=refs/runs/$1 summary rec tree parents new
	summary=$(git --git-dir=.mlk log -1 --format=%s "$ref")
	rec=$(git --git-dir=.mlk log -1 --format=%B "$ref" | sed 1,2d | jq "$2")
	tree=$(git --git-dir=.mlk rev-parse "$ref^{tree}")
	parents=$(git --git-dir=.mlk rev-parse "$ref^@" | sed 's/^/-p /')
	# shellcheck disable=SC2086
	new=$(printf '%s\n\n%s\n' "$summary" "$rec" |
	    GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t \
	    GIT_COMMITTER_EMAIL=t@t git --git-dir=.mlk commit-tree "$tree" $parents)
	git --git-dir=.mlk update-ref "$ref" "$new"
}

@test "reproduce: a run retrains to the identical model" {
	init_repo
	data
	id=$(mlk train m --data bronze.d --target y --algo ridge --param alpha=0.3 --split test=0.25 --seed 9 --json | jq -r .run_id)
	tree=$(git --git-dir=.mlk rev-parse "refs/runs/$id:model")
	run -0 mlk reproduce "$id"
	assert_output "identical: run $id retrains to model $tree from bronze.d@0"
	run -0 mlk reproduce "runs:/$id"
	run -0 mlk reproduce "${id:0:6}" --json
	commit=$(git --git-dir=.mlk rev-parse refs/tables/bronze.d)
	assert_output "{\"run_id\":\"$id\",\"identical\":true,\"recorded\":\"$tree\",\"retrained\":\"$tree\",\"data\":{\"table\":\"bronze.d\",\"version\":0,\"commit\":\"$commit\"},\"differences\":[]}"
}

@test "reproduce: every algorithm, split and cross-validation, one thread or many" {
	init_repo
	data
	for args in "--algo linear" "--algo lasso --param alpha=0.01 --cv 3" \
	    "--algo elasticnet --param l1_ratio=0.3 --param standardize=true" \
	    "--target hot --algo logistic --split test=0.3 --seed 2" \
	    "--target region --algo logistic --param solver=newton --features x1,x2" \
	    "--target region --split by=x1,test=0.2"; do
		# shellcheck disable=SC2086
		id=$(mlk train m --data bronze.d --target y $args --json | jq -r .run_id)
		[ -n "$id" ]
		run -0 mlk reproduce "$id"
		assert_output --partial "identical: run $id"
		OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 run -0 mlk reproduce "$id"
	done
}

@test "reproduce: the data is pinned to the run's input version, not the table's latest" {
	init_repo
	data
	id=$(mlk train m --data bronze.d --target y --json | jq -r .run_id)
	printf 'x1,x2,region,y,hot\n100,100,west,-50,false\n' > more.csv
	mlk ingest bronze.d more.csv > /dev/null
	run -0 mlk reproduce "$id"
	assert_output --partial "from bronze.d@0"
}

@test "reproduce: a run whose record no longer makes its model exits 4, naming what differs" {
	init_repo
	data
	id=$(mlk train m --data bronze.d --target y --algo ridge --param alpha=0.3 --json | jq -r .run_id)
	edit_record "$id" '.parameters.alpha = "5"'
	run -4 --separate-stderr mlk reproduce "$id"
	assert_line --index 0 --regexp "^differs: run $id recorded model [0-9a-f]{40}, retrained [0-9a-f]{40} from bronze.d@0$"
	assert_line --index 1 'model.json: fit_options.alpha: recorded 0.29999999999999999, retrained 5.0'
	assert_line --index 2 --regexp '^MLmodel: line [0-9]+: recorded "model_size_bytes: [0-9]+", retrained "model_size_bytes: [0-9]+"$'
	[ "${#lines[@]}" -eq 3 ]
	assert_equal "$stderr" "mlk: run '$id' does not reproduce: model.json differs at fit_options.alpha"
	run -4 mlk reproduce "$id" --json
	echo "$output" | head -n 1 | jq -e '.identical == false and (.differences | map(.file) | index("model.json") != null) and (.differences[] | select(.file == "model.json") | .recorded != .retrained)'
}

@test "reproduce: a changed split seed shows in the input example" {
	init_repo
	data
	id=$(mlk train m --data bronze.d --target y --split test=0.5 --json | jq -r .run_id)
	edit_record "$id" '.data.seed = 77'
	run -4 mlk reproduce "$id"
	assert_output --partial "input_example.json: data[0]"
	assert_output --partial "model.json: "
}

@test "reproduce errors: no run 1, not a training run 1, usage 2" {
	run -2 mlk reproduce
	assert_line --index 0 "mlk: which run?"
	assert_line --index 1 "usage: mlk reproduce <run> [--json]"
	run -2 mlk reproduce a b
	assert_line --index 0 "mlk: too many arguments"
	run -1 mlk reproduce abcd
	assert_output --partial "not an mlk repository"
	init_repo
	run -1 mlk reproduce abcd
	assert_output --partial "no run 'abcd'"
	data
	id=$(mlk train m --data bronze.d --target y --json | jq -r .run_id)
	edit_record "$id" '.operation = "TRACK"'
	run -1 mlk reproduce "$id"
	assert_output "mlk: run '$id' was not made by mlk train: nothing to retrain"
	edit_record "$id" '.operation = "TRAIN" | del(.data.commit)'
	run -1 mlk reproduce "$id"
	assert_output "mlk: run '$id': the run's record has no valid data"
}
