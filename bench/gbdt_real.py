#!/usr/bin/env python3
"""GBDT on real data sets: Pareto vs LightGBM, same split, same settings, one run.

  gbdt_real.py --pareto BIN [--threads 2] [--rounds 3] [--datasets adult,bank_marketing_full,...]

Each data set in ../shared/datasets is split 80/20 (stratified for classes,
seed 0) into CSV files under bench/.data/real/. Pareto trains through its
user path (TabularTreeModel: categorical columns natively); LightGBM gets
the same rows through pandas, string columns as `category` dtype (its native
categorical handling), the same missing tokens, labels numbered in the same
sorted order. Both: 100 trees, 31 leaves, learning rate 0.1, 255 bins, 20
rows per leaf, no bagging. Prints the test metric (AUC, multiclass
accuracy, RMSE) of both, the difference, and the median training-time
ratio (Pareto's time includes binning, LightGBM's includes Dataset
construction).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "datasets")
NA = ["", "NA", "N/A", "NaN", "null", "?"]
TARGETS = {"adult": "income", "bank_marketing_full": "y", "california_housing": "median_house_value",
           "letter_recognition": "lettr"}


def split(name: str) -> tuple[str, str]:
    import pandas as pd
    from sklearn.model_selection import train_test_split

    out = os.path.join(HERE, ".data", "real")
    os.makedirs(out, exist_ok=True)
    train_path, test_path = os.path.join(out, f"{name}.train.csv"), os.path.join(out, f"{name}.test.csv")
    if not os.path.exists(test_path):
        frame = pd.read_csv(os.path.join(SHARED, f"{name}.csv"), keep_default_na=False, na_values=NA)
        target = frame[TARGETS[name]]
        stratify = target if not pd.api.types.is_float_dtype(target) and target.nunique() < 50 else None
        train, test = train_test_split(frame, test_size=0.2, random_state=0, stratify=stratify)
        train.to_csv(train_path, index=False)
        test.to_csv(test_path, index=False)
    return train_path, test_path


def lightgbm_run(name: str, train_path: str, test_path: str, threads: int) -> dict:
    import lightgbm as lgb
    import numpy as np
    import pandas as pd

    target = TARGETS[name]
    train = pd.read_csv(train_path, keep_default_na=False, na_values=NA)
    test = pd.read_csv(test_path, keep_default_na=False, na_values=NA)
    y, yt = train.pop(target), test.pop(target)
    for column in train.columns:
        if not pd.api.types.is_numeric_dtype(train[column]):
            categories = pd.Categorical(train[column]).categories
            train[column] = pd.Categorical(train[column], categories=categories)
            test[column] = pd.Categorical(test[column], categories=categories)
    regression = pd.api.types.is_float_dtype(y) or y.nunique() > 50
    params = {"num_leaves": 31, "learning_rate": 0.1, "max_bin": 255, "min_data_in_leaf": 20,
              "num_threads": threads, "verbose": -1, "deterministic": True}
    if regression:
        params["objective"] = "regression"
        labels, test_labels = y.to_numpy(float), yt.to_numpy(float)
    else:
        classes = sorted(y.astype(str).unique(), key=lambda v: (float(v), v) if v.replace(".", "", 1).lstrip("-").isdigit() else (float("inf"), v))
        index = {c: i for i, c in enumerate(classes)}
        labels = y.astype(str).map(index).to_numpy()
        test_labels = yt.astype(str).map(index).to_numpy()
        params.update({"objective": "binary"} if len(classes) == 2 else {"objective": "multiclass", "num_class": len(classes)})
    start = time.perf_counter()
    model = lgb.train(params, lgb.Dataset(train, labels), num_boost_round=100)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "predictions": model.predict(test), "labels": test_labels, "regression": regression}


def metric(predictions, labels, regression: bool, classes: int) -> tuple[str, float]:
    import numpy as np
    from sklearn.metrics import accuracy_score, roc_auc_score

    predictions = np.asarray(predictions)
    if regression:
        return "RMSE", float(np.sqrt(np.mean((predictions - labels) ** 2)))
    if classes == 2:
        return "AUC", float(roc_auc_score(labels, predictions if predictions.ndim == 1 else predictions[:, -1]))
    return "accuracy", float(accuracy_score(labels, predictions.argmax(axis=1)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--datasets", default=",".join(TARGETS))
    args = parser.parse_args()
    import numpy as np
    import pandas as pd

    print(f"{'data set':22s} {'metric':9s} {'Pareto':>9s} {'LightGBM':>9s} {'diff':>9s} {'time ratio':>11s}")
    for name in args.datasets.split(","):
        train_path, test_path = split(name)
        ratios, ours, theirs = [], None, None
        for _ in range(args.rounds):
            out = os.path.join(HERE, ".data", "real", f"{name}.pareto.csv")
            result = subprocess.run([args.pareto, "tabular", "--train", train_path, "--test", test_path,
                                     "--target", TARGETS[name], "--threads", str(args.threads), "--predictions", out],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"pareto failed on {name}:\n{result.stdout}{result.stderr}")
            record = json.loads(result.stdout.strip().splitlines()[-1])
            peer = lightgbm_run(name, train_path, test_path, args.threads)
            predictions = pd.read_csv(out).to_numpy(float)
            classes = len(record["classes"])
            if peer["regression"]:
                predictions = predictions[:, 0]
            elif classes == 2:
                predictions = predictions[:, 1]
            kind, ours = metric(predictions, peer["labels"], peer["regression"], classes)
            _, theirs = metric(peer["predictions"], peer["labels"], peer["regression"], classes)
            ratios.append(record["train_seconds"] / peer["seconds"])
        difference = ours - theirs
        print(f"{name:22s} {kind:9s} {ours:9.5f} {theirs:9.5f} {difference:+9.5f} {statistics.median(ratios):10.2f}x")


if __name__ == "__main__":
    main()
