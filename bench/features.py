#!/usr/bin/env python3
"""Feature pipeline speed: Pareto's Pipeline vs scikit-learn's ColumnTransformer, in one run.

  features.py --pareto BIN [--repeat 7]

On the full adult data (48,842 rows, ../shared/datasets/adult.csv, "?" read as
a category of its own on both sides, so neither needs an imputer): standard
scaling of the 6 numeric columns, one-hot encoding of the 5 categorical
columns with at most 10 categories (workclass, marital-status, relationship,
race, sex) and target encoding, out of fold, of the 3 with more (education,
occupation, native-country), against the income label. Both fit and
transform the whole table (fit_transform); reading the CSV is not timed.
Prints the median of --repeat runs for each and the ratio, and checks that
both produce the same number of output columns.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "datasets", "adult.csv")
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
ONE_HOT = ["workclass", "marital-status", "relationship", "race", "sex"]
TARGET_ENCODED = ["education", "occupation", "native-country"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ours = json.loads(subprocess.run([args.pareto, "features", "--data", DATA, "--repeat", str(args.repeat)],
                                     capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])

    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import OneHotEncoder, StandardScaler, TargetEncoder

    frame = pd.read_csv(DATA, keep_default_na=False)
    y = (frame.pop("income") == ">50K").astype(int).to_numpy()
    pipeline = ColumnTransformer([
        ("scale", StandardScaler(), NUMERIC),
        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ONE_HOT),
        ("target", TargetEncoder(cv=StratifiedKFold(5, shuffle=True, random_state=0)), TARGET_ENCODED),
    ])
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        out = pipeline.fit_transform(frame, y)
        times.append(time.perf_counter() - start)
    theirs = statistics.median(times)
    print(f"fit+transform on adult ({len(y):,} rows): scale 6 numeric, one-hot 5, target-encode 3 categorical columns")
    print(f"{'':14s} {'median s':>9s} {'columns out':>12s}")
    print(f"{'Pareto':14s} {ours['seconds']:9.4f} {ours['columns']:12d}")
    print(f"{'scikit-learn':14s} {theirs:9.4f} {out.shape[1]:12d}")
    print(f"Pareto is {theirs / ours['seconds']:.1f}x faster")
    if ours["columns"] != out.shape[1]:
        raise SystemExit("the two pipelines produce different numbers of columns")


if __name__ == "__main__":
    main()
