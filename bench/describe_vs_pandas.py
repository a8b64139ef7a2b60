#!/usr/bin/env python3
"""Check `pareto describe FILE --json` against pandas on every *.csv in a folder.

Usage:
  describe_vs_pandas.py --pareto BIN DIR   compare Pareto with pandas
  describe_vs_pandas.py --pandas-only DIR  only print what pandas sees

pandas reads each file with Pareto's default missing tokens:
  read_csv(keep_default_na=False, na_values=['', 'NA', 'N/A', 'NaN', 'null', '?'])

Checks per file:
  - row count; column count and names, in order
  - per column, the type: pandas bool -> "boolean"; other numeric dtypes ->
    "numeric"; anything else (object/str) -> one of "categorical", "text",
    "datetime"
  - per column, the missing count (a "missing" field absent from Pareto's
    JSON counts as 0)
  - numeric columns: mean, std (pandas' default, the sample std, ddof=1),
    min, max within relative tolerance 1e-9, and distinct == pandas nunique().
    mean and std also get an absolute tolerance of 1e-9 * max(|min|, |max|),
    since a mean near zero has no meaningful relative error.
  - extra, for "categorical"/"text" columns: distinct == nunique() if Pareto
    reports it, and every [value, count] in "top" matches pandas'
    value_counts(). "datetime" columns get no value checks (formats differ).
Exit status: 0 if every file passed, 1 otherwise.
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys

import pandas as pd
from pandas.api import types as ptypes

NA_TOKENS = ["", "NA", "N/A", "NaN", "null", "?"]
REL_TOL = 1e-9
MAX_SHOWN = 5  # mismatches shown per failing file


# --------------------------------------------------------------------------
# pandas side


def read_reference(path: str) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=NA_TOKENS)


def kind_of(series: pd.Series) -> str:
    """'boolean', 'numeric' or 'nonnumeric', from the pandas dtype."""
    if ptypes.is_bool_dtype(series.dtype):
        return "boolean"
    if ptypes.is_numeric_dtype(series.dtype):
        return "numeric"
    return "nonnumeric"


def pandas_summary(df: pd.DataFrame) -> str:
    kinds = [kind_of(df[c]) for c in df.columns]
    return (
        f"{len(df)} rows x {df.shape[1]} cols: {kinds.count('numeric')} numeric, "
        f"{kinds.count('nonnumeric')} non-numeric, {kinds.count('boolean')} boolean; "
        f"{int(df.isna().sum().sum())} missing cells"
    )


# --------------------------------------------------------------------------
# Pareto side


def run_pareto(binary: str, path: str) -> dict:
    """Run `pareto describe PATH --json`; returns parsed JSON or raises RuntimeError."""
    try:
        proc = subprocess.run(
            [binary, "describe", path, "--json"], capture_output=True, text=True, timeout=600
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError("pareto describe timed out after 600 s")
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"pareto describe exited {proc.returncode}: {' | '.join(tail)}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise RuntimeError(f"pareto describe printed invalid JSON ({e}): {proc.stdout[:200]!r}")


# --------------------------------------------------------------------------
# Comparison


def close(a, b, abs_tol: float = 0.0) -> bool:
    """Numbers equal within REL_TOL (and abs_tol); None/NaN equal each other."""
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=abs_tol)


def compare_numeric(name: str, s: pd.Series, col: dict, out: list[str]) -> None:
    lo, hi = s.min(), s.max()
    scale = max(abs(lo), abs(hi)) if s.notna().any() else 0.0
    expected = {"mean": s.mean(), "std": s.std(), "min": lo, "max": hi}
    for key, want in expected.items():
        got = col.get(key)
        tol = REL_TOL * scale if key in ("mean", "std") else 0.0
        if not close(got, float(want), tol):
            msg = f"{name}: {key} {got!r} != pandas {float(want)!r}"
            if key == "std" and got is not None and close(got, float(s.std(ddof=0)), tol):
                msg += " (Pareto's matches the population std, ddof=0)"
            out.append(msg)
    want_distinct = int(s.nunique())
    if col.get("distinct") != want_distinct:
        out.append(f"{name}: distinct {col.get('distinct')!r} != pandas {want_distinct}")


def compare_nonnumeric(name: str, s: pd.Series, col: dict, out: list[str]) -> None:
    if "distinct" in col and col["distinct"] != int(s.nunique()):
        out.append(f"{name}: distinct {col['distinct']!r} != pandas {int(s.nunique())}")
    counts = s.value_counts()
    for entry in col.get("top") or []:
        value, count = entry[0], entry[1]
        want = int(counts.get(value, 0))
        if count != want:
            out.append(f"{name}: top count for {value!r} is {count!r}, pandas {want}")


def compare(df: pd.DataFrame, pareto: dict) -> list[str]:
    out: list[str] = []
    if pareto.get("rows") != len(df):
        out.append(f"rows {pareto.get('rows')!r} != pandas {len(df)}")
    cols = pareto.get("columns") or []
    names = [c.get("name") for c in cols]
    if names != [str(c) for c in df.columns]:
        out.append(f"column names differ: pareto {names[:8]}... vs pandas {list(df.columns)[:8]}...")
        return out  # per-column comparison would be meaningless
    for col in cols:
        name = col["name"]
        s = df[name]
        kind = kind_of(s)
        ptype = col.get("type")
        allowed = {"numeric": {"numeric"}, "boolean": {"boolean"}}.get(
            kind, {"categorical", "text", "datetime"}
        )
        if ptype not in allowed:
            out.append(f"{name}: type {ptype!r}, pandas dtype {s.dtype} expects {'/'.join(sorted(allowed))}")
            continue
        want_missing = int(s.isna().sum())
        if col.get("missing", 0) != want_missing:
            out.append(f"{name}: missing {col.get('missing', 0)!r} != pandas {want_missing}")
        if kind == "numeric":
            compare_numeric(name, s, col, out)
        elif ptype in ("categorical", "text"):
            compare_nonnumeric(name, s, col, out)
    return out


# --------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--pareto", help="path to the pareto binary")
    mode.add_argument("--pandas-only", action="store_true", help="print pandas' view only")
    ap.add_argument("dir")
    args = ap.parse_args()

    files = sorted(glob.glob(os.path.join(args.dir, "*.csv")))
    if not files:
        print(f"error: no *.csv files in {args.dir}", file=sys.stderr)
        return 1

    passed = failed = 0
    for path in files:
        label = os.path.basename(path)
        df = read_reference(path)
        if args.pandas_only:
            print(f"{label:<32} {pandas_summary(df)}")
            continue
        try:
            problems = compare(df, run_pareto(args.pareto, path))
        except RuntimeError as e:
            problems = [str(e)]
        if problems:
            failed += 1
            more = f" (+{len(problems) - MAX_SHOWN} more)" if len(problems) > MAX_SHOWN else ""
            print(f"FAIL {label}: " + "; ".join(problems[:MAX_SHOWN]) + more)
        else:
            passed += 1
            print(f"PASS {label}: {len(df)} rows, {df.shape[1]} columns")

    if args.pandas_only:
        return 0
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
