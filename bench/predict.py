#!/usr/bin/env python3
"""Batch prediction throughput: Pareto's CompiledEnsemble vs LightGBM's predict and lleaves.

  predict.py --pareto BIN [--repeat 5]

Both train a 100-tree, 31-leaf binary model (learning rate 0.1, 255 bins, 20
rows per leaf) on the 100,000-row benchmark set's 80,000 training rows
(bench/gbdt.py's make_classification data), then score the first 200,000
rows of the 1,000,000-row set's test part on raw values, with 1 and 2
threads, in --repeat rounds that alternate the tools; the median of the
rounds is reported as rows per second, and the median of the rounds'
paired ratios.
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
    import lightgbm as lgb
    import numpy as np

    train = np.load(small + ".train.npz")
    test = np.load(large + ".test.npz")["X"][:200_000]
    params = {"objective": "binary", "num_leaves": 31, "learning_rate": 0.1, "max_bin": 255, "min_data_in_leaf": 20,
              "verbose": -1, "num_threads": 2}
    model = lgb.train(params, lgb.Dataset(train["X"], train["y"]), num_boost_round=100)
    llvm = None
    try:
        import lleaves

        path = os.path.join(HERE, ".data", "predict_model.txt")
        model.save_model(path)
        llvm = lleaves.Model(model_file=path)
        llvm.compile(cache=os.path.join(HERE, ".data", "predict_model.so"))
    except ImportError:
        pass

    def rate(call):
        start = time.perf_counter()
        call()
        return len(test) / (time.perf_counter() - start)

    # Rounds alternate the tools (Pareto, LightGBM, lleaves, Pareto, ...) so that drift in the
    # shared machine's speed reaches all of them; each round's Pareto figure is the median of 3
    # passes in its own process (training not timed), the peers' one pass each.
    ours = {1: [], 2: []}
    theirs = {1: [], 2: []}
    compiled = {1: [], 2: []}
    for _ in range(args.repeat):
        result = json.loads(subprocess.run([args.pareto, "predict", "--train", small + ".train.csv", "--test",
                                            large + ".test.csv", "--target", "y", "--repeat", "3"],
                                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
        for threads in (1, 2):
            ours[threads].append(result[f"rows_per_second_{threads}_thread" + ("" if threads == 1 else "s")])
            theirs[threads].append(rate(lambda: model.predict(test, raw_score=True, num_threads=threads)))
            if llvm is not None:
                compiled[threads].append(rate(lambda: llvm.predict(test, n_jobs=threads)))
    median = statistics.median
    header = f"{'threads':8s} {'Pareto rows/s':>14s} {'LightGBM rows/s':>16s} {'Pareto/LightGBM':>16s}"
    if llvm is not None:
        header += f" {'lleaves rows/s':>15s} {'Pareto/lleaves':>15s}"
    print(f"median of {args.repeat} alternating rounds; ratios: median of the rounds' ratios")
    print(header)
    for threads in (1, 2):
        ratio = median(a / b for a, b in zip(ours[threads], theirs[threads]))
        line = f"{threads:<8d} {median(ours[threads]):14,.0f} {median(theirs[threads]):16,.0f} {ratio:15.2f}x"
        if llvm is not None:
            ratio = median(a / b for a, b in zip(ours[threads], compiled[threads]))
            line += f" {median(compiled[threads]):15,.0f} {ratio:14.2f}x"
        print(line)


if __name__ == "__main__":
    main()
