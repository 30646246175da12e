// The yardstick for `mlk refine`: DuckDB running the refine benchmark's
// three queries on the smart-meter table, already loaded in its memory.
// Prints one JSON object on stdout.
//
//   node duckdb_refine.mjs CSV
//
// The CSV is loaded untimed into an in-memory table `readings`, with
// temperature and load_kwh as VARCHAR as mlk infers them (the file has
// malformed values), so both engines run the same TRY_CASTs. Each query
// runs as CREATE TABLE ... AS, as refine writes its result; the median
// of the runs is printed, in seconds.
import { createRequire } from 'node:module';
import { join } from 'node:path';

function loadDuckDB() {
	const dir = process.env.MLK_BENCH_NODE_DIR;
	const require = createRequire(dir ? join(dir, 'package.json')
		: import.meta.url);
	return require('@duckdb/node-api');
}

const CLEAN = `
WITH typed AS (
  SELECT meter_id, ts, TRY_CAST(load_kwh AS DOUBLE) AS load_kwh,
         TRY_CAST(temperature AS DOUBLE) AS temperature
  FROM readings)
SELECT meter_id, CAST(date_trunc('day', ts) AS DATE) AS day,
       sum(load_kwh) AS load_sum, avg(load_kwh) AS load_mean,
       max(load_kwh) AS load_max, avg(temperature) AS temp_mean
FROM typed
WHERE load_kwh IS NOT NULL AND temperature IS NOT NULL AND load_kwh >= 0
GROUP BY 1, 2`;
const LAG = `
SELECT meter_id, ts, TRY_CAST(load_kwh AS DOUBLE) AS load_kwh,
       lag(TRY_CAST(load_kwh AS DOUBLE), 24)
         OVER (PARTITION BY meter_id ORDER BY ts) AS load_24h_ago
FROM readings`;
const REGIONS = 'SELECT DISTINCT meter_id, region FROM readings';
const JOIN = `
SELECT d.meter_id, d.day, d.load_sum, r.region
FROM daily d JOIN regions r ON d.meter_id = r.meter_id`;

async function timed(conn, sql, runs) {
	const t = [];
	for (let i = 0; i < runs; i++) {
		await conn.run('DROP TABLE IF EXISTS result');
		const t0 = process.hrtime.bigint();
		await conn.run('CREATE TABLE result AS ' + sql);
		t.push(Number(process.hrtime.bigint() - t0) / 1e9);
	}
	t.sort((a, b) => a - b);
	return Number(t[Math.floor(t.length / 2)].toFixed(3));
}

async function main() {
	const [csv] = process.argv.slice(2);
	const runs = Number(process.env.MLK_BENCH_RUNS || 3);
	if (!csv) {
		process.stderr.write('usage: node duckdb_refine.mjs CSV\n');
		process.exit(2);
	}
	const duckdb = loadDuckDB();
	const instance = await duckdb.DuckDBInstance.create(':memory:');
	const conn = await instance.connect();
	await conn.run("CREATE TABLE readings AS SELECT * FROM read_csv('" +
		csv.replaceAll("'", "''") + "', header = true, types = " +
		"{'temperature': 'VARCHAR', 'load_kwh': 'VARCHAR'})");
	const threads = Number((await conn.runAndReadAll(
		"SELECT current_setting('threads')")).getRows()[0][0]);
	const clean = await timed(conn, CLEAN, runs);
	await conn.run('CREATE TABLE daily AS ' + CLEAN);
	const daily = Number((await conn.runAndReadAll(
		'SELECT count(*) FROM daily')).getRows()[0][0]);
	const lag = await timed(conn, LAG, runs);
	await conn.run('CREATE TABLE regions AS ' + REGIONS);
	const joined = await timed(conn, JOIN, runs);
	conn.closeSync();
	instance.closeSync();
	process.stdout.write(JSON.stringify({
		duckdb_clean_s: clean,
		duckdb_lag_s: lag,
		duckdb_join_s: joined,
		daily_rows: daily,
		threads,
		max_rss_kb: process.resourceUsage().maxRSS,
		duckdb_version: duckdb.version(),
	}) + '\n');
}

main().catch((e) => {
	process.stderr.write('duckdb_refine: ' + (e.message || e) + '\n');
	process.exit(1);
});
