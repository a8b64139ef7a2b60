#!/usr/bin/env python3
"""Whether Pareto grows LightGBM's trees: both train on the same CSV with the
same settings (LightGBM's defaults unless flags say otherwise) for k rounds,
then every row's prediction is compared; prints, per k, the largest
difference and how many rows differ. The first k with a difference is the
round to inspect (`booster.dump_model()` against the Pareto model file's
`trees`).

  gbdt_same_trees.py --pareto BIN FILE --target COL [--rounds 1,5,10,100]
                     [--test FILE] [--objective regression|binary]
                     [-- PARETO TRAIN FLAGS…]

With --test, the comparison is on those rows instead (thresholds between a
leaf's training rows only show on rows not trained on). For the settings to
match, give LightGBM's as `--lgb name=value` and Pareto's as trailing flags,
e.g. `--lgb learning_rate=0.03 -- --learning-rate 0.03`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

NA = ["", "NA", "N/A", "NaN", "null", "?"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("file")
    parser.add_argument("--target", required=True)
    parser.add_argument("--rounds", default="1,5,10,100")
    parser.add_argument("--test")
    parser.add_argument("--objective", choices=["regression", "binary"], default="regression")
    parser.add_argument("--lgb", action="append", default=[], help="LightGBM parameter name=value")
    argv = sys.argv[1:]
    flags = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    import lightgbm as lgb
    import numpy as np
    import pandas as pd

    def read(path):
        frame = pd.read_csv(path, keep_default_na=False, na_values=NA)
        y = frame.pop(args.target)
        return frame, y

    train, y = read(args.file)
    test, _ = read(args.test) if args.test else (train, y)
    classes = sorted(y.astype(str).unique())
    labels = (y.astype(str) == classes[-1]).astype(float).to_numpy() if args.objective == "binary" else y.to_numpy(float)
    for frame in (train, test):
        for column in frame.columns:
            if not pd.api.types.is_numeric_dtype(train[column]):
                frame[column] = pd.Categorical(frame[column], categories=sorted(train[column].dropna().astype(str).unique()))
    params = {"objective": args.objective, "verbose": -1, "num_threads": 2, "deterministic": True}
    for item in args.lgb:
        name, value = item.split("=", 1)
        try:
            params[name] = int(value)
        except ValueError:
            try:
                params[name] = float(value)
            except ValueError:
                params[name] = value
    rows_path = args.test or args.file
    with tempfile.TemporaryDirectory() as work:
        model, predictions = os.path.join(work, "model"), os.path.join(work, "predictions.csv")
        for k in [int(r) for r in args.rounds.split(",")]:
            booster = lgb.train(params, lgb.Dataset(train, labels), num_boost_round=k)
            theirs = booster.predict(test)
            subprocess.run([args.pareto, "train", args.file, "--target", args.target, "--trees", str(k), "--out", model,
                            "--threads", "2"] + flags, check=True, capture_output=True)
            subprocess.run([args.pareto, "predict", model, rows_path, "--out", predictions], check=True,
                           capture_output=True)
            out = pd.read_csv(predictions)
            ours = out[f"p_{classes[-1]}"].to_numpy() if args.objective == "binary" else out["prediction"].to_numpy()
            difference = np.abs(ours - theirs)
            scale = max(1.0, float(np.abs(theirs).max()))
            print(f"rounds {k:4d}: largest difference {difference.max():.3g}, rows differing by more than "
                  f"1e-9 x scale: {(difference > 1e-9 * scale).sum()} of {len(difference)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
