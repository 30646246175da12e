#!/usr/bin/python3
"""Times pandas.read_csv of a CSV file, a yardstick for `mlk ingest`.

    /usr/bin/python3 pandas_read_csv.py CSV

Prints one JSON object on stdout. Only read_csv is timed, with pandas'
defaults (the C parser, types inferred from the whole column): not
Python's start nor importing pandas. max_rss_kb is the process's peak,
the interpreter and pandas included.
"""
import json
import resource
import sys
import time

import pandas


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: pandas_read_csv.py CSV\n")
        return 2
    t0 = time.perf_counter()
    df = pandas.read_csv(sys.argv[1])
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "pandas_read_csv_s": round(seconds, 3),
        "rows": len(df),
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "pandas_version": pandas.__version__,
        "types": ",".join("%s:%s" % (c, t) for c, t in df.dtypes.items()),
    }))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError) as e:
        sys.stderr.write("pandas_read_csv: %s\n" % e)
        sys.exit(1)
