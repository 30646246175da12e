"""The scikit-learn side of tests/bench/fit.sh: times Ridge (solver auto)
or LogisticRegression (lbfgs) on the data fitbench gen wrote, and prints
one JSON line with the median wall time of a fit in milliseconds.

    fit_sklearn.py ridge|logistic FILE ROWS P [RUNS]
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge

algo, path, n, p = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 3
raw = np.fromfile(path, dtype=np.float64)
X = np.ascontiguousarray(raw[: n * p].reshape(p, n).T)
y = raw[n * p: n * p + n]
c = raw[n * p + n:].astype(np.int64)
times, iters = [], 0
for _ in range(runs):
    t = time.perf_counter()
    if algo == "ridge":
        Ridge(alpha=1.0).fit(X, y)
    else:
        iters = int(LogisticRegression(C=1.0).fit(X, c).n_iter_[0])
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"median_ms": round(float(np.median(times)), 3),
                  "iterations": iters}))
