#!/usr/bin/env python3
"""Time one CSV read with a peer library; print one JSON line.

Usage: read_csv_peer.py pandas|polars FILE

Output (stdout, one line):
  {"tool": ..., "version": ..., "seconds": S, "rows": R, "columns": C,
   "peak_rss_bytes": P, "baseline_rss_bytes": B}

  seconds             wall time (perf_counter) around the read call only
  peak_rss_bytes      getrusage(RUSAGE_SELF).ru_maxrss * 1024 after the read
  baseline_rss_bytes  resident set size right after importing the library,
                      before reading; peak - baseline is the memory
                      attributable to the read (approximately)
  rss_after_bytes     resident set size after the read, data frame alive
  threads             threads the library reads with (pandas: best effort,
                      from a private helper; absent if unavailable)

Note: RSS counts file-backed pages too. pandas >= 3.1 reads large local
files in parallel by default (option mode.max_threads; up to 6 threads,
capped by the CPUs available) and then memory-maps the file, so its peak
includes the touched pages of the file itself.

Both libraries are used with default settings: pandas.read_csv (C engine)
and polars.read_csv. polars' thread pool size is taken from
POLARS_MAX_THREADS, which must be set before polars is imported; this
script defaults it to 2 when the caller has not set it.
"""
import json
import os
import resource
import sys
import time


def current_rss_bytes() -> int:
    """Resident set size now, from /proc/self/statm (Linux); falls back to peak."""
    try:
        with open("/proc/self/statm") as fh:
            resident_pages = int(fh.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return peak_rss_bytes()


def peak_rss_bytes() -> int:
    # Linux reports ru_maxrss in KiB (macOS would report bytes).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def pandas_threads(pd):
    """Worker count pandas' parallel read_csv would use, or None if unknown."""
    try:
        from pandas.io.parsers import readers

        return int(readers._default_n_workers())
    except Exception:
        return None


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("pandas", "polars"):
        sys.exit("usage: read_csv_peer.py pandas|polars FILE")
    tool, path = sys.argv[1], sys.argv[2]

    if tool == "pandas":
        import pandas as lib

        read = lib.read_csv
    else:
        os.environ.setdefault("POLARS_MAX_THREADS", "2")
        import polars as lib

        read = lib.read_csv

    baseline = current_rss_bytes()
    start = time.perf_counter()
    df = read(path)
    seconds = time.perf_counter() - start
    peak = peak_rss_bytes()

    rows, columns = df.shape
    result = {
        "tool": tool,
        "version": lib.__version__,
        "seconds": round(seconds, 6),
        "rows": int(rows),
        "columns": int(columns),
        "peak_rss_bytes": peak,
        "baseline_rss_bytes": baseline,
    }
    result["rss_after_bytes"] = current_rss_bytes()
    threads = pandas_threads(lib) if tool == "pandas" else lib.thread_pool_size()
    if threads is not None:
        result["threads"] = threads
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
