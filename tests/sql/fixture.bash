# The tables every SQL case runs over; sourced by tests/sql.bats after
# init_repo. Small on purpose: chunks of 3 rows, so that scans cross
# chunk boundaries and statistics skip whole chunks.
sql_fixture() {
	# Version 0: four rows; version 1 appends two.
	mktable -c 3 bronze.readings \
	    'meter:string,ts:timestamp,load_kwh:float64,temp:float64' <<'CSV'
m1,2026-01-01 00:00:00,1.5,10
m1,2026-01-01 01:00:00,2,11
m1,2026-01-01 02:00:00,,12
m2,2026-01-01 00:00:00,0.5,
CSV
	mktable -a -c 3 bronze.readings \
	    'meter:string,ts:timestamp,load_kwh:float64,temp:float64' <<'CSV'
m2,2026-01-01 01:00:00,-1,9
m3,2026-01-02 00:00:00,4,8
CSV
	mktable bronze.meters 'meter:string,region:string' <<'CSV'
m1,north
m2,south
m2,south-east
m9,west
CSV
	mktable bronze.empty 'meter:string,load_kwh:float64' </dev/null
	mktable -c 2 bronze.nums 'i:int64,f:float64,s:string,b:bool,d:date' <<'CSV'
1,1.5,a,true,2024-01-01
2,,b,false,2024-02-29
3,3.5,,,
,-2,d,true,2023-12-31
CSV
	mktable bronze.spaced 'Body Mass (g):int64,Species:string' <<'CSV'
3750,Adelie
5000,Gentoo
CSV
}
