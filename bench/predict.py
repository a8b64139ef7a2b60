#!/usr/bin/env python3
"""Batch prediction throughput: Pareto's CompiledEnsemble vs LightGBM's predict and lleaves.

  predict.py --pareto BIN [--repeat 5]

Both train a 100-tree, 31-leaf binary model (learning rate 0.1, 255 bins, 20
rows per leaf) on the 100,000-row benchmark set's 80,000 training rows
(bench/gbdt.py's make_classification data), then score the first 200,000
rows of the 1,000,000-row set's test part on raw values, with 1 and 2
threads; the median of --repeat runs is reported as rows per second.
lleaves (LightGBM's model compiled by LLVM; needs llvmlite 0.44) runs when
it is installed: pip install "llvmlite==0.44.0" lleaves.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    me = [sys.executable, os.path.join(HERE, "gbdt.py"), "--pareto", args.pareto]
    small = subprocess.run(me + ["--rows", "100000", "--make-data"], capture_output=True, text=True, check=True).stdout.strip()
    large = subprocess.run(me + ["--rows", "1000000", "--make-data"], capture_output=True, text=True, check=True).stdout.strip()
    ours = json.loads(subprocess.run([args.pareto, "predict", "--train", small + ".train.csv", "--test", large + ".test.csv",
                                      "--target", "y", "--repeat", str(args.repeat)],
                                     capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    import lightgbm as lgb
    import numpy as np

    train = np.load(small + ".train.npz")
    test = np.load(large + ".test.npz")["X"][:200_000]
    params = {"objective": "binary", "num_leaves": 31, "learning_rate": 0.1, "max_bin": 255, "min_data_in_leaf": 20,
              "verbose": -1, "num_threads": 2}
    model = lgb.train(params, lgb.Dataset(train["X"], train["y"]), num_boost_round=100)
    theirs = {}
    for threads in (1, 2):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            model.predict(test, raw_score=True, num_threads=threads)
            times.append(time.perf_counter() - start)
        theirs[threads] = len(test) / statistics.median(times)
    compiled = {}
    try:
        import lleaves

        path = os.path.join(HERE, ".data", "predict_model.txt")
        model.save_model(path)
        llvm = lleaves.Model(model_file=path)
        llvm.compile(cache=os.path.join(HERE, ".data", "predict_model.so"))
        for threads in (1, 2):
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                llvm.predict(test, n_jobs=threads)
                times.append(time.perf_counter() - start)
            compiled[threads] = len(test) / statistics.median(times)
    except ImportError:
        pass
    header = f"{'threads':8s} {'Pareto rows/s':>14s} {'LightGBM rows/s':>16s} {'Pareto/LightGBM':>16s}"
    if compiled:
        header += f" {'lleaves rows/s':>15s} {'Pareto/lleaves':>15s}"
    print(header)
    for threads in (1, 2):
        key = f"rows_per_second_{threads}_thread" + ("" if threads == 1 else "s")
        line = f"{threads:<8d} {ours[key]:14,.0f} {theirs[threads]:16,.0f} {ours[key] / theirs[threads]:15.2f}x"
        if compiled:
            line += f" {compiled[threads]:15,.0f} {ours[key] / compiled[threads]:14.2f}x"
        print(line)


if __name__ == "__main__":
    main()
