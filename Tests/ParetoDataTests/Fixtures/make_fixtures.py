#!/usr/bin/env python3
"""Regenerate the ParetoData test fixtures from the real data sets.

Usage (from this directory, with pandas installed, e.g. `pip install pandas numpy`):

    python3 make_fixtures.py /path/to/shared/datasets

The datasets directory must hold the 9 CSV files described in its MANIFEST.md.
The script is deterministic and may be re-run at any time; it overwrites
`datasets/` and `expected/` next to itself.  Last generated with pandas 3.1.1
(numpy 2.4.6, Python 3.11).

What it writes
--------------
datasets/<name>.csv
    The header line plus the first 400 data lines of the source file, copied
    byte for byte (no parsing, no re-formatting).  Files with fewer than 400
    data rows are copied whole.  The source files use LF line endings and
    contain no quoted fields, so a line is a row.
    Exception -- california_housing.csv: if the first 400 data rows contain no
    missing `total_bedrooms` (empty field), every row with a missing
    `total_bedrooms` among the first 5000 data rows (after row 400) is
    appended, in original order, so that the slice has missing values.  With
    the current data the first 400 rows already contain 3 missing
    `total_bedrooms`, so nothing is appended (the slice is a plain prefix).

expected/<name>.json
    Column summaries computed by pandas from the slice, read with
        pandas.read_csv(path, keep_default_na=False,
                        na_values=['', 'NA', 'N/A', 'NaN', 'null', '?'])
    (Pareto's default missing-value tokens; note `unknown` in
    bank_marketing_full is NOT a missing token here).  Format:
        {"rows": N,
         "columns": [
            {"name": str, "numeric": bool, "missing": int,
             "distinct": int,            # nunique, missing excluded
             # numeric columns only (missing values skipped):
             "mean", "std" (ddof=1), "min", "max",
             "q25", "q50", "q75"         # Series.quantile, linear interpolation
             # non-numeric columns only:
             "top": [[value, count], ...]
            }, ...]}
    "numeric" means pandas inferred a numeric dtype for the column.
    "top" holds the 5 most frequent non-missing values (fewer if the column has
    fewer distinct values), ordered by count descending; TIES ARE BROKEN BY
    VALUE ASCENDING (Python string order, i.e. by Unicode code point).
    All statistics are written as JSON floats with full precision (Python
    repr, shortest round-tripping form); a statistic that is undefined
    (e.g. std of a single value) is written as null.  Counts are integers.

expected/<name>.target.json
    {"name": target_column, "classes": {label: count, ...}}
    `classes` is present only for classification targets; labels are the raw
    strings from the file (integer-coded labels such as iris's 0/1/2 appear
    as "0", "1", "2"), keys sorted ascending.  Regression targets have no
    `classes` key.
"""

import json
import math
import os
import sys

import pandas as pd

N_ROWS = 400
MISSING_TOKENS = ["", "NA", "N/A", "NaN", "null", "?"]
TOP_K = 5

# file stem -> (target column, is classification)
TARGETS = {
    "adult": ("income", True),
    "california_housing": ("median_house_value", False),
    "bank_marketing_full": ("y", True),
    "letter_recognition": ("lettr", True),
    "bike_sharing_hourly": ("cnt", False),
    "iris": ("target", True),
    "wine": ("target", True),
    "breast_cancer_wisconsin": ("target", True),
    "diabetes": ("target", False),
}

CALIFORNIA_EXTRA_WINDOW = 5000  # data rows searched for missing total_bedrooms


def read_lines(path):
    """Return the file's lines as bytes, each keeping its b'\\n'."""
    with open(path, "rb") as fh:
        data = fh.read()
    if b"\r" in data:
        raise SystemExit(f"{path}: unexpected CR bytes (expected LF-only file)")
    if b'"' in data:
        raise SystemExit(f"{path}: unexpected quote characters")
    lines = data.splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        raise SystemExit(f"{path}: last line lacks a newline")
    return lines


def slice_lines(stem, lines):
    header, body = lines[0], lines[1:]
    chosen = body[:N_ROWS]
    if stem == "california_housing":
        names = header.rstrip(b"\n").split(b",")
        idx = names.index(b"total_bedrooms")

        def missing(line):
            return line.rstrip(b"\n").split(b",")[idx] == b""

        if not any(missing(l) for l in chosen):
            chosen = chosen + [l for l in body[N_ROWS:CALIFORNIA_EXTRA_WINDOW] if missing(l)]
    return [header] + chosen


def fnum(x):
    """A float for JSON, or None where undefined."""
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def column_summary(s):
    is_num = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    out = {
        "name": str(s.name),
        "numeric": bool(is_num),
        "missing": int(s.isna().sum()),
        "distinct": int(s.nunique(dropna=True)),
    }
    if is_num:
        v = s.astype("float64")
        out["mean"] = fnum(v.mean())
        out["std"] = fnum(v.std(ddof=1))
        out["min"] = fnum(v.min())
        out["max"] = fnum(v.max())
        out["q25"] = fnum(v.quantile(0.25, interpolation="linear"))
        out["q50"] = fnum(v.quantile(0.50, interpolation="linear"))
        out["q75"] = fnum(v.quantile(0.75, interpolation="linear"))
    else:
        counts = s.dropna().astype(str).value_counts()
        items = sorted(((str(k), int(c)) for k, c in counts.items()),
                       key=lambda kc: (-kc[1], kc[0]))
        out["top"] = [[k, c] for k, c in items[:TOP_K]]
    return out


def dump(obj, path):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(obj, fh, indent=1, ensure_ascii=False, allow_nan=False)
        fh.write("\n")


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.split("What it writes")[0])
    src = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    ds_dir = os.path.join(here, "datasets")
    ex_dir = os.path.join(here, "expected")
    os.makedirs(ds_dir, exist_ok=True)
    os.makedirs(ex_dir, exist_ok=True)

    names = sorted(f for f in os.listdir(src) if f.endswith(".csv"))
    stems = [n[:-4] for n in names]
    if sorted(stems) != sorted(TARGETS):
        raise SystemExit(f"expected the 9 data sets {sorted(TARGETS)}, found {stems}")

    for name, stem in zip(names, stems):
        lines = read_lines(os.path.join(src, name))
        out_lines = slice_lines(stem, lines)
        out_csv = os.path.join(ds_dir, name)
        with open(out_csv, "wb") as fh:
            fh.writelines(out_lines)

        df = pd.read_csv(out_csv, keep_default_na=False, na_values=MISSING_TOKENS)
        assert len(df) == len(out_lines) - 1, (name, len(df), len(out_lines))
        summary = {"rows": int(len(df)),
                   "columns": [column_summary(df[c]) for c in df.columns]}
        dump(summary, os.path.join(ex_dir, stem + ".json"))

        target, is_class = TARGETS[stem]
        if target not in df.columns:
            raise SystemExit(f"{name}: target column {target!r} not found")
        tinfo = {"name": target}
        if is_class:
            # Raw strings, exactly as written in the file.
            raw = pd.read_csv(out_csv, dtype=str, keep_default_na=False, na_filter=False)[target]
            if raw.isin(MISSING_TOKENS).any():
                raise SystemExit(f"{name}: missing values in target {target!r}")
            counts = raw.value_counts()
            tinfo["classes"] = {str(k): int(counts[k]) for k in sorted(counts.index)}
        dump(tinfo, os.path.join(ex_dir, stem + ".target.json"))

        missing = {c["name"]: c["missing"] for c in summary["columns"] if c["missing"]}
        print(f"{name}: {summary['rows']} rows, missing {missing or 'none'}")


if __name__ == "__main__":
    main()
