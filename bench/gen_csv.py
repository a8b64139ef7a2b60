#!/usr/bin/env python3
"""Generate the synthetic CSV used by bench/csv.sh.

Layout (30 columns + header, fixed seed, deterministic output):
  - 28 float64 columns f00..f27, written by pandas' default to_csv float
    formatting (repr, i.e. up to 17 significant digits):
      f00..f09  standard normal scaled/shifted per column
      f10..f17  uniform on a per-column range
      f18..f23  log-normal (skewed, positive)
      f24..f27  normal with 1-5% empty fields (missing values)
  - "segment": string categorical with 5 levels (non-uniform frequencies),
    placed between the float columns so it is not always last
  - "city":    string categorical with 1000 levels ("city_0".."city_999"),
    Zipf-like frequencies, last column

Usage: gen_csv.py OUT_PATH [ROWS]   (default ROWS = 1_000_000)
The file is written to OUT_PATH.tmp and renamed when complete, so an
interrupted run never leaves a truncated file behind.
"""
import os
import sys

import numpy as np
import pandas as pd

SEED = 20240601
CHUNK = 100_000


def make_chunk(rng: np.random.Generator, n: int) -> pd.DataFrame:
    cols = {}
    for i in range(0, 10):
        scale = 10.0 ** (i % 4 - 1)  # 0.1 .. 100
        cols[f"f{i:02d}"] = rng.normal(loc=i * 3.0, scale=scale, size=n)
    for i in range(10, 18):
        lo = -float(i)
        cols[f"f{i:02d}"] = rng.uniform(lo, lo + 2.0 * i, size=n)
    for i in range(18, 24):
        cols[f"f{i:02d}"] = rng.lognormal(mean=0.0, sigma=1.0 + (i - 18) * 0.2, size=n)
    for k, i in enumerate(range(24, 28)):
        v = rng.normal(loc=0.0, scale=1.0 + k, size=n)
        missing_rate = 0.01 + 0.0133 * k  # 1% .. ~5%
        v[rng.random(n) < missing_rate] = np.nan
        cols[f"f{i:02d}"] = v

    segments = np.array(["retail", "wholesale", "online", "partner", "internal"])
    seg = segments[rng.choice(5, size=n, p=[0.45, 0.25, 0.18, 0.09, 0.03])]

    ranks = np.arange(1, 1001)
    p = 1.0 / ranks
    p /= p.sum()
    city = np.char.add("city_", rng.choice(1000, size=n, p=p).astype(str))

    df = pd.DataFrame(cols)
    df.insert(14, "segment", seg)
    df["city"] = city
    return df


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: gen_csv.py OUT_PATH [ROWS]")
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    rng = np.random.default_rng(SEED)
    written = 0
    with open(tmp, "w", newline="") as fh:
        while written < rows:
            n = min(CHUNK, rows - written)
            make_chunk(rng, n).to_csv(fh, index=False, header=(written == 0))
            written += n
    os.replace(tmp, out)
    print(f"wrote {out}: {rows} rows, {os.path.getsize(out)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
