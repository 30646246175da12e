"""The baseline for tests/bench/serve.sh: what MLflow's former scoring
server did, a Flask app that parses dataframe_split JSON into a pandas
DataFrame and calls a fitted scikit-learn Pipeline's predict.

Imported by gunicorn (serve_flask:app), it fits the pipeline on a fixed
synthetic data set. Run as a script:
  serve_flask.py coef            prints the Ridge's coefficients (one line,
                                 comma-separated, the design columns in
                                 mlk's order) and its intercept
  serve_flask.py body ROWS FILE  writes a dataframe_split body of ROWS rows
"""
import json
import sys

import numpy as np
import pandas as pd
from flask import Flask, jsonify, request
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

NUMERIC = [f"f{i}" for i in range(1, 11)] + ["hour"]
REGIONS = ["east", "north", "south", "west"]
COLUMNS = NUMERIC + ["region"]


def frame(rows, seed):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(rows, 10)), columns=NUMERIC[:10])
    df["hour"] = rng.integers(0, 24, size=rows)
    df["region"] = rng.choice(REGIONS, size=rows)
    return df


def fit():
    df = frame(2000, 0)
    rng = np.random.default_rng(1)
    w = rng.normal(size=10)
    y = df[NUMERIC[:10]].to_numpy() @ w + 0.1 * df["hour"] + \
        df["region"].map({"east": 1, "north": 2, "south": 3, "west": 4}) + \
        rng.normal(scale=0.1, size=len(df))
    pre = ColumnTransformer([
        ("num", "passthrough", NUMERIC),
        ("cat", OneHotEncoder(categories=[REGIONS],
                              handle_unknown="ignore"), ["region"]),
    ])
    return Pipeline([("pre", pre), ("ridge", Ridge(alpha=1.0))]).fit(df, y)


pipeline = fit()
app = Flask(__name__)


@app.route("/ping")
def ping():
    return "\n"


@app.route("/invocations", methods=["POST"])
def invocations():
    split = request.get_json()["dataframe_split"]
    df = pd.DataFrame(data=split["data"], columns=split["columns"])
    return jsonify({"predictions": pipeline.predict(df).tolist()})


if __name__ == "__main__":
    if sys.argv[1] == "coef":
        ridge = pipeline.named_steps["ridge"]
        print(",".join(repr(float(c)) for c in ridge.coef_))
        print(repr(float(ridge.intercept_)))
    else:
        df = frame(int(sys.argv[2]), 2)
        body = {"dataframe_split": {"columns": COLUMNS,
                                    "data": df[COLUMNS].values.tolist()}}
        with open(sys.argv[3], "w") as f:
            json.dump(body, f)
