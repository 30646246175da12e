#!/usr/bin/env bats
load helpers

# Writes a run with a model (tests/tools/mkmodel.c); prints the run id.
mkmodel() {
	"$MLK_TOOLS/mkmodel" "$@"
}

# x numeric with a null; region one-hot, with a category (west) the
# models below never saw; flag a bool with a null.
data() {
	printf 'id,x,region,flag\n1,1.5,north,true\n2,-2,south,false\n3,,east,true\n4,10,west,\n' > d.csv
	mlk ingest gold.d d.csv > /dev/null
}

# y = 1 + 2x + 10 [north] + 20 [south] (0 for east and the unseen west);
# a null x is imputed as 0.
linear() {
	mkmodel --features 'x,region=east|north|south' --coef 2,0,10,20 \
	    --intercept 1 --input gold.d "$@"
}

@test "predict: known coefficients give known predictions" {
	init_repo
	data
	id=$(linear)
	run -0 mlk predict "runs:/$id" gold.d
	assert_output - <<'EOF'
prediction
14
17
1
21
EOF
}

@test "predict: standardised features and imputation from the model" {
	init_repo
	data
	printf '{"features": [{"name": "x", "center": 2, "scale": 4, "impute": 6}], "coef": [8], "intercept": 0.5}' > spec.json
	id=$(mkmodel --spec spec.json)
	run -0 mlk predict "runs:/$id" gold.d --keep id,x
	# (x - 2) / 4 * 8 + 0.5; the null x is imputed as 6.
	assert_output - <<'EOF'
id,x,prediction
1,1.5,-0.5
2,-2,-7.5
3,,8.5
4,10,16.5
EOF
}

@test "predict --keep copies columns, in the order given" {
	init_repo
	data
	id=$(linear)
	run -0 mlk predict "runs:/$id" gold.d --keep region,id
	assert_output - <<'EOF'
region,id,prediction
north,1,14
south,2,17
east,3,1
west,4,21
EOF
}

@test "predict --format jsonl" {
	init_repo
	data
	id=$(linear)
	run -0 mlk predict "runs:/$id" gold.d --format jsonl --keep id,region
	assert_output - <<'EOF'
{"id":1,"region":"north","prediction":14.0}
{"id":2,"region":"south","prediction":17.0}
{"id":3,"region":"east","prediction":1.0}
{"id":4,"region":"west","prediction":21.0}
EOF
}

@test "predict: a binary classifier gives the class and both probabilities" {
	init_repo
	data
	# logit = x - 1: p(yes) = 1 / (1 + exp(1 - x)); null x is 0.
	id=$(mkmodel --features x --classes no,yes --coef 1 --intercept -1)
	run -0 mlk predict "runs:/$id" gold.d --keep id
	assert_line --index 0 "id,prediction,probability_no,probability_yes"
	[ "${#lines[@]}" -eq 5 ]
	echo "$output" | /usr/bin/python3 -c '
import csv, math, sys
rows = list(csv.DictReader(sys.stdin))
assert len(rows) == 4
xs = {"1": 1.5, "2": -2.0, "3": 0.0, "4": 10.0}
for r in rows:
    p = 1 / (1 + math.exp(1 - xs[r["id"]]))
    assert abs(float(r["probability_yes"]) - p) < 1e-12, r
    assert abs(float(r["probability_no"]) - (1 - p)) < 1e-12, r
    assert r["prediction"] == ("yes" if p > 0.5 else "no"), r
'
}

@test "predict: a multinomial classifier on a bool one-hot feature" {
	init_repo
	data
	# classes a, b, c over the design flag=false, flag=true; the null
	# flag is the first category (false) since the spec names no other.
	id=$(mkmodel --features 'flag:bool=false|true' --classes a,b,c \
	    --coef '0,0;3,0;0,3' --intercept '0,0,0')
	run -0 mlk predict "runs:/$id" gold.d --keep id,flag --format jsonl
	echo "$output" | jq -e -s '
	    map(.prediction) == ["c", "b", "c", "b"] and
	    (.[0].probability_c > 0.9) and
	    (map(.probability_a + .probability_b + .probability_c) |
	        all(. > 0.999999 and . < 1.000001))'
}

@test "predict --into writes a table version whose parents are the run and the input" {
	init_repo
	data
	id=$(linear)
	run -0 mlk predict "runs:/$id" gold.d --into gold.scores --keep id
	assert_output "gold.scores@0: 4 rows scored by runs:/$id"
	run -0 mlk cat gold.scores
	assert_output - <<'EOF'
id,prediction
1,14
2,17
3,1
4,21
EOF
	run_commit=$(git --git-dir=.mlk rev-parse "refs/runs/$id")
	input=$(git --git-dir=.mlk rev-parse refs/tables/gold.d)
	run -0 git --git-dir=.mlk log -1 --format=%P refs/tables/gold.scores
	assert_output "$run_commit $input"
	git --git-dir=.mlk log -1 --format=%B refs/tables/gold.scores |
	    sed 1,2d | jq -e --arg id "$id" --arg in "$input" '
	    .operation == "PREDICT" and .kind == "table" and
	    .parameters.model == "runs:/\($id)" and
	    .parameters.table == "gold.d" and .model.run_id == $id and
	    .inputs[1].commit == $in and .metrics.rows == 4'
	# A second scoring is the next version, the first its first parent.
	first=$(git --git-dir=.mlk rev-parse refs/tables/gold.scores)
	run -0 mlk predict "runs:/$id" gold.d --into gold.scores
	assert_output "gold.scores@1: 4 rows scored by runs:/$id"
	run -0 git --git-dir=.mlk log -1 --format=%P refs/tables/gold.scores
	assert_output "$first $run_commit $input"
	git --git-dir=.mlk fsck --strict
	run -0 mlk fsck
}

@test "predict --into a classifier: typed prediction and probability columns" {
	init_repo
	data
	id=$(mkmodel --features x --target label:int64 --classes 0,1 --coef 1 --intercept -1)
	run -0 mlk predict "runs:/$id" gold.d --into gold.cls
	run -0 mlk describe gold.cls --json
	echo "$output" | jq -e '[.columns[] | [.name, .type]] ==
	    [["prediction", "int64"], ["probability_0", "float64"],
	     ["probability_1", "float64"]]'
	run -0 mlk cat gold.cls --columns prediction
	assert_output - <<'EOF'
prediction
1
0
0
1
EOF
}

@test "predict: model revisions: run id prefix, run commit, model tree, runs:/id/model" {
	init_repo
	data
	id=$(linear)
	want=$(mlk predict "runs:/$id" gold.d)
	run -0 mlk predict "runs:/${id:0:6}" gold.d
	assert_output "$want"
	commit=$(git --git-dir=.mlk rev-parse "refs/runs/$id")
	run -0 mlk predict "$commit" gold.d
	assert_output "$want"
	tree=$(git --git-dir=.mlk rev-parse "refs/runs/$id:model")
	run -0 mlk predict "${tree:0:12}" gold.d
	assert_output "$want"
	run -0 mlk predict "runs:/$id/model" gold.d
	assert_output "$want"
	# --into from the bare tree still finds the run by its run_id.
	run -0 mlk predict "$tree" gold.d --into gold.s
	run -0 git --git-dir=.mlk log -1 --format=%P refs/tables/gold.s
	assert_output "$commit $(git --git-dir=.mlk rev-parse refs/tables/gold.d)"
}

@test "predict: a registered version and its alias are models" {
	init_repo
	data
	id=$(linear)
	commit=$(git --git-dir=.mlk rev-parse "refs/runs/$id")
	tree=$(git --git-dir=.mlk rev-parse "refs/runs/$id:model")
	# A registered version as lib/model.h describes it, made by hand.
	msg=$(printf 'REGISTER m 1\n\n{"mlk": 1, "kind": "model", "name": "m", "operation": "REGISTER", "version": 1, "run_id": "%s", "inputs": [], "parameters": {}, "user": "t", "host": "h", "mlk_version": "0", "started": "2026-01-01T00:00:00.000000Z"}' "$id")
	v=$(GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@x GIT_COMMITTER_NAME=t \
	    GIT_COMMITTER_EMAIL=t@x \
	    git --git-dir=.mlk commit-tree "$tree" -p "$commit" -m "$msg")
	git --git-dir=.mlk update-ref refs/models/m "$v"
	git --git-dir=.mlk update-ref refs/aliases/m/prod "$v"
	want=$(mlk predict "runs:/$id" gold.d)
	for rev in models:/m/1 models:/m/latest models:/m@prod "$v"; do
		run -0 mlk predict "$rev" gold.d
		assert_output "$want"
	done
	run -0 mlk predict models:/m@prod gold.d --into gold.r
	run -0 git --git-dir=.mlk log -1 --format=%P refs/tables/gold.r
	assert_output "$commit $(git --git-dir=.mlk rev-parse refs/tables/gold.d)"
}

@test "predict: every chunk, in order, whatever the number of threads" {
	init_repo
	/usr/bin/python3 -c '
print("x,region")
for i in range(200000):
    print("%d,%s" % (i, ("east", "north", "south")[i % 3]))
' > big.csv
	mlk ingest gold.big big.csv > /dev/null
	run -0 mlk describe gold.big --json
	echo "$output" | jq -e '.chunks >= 3'
	id=$(mkmodel --features 'x,region=east|north|south' --coef 2,0,10,20 --intercept 1)
	MLK_THREADS=2 mlk predict "runs:/$id" gold.big --keep x > out.csv
	/usr/bin/python3 -c '
import csv
rows = list(csv.DictReader(open("out.csv")))
assert len(rows) == 200000, len(rows)
for i, r in enumerate(rows):
    assert int(r["x"]) == i, (i, r)
    assert float(r["prediction"]) == 1 + 2 * i + (0, 10, 20)[i % 3], r
'
	MLK_THREADS=1 mlk predict "runs:/$id" gold.big --keep x | cmp - out.csv
	MLK_THREADS=2 mlk predict "runs:/$id" gold.big --keep x --into gold.p > /dev/null
	mlk cat gold.p | cmp - out.csv
}

@test "predict: missing and mistyped feature columns are named, exit 2" {
	init_repo
	data
	printf 'x,other\nabc,1\n' > bad.csv
	mlk ingest gold.bad bad.csv > /dev/null
	id=$(linear)
	run -2 mlk predict "runs:/$id" gold.bad
	assert_output "mlk: gold.bad: column 'x' is string, the model wants a number; missing column 'region'"
	run -2 mlk predict "runs:/$id" gold.d --keep nope
	assert_output --partial "unknown column 'nope'"
	printf 'x,region,prediction\n1,north,5\n' > p.csv
	mlk ingest gold.p p.csv > /dev/null
	run -2 mlk predict "runs:/$id" gold.p --keep prediction --into gold.out
	assert_output "mlk: kept column 'prediction' has the name of an output column"
	run -1 git --git-dir=.mlk rev-parse --verify -q refs/tables/gold.out
}

@test "predict: unknown model, not a model, a run without a model" {
	init_repo
	data
	run -1 mlk predict runs:/abcdef gold.d
	assert_output "mlk: 'runs:/abcdef': no run 'abcdef'"
	run -1 mlk predict models:/nope/1 gold.d
	assert_output --partial "no model 'nope'"
	run -1 mlk predict gold.d gold.d
	assert_output "mlk: 'gold.d' is not a model: it is a table version"
	input=$(git --git-dir=.mlk rev-parse refs/tables/gold.d)
	run -1 mlk predict "$input" gold.d
	assert_output "mlk: '$input' is not a model: it is a table version"
	id=$(mkmodel --no-model)
	run -1 mlk predict "runs:/$id" gold.d
	assert_output "mlk: 'runs:/$id' is not a model: run $id made none"
	run -2 mlk predict 'runs:/xyz' gold.d
	id=$(linear)
	run -1 mlk predict "runs:/$id" gold.nope
	assert_output --partial "gold.nope"
}

@test "predict: an ambiguous run prefix names the candidates" {
	init_repo
	data
	linear --id abcd00000001 > /dev/null
	linear --id abcd00000002 > /dev/null
	run -1 mlk predict runs:/abcd gold.d
	assert_output --partial "ambiguous"
}

@test "predict: a damaged model is reported and nothing is written" {
	init_repo
	data
	id=$(linear)
	tree=$(git --git-dir=.mlk rev-parse "refs/runs/$id:model")
	mlmodel=$(git --git-dir=.mlk rev-parse "$tree:MLmodel")
	blob=$(echo '{"format_version": 1}' | git --git-dir=.mlk hash-object -w --stdin)
	bad=$(printf '100644 blob %s\tMLmodel\n100644 blob %s\tmodel.json\n' "$mlmodel" "$blob" | git --git-dir=.mlk mktree)
	run -1 mlk predict "$bad" gold.d --into gold.x
	assert_output --partial "model.json"
	run -1 git --git-dir=.mlk rev-parse --verify -q refs/tables/gold.x
}

@test "predict: usage errors exit 2" {
	init_repo
	run -2 mlk predict
	assert_line --index 0 "mlk: which model and which table version?"
	run -2 mlk predict runs:/abcd
	assert_line --index 0 "mlk: which table version?"
	run -2 mlk predict a b c
	assert_line --index 0 "mlk: too many arguments"
	run -2 mlk predict runs:/abcd gold.d --format xml
	assert_line --index 0 "mlk: unknown format 'xml' (csv or jsonl)"
	run -2 mlk predict runs:/abcd gold.d --into Bad
	assert_line --index 0 --partial "is not a table name"
	run -2 mlk predict runs:/abcd gold.d --into gold.x --format csv
	assert_line --index 0 --partial "'--format' is for printed output"
	run -2 mlk predict runs:/abcd gold.d --bogus
}

@test "predict: outside a repository" {
	run -1 mlk predict runs:/abcd gold.d
	assert_output --partial "repository"
}

@test "predict: an empty table gives the header, or an empty version" {
	init_repo
	printf 'columns:\n  - name: x\n    type: float64\n  - name: region\n    type: string\n' > s.yaml
	printf 'x,region\n' > e.csv
	mlk ingest --schema s.yaml gold.e e.csv > /dev/null
	id=$(mkmodel --features 'x,region=a|b' --coef 1,2,3)
	run -0 mlk predict "runs:/$id" gold.e --keep region
	assert_output "region,prediction"
	run -0 mlk predict "runs:/$id" gold.e --format jsonl
	assert_output ""
	run -0 mlk predict "runs:/$id" gold.e --into gold.p
	assert_output "gold.p@0: 0 rows scored by runs:/$id"
	run -0 mlk describe gold.p --json
	echo "$output" | jq -e '.rows == 0 and .columns[0].name == "prediction"'
	run -0 mlk fsck
}
