#!/usr/bin/env python3
"""Float32 GEMM speed: Pareto's GEMM.multiply vs numpy.matmul (OpenBLAS), 1 and 2 threads.

  gemm.py --pareto BIN [--rounds 3] [--shapes MxKxN,...]

Shapes are op(A) m x k times op(B) k x n (suffix _TA / _TB: that operand stored
transposed): 512^3 and 1024^3, and a 28-256-256-1 MLP's products at batch 256
(forward, backward with transposes) and for one row. Each tool times each
product in samples of 50 ms after a warm-up and reports the median GFLOP/s of
7 samples, writing into a preallocated C (numpy: matmul(..., out=C)).

numpy runs in a fresh process per thread count with OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS and MKL_NUM_THREADS set (and threadpoolctl's limit, which also
reports the kernel OpenBLAS picked), twice:
  - "numpy": OpenBLAS choosing its kernel for this CPU (OPENBLAS_CORETYPE and
    OPENBLAS_L2_SIZE removed from its environment);
  - "numpy env": the environment as given. On the project's machines
    OPENBLAS_CORETYPE=Haswell is set, which forces the AVX2 kernel.
One-thread figures are also given by the thread's CPU time (Swift's
CLOCK_THREAD_CPUTIME_ID, Python's time.thread_time), which stays meaningful
when other processes share the cores. Rounds alternate Pareto, numpy, numpy env; before each run the script waits
(up to --max-wait seconds, default 60) until other processes use < 0.05 cores,
and repeats a run once when they used > 0.1 cores during it. Ratios are Pareto / numpy per round, then the median.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from csv_run import nonidle_seconds, own_cpu_seconds, wait_until_quiet  # noqa: E402
DEFAULT_SHAPES = ("512x512x512,1024x1024x1024,256x28x256,256x256x256,256x256x1,1x28x256,"
                  "256x256x256_TA,256x256x256_TB,256x256x1_TA,256x1x256_TB,28x256x256_TA")


def parse_shape(spec: str):
    parts = spec.split("_")
    m, k, n = (int(x) for x in parts[0].split("x"))
    return m, k, n, "TA" in parts[1:], "TB" in parts[1:]


# ---------------------------------------------------------------- numpy side

def numpy_worker(shapes: str, threads: int) -> None:
    import numpy as np

    info = {}
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(threads)
        blas = [x for x in threadpoolctl.threadpool_info() if x.get("user_api") == "blas"]
        if blas:
            info = {"blas": blas[0].get("internal_api"), "blas_version": blas[0].get("version"),
                    "blas_kernel": blas[0].get("architecture"), "blas_threads": blas[0].get("num_threads")}
    except ImportError:
        pass
    rng = np.random.default_rng(1)
    results = {"threads": threads, **info}
    for spec in shapes.split(","):
        m, k, n, ta, tb = parse_shape(spec)
        a = (rng.random((k, m) if ta else (m, k), dtype=np.float32) - 0.5)
        b = (rng.random((n, k) if tb else (k, n), dtype=np.float32) - 0.5)
        x, y = (a.T if ta else a), (b.T if tb else b)
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * n * k

        def body():
            np.matmul(x, y, out=c)

        results[spec], results[spec + "/cpu"] = sample_gflops(flops, body)
    print(json.dumps(results))


def sample_gflops(flops: float, body, samples: int = 7, sample_seconds: float = 0.05) -> tuple[float, float]:
    """Median GFLOP/s by wall time, and by this thread's CPU time (meaningful with one BLAS thread)."""
    body()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            body()
        if time.perf_counter() - start >= sample_seconds / 4 or calls >= 1 << 24:
            break
        calls *= 2
    start = time.perf_counter()
    for _ in range(calls):
        body()
    calls = max(1, int(calls * sample_seconds / max(time.perf_counter() - start, 1e-9)))
    rates, cpu_rates = [], []
    for _ in range(samples):
        start, cpu_start = time.perf_counter(), time.thread_time()
        for _ in range(calls):
            body()
        rates.append(flops * calls / (time.perf_counter() - start) / 1e9)
        cpu_rates.append(flops * calls / max(time.thread_time() - cpu_start, 1e-9) / 1e9)
    return statistics.median(rates), statistics.median(cpu_rates)


# ---------------------------------------------------------------- load checks (csv_run.py's)

MAX_WAIT = 60.0


def run_json(cmd, env) -> tuple[dict, float]:
    """Runs cmd, returns (its last JSON line, cores other processes used meanwhile)."""
    n0, o0, t0 = nonidle_seconds(), own_cpu_seconds(), time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    n1, o1, t1 = nonidle_seconds(), own_cpu_seconds(), time.monotonic()
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.exit(f"error: {' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1]), max(0.0, ((n1 - n0) - (o1 - o0)) / (t1 - t0))


def run_checked(cmd, env) -> tuple[dict, float]:
    wait_until_quiet(0.05, MAX_WAIT)
    result, others = run_json(cmd, env)
    if others > 0.1:
        wait_until_quiet(0.05, MAX_WAIT)
        result, others = run_json(cmd, env)
    return result, others


# ---------------------------------------------------------------- build modes

def build_modes(pareto: str, native: str) -> None:
    """The table behind docs/ARCHITECTURE.md's "Host-tuned code": each way of getting
    host-tuned code, 512^3 and 1024^3, one thread (and two for Pareto's GEMM)."""
    squares = "512x512x512,1024x1024x1024"
    rows = []  # (build, kernel, {column: gflops})

    def gemm(binary, extra_env=None, swift=False):
        env = dict(os.environ)
        env.update(extra_env or {})
        cmd = [binary, "gemm", "--shapes", squares, "--threads", "1,2"] + (["--swift-simd"] if swift else [])
        result, _ = run_checked(cmd, env)
        return result

    for build, binary in (("default release", pareto), ("-target-cpu native", native)):
        best = gemm(binary, swift=True)
        for form, label in (("fma", "Swift SIMD16<Float>, addingProduct"), ("mul_add", "Swift SIMD16<Float>, acc += x * b")):
            rows.append((build, label, {f"{n}^3 1t": best[f"swift_simd16_{form}_{n}"]["gflops_cpu_time"]
                                        for n in (512, 1024)}))
        levels = ([("portable", {"PARETO_ISA": "portable"}), ("avx2", {"PARETO_ISA": "avx2"})]
                  if build == "default release" else [])
        for level, env in levels + [(best["level"], None)]:
            result = best if env is None else gemm(binary, env)
            cols = {}
            for n in (512, 1024):
                shape = f"{n}x{n}x{n}"
                cols[f"{n}^3 1t"] = result[shape]["threads_1"]["gflops_cpu_time"]
                cols[f"{n}^3 2t"] = result[shape]["threads_2"]["gflops"]
            rows.append((build, f"CParetoKernels {level}", cols))
    columns = ["512^3 1t", "512^3 2t", "1024^3 1t", "1024^3 2t"]
    print("GFLOP/s; one thread by the thread's CPU time, two threads by wall time")
    print(f"{'build':20s} {'kernel':36s} " + " ".join(f"{c:>10s}" for c in columns))
    for build, kernel, cols in rows:
        print(f"{build:20s} {kernel:36s} " + " ".join(f"{cols[c]:10.1f}" if c in cols else f"{'-':>10s}"
                                                   for c in columns))
    for build, binary in (("default release", pareto), ("-target-cpu native", native)):
        result, _ = run_checked([binary, "half"], dict(os.environ))
        print(f"\nconversions, {build} build, {result['count']:,} elements, millions per second "
              f"(kernel level {result['level']})")
        for name in ("to_float16", "from_float16", "to_bfloat16", "from_bfloat16"):
            ours, loop = result[f"{name}_per_second"], result[f"swift_loop_{name}_per_second"]
            print(f"  {name:14s} HalfPrecision {ours / 1e6:9.0f}   Swift loop {loop / 1e6:9.0f}   {ours / loop:6.1f}x")


# ---------------------------------------------------------------- driver

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shapes", default=DEFAULT_SHAPES)
    parser.add_argument("--max-wait", type=float, default=60.0,
                        help="seconds to wait for other processes to go quiet before each run (default 60)")
    parser.add_argument("--build-modes", metavar="NATIVE_BIN",
                        help="instead: the build-mode table, NATIVE_BIN built with -target-cpu native")
    parser.add_argument("--numpy-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.numpy_worker:
        numpy_worker(args.shapes, args.threads)
        return
    if not args.pareto:
        sys.exit("error: --pareto BIN is required")
    global MAX_WAIT
    MAX_WAIT = args.max_wait
    if args.build_modes:
        build_modes(args.pareto, args.build_modes)
        return
    shapes = args.shapes.split(",")
    tools = ("pareto", "numpy", "numpy env")
    # runs[tool][threads] = list over rounds of {shape: gflops}
    runs = {tool: {1: [], 2: []} for tool in tools}
    notes = {}
    worst_load = 0.0
    for round_index in range(args.rounds):
        for tool in tools:
            for threads in (1, 2):
                env = dict(os.environ)
                if tool == "pareto":
                    cmd = [args.pareto, "gemm", "--shapes", args.shapes, "--threads", str(threads)]
                else:
                    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                        env[var] = str(threads)
                    if tool == "numpy":
                        env.pop("OPENBLAS_CORETYPE", None)
                        env.pop("OPENBLAS_L2_SIZE", None)
                    cmd = [sys.executable, os.path.abspath(__file__), "--numpy-worker", "--threads", str(threads),
                           "--shapes", args.shapes]
                result, others = run_checked(cmd, env)
                worst_load = max(worst_load, others)
                if tool == "pareto":
                    notes["pareto"] = f"kernel level {result['level']}"
                    record = {s: result[s][f"threads_{threads}"]["gflops"] for s in shapes}
                    if threads == 1:
                        record.update({s + "/cpu": result[s]["threads_1"]["gflops_cpu_time"] for s in shapes})
                else:
                    if "blas" in result:
                        notes[tool] = (f"{result['blas']} {result['blas_version']}, kernel {result['blas_kernel']}, "
                                       f"env OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE', '(unset)')}")
                    record = {s: result[s] for s in shapes}
                    if threads == 1:
                        record.update({s + "/cpu": result[s + "/cpu"] for s in shapes})
                runs[tool][threads].append(record)
        print(f"round {round_index + 1}/{args.rounds} done", file=sys.stderr)

    for tool, note in notes.items():
        print(f"{tool}: {note}")
    print(f"{args.rounds} rounds; median GFLOP/s of each tool over rounds; ratios are per-round Pareto/peer, "
          f"median. Other processes used at most {worst_load:.2f} cores during a kept run.")
    header = (f"{'shape (m x k x n)':20s} {'threads':>8s} {'Pareto':>8s} {'numpy':>8s} {'np env':>8s} "
              f"{'P/numpy':>8s} {'P/np env':>9s}")
    summary = {}
    # Wall time for 1 and 2 threads; then one thread by CPU time, which other processes
    # on a shared machine do not inflate.
    for title, threads_list, suffix in (("GFLOP/s by wall time", (1, 2), ""),
                                        ("one thread, GFLOP/s by the thread's CPU time", (1,), "/cpu")):
        print(f"\n{title}")
        print(header)
        print("-" * len(header))
        for shape in shapes:
            key = shape + suffix
            for threads in threads_list:
                med = {tool: statistics.median(r[key] for r in runs[tool][threads]) for tool in tools}
                ratio = {tool: statistics.median(p[key] / q[key] for p, q in
                                                 zip(runs["pareto"][threads], runs[tool][threads]))
                         for tool in ("numpy", "numpy env")}
                summary[f"{key}/{threads}"] = {"gflops": med, "ratio": ratio}
                label = f"{threads}" + (" (cpu)" if suffix else "")
                print(f"{shape:20s} {label:>8s} {med['pareto']:8.1f} {med['numpy']:8.1f} {med['numpy env']:8.1f} "
                      f"{ratio['numpy']:7.2f}x {ratio['numpy env']:8.2f}x")
    os.makedirs(os.path.join(HERE, ".data"), exist_ok=True)
    with open(os.path.join(HERE, ".data", "gemm_results.json"), "w") as fh:
        json.dump({"runs": runs, "summary": summary, "notes": notes}, fh, indent=1)


if __name__ == "__main__":
    main()
