#!/usr/bin/env python3
"""Single-row latency: Pareto's compiled predictor vs LightGBM's C API, onnxruntime and lleaves.

  latency.py --pareto-bench BIN --pareto BIN [--rows 10000] [--rounds 20] [--repeat 3]

Model: LightGBM trains a 100-tree, 31-leaf binary model (learning rate 0.1,
255 bins, 20 rows per leaf) on the 800,000 training rows of bench/gbdt.py's
1,000,000 x 28 make_classification set, and a 1-tree model with the same
settings: the 1-tree model's time is each tool's call overhead, and
"model alone" is the 100-tree time less the 1-tree time.

Every tool scores one row per call, in-process, on one thread, over the
first --rows test rows cycled (two warm-up passes, then --rounds passes
timed in batches of 1,000 calls (the median batch's µs per call), then
one pass timing each call (p50 and p99, less an empty clock pair); ratios
use p50, which time slices lost to other processes move least):
- Pareto: `CompiledEnsemble.rawScore(row:)` (pareto-bench latency) on the
  model imported with `LightGBMModel` and on a model Pareto trains itself
  with the same settings on the same rows;
- LightGBM C API: LGBM_BoosterPredictForMatSingleRowFast from a small C
  program (bench/lgbm_single_row.c, built here with gcc against the
  wheel's lib_lightgbm.so);
- LightGBM Python: Booster.predict on a (1, 28) array;
- onnxruntime: InferenceSession.run on the model exported by
  `pareto export --format onnx` (double inputs, one per feature; its
  probability is compared), on the same export with `--input tensor` (one
  double (1, 28) input X) and, when onnxmltools is installed, on
  onnxmltools' conversion (one float32 (1, 28) input, the usual way);
- lleaves: the LightGBM model compiled by LLVM, with its objective line set
  to regression so that it returns raw scores (the sigmoid is skipped).
The tools run in turn, --repeat times (Pareto, C API, Python, onnxruntime,
lleaves, Pareto, ...); each figure is the median over the repeats. All
tools' scores on the timed rows are compared with LightGBM's raw scores.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, ".data")
BATCH = 1000


def timed(call, rows, rounds):
    """(median µs per call over batches, p50 and p99 µs per call, scores of one pass) of call(i) for each row i."""
    n = len(rows)
    for _ in range(2):
        for i in range(n):
            call(i)
    batches = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for start in range(0, n, BATCH):
            end = min(start + BATCH, n)
            t0 = clock()
            for i in range(start, end):
                call(i)
            batches.append((clock() - t0) / 1000 / (end - start))
    empty = []
    for _ in range(10000):
        t0 = clock()
        empty.append(clock() - t0)
    empty_ns = statistics.median(empty)
    samples, scores = [], []
    for i in range(n):
        t0 = clock()
        s = call(i)
        samples.append(clock() - t0 - empty_ns)
        scores.append(s)
    samples.sort()
    return (statistics.median(batches), samples[len(samples) // 2] / 1000, samples[len(samples) * 99 // 100] / 1000,
            scores)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto-bench", required=True)
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    prefix = subprocess.run([sys.executable, os.path.join(HERE, "gbdt.py"), "--pareto", args.pareto_bench,
                             "--rows", "1000000", "--make-data"], capture_output=True, text=True,
                            check=True).stdout.strip()
    import lightgbm as lgb
    import numpy as np

    models = {100: os.path.join(DATA, "latency_100.txt"), 1: os.path.join(DATA, "latency_1.txt")}
    if not all(os.path.exists(p) for p in models.values()):
        train = np.load(prefix + ".train.npz")
        params = {"objective": "binary", "num_leaves": 31, "learning_rate": 0.1, "max_bin": 255,
                  "min_data_in_leaf": 20, "verbose": -1, "num_threads": 2}
        dataset = lgb.Dataset(train["X"], train["y"])
        for trees, path in models.items():
            lgb.train(params, dataset, num_boost_round=trees).save_model(path)
    rows = np.ascontiguousarray(np.load(prefix + ".test.npz")["X"][:args.rows], dtype=np.float64)
    rows_path = os.path.join(DATA, f"latency_rows_{args.rows}.f64")
    rows.tofile(rows_path)
    n = len(rows)
    boosters = {t: lgb.Booster(model_file=p) for t, p in models.items()}
    reference = {t: b.predict(rows, raw_score=True, num_threads=1) for t, b in boosters.items()}

    # The C harness, built against the wheel's library.
    libdir = os.path.join(os.path.dirname(lgb.__file__), "lib")
    harness = os.path.join(DATA, "lgbm_single_row")
    subprocess.run(["gcc", "-O2", "-o", harness, os.path.join(HERE, "lgbm_single_row.c"), "-L" + libdir,
                    "-l:lib_lightgbm.so", "-Wl,-rpath," + libdir], check=True)

    # ONNX files: Pareto's export (double) and onnxmltools' conversion (float32).
    onnx_files = {}
    tensor_files = {}
    for trees, path in models.items():
        imported = os.path.join(DATA, f"latency_{trees}.pareto")
        exported = os.path.join(DATA, f"latency_{trees}.onnx")
        subprocess.run([args.pareto, "import-lightgbm", path, "--target", "y", "--out", imported], check=True,
                       capture_output=True)
        subprocess.run([args.pareto, "export", imported, "--format", "onnx", "--out", exported], check=True,
                       capture_output=True)
        onnx_files[trees] = exported
        # The same model with one [N, 28] input tensor X (pareto export --input tensor).
        as_tensor = os.path.join(DATA, f"latency_{trees}_tensor.onnx")
        subprocess.run([args.pareto, "export", imported, "--format", "onnx", "--input", "tensor", "--out", as_tensor],
                       check=True, capture_output=True)
        tensor_files[trees] = as_tensor
    onnxmltools_files = {}
    try:
        import onnxmltools
        from onnxmltools.convert.common.data_types import FloatTensorType

        for trees, booster in boosters.items():
            converted = onnxmltools.convert_lightgbm(booster, initial_types=[("input", FloatTensorType([None, 28]))],
                                                     zipmap=False, target_opset=15)
            path = os.path.join(DATA, f"latency_{trees}_onnxmltools.onnx")
            onnxmltools.utils.save_model(converted, path)
            onnxmltools_files[trees] = path
    except Exception as error:  # noqa: BLE001 - optional peer
        print(f"onnxmltools conversion skipped: {error}")

    lleaves_models = {}
    try:
        import lleaves

        for trees, path in models.items():
            raw_path = os.path.join(DATA, f"latency_{trees}_raw.txt")
            with open(path) as source, open(raw_path, "w") as target:
                for line in source:
                    target.write("objective=regression\n" if line.startswith("objective=") else line)
            model = lleaves.Model(model_file=raw_path)
            model.compile(cache=os.path.join(DATA, f"latency_{trees}_raw.so"))
            lleaves_models[trees] = model
    except ImportError:
        print("lleaves skipped: not installed")

    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    sessions = {t: ort.InferenceSession(p, options, providers=["CPUExecutionProvider"]) for t, p in onnx_files.items()}
    ml_sessions = {t: ort.InferenceSession(p, options, providers=["CPUExecutionProvider"])
                   for t, p in onnxmltools_files.items()}
    tensor_sessions = {t: ort.InferenceSession(p, options, providers=["CPUExecutionProvider"])
                       for t, p in tensor_files.items()}

    figures = {}  # (tool, trees) -> list of (median, p99)
    largest_diff = {}

    def record(tool, trees, median, p50, p99, scores, expected):
        figures.setdefault((tool, trees), []).append((median, p50, p99))
        diff = float(np.max(np.abs(np.asarray(scores, dtype=np.float64) - expected)))
        largest_diff[(tool, trees)] = max(largest_diff.get((tool, trees), 0.0), diff)

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    scores_prefix = os.path.join(DATA, "latency_scores")
    train_csv = prefix + ".train.csv"
    for repeat in range(args.repeat):
        command = [args.pareto_bench, "latency", "--rows", rows_path, "--features", "28", "--lightgbm", models[100],
                   "--lightgbm-overhead", models[1], "--train", train_csv, "--target", "y",
                   "--rounds", str(args.rounds), "--scores", scores_prefix]
        ours = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
        for name, trees, tool in [("imported", 100, "Pareto (imported)"), ("imported_1tree", 1, "Pareto (imported)"),
                                  ("trained", 100, "Pareto (trained)"), ("trained_1tree", 1, "Pareto (trained)")]:
            entry = ours[name]
            if not entry["one_row_equals_batch"]:
                print(f"error: {name}: one-row scores differ from the batch path")
                sys.exit(1)
            scores = np.fromfile(f"{scores_prefix}.{name}.f64", dtype=np.float64)
            # The trained models are Pareto's own: compared with the batch path (above), not with LightGBM.
            expected = reference[trees] if name.startswith("imported") else scores
            record(tool, trees, entry["us_median"], entry["us_p50"], entry["us_p99"], scores, expected)
        for trees, path in models.items():
            out = os.path.join(DATA, f"latency_c_{trees}.f64")
            c = json.loads(subprocess.run([harness, path, rows_path, "28", str(args.rounds), out], capture_output=True,
                                          text=True, check=True).stdout)
            record("LightGBM C API", trees, c["us_median"], c["us_p50"], c["us_p99"], np.fromfile(out, dtype=np.float64),
                   reference[trees])
        for trees, booster in boosters.items():
            one = [rows[i:i + 1] for i in range(n)]
            sub = max(1, n // 5)  # the Python API is slow: a fifth of the rows, fewer rounds
            median, p50, p99, scores = timed(lambda i: booster.predict(one[i], raw_score=True, num_threads=1)[0],
                                        one[:sub], max(1, args.rounds // 4))
            record("LightGBM Python", trees, median, p50, p99, scores, reference[trees][:sub])
        for trees, session in sessions.items():
            names = [i.name for i in session.get_inputs()]
            # Imported LightGBM features are named Column_0, Column_1, ... in column order.
            column = {name: int(re.search(r"(\d+)$", name).group(1)) for name in names}
            feeds = [{name: rows[i:i + 1, column[name]].copy() for name in names} for i in range(n)]
            outputs = [o.name for o in session.get_outputs()]
            which = outputs.index("probabilities")
            median, p50, p99, scores = timed(lambda i: session.run(None, feeds[i])[which][0, 1], feeds, args.rounds)
            record("onnxruntime (pareto export)", trees, median, p50, p99, scores, sigmoid(reference[trees]))
        for trees, session in tensor_sessions.items():
            feeds = [{"X": rows[i:i + 1].copy()} for i in range(n)]
            outputs = [o.name for o in session.get_outputs()]
            which = outputs.index("probabilities")
            median, p50, p99, scores = timed(lambda i: session.run(None, feeds[i])[which][0, 1], feeds, args.rounds)
            record("onnxruntime (pareto export, tensor)", trees, median, p50, p99, scores, sigmoid(reference[trees]))
        for trees, session in ml_sessions.items():
            feeds = [{"input": rows[i:i + 1].astype(np.float32)} for i in range(n)]
            outputs = [o.name for o in session.get_outputs()]
            which = outputs.index("probabilities")
            median, p50, p99, scores = timed(lambda i: session.run(None, feeds[i])[which][0, 1], feeds, args.rounds)
            record("onnxruntime (onnxmltools)", trees, median, p50, p99, scores, sigmoid(reference[trees]))
        for trees, model in lleaves_models.items():
            one = [rows[i:i + 1] for i in range(n)]
            median, p50, p99, scores = timed(lambda i: model.predict(one[i], n_jobs=1)[0], one, args.rounds)
            record("lleaves", trees, median, p50, p99, scores, reference[trees])

    def med(tool, trees, k):
        return statistics.median(v[k] for v in figures[(tool, trees)])

    print(f"single-row latency, µs per call, one thread, {n:,} rows cycled, median of {args.repeat} runs")
    print("batch: median of the 1000-call batches' µs per call; p50/p99: calls timed one by one (an empty clock pair")
    print("subtracted). Ratios use p50, which a time slice lost to another process moves least on a shared machine.")
    tools = []
    for tool, _ in figures:
        if tool not in tools:
            tools.append(tool)
    ours = med("Pareto (imported)", 100, 1) - med("Pareto (imported)", 1, 1)
    ours_raw = med("Pareto (imported)", 100, 1)
    print(f"{'tool':30s} {'batch':>8s} {'p50':>8s} {'p99':>8s} {'1-tree p50':>11s} {'model alone':>12s} {'max |diff|':>11s} "
          f"{'peer/Pareto raw':>16s} {'peer/Pareto alone':>18s}")
    for tool in tools:
        batch, raw, p99, one = med(tool, 100, 0), med(tool, 100, 1), med(tool, 100, 2), med(tool, 1, 1)
        alone = raw - one
        diff = max(largest_diff[(tool, 100)], largest_diff[(tool, 1)])
        ratio = "" if tool.startswith("Pareto") else f"{raw / ours_raw:15.2f}x"
        ratio_alone = "" if tool.startswith("Pareto") else f"{alone / ours:17.2f}x"
        print(f"{tool:30s} {batch:8.3f} {raw:8.3f} {p99:8.3f} {one:11.3f} {alone:12.3f} {diff:11.2e} {ratio:>16s} "
              f"{ratio_alone:>18s}")
    print("max |diff|: against LightGBM's raw scores (onnxruntime: its probability against the sigmoid of them; "
          "Pareto (trained): its one-row path against its batch path)")
    print("every run:", json.dumps({f"{t}/{k}": v for (t, k), v in figures.items()}))


if __name__ == "__main__":
    main()
