#!/usr/bin/env bats
load helpers

# A run with a model whose coefficient is $1 (distinct coefficients make
# distinct model bytes) and the metrics given as k=v; prints the run id.
model_run() {
	local coef=$1 m args=()
	shift
	for m in "$@"; do
		args+=(--metric "$m")
	done
	"$MLK_TOOLS/mkmodel" --features x --coef "$coef" "${args[@]}"
}

# energy versions 1, 2, 3 with rmse 0.5, 0.4, 0.6 and mae 3, 3, 2.
three_versions() {
	init_repo
	R1=$(model_run 1 rmse=0.5 mae=3)
	R2=$(model_run 2 rmse=0.4 mae=3)
	R3=$(model_run 3 rmse=0.6 mae=2)
	mlk register add energy "runs:/$R1" > /dev/null
	mlk register add energy "runs:/$R2" > /dev/null
	mlk register add energy "runs:/$R3" > /dev/null
}

ref() {
	git --git-dir=.mlk rev-parse --verify -q "$1"
}

version_commit() {
	mlk register show "energy/$1" --json | jq -r .commit
}

# --- add -------------------------------------------------------------

@test "add: versions from 1, parents the previous version and the run, record and tree" {
	init_repo
	r1=$(model_run 1 rmse=0.5)
	r2=$(model_run 2 rmse=0.4)
	run -0 mlk register add energy "runs:/$r1" --description "first fit" --tag team=forecast --tag stage=dev
	assert_output "registered energy version 1 from run $r1"
	run -0 mlk register add energy "runs:/$r2"
	assert_output "registered energy version 2 from run $r2"
	v1=$(version_commit 1)
	v2=$(version_commit 2)
	[ "$(ref refs/models/energy)" = "$v2" ]
	run1=$(ref "refs/runs/$r1")
	run2=$(ref "refs/runs/$r2")
	# version 1: the run alone; version 2: version 1, then its run
	[ "$(git --git-dir=.mlk rev-parse "$v1^@")" = "$run1" ]
	[ "$(git --git-dir=.mlk rev-parse "$v2^@" | paste -sd ' ')" = "$v1 $run2" ]
	# the tree is the run's model tree
	[ "$(git --git-dir=.mlk rev-parse "$v1^{tree}")" = "$(git --git-dir=.mlk rev-parse "$run1:model")" ]
	git --git-dir=.mlk cat-file commit "$v1" | sed '1,/^$/d' | sed 1,2d > rec.json
	jq -e --arg r "$r1" --arg t "$(git --git-dir=.mlk rev-parse "$run1:model")" \
	    '.kind == "model" and .name == "energy" and .operation == "REGISTER" and .version == 1 and .run_id == $r and .model_tree == $t and .description == "first fit" and .tags == {"team": "forecast", "stage": "dev"} and .source == "runs:/\($r)"' rec.json
	run -0 mlk fsck
	run -0 git --git-dir=.mlk fsck --strict
}

@test "add: the same model bytes again create nothing and name the version" {
	init_repo
	r1=$(model_run 1 rmse=0.5)
	mlk register add energy "runs:/$r1" > /dev/null
	head=$(ref refs/models/energy)
	run -0 mlk register add energy "runs:/$r1"
	assert_output "energy version 1 has the same model already: nothing registered"
	# from the version itself, or from the model tree's id
	run -0 mlk register add energy models:/energy/1
	assert_output "energy version 1 has the same model already: nothing registered"
	run -0 mlk register add energy "$(git --git-dir=.mlk rev-parse "refs/runs/$r1:model")"
	assert_output "energy version 1 has the same model already: nothing registered"
	[ "$(ref refs/models/energy)" = "$head" ]
	# the same bytes under another name are a new model
	run -0 mlk register add energy-copy models:/energy/1
	assert_output "registered energy-copy version 1 from run $r1"
}

@test "add: errors name what is wrong, and write nothing" {
	init_repo
	r1=$(model_run 1 rmse=0.5)
	norun=$("$MLK_TOOLS/mkmodel" --no-model --metric rmse=1)
	run -1 mlk register add energy runs:/abcdef
	assert_output --partial "no run 'abcdef'"
	run -1 mlk register add energy "runs:/$norun"
	assert_output --partial "is not a model"
	run -1 mlk register add energy models:/nope/1
	assert_output --partial "no model 'nope'"
	run -2 mlk register add energy not-a-rev
	assert_output --partial "bad revision 'not-a-rev'"
	run -2 mlk register add 'bad/name' "runs:/$r1"
	assert_output --partial "'bad/name' is not a valid model name"
	run -2 mlk register add energy
	assert_output --partial "register add takes a name and a model revision"
	run -2 mlk register add energy "runs:/$r1" extra
	assert_output --partial "too many arguments"
	run -2 mlk register add energy "runs:/$r1" --tag novalue
	assert_output --partial "--tag takes <key>=<value>, not 'novalue'"
	run -2 mlk register add energy "runs:/$r1" --tag =x
	run -2 mlk register add energy "runs:/$r1" --to production
	assert_output --partial "option '--to' does not apply to 'register add'"
	run ref refs/models/energy
	assert_failure
}

@test "add outside a repository fails with exit 1" {
	run -1 mlk register add energy runs:/abcdef
	assert_output --partial "not an mlk repository"
}

@test "add: concurrent registers of different models of one name all land" {
	init_repo
	for i in 1 2 3 4 5 6; do
		model_run "$i" "rmse=0.$i" > "run$i"
	done
	# three names at once: each first version is a race to create a ref
	for name in energy solar wind; do
		for i in 1 2 3 4 5 6; do
			mlk register add $name "runs:/$(cat "run$i")" \
				> "out$name$i" 2>&1 &
		done
	done
	wait
	for name in energy solar wind; do
		run -0 mlk register show $name --json
		echo "$output" | jq -e '.latest == 6 and ([.versions[].run_id] | unique | length) == 6'
		[ "$(cat out$name* | grep -c 'version 1 from')" = 1 ]
	done
	run -0 mlk fsck
}

# --- ls and show -----------------------------------------------------

@test "ls: nothing in an empty repository, then models with aliases" {
	init_repo
	run -0 mlk register ls
	assert_output ""
	run -0 mlk register ls --json
	assert_output "[]"
	three_versions
	MLK_NOW=1700000000 model_run 9 rmse=1 > r9
	MLK_NOW=1700000000 mlk register add solar "runs:/$(cat r9)" > /dev/null
	mlk register alias energy production 2 > /dev/null
	mlk register alias energy staging 3 > /dev/null
	run -0 mlk register ls
	assert_line --index 0 "NAME    LATEST  ALIASES                  REGISTERED"
	assert_line --index 2 --regexp '^energy       3  production=2, staging=3  [0-9-]{10} [0-9:]{8}$'
	assert_line --index 3 "solar        1  -                        2023-11-14 22:13:20"
	run -0 mlk register ls --json
	echo "$output" | jq -e '.[0].name == "energy" and .[0].latest == 3 and .[0].aliases == {"production": 2, "staging": 3} and .[1] == {"name": "solar", "latest": 1, "aliases": {}, "updated": "2023-11-14T22:13:20Z"}'
}

@test "show: versions newest first with aliases, tags and metrics" {
	three_versions
	r4=$(model_run 4 rmse=0.3)
	mlk register add energy "runs:/$r4" --tag team=fc --description "with tags" > /dev/null
	mlk register alias energy production 2 > /dev/null
	mlk register alias energy champion 2 > /dev/null
	run -0 mlk register show energy
	assert_line --index 0 "Model:     energy"
	assert_line --index 1 "Latest:    4"
	assert_line --index 2 "Aliases:   champion=2, production=2"
	# (bats drops the blank line from lines)
	assert_line --index 3 --regexp '^VERSION  REGISTERED +RUN +ALIASES +TAGS +METRICS$'
	assert_line --index 5 --regexp "^      4  .{19}  $r4  -  +team=fc  rmse=0.3\$"
	assert_line --index 7 --regexp "^      2  .{19}  $R2  champion, production  -  +rmse=0.4, mae=3\$"
	[ "${#lines[@]}" -eq 9 ]
	run -0 mlk register show energy --json
	echo "$output" | jq -e --arg r "$R2" '.name == "energy" and .latest == 4 and .aliases == {"champion": 2, "production": 2} and (.versions | length) == 4 and .versions[1].version == 2 and .versions[1].run_id == $r and .versions[1].aliases == ["champion", "production"] and .versions[1].metrics == {"rmse": 0.4, "mae": 3} and .versions[3].tags == {"team": "fc"} and .versions[3].description == "with tags"'
}

@test "show <name>/<version>: one version in full" {
	three_versions
	mlk register alias energy production 2 > /dev/null
	run -0 mlk register show energy/2
	assert_line --index 0 "Model:        energy"
	assert_line --index 1 "Version:      2"
	assert_line --index 2 "Commit:       $(version_commit 2)"
	assert_line --index 3 --regexp '^Registered:   [0-9-]{10} [0-9:]{8} UTC by Test User <test@example.org>$'
	assert_line --index 4 "Run:          $R2"
	assert_line --index 6 "Aliases:      production"
	assert_line --index 7 "Description:  -"
	assert_line --index 8 "Tags:         -"
	assert_line --index 9 "Metrics:"
	assert_line --index 10 --regexp '^    rmse +0.4$'
	assert_line --index 11 --regexp '^    mae +3$'
	run -0 mlk register show energy/2 --json
	echo "$output" | jq -e --arg r "$R2" '.version == 2 and .run_id == $r and .aliases == ["production"] and .metrics.rmse == 0.4 and .user == "Test User <test@example.org>"'
	run -0 mlk register show energy/latest --json
	echo "$output" | jq -e --arg r "$R3" '.version == 3 and .run_id == $r'
}

@test "show: unknown model, version and bad version" {
	three_versions
	run -1 mlk register show nope
	assert_output "mlk: no registered model 'nope'"
	run -1 mlk register show nope/latest
	assert_output "mlk: no registered model 'nope'"
	run -1 mlk register show energy/9
	assert_output "mlk: model 'energy' has no version 9 (latest is 3)"
	run -2 mlk register show energy/x
	assert_output --partial "'x' is not a version number"
	run -2 mlk register show energy/0
	run -2 mlk register show
	assert_output --partial "which model?"
}

# --- alias -----------------------------------------------------------

@test "alias: creates and moves an alias; models:/name@alias resolves to it" {
	three_versions
	run -0 mlk register alias energy production 1
	assert_output "alias production of energy: no version -> version 1"
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 1)" ]
	run -0 mlk register alias energy production 2
	assert_output "alias production of energy: version 1 -> version 2"
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 2)" ]
	run -0 mlk register alias energy production 2
	assert_output "alias production of energy names version 2 already"
	run -0 mlk show models:/energy@production
	assert_output --partial "$(version_commit 2)"
	run -0 mlk register show energy --json
	echo "$output" | jq -e '.aliases == {"production": 2}'
}

@test "alias --expect: a match moves, a mismatch exits 3 and changes nothing" {
	three_versions
	run -0 mlk register alias energy production 1 --expect none
	run -3 mlk register alias energy production 2 --expect none
	assert_output "mlk: alias 'production' of model 'energy' names version 1, expected no version: nothing changed"
	run -3 mlk register alias energy production 2 --expect 3
	assert_output "mlk: alias 'production' of model 'energy' names version 1, expected version 3: nothing changed"
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 1)" ]
	run -3 mlk register alias energy staging 2 --expect 1
	assert_output --partial "names no version, expected version 1"
	run ref refs/aliases/energy/staging
	assert_failure
	run -0 mlk register alias energy production 2 --expect 1
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 2)" ]
	run -0 mlk register history energy --json
	echo "$output" | jq -e 'length == 2'
}

@test "alias: bad arguments exit 2, unknown model or version exit 1" {
	three_versions
	run -2 mlk register alias energy latest 2
	assert_output --partial "'latest' is reserved: models:/energy/latest always names the newest version"
	run -2 mlk register alias energy pro.d 2
	assert_output --partial "'pro.d' is not a valid alias name"
	run -2 mlk register alias energy production two
	assert_output --partial "'two' is not a version number"
	run -2 mlk register alias energy production 0
	run -2 mlk register alias energy production 2 --expect two
	run -2 mlk register alias energy production
	assert_output --partial "register alias takes a model, an alias and a version"
	run -2 mlk register alias energy production 1 2
	assert_output --partial "too many arguments"
	run -2 mlk register alias energy production 1 --json
	assert_output --partial "option '--json' does not apply to 'register alias'"
	run -1 mlk register alias energy production 9
	assert_output "mlk: model 'energy' has no version 9 (latest is 3)"
	run -1 mlk register alias nope production 1
	assert_output "mlk: no registered model 'nope'"
	run ref refs/aliases/energy/production
	assert_failure
}

@test "alias --delete: removes the alias, recorded in the history" {
	three_versions
	mlk register alias energy production 2 > /dev/null
	run -3 mlk register alias --delete energy production --expect 1
	ref refs/aliases/energy/production
	run -0 mlk register alias --delete energy production --expect 2
	assert_output "deleted alias production of energy (it named version 2)"
	run ref refs/aliases/energy/production
	assert_failure
	run -1 mlk show models:/energy@production
	assert_output --partial "has no alias 'production'"
	run -1 mlk register alias --delete energy production
	assert_output "mlk: model 'energy' has no alias 'production'"
	run -2 mlk register alias --delete energy production --expect none
	run -2 mlk register alias --delete energy
	assert_output --partial "register alias --delete takes a model and an alias"
	run -0 mlk register history energy production --json
	echo "$output" | jq -e '.[0].operation == "DELETE" and .[0].old_version == 2 and .[0].new_version == null'
}

# --- promote ---------------------------------------------------------

@test "promote: the condition holds, the alias moves, both values printed" {
	three_versions
	mlk register alias energy production 1 > /dev/null
	run -0 mlk register promote energy 2 --to production --if "metrics.rmse < current.metrics.rmse"
	assert_output - <<'EOF'
metrics.rmse                   0.4          (version 2)
current.metrics.rmse           0.5          (version 1, production)
promoted energy version 2 to production (it named version 1)
EOF
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 2)" ]
	run -0 mlk register history energy production --json
	echo "$output" | jq -e '.[0].operation == "PROMOTE" and .[0].old_version == 1 and .[0].new_version == 2 and .[0].condition == "metrics.rmse < current.metrics.rmse" and .[0].values["metrics.rmse"] == 0.4 and .[0].values["current.metrics.rmse"] == 0.5'
}

@test "promote: not met exits 4 with both values, and changes nothing" {
	three_versions
	mlk register alias energy production 2 > /dev/null
	before=$(ref refs/aliases/energy/history.log)
	run -4 --separate-stderr mlk register promote energy 3 --to production --if "metrics.rmse <= current.metrics.rmse - 0.01 and metrics.mae < 5"
	assert_output - <<'EOF'
metrics.rmse                   0.6          (version 3)
current.metrics.rmse           0.4          (version 2, production)
metrics.mae                    2            (version 3)
EOF
	[ "$stderr" = "mlk: condition not met: alias 'production' of model 'energy' stays at version 2" ]
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 2)" ]
	[ "$(ref refs/aliases/energy/history.log)" = "$before" ]
	# another condition on the same pair holds
	run -0 mlk register promote energy 3 --to production --if "metrics.mae < current.metrics.mae or not (metrics.rmse > 1)"
	assert_line --index 1 --regexp '^current.metrics.mae +3 +\(version 2, production\)$'
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 3)" ]
}

@test "promote: an alias without a holder takes the candidate; without --if it just moves" {
	three_versions
	run -0 mlk register promote energy 3 --to production --if "metrics.rmse < current.metrics.rmse"
	assert_output - <<'EOF'
alias production has no holder: the condition holds
promoted energy version 3 to production (it named no version)
EOF
	run -0 mlk register promote energy 1 --to production
	assert_output "promoted energy version 1 to production (it named version 3)"
	run -0 mlk register promote energy 1 --to production --if "metrics.rmse > 100"
	assert_output "alias production of energy names version 1 already"
}

@test "promote: a missing metric exits 1 naming it; a bad condition exits 2 naming the column" {
	three_versions
	mlk register alias energy production 1 > /dev/null
	run -1 mlk register promote energy 2 --to production --if "metrics.r2 > current.metrics.r2"
	assert_output "mlk: the run of version 2 has no metric 'r2' (metrics.r2 at column 1 of the condition)"
	run -1 mlk register promote energy 2 --to production --if "metrics.rmse > current.metrics.r2"
	assert_output "mlk: the run of version 1 (production) has no metric 'r2' (current.metrics.r2 at column 16 of the condition)"
	run -2 mlk register promote energy 2 --to production --if "metrics.rmse < current.metrics.rmse &"
	assert_output - <<'EOF'
mlk: bad condition at column 37: expected 'and', 'or', ')' or the end, found '&'
  metrics.rmse < current.metrics.rmse &
                                      ^
EOF
	run -2 mlk register promote energy 2 --to production --if "metrics.rmse + 1"
	assert_output --partial "a condition compares: this is only a number"
	run -2 mlk register promote energy 2 --if "metrics.rmse < 1"
	assert_output --partial "register promote needs --to <alias>"
	run -2 mlk register promote energy 2 --to latest
	assert_output --partial "'latest' is reserved"
	run -2 mlk register promote energy --to production
	run -1 mlk register promote energy 7 --to production
	assert_output "mlk: model 'energy' has no version 7 (latest is 3)"
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 1)" ]
	run -0 mlk register history energy --json
	echo "$output" | jq -e 'length == 1'
}

# --- rollback and history --------------------------------------------

@test "rollback: back to the version before the last move; twice undoes it" {
	three_versions
	mlk register alias energy production 1 > /dev/null
	mlk register promote energy 2 --to production > /dev/null
	mlk register alias energy production 3 > /dev/null
	run -0 mlk register rollback energy production
	assert_output "alias production of energy rolled back: version 3 -> version 2"
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 2)" ]
	run -0 mlk register rollback energy production
	assert_output "alias production of energy rolled back: version 2 -> version 3"
	run -0 mlk register history energy production --json
	echo "$output" | jq -e '[.[].operation] == ["ROLLBACK", "ROLLBACK", "SET", "PROMOTE", "SET"] and .[1].rolled_back == .[2].commit and .[0].rolled_back == .[1].commit'
}

@test "rollback: after a delete the alias comes back; errors when there is nothing to go back to" {
	three_versions
	run -1 mlk register rollback energy production
	assert_output "mlk: alias 'production' of model 'energy' has never moved: nothing to roll back"
	mlk register alias energy production 2 > /dev/null
	run -1 mlk register rollback energy production
	assert_output --partial "named no version before its last move: nothing to roll back to"
	mlk register alias --delete energy production > /dev/null
	run -0 mlk register rollback energy production
	assert_output "alias production of energy rolled back: no version -> version 2"
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 2)" ]
	run -2 mlk register rollback energy latest
	run -2 mlk register rollback energy
	run -1 mlk register rollback nope production
	assert_output "mlk: no registered model 'nope'"
}

@test "history: every move with time, user, old and new version, newest first" {
	three_versions
	MLK_NOW=1700000000 mlk register alias energy production 1 > /dev/null
	MLK_NOW=1700000060 mlk register alias energy staging 3 > /dev/null
	MLK_NOW=1700000120 MLK_USER="CI Bot <ci@example.org>" mlk register promote energy 2 --to production > /dev/null
	MLK_NOW=1700000180 mlk register alias --delete energy staging > /dev/null
	run -0 mlk register history energy
	assert_output - <<'EOF'
TIME                 USER                          ALIAS       OPERATION  FROM  TO
-------------------  ----------------------------  ----------  ---------  ----  --
2023-11-14 22:16:20  Test User <test@example.org>  staging     DELETE        3   -
2023-11-14 22:15:20  CI Bot <ci@example.org>       production  PROMOTE       1   2
2023-11-14 22:14:20  Test User <test@example.org>  staging     SET           -   3
2023-11-14 22:13:20  Test User <test@example.org>  production  SET           -   1
EOF
	run -0 mlk register history energy production --json
	echo "$output" | jq -e '(. | length) == 2 and .[0].time == "2023-11-14T22:15:20Z" and .[0].user == "CI Bot <ci@example.org>" and .[0].alias == "production" and .[1].old_version == null and .[1].new_version == 1 and (.[0].commit | length) == 40'
	run -0 mlk register history energy canary
	assert_output ""
	run -1 mlk register history nope
	assert_output "mlk: no registered model 'nope'"
	run -2 mlk register history energy a b
}

@test "history and rollback survive gc, and the repository verifies" {
	three_versions
	mlk register alias energy production 1 > /dev/null
	mlk register alias energy production 2 > /dev/null
	mlk register alias --delete energy production > /dev/null
	mlk register alias energy staging 3 > /dev/null
	run -0 mlk register history energy --json
	want=$output
	run -0 mlk gc --prune=now
	run -0 mlk register history energy --json
	assert_output "$want"
	# no reflog needed: the history is commits
	rm -rf .mlk/logs
	run -0 mlk register history energy --json
	assert_output "$want"
	run -0 mlk register rollback energy production
	assert_output "alias production of energy rolled back: no version -> version 2"
	run -0 mlk fsck
	run -0 git --git-dir=.mlk fsck --strict
}

@test "history travels with a clone" {
	three_versions
	mlk register alias energy production 1 > /dev/null
	mlk register alias energy production 2 > /dev/null
	git clone -q --bare --mirror .mlk ../copy.mlk
	cd ../copy.mlk
	MLK_DIR=$PWD run -0 "$MLK" register rollback energy production
	assert_output "alias production of energy rolled back: version 2 -> version 1"
}

# --- concurrency -----------------------------------------------------

@test "concurrent moves of one alias: one wins, the others exit 3" {
	three_versions
	mlk register alias energy production 1 > /dev/null
	for i in 1 2 3 4 5 6 7 8; do
		(
			mlk register alias energy production $((i % 2 + 2)) --expect 1 > "out$i" 2>&1 &&
			    echo 0 > "rc$i" || echo $? > "rc$i"
		) &
	done
	wait
	run -0 bash -c 'cat rc* | sort | uniq -c | sed "s/^ *//"'
	assert_output - <<'EOF'
1 0
7 3
EOF
	run -0 mlk register history energy production --json
	echo "$output" | jq -e 'length == 2 and .[0].old_version == 1'
	new=$(echo "$output" | jq .[0].new_version)
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit "$new")" ]
	run -0 mlk fsck
}

@test "an alias locked by another writer: exit 3 after the retries, nothing changed" {
	three_versions
	mlk register alias energy production 1 > /dev/null
	before=$(ref refs/aliases/energy/history.log)
	: > .mlk/refs/aliases/energy/production.lock
	run -3 mlk register alias energy production 2
	assert_output "mlk: concurrent update of alias 'production' of model 'energy': another writer moved it or holds it: nothing changed"
	rm .mlk/refs/aliases/energy/production.lock
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 1)" ]
	[ "$(ref refs/aliases/energy/history.log)" = "$before" ]
	# a locked history alone is waited for, then the move lands
	: > .mlk/refs/aliases/energy/history.log.lock
	(sleep 0.2; rm .mlk/refs/aliases/energy/history.log.lock) &
	run -0 mlk register alias energy production 2
	wait
	[ "$(ref refs/aliases/energy/production)" = "$(version_commit 2)" ]
}

@test "concurrent moves of different aliases all land in the history" {
	three_versions
	for a in a1 a2 a3 a4 a5 a6; do
		mlk register alias energy "$a" 2 > "out-$a" 2>&1 &
	done
	wait
	run -0 mlk register history energy --json
	echo "$output" | jq -e 'length == 6 and ([.[].alias] | sort) == ["a1", "a2", "a3", "a4", "a5", "a6"]'
	run -0 mlk register show energy --json
	echo "$output" | jq -e '.aliases == {"a1": 2, "a2": 2, "a3": 2, "a4": 2, "a5": 2, "a6": 2}'
}

# --- the command line ------------------------------------------------

@test "-h prints every form; unknown subcommands and options exit 2" {
	run -0 mlk register -h
	assert_line --index 0 "usage: mlk register add <name> <model-rev> [--description <text>]"
	assert_output --partial "   or: mlk register history <name> [<alias>] [--json]"
	run -2 mlk register
	assert_output --partial "which subcommand?"
	run -2 mlk register frobnicate
	assert_output --partial "unknown subcommand 'frobnicate'"
	run -2 mlk register ls --nope
	assert_output --partial "unknown option '--nope'"
	run -2 mlk register ls extra
	run -2 mlk register rollback energy prod --if "1 < 2"
	assert_output --partial "option '--if' does not apply to 'register rollback'"
	run -0 mlk register --completion-helper
	assert_output "--help --description= --tag= --expect= --delete --to= --if= --json"
}
