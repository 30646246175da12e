#!/bin/sh
# The example pipeline: a fresh repository, two days of smart-meter
# readings ingested into a bronze table (the second run of the same
# ingest is a no-op), then the table's history and content.
# Usage: examples/demo.sh [path/to/mlk]
set -eu
MLK=${1:-mlk}
here=$(cd "$(dirname "$0")" && pwd)
work=${MLK_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mlk-demo.XXXXXX")}
cd "$work"
echo "# working in $work"

run() {
	echo
	echo "\$ mlk $*"
	"$MLK" "$@"
}

run init
run status
run ingest bronze.readings "$here/data/readings-2026-11-01.csv"
run ingest bronze.readings "$here/data/readings-2026-11-02.csv"
echo
echo "# the same files again: each was ingested once already"
run ingest bronze.readings "$here"/data/*.csv
run log bronze.readings
run describe bronze.readings
run cat bronze.readings@0 --limit 5 --format table
run fsck
run status
