#!/usr/bin/env python3
"""Run the CSV read benchmark: Pareto vs pandas vs polars, interleaved.

Called by bench/csv.sh; can be run directly:

  csv_run.py --file F --out RESULTS.jsonl [--pareto BIN] [--rounds 5]
             [--tools pareto,pandas,polars] [--threads 2]

Each round runs every tool once, in the order given (A B C A B C ...), each
in a fresh process. Every run is one JSON record appended to RESULTS.jsonl;
bench/csv_report.py turns that file into the summary table.

Noise control (the machine is shared): before each run we wait, up to
--quiet-wait seconds, until the rest of the machine uses less than
--quiet-cores cores (two /proc/stat samples 0.5 s apart; we are asleep in
between, so all non-idle time is someone else's). During the run we measure
machine-wide non-idle CPU time from /proc/stat and subtract the CPU time of
the benchmarked child and of this script (getrusage); what remains, divided
by wall time, is the load from others. If that exceeds --rerun-cores the run
is recorded as discarded and repeated once; the repeat is kept whatever its
load (its load is recorded so the report can flag it). The estimate is
approximate: /proc/stat counts in clock ticks (10 ms), and steal time (a
hypervisor running other guests on our CPUs) counts as load from others.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


# --------------------------------------------------------------------------
# Load measurement


def cpu_times() -> tuple[float, float]:
    """(non-idle, steal) CPU seconds since boot, all CPUs summed (/proc/stat)."""
    with open("/proc/stat") as fh:
        fields = fh.readline().split()
    assert fields[0] == "cpu"
    # user nice system idle iowait irq softirq steal [guest guest_nice]
    # guest time is already included in user/nice, so it is not added again.
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / HZ, steal / HZ


def nonidle_seconds() -> float:
    return cpu_times()[0]


def own_cpu_seconds() -> float:
    """CPU seconds used by this process plus its reaped children."""
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def others_load(interval: float = 0.5) -> float:
    """Cores used by other processes over `interval` seconds while we sleep."""
    n0, o0, t0 = nonidle_seconds(), own_cpu_seconds(), time.monotonic()
    time.sleep(interval)
    n1, o1, t1 = nonidle_seconds(), own_cpu_seconds(), time.monotonic()
    return max(0.0, ((n1 - n0) - (o1 - o0)) / (t1 - t0))


def wait_until_quiet(threshold: float, max_wait: float) -> tuple[float, float]:
    """Wait until others use < threshold cores. Returns (last load, waited s)."""
    start = time.monotonic()
    while True:
        load = others_load()
        waited = time.monotonic() - start
        if load < threshold or waited >= max_wait:
            return load, waited


# --------------------------------------------------------------------------
# Running one tool


def command_for(tool: str, args) -> tuple[list[str], dict]:
    env = dict(os.environ)
    if tool == "pareto":
        return [args.pareto, "csv", args.file, "--threads", str(args.threads)], env
    env["POLARS_MAX_THREADS"] = str(args.threads)
    return [sys.executable, os.path.join(HERE, "read_csv_peer.py"), tool, args.file], env


def parse_json_line(tool: str, proc: subprocess.CompletedProcess) -> dict:
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip().startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(
            f"\nerror: {tool} run failed (exit {proc.returncode}).\n"
            f"--- stdout ---\n{proc.stdout[-2000:]}\n--- stderr ---\n{proc.stderr[-2000:]}\n"
        )
        sys.exit(1)
    try:
        rec = json.loads(lines[-1])
    except json.JSONDecodeError as e:
        sys.exit(f"error: {tool} printed invalid JSON ({e}): {lines[-1]!r}")
    for key in ("seconds", "rows", "columns", "peak_rss_bytes"):
        if key not in rec:
            sys.exit(f"error: {tool} JSON lacks {key!r}: {lines[-1]!r}")
    return rec


def run_once(tool: str, args) -> dict:
    cmd, env = command_for(tool, args)
    (n0, s0), o0, t0 = cpu_times(), own_cpu_seconds(), time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.timeout)
    (n1, s1), o1, t1 = cpu_times(), own_cpu_seconds(), time.monotonic()
    rec = parse_json_line(tool, proc)
    wall = t1 - t0
    rec["tool"] = tool
    rec["process_wall_seconds"] = round(wall, 4)
    rec["process_cpu_seconds"] = round(o1 - o0, 4)
    rec["others_cores"] = round(max(0.0, ((n1 - n0) - (o1 - o0)) / wall), 4)
    rec["steal_cores"] = round((s1 - s0) / wall, 4)  # part of others_cores
    return rec


def check_shape(rec: dict, args) -> None:
    if rec["rows"] != args.expect_rows or rec["columns"] != args.expect_columns:
        sys.exit(
            f"error: {rec['tool']} read {rec['rows']} rows x {rec['columns']} columns; "
            f"expected {args.expect_rows} x {args.expect_columns}"
        )


# --------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", required=True)
    ap.add_argument("--out", required=True, help="JSONL results file (overwritten)")
    ap.add_argument("--pareto", default=".build/release/pareto-bench")
    ap.add_argument("--tools", default="pareto,pandas,polars")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--expect-rows", type=int, default=1_000_000)
    ap.add_argument("--expect-columns", type=int, default=30)
    ap.add_argument("--quiet-cores", type=float, default=0.05)
    ap.add_argument("--quiet-wait", type=float, default=20.0)
    ap.add_argument("--rerun-cores", type=float, default=0.1)
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args()

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in tools:
        if t not in ("pareto", "pandas", "polars"):
            sys.exit(f"error: unknown tool {t!r}")
    if "pareto" in tools and not os.access(args.pareto, os.X_OK):
        sys.exit(f"error: Pareto benchmark binary not found or not executable: {args.pareto}")

    # Warm the page cache so the first timed run does not pay for disk I/O.
    with open(args.file, "rb") as fh:
        while fh.read(16 << 20):
            pass

    # Correctness check, once, untimed (also warms up the binary).
    if "pareto" in tools:
        rec = run_once("pareto", args)
        check_shape(rec, args)
        print(f"correctness: pareto-bench read {rec['rows']} rows x {rec['columns']} columns: OK", flush=True)

    print(
        f"{args.rounds} rounds x {len(tools)} tools ({', '.join(tools)}), {NCPU} CPUs, "
        f"threads={args.threads}; waiting for <{args.quiet_cores} cores of other load before each run",
        flush=True,
    )
    with open(args.out, "w") as out:
        for rnd in range(1, args.rounds + 1):
            for tool in tools:
                for attempt in (1, 2):
                    quiet, waited = wait_until_quiet(args.quiet_cores, args.quiet_wait)
                    rec = run_once(tool, args)
                    check_shape(rec, args)
                    rec.update(
                        round=rnd,
                        attempt=attempt,
                        load_before_cores=round(quiet, 4),
                        quiet_wait_seconds=round(waited, 2),
                    )
                    noisy = rec["others_cores"] > args.rerun_cores
                    rec["kept"] = not (noisy and attempt == 1)
                    out.write(json.dumps(rec) + "\n")
                    out.flush()
                    note = ""
                    if waited >= args.quiet_wait:
                        note += f"  [machine not quiet after {waited:.0f}s: {quiet:.2f} cores]"
                    if noisy:
                        note += "  [noisy: rerunning]" if attempt == 1 else "  [noisy again: kept]"
                    print(
                        f"  round {rnd} {tool:<7} {rec['seconds']:8.3f} s  "
                        f"peak {rec['peak_rss_bytes'] / 1e6:7.0f} MB  "
                        f"others {rec['others_cores']:.2f} cores (steal {rec['steal_cores']:.2f}){note}",
                        flush=True,
                    )
                    if rec["kept"]:
                        break


if __name__ == "__main__":
    main()
