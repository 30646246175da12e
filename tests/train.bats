#!/usr/bin/env bats
load helpers

# The model.json of run $1.
model_json() {
	git --git-dir=.mlk show "refs/runs/$1:model/model.json"
}

# The record of run $1.
run_record() {
	git --git-dir=.mlk log -1 --format=%B "refs/runs/$1" | sed 1,2d
}

# Trains with the given options and --json; prints the run id.
train_id() {
	mlk train "$@" --json | jq -r .run_id
}

# close GOT WANT TOL: |GOT - WANT| <= TOL * max(1, |WANT|).
close() {
	awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN {
		d = g - w; if (d < 0) d = -d
		m = w < 0 ? -w : w; if (m < 1) m = 1
		if (d > t * m) { printf "%s is not %s (to %s)\n", g, w, t; exit 1 }
	}'
}

# y = 1.5 + 2 x1 - 3 x2 + 0.25 x3, exactly, on 50 rows.
linear_table() {
	awk 'BEGIN { print "x1,x2,x3,y"
		for (i = 0; i < 50; i++) {
			x1 = (i * 7 % 13) / 4; x2 = (i * 5 % 11) / 8 - 0.5
			x3 = i / 10
			printf "%.17g,%.17g,%.17g,%.17g\n", x1, x2, x3,
			    1.5 + 2 * x1 - 3 * x2 + 0.25 * x3 } }' > lin.csv
	mlk ingest bronze.lin lin.csv > /dev/null
}

# A binary and a three-class fixture, 30 rows (numpy RandomState(5)).
fixture() {
	cat > bin.csv <<'EOF'
x1,x2,dir
0.441,1.586,down
-0.331,-1.263,up
2.431,-0.012,up
-0.252,-0.202,down
0.11,-0.105,up
1.582,0.498,up
-0.909,0.395,up
-0.592,2.67,down
0.188,-0.174,down
-0.33,3.123,down
-1.193,-0.612,down
-0.205,-0.955,up
-0.359,0.201,up
0.603,0.711,down
-1.665,0.539,down
-0.7,2.584,down
1.151,2.279,up
1.857,0.989,up
-1.511,-0.673,down
0.645,-0.201,up
-0.981,2.827,up
-0.857,0.443,down
-0.872,-2.622,up
-0.423,-1.379,up
0.996,-1.155,up
0.712,2.304,up
0.059,-0.214,down
-0.363,4.52,down
0.003,1.313,down
-0.106,0.25,down
EOF
	mlk ingest bronze.bin bin.csv > /dev/null
}

@test "train linear: a known linear function is recovered, r2 1" {
	init_repo
	linear_table
	run -0 mlk train lin --data bronze.lin --target y --json
	id=$(echo "$output" | jq -r .run_id)
	echo "$output" | jq -e '.algorithm == "linear" and .task == "regression" and .metrics.r2 == 1 and .metrics.rmse < 1e-12 and .rows == {"total":50,"dropped":0,"training":50,"test":0}'
	m=$(model_json "$id")
	close "$(echo "$m" | jq '.fit.intercept[0]')" 1.5 1e-10
	close "$(echo "$m" | jq '.fit.coef[0][0]')" 2 1e-10
	close "$(echo "$m" | jq '.fit.coef[0][1]')" -3 1e-10
	close "$(echo "$m" | jq '.fit.coef[0][2]')" 0.25 1e-10
}

@test "train linear: a degree-6 polynomial to 8 significant digits" {
	init_repo
	awk 'BEGIN { print "x,x2,x3,x4,x5,x6,y"
		for (i = 0; i < 41; i++) { x = -1 + i * 0.05
			y = 0.5 - 1.25*x + 2*x^2 - 0.75*x^3 + 3*x^4 - 1.5*x^5 + 0.125*x^6
			printf "%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", x, x^2, x^3, x^4, x^5, x^6, y } }' > p.csv
	mlk ingest bronze.p p.csv > /dev/null
	id=$(train_id p --data bronze.p --target y)
	m=$(model_json "$id")
	want=(-1.25 2 -0.75 3 -1.5 0.125)
	for k in 0 1 2 3 4 5; do
		close "$(echo "$m" | jq ".fit.coef[0][$k]")" "${want[$k]}" 1e-8
	done
	close "$(echo "$m" | jq '.fit.intercept[0]')" 0.5 1e-8
}

@test "train linear: a singular design (a column twice over) gets the minimum-norm fit" {
	init_repo
	awk 'BEGIN { print "a,b,y"; for (i = 0; i < 20; i++) printf "%d,%d,%d\n", i, 2 * i, 3 * i + 1 }' > s.csv
	mlk ingest bronze.s s.csv > /dev/null
	run -0 mlk train s --data bronze.s --target y --json
	echo "$output" | jq -e '.metrics.r2 == 1'
	m=$(model_json "$(echo "$output" | jq -r .run_id)")
	[ "$(echo "$m" | jq .fit.rank)" = 1 ]
	# 3 = w1 + 2 w2 with the least norm: w1 = 0.6, w2 = 1.2.
	close "$(echo "$m" | jq '.fit.coef[0][0]')" 0.6 1e-10
	close "$(echo "$m" | jq '.fit.coef[0][1]')" 1.2 1e-10
	close "$(echo "$m" | jq '.fit.intercept[0]')" 1 1e-10
}

# Expected values from Debian's python3-sklearn 1.2.1, LogisticRegression
# (C=1.0, tol=1e-12), solver newton-cholesky for the binary fixture and
# newton-cg for the three classes: the exact optimum. (Its default lbfgs
# stops about 3e-6 relative short of it on these data.)
@test "train logistic: binary coefficients agree with scikit-learn's to 1e-6" {
	init_repo
	fixture
	for solver in lbfgs newton; do
		id=$(train_id b --data bronze.bin --target dir --param tol=1e-10 --param max_iter=1000 --param solver=$solver)
		m=$(model_json "$id")
		[ "$(echo "$m" | jq -c .classes)" = '["down","up"]' ]
		close "$(echo "$m" | jq '.fit.coef[0][0]')" 0.9395441789453306 1e-6
		close "$(echo "$m" | jq '.fit.coef[0][1]')" -0.4708368054086337 1e-6
		close "$(echo "$m" | jq '.fit.intercept[0]')" 0.29864679397786253 1e-6
	done
	# The default solver, auto, is Newton here (two classes, two
	# columns) and at the default tol reaches the optimum to 1e-6 too.
	run -0 mlk train b --data bronze.bin --target dir --json
	id=$(echo "$output" | jq -r .run_id)
	[ "$(run_record "$id" | jq -r .parameters.solver)" = auto ]
	m=$(model_json "$id")
	[ "$(echo "$m" | jq -r .fit_options.solver)" = newton ]
	close "$(echo "$m" | jq '.fit.coef[0][0]')" 0.9395441789453306 1e-6
	close "$(echo "$m" | jq '.fit.coef[0][1]')" -0.4708368054086337 1e-6
	close "$(echo "$m" | jq '.fit.intercept[0]')" 0.29864679397786253 1e-6
	# C as scikit-learn's: C=0.5 (its newton-cholesky again).
	id=$(train_id b --data bronze.bin --target dir --param C=0.5 --param tol=1e-10 --param solver=newton)
	m=$(model_json "$id")
	close "$(echo "$m" | jq '.fit.coef[0][0]')" 0.781243862 1e-5
	close "$(echo "$m" | jq '.fit.coef[0][1]')" -0.423044098 1e-5
}

@test "train logistic: multinomial coefficients agree with scikit-learn's to 1e-6" {
	init_repo
	fixture
	cat > m.csv <<'EOF'
x1,x2,k
0.441,1.586,a
-0.331,-1.263,c
2.431,-0.012,c
-0.252,-0.202,a
0.11,-0.105,c
1.582,0.498,c
-0.909,0.395,b
-0.592,2.67,a
0.188,-0.174,a
-0.33,3.123,a
-1.193,-0.612,a
-0.205,-0.955,c
-0.359,0.201,c
0.603,0.711,b
-1.665,0.539,a
-0.7,2.584,a
1.151,2.279,c
1.857,0.989,c
-1.511,-0.673,a
0.645,-0.201,b
-0.981,2.827,b
-0.857,0.443,b
-0.872,-2.622,c
-0.423,-1.379,c
0.996,-1.155,c
0.712,2.304,b
0.059,-0.214,b
-0.363,4.52,a
0.003,1.313,a
-0.106,0.25,a
EOF
	mlk ingest bronze.m m.csv > /dev/null
	id=$(train_id m --data bronze.m --target k --param tol=1e-10 --param solver=newton)
	m=$(model_json "$id")
	[ "$(echo "$m" | jq -c .classes)" = '["a","b","c"]' ]
	want=(-0.7965395309414889 0.45590415313722926 -0.14377115415210043 0.2609185542658151 0.9403106850935896 -0.7168227074030438)
	for k in 0 1 2; do
		close "$(echo "$m" | jq ".fit.coef[$k][0]")" "${want[$((2 * k))]}" 1e-6
		close "$(echo "$m" | jq ".fit.coef[$k][1]")" "${want[$((2 * k + 1))]}" 1e-6
	done
	close "$(echo "$m" | jq '.fit.intercept[0]')" -0.040841790337871366 1e-6
	close "$(echo "$m" | jq '.fit.intercept[2]')" 0.24478873048047545 1e-6
}

@test "train: the text output names the run, the model revision and the metrics" {
	init_repo
	linear_table
	run -0 mlk train lin --data bronze.lin --target y --algo ridge --param alpha=0.5 --split test=0.2
	assert_line --index 0 --regexp '^Run:        [0-9a-f]{12}$'
	id=${lines[0]##* }
	assert_line --index 1 "Model:      runs:/$id"
	assert_line --index 2 --regexp '^Tree:       [0-9a-f]{40}$'
	assert_line --index 3 "Data:       bronze.lin@0"
	assert_line --index 4 "Algorithm:  ridge (regression)"
	assert_line --index 5 "Rows:       40 training, 10 test, 0 dropped"
	assert_line --index 6 --regexp '^METRIC +TEST +TRAINING$'
	assert_line --index 8 --regexp '^rmse +[0-9.e-]+ +[0-9.e-]+$'
	assert_line --index 11 --regexp '^mape '
	[ "${#lines[@]}" -eq 12 ]
}

@test "train: the run is a commit whose parent is the input version, its record complete" {
	init_repo
	linear_table
	printf 'x1,x2,x3,y\n1,1,1,0.75\n' > more.csv
	mlk ingest bronze.lin more.csv > /dev/null
	id=$(train_id lin --data bronze.lin@0 --target y --features x1,x2 --experiment energy --seed 4 --split test=0.5)
	table0=$(git --git-dir=.mlk rev-parse refs/tables/bronze.lin~1)
	[ "$(git --git-dir=.mlk rev-parse "refs/runs/$id^@")" = "$table0" ]
	run_record "$id" | jq -e --arg c "$table0" --arg id "$id" '
		.kind == "run" and .name == $id and .operation == "TRAIN" and
		.experiment == "energy" and .run_name == "lin" and
		.status == "FINISHED" and
		.parameters == {"fit_intercept":"true","standardize":"false","missing":"impute"} and
		.inputs == [{"name":"bronze.lin","commit":$c,"version":0}] and
		.data.commit == $c and .data.rev == "bronze.lin@0" and
		.data.features == ["x1","x2"] and .data.target == "y" and
		.data.split == "test=0.5" and .data.seed == 4 and
		(.metrics | has("rmse") and has("training_rmse")) and
		.model.algorithm == "linear" and .model.task == "regression" and
		(.started | length) > 0 and (.finished | length) > 0'
	tree=$(run_record "$id" | jq -r .model.tree)
	[ "$(git --git-dir=.mlk rev-parse "refs/runs/$id:model")" = "$tree" ]
	git --git-dir=.mlk cat-file -e "refs/runs/$id:model/MLmodel"
	git --git-dir=.mlk fsck --no-progress
}

@test "train is deterministic: the same inputs, parameters and seed give the same model bytes" {
	init_repo
	fixture
	for i in 1 2; do
		id=$(train_id b --data bronze.bin --target dir --split test=0.3 --seed 11)
		git --git-dir=.mlk rev-parse "refs/runs/$id:model/model.json" "refs/runs/$id:model/input_example.json" >> ids.$i
	done
	diff ids.1 ids.2
	# Another seed splits otherwise, so fits otherwise.
	id=$(train_id b --data bronze.bin --target dir --split test=0.3 --seed 12)
	[ "$(git --git-dir=.mlk rev-parse "refs/runs/$id:model/model.json")" != "$(head -n 1 ids.1)" ]
	# One thread or many: the same bytes.
	id=$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 train_id b --data bronze.bin --target dir --split test=0.3 --seed 11)
	[ "$(git --git-dir=.mlk rev-parse "refs/runs/$id:model/model.json")" = "$(head -n 1 ids.1)" ]
}

@test "train --split by=<time>: the test rows are the last in time" {
	init_repo
	# y = 2x exactly, but for the 4 latest rows (t 16..19), listed first.
	awk 'BEGIN { print "t,x,y"
		for (i = 0; i < 20; i++) { t = (i + 16) % 20
			printf "2024-01-%02d,%d,%d\n", t + 1, i, (t >= 16 ? 100 + i : 2 * i) } }' > ts.csv
	mlk ingest bronze.ts ts.csv > /dev/null
	run -0 mlk train ts --data bronze.ts --target y --split by=t,test=0.2 --json
	echo "$output" | jq -e '.rows.training == 16 and .rows.test == 4 and .metrics.training_rmse < 1e-9 and .metrics.rmse > 10'
	# t is the split's column, so not a feature unless named.
	model_json "$(echo "$output" | jq -r .run_id)" | jq -e '[.features[].name] == ["x"]'
	run -2 mlk train ts --data bronze.ts --target y --split by=nope,test=0.2
	assert_output "mlk: unknown column 'nope' in 'bronze.ts'"
	printf 'x,y,s\n1,2,a\n2,4,b\n' > s.csv
	mlk ingest bronze.s s.csv > /dev/null
	run -2 mlk train s --data bronze.s --target y --split by=s
	assert_output "mlk: split column 's' is string: it must be a time or a number"
}

@test "train --cv: metrics as mean and std over the folds" {
	init_repo
	fixture
	run -0 mlk train b --data bronze.bin --target dir --cv 3 --json
	echo "$output" | jq -e '.rows.training == 30 and .rows.test == 0 and (.metrics | has("accuracy") and has("accuracy_std") and has("log_loss_std") and has("training_accuracy"))'
	run -0 mlk train b --data bronze.bin --target dir --cv 3
	assert_line --regexp '^METRIC +CV MEAN +CV STD +TRAINING$'
	run -2 mlk train b --data bronze.bin --target dir --cv 3 --split test=0.2
	assert_line --index 0 "mlk: --cv and --split cannot be used together"
	run -2 mlk train b --data bronze.bin --target dir --cv 1
	assert_output --partial "bad cv '1'"
	run -1 mlk train b --data bronze.bin --target dir --cv 31
	assert_output "mlk: too few rows for 31 folds: 30"
}

@test "train logistic: the loss per iteration is the run's metric history" {
	init_repo
	fixture
	run -0 mlk train b --data bronze.bin --target dir --json
	id=$(echo "$output" | jq -r .run_id)
	n=$(echo "$output" | jq .iterations)
	[ "$n" -gt 1 ]
	run_record "$id" | jq -e --argjson n "$n" '.metric_history.loss | length >= $n - 1 and length <= $n + 1 and (map(.step) == (map(.step) | sort)) and all(.timestamp > 0 and (.value | type) == "number")'
}

@test "train: one-hot string and bool features with categories sorted bytewise; standardize" {
	init_repo
	printf 'n,c,b,y\n1,b,true,1\n2,a,false,2\n3,B,true,4\n4,a,,3\n,b,false,5\n' > o.csv
	mlk ingest bronze.o o.csv > /dev/null
	id=$(train_id o --data bronze.o --target y --algo ridge --param standardize=true)
	model_json "$id" | jq -e '
		.features[0].kind == "numeric" and .features[0].impute == 2.5 and
		.features[0].center == 2.5 and
		(.features[0].scale - 1.118033988749895 | fabs) < 1e-12 and
		.features[1].categories == ["B","a","b"] and
		.features[1].kind == "onehot" and
		.features[2].categories == ["false","true"] and
		.design_columns == ["n","c=B","c=a","c=b","b=false","b=true"]'
}

@test "train --param missing=drop drops rows with a missing value; a missing target is always dropped" {
	init_repo
	printf 'x,z,y\n1,1,2\n2,,4\n3,3,6\n4,4,\n5,5,10\nnan,6,12\n' > n.csv
	mlk ingest bronze.n n.csv > /dev/null
	run -0 mlk train n --data bronze.n --target y --json
	echo "$output" | jq -e '.rows == {"total":6,"dropped":1,"training":5,"test":0}'
	model_json "$(echo "$output" | jq -r .run_id)" | jq -e '.features[0].impute == 2.75 and .features[1].impute == 3.75'
	run -0 mlk train n --data bronze.n --target y --param missing=drop --json
	echo "$output" | jq -e '.rows == {"total":6,"dropped":3,"training":3,"test":0} and .metrics.r2 == 1'
}

@test "train -f train.yaml, the command line overriding the file" {
	init_repo
	linear_table
	cat > train.yaml <<'EOF'
# a training spec
name: lin
data: bronze.lin
target: y
features: [x1, x2, x3]
algo: ridge
params:
  alpha: 0.5
  fit_intercept: true
split:
  test: 0.2
seed: 3
experiment: yaml
EOF
	run -0 mlk train -f train.yaml --json
	echo "$output" | jq -e '.name == "lin" and .algorithm == "ridge" and .experiment == "yaml" and .rows.test == 10'
	id=$(echo "$output" | jq -r .run_id)
	run_record "$id" | jq -e '.parameters.alpha == "0.5" and .data.seed == 3 and .data.split == "test=0.2"'
	run -0 mlk train other -f train.yaml --param alpha=2 --split none --features x1 --json
	echo "$output" | jq -e '.name == "other" and .rows.test == 0'
	run_record "$(echo "$output" | jq -r .run_id)" | jq -e '.parameters.alpha == "2" and .data.features == ["x1"]'
	printf 'data: bronze.lin\ntarget: y\nfeatures: x1,x3\nsplit: by=x3,test=0.1\n' > t2.yaml
	run -0 mlk train m -f t2.yaml --json
	echo "$output" | jq -e '.rows.test == 5'
}

@test "train -f: bad YAML is named by file, line and column (exit 1)" {
	init_repo
	linear_table
	printf 'target: y\ndata: bronze.lin\nalgo: ridge\nalpah: 1\n' > a.yaml
	run -1 mlk train m -f a.yaml
	assert_output "mlk: a.yaml:4:1: unknown key 'alpah' (the keys are name, data, target, features, algo, params, split, cv, seed and experiment)"
	printf 'target: y\nparams:\n  alpha: much\n' > b.yaml
	run -1 mlk train m -f b.yaml
	assert_output "mlk: b.yaml:3:3: bad value 'much' for parameter 'alpha': not a number"
	printf 'target: y\nparams:\n  beta: 1\n' > c.yaml
	run -1 mlk train m -f c.yaml
	assert_output --partial "mlk: c.yaml:3:3: unknown parameter 'beta'"
	printf 'target: y\n data: x\n' > d.yaml
	run -1 mlk train m -f d.yaml
	assert_output "mlk: d.yaml:2:6: mapping values are not allowed in this context"
	printf 'target: y\ntarget: z\n' > e.yaml
	run -1 mlk train m -f e.yaml
	assert_output "mlk: e.yaml:2:1: duplicate key 'target' (first at line 1)"
	printf 'features:\n  - a\n  - [b]\n' > f.yaml
	run -1 mlk train m -f f.yaml
	assert_output "mlk: f.yaml:3:5: 'features' must be a scalar, not a list"
	printf 'seed: &s 1\n' > g.yaml
	run -1 mlk train m -f g.yaml
	assert_output "mlk: g.yaml:1:7: anchors are not supported"
	printf -- '- a\n' > h.yaml
	run -1 mlk train m -f h.yaml
	assert_output "mlk: h.yaml:1:1: expected a mapping such as 'target: y', not a list"
	run -1 mlk train m -f nothere.yaml
	assert_output "mlk: cannot open 'nothere.yaml': No such file or directory"
	[ ! -d .mlk/refs/runs ] || [ -z "$(ls .mlk/refs/runs)" ]
}

@test "train errors: unknown columns, targets, parameters (2); data problems (1); nothing written" {
	init_repo
	linear_table
	printf 's,y,k\na,1,x\nb,2,x\n' > s.csv
	mlk ingest bronze.s s.csv > /dev/null
	run -2 mlk train m --data bronze.lin --target label
	assert_output "mlk: unknown column 'label' in 'bronze.lin'"
	run -2 mlk train m --data bronze.lin --target Y
	assert_output "mlk: unknown column 'Y' in 'bronze.lin'; did you mean 'y'?"
	run -2 mlk train m --data bronze.lin --target y --features x1,x9
	assert_output "mlk: unknown column 'x9' in 'bronze.lin'; did you mean 'x1'?"
	run -2 mlk train m --data bronze.lin --target y --features x1,y
	assert_output "mlk: feature 'y' is the target"
	run -2 mlk train m --data bronze.lin --target y --features x1,x1
	assert_output "mlk: feature 'x1' given twice"
	run -2 mlk train m --data bronze.s --target s --algo linear
	assert_output "mlk: target 's' is string: linear regression needs a number (--algo logistic classifies)"
	run -1 mlk train m --data bronze.s --target k
	assert_output "mlk: target 'k' has a single class 'x': classification needs two or more"
	run -2 mlk train m --data bronze.lin --target y --param alpha=1
	assert_output "mlk: unknown parameter 'alpha' for linear (it takes fit_intercept, standardize and missing)"
	run -2 mlk train m --data bronze.lin --target y --param alpha
	assert_output "mlk: bad parameter 'alpha': expected key=value"
	run -2 mlk train m --data bronze.lin --target y --algo elasticnet --param l1_ratio=2
	assert_output "mlk: bad value '2' for parameter 'l1_ratio': must be from 0 to 1"
	run -2 mlk train m --data bronze.lin --target y --algo logistic --param solver=sgd
	assert_output "mlk: bad value 'sgd' for parameter 'solver': must be auto, lbfgs or newton"
	run -2 mlk train m --data bronze.lin --target y --algo lasso --param max_iter=0
	assert_output "mlk: bad value '0' for parameter 'max_iter': must be from 1 to 1000000000"
	run -2 mlk train m --data bronze.lin --target y --algo forest
	assert_output "mlk: unknown algorithm 'forest' (the algorithms are linear, ridge, lasso, elasticnet and logistic)"
	run -2 mlk train m --data bronze.lin --target y --split test=1.5
	assert_output "mlk: bad test fraction '1.5': must be more than 0 and less than 1"
	run -2 mlk train m --data bronze.lin --target y --split size=3
	assert_output "mlk: bad split 'size=3': unknown key 'size' (the keys are test and by)"
	run -2 mlk train m --data bronze.lin --target y --seed -1
	assert_output --partial "mlk: bad seed '-1'"
	run -2 mlk train 'bad name' --data bronze.lin --target y
	assert_output --partial "mlk: bad model name 'bad name'"
	run -1 mlk train m --data bronze.nope --target y
	assert_output --partial "no table 'bronze.nope'"
	printf '' | mktable bronze.e 'x:float64,y:float64'
	run -1 mlk train m --data bronze.e --target y
	assert_output "mlk: 'bronze.e@0' has no rows"
	printf '1,\n2,\n' | mktable bronze.nt 'x:float64,y:float64'
	run -1 mlk train m --data bronze.nt --target y
	assert_output "mlk: no row left to train on: each misses the target"
	printf '1,2\n' | mktable bronze.one 'x:float64,y:float64'
	run -1 mlk train m --data bronze.one --target y --split test=0.5
	assert_output "mlk: too few rows to split off a test fraction of 0.5: 1"
	[ ! -d .mlk/refs/runs ] || [ -z "$(ls .mlk/refs/runs)" ]
}

@test "train usage errors: no model, data or target; bad options; outside a repository" {
	run -2 mlk train --data bronze.t --target y
	assert_line --index 0 "mlk: which model? (name it)"
	assert_line --index 1 --partial "usage: mlk train <model> --data <rev>"
	run -2 mlk train m --target y
	assert_line --index 0 "mlk: which table? (--data <rev>)"
	run -2 mlk train m --data bronze.t
	assert_line --index 0 "mlk: which column to predict? (--target <column>)"
	run -2 mlk train m n --data bronze.t --target y
	assert_line --index 0 "mlk: too many arguments"
	run -2 mlk train m --data bronze.t --target y --bogus
	assert_line --index 0 "mlk: unknown option '--bogus'"
	run -2 mlk train m --data
	assert_line --index 0 "mlk: option '--data' needs a value"
	run -1 mlk train m --data bronze.t --target y
	assert_output --partial "not an mlk repository"
	run -0 mlk train -h
	assert_line --index 0 "usage: mlk train <model> --data <rev> --target <column> [--features <columns>]"
}

@test "train: progress on a terminal's stderr only" {
	command -v script > /dev/null || skip "script is not installed"
	init_repo
	fixture
	run -0 --separate-stderr mlk train b --data bronze.bin --target dir
	assert_equal "$stderr" ""
	run -0 script -qec "env -u MLK_NO_PROGRESS '$MLK' train b --data bronze.bin --target dir > /dev/null" /dev/null
	assert_output --partial "train: fitting"
	assert_output --partial $'\r\033[K'
	run -0 script -qec "MLK_NO_PROGRESS=1 '$MLK' train b --data bronze.bin --target dir > /dev/null" /dev/null
	assert_output ""
}

@test "train: the run records the code version of the working directory" {
	init_repo
	fixture
	git init -q .
	git add bin.csv
	GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t git commit -qm one
	id=$(train_id b --data bronze.bin --target dir)
	run_record "$id" | jq -e --arg h "$(git rev-parse HEAD)" '.code.commit == $h and .code.dirty == false'
	echo change >> bin.csv
	id=$(train_id b --data bronze.bin --target dir)
	run_record "$id" | jq -e '.code.dirty == true'
}

@test "train then predict: the same preprocessing, exact predictions of an exact fit" {
	"$MLK" predict -h > /dev/null 2>&1 || skip "mlk predict is not built"
	init_repo
	awk 'BEGIN { print "x,c,ok,y"
		for (i = 0; i < 30; i++) { c = i % 3 == 0 ? "red" : i % 3 == 1 ? "blue" : "green"
			x = i / 4; ok = i % 2 ? "true" : "false"
			printf "%s,%s,%s,%.17g\n", x, c, ok, 2 * x + (c == "red" ? 1 : c == "blue" ? -1 : 0) + (ok == "true" ? 0.5 : 0) } }' > o.csv
	mlk ingest bronze.o o.csv > /dev/null
	id=$(train_id o --data bronze.o --target y --param standardize=true)
	mlk predict "runs:/$id" bronze.o --keep y --format csv > p.csv
	[ "$(wc -l < p.csv)" -eq 31 ]
	awk -F, 'NR > 1 { d = $1 - $2; if (d < 0) d = -d; if (d > 1e-9) { print "row " NR ": " $0; bad = 1 } }
		END { exit bad }' p.csv
}
