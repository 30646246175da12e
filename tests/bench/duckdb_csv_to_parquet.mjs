// Times DuckDB converting a CSV file to Parquet, the yardstick for
// `mlk ingest`. Prints one JSON object on stdout.
//
//   node duckdb_csv_to_parquet.mjs [--threads N] [--typed] CSV OUT.parquet
//
// By default DuckDB sniffs the types from its usual sample, as a user's
// plain read_csv would: a column holding "n/a" comes out as VARCHAR.
// --typed is for genmeters files: temperature and load_kwh are cast with
// TRY_CAST, so they come out as DOUBLE with the bad values NULL.
// @duckdb/node-api is looked up in $MLK_BENCH_NODE_DIR/node_modules (where
// lib.sh's duckdb_setup installs it), else by Node's usual resolution.
// Only the COPY statement is timed: not Node's start, not opening DuckDB.
// max_rss_kb is the whole process's peak, Node's own ~50 MB included.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { join } from 'node:path';

function usage() {
	process.stderr.write('usage: node duckdb_csv_to_parquet.mjs ' +
		'[--threads N] [--typed] CSV OUT.parquet\n');
	process.exit(2);
}

function loadDuckDB() {
	const dir = process.env.MLK_BENCH_NODE_DIR;
	const require = createRequire(dir ? join(dir, 'package.json')
		: import.meta.url);
	return require('@duckdb/node-api');
}

function sqlString(s) {
	return "'" + s.replaceAll("'", "''") + "'";
}

async function main() {
	const args = process.argv.slice(2);
	let threads = null, typed = false;
	while (args.length && args[0].startsWith('--')) {
		if (args[0] === '--threads') {
			threads = Number(args[1]);
			if (!Number.isInteger(threads) || threads < 1)
				usage();
			args.splice(0, 2);
		} else if (args[0] === '--typed') {
			typed = true;
			args.shift();
		} else {
			usage();
		}
	}
	if (args.length !== 2)
		usage();
	const [csv, out] = args;

	const duckdb = loadDuckDB();
	const options = threads ? { threads: String(threads) } : {};
	const instance = await duckdb.DuckDBInstance.create(':memory:', options);
	const conn = await instance.connect();
	const setting = await conn.runAndReadAll(
		"SELECT current_setting('threads')");
	const nthreads = Number(setting.getRows()[0][0]);

	const select = typed
		? 'SELECT meter_id, ts, TRY_CAST(temperature AS DOUBLE) AS ' +
		  'temperature, hour, dow, holiday, region, TRY_CAST(load_kwh ' +
		  'AS DOUBLE) AS load_kwh FROM read_csv(' + sqlString(csv) +
		  ", header = true, types = {'temperature': 'VARCHAR', " +
		  "'load_kwh': 'VARCHAR'})"
		: 'SELECT * FROM read_csv(' + sqlString(csv) + ')';
	const sql = 'COPY (' + select + ') TO ' + sqlString(out) +
		' (FORMAT parquet)';
	const t0 = process.hrtime.bigint();
	const res = await conn.runAndReadAll(sql);
	const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

	const rows = Number(res.getRows()[0][0]);
	const desc = await conn.runAndReadAll('DESCRIBE SELECT * FROM ' +
		'read_parquet(' + sqlString(out) + ')');
	const types = desc.getRows().map((r) => r[0] + ':' + r[1]).join(',');
	conn.closeSync();
	instance.closeSync();

	process.stdout.write(JSON.stringify({
		duckdb_csv_to_parquet_s: Number(seconds.toFixed(3)),
		rows,
		parquet_bytes: statSync(out).size,
		threads: nthreads,
		typed,
		max_rss_kb: process.resourceUsage().maxRSS,
		duckdb_version: duckdb.version(),
		types,
	}) + '\n');
}

main().catch((e) => {
	process.stderr.write('duckdb_csv_to_parquet: ' + (e.message || e) + '\n');
	process.exit(1);
});
