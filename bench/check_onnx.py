"""Checks `pareto export` against onnxruntime (and MLflow when installed).

For each data set and model family: `pareto train` on the training rows,
`pareto predict` on the test rows, `pareto export --format onnx`, then the
same test rows through onnxruntime; the largest |difference| over every
probability (classifiers) or value (regressors) must be at most the
tolerance, and every predicted label must agree. With mlflow importable,
`pareto export --format mlflow` is loaded with `mlflow.pyfunc.load_model`
and checked the same way on its DataFrame output.

Usage: python bench/check_onnx.py --pareto PATH [--fixture]   (bench/check_onnx.sh sets it up)
Prints one table row per (data set, family); exits 1 on any mismatch.
"""

import argparse
import math
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort
import pandas as pd

# Pareto's CSV reader treats these field texts as missing (CSVOptions.defaultMissingTokens).
MISSING = {"", "NA", "N/A", "NaN", "null", "?"}
TOLERANCE = 1e-5

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "Tests", "ParetoDeployTests", "Fixtures", "onnx")
DATASETS = os.path.join(os.path.dirname(REPO), "shared", "datasets")

FAST_MLP = ["--hidden", "32,16", "--epochs", "3"]
# pareto optimize bundles: the model (or a blend), its calibration and threshold travel in the file.
OPTIMIZE = ["--trials", "4", "--folds", "3", "--families", "gbdt,linear", "--seed", "3"]
BUNDLES = {
    "bundle-platt": OPTIMIZE + ["--calibration", "platt"],
    "bundle-beta": OPTIMIZE + ["--calibration", "beta", "--recall-at-least", "0.8"],
    "bundle-isotonic": OPTIMIZE + ["--calibration", "isotonic", "--blend", "always"],
    "bundle-temperature": OPTIMIZE + ["--calibration", "temperature", "--blend", "always"],
    "bundle-blend": OPTIMIZE + ["--blend", "always"],
}
FAMILIES = {
    "gbdt": ["--model", "gbdt", "--trees", "60"],
    # Exported with --input tensor: one [N, features] double input X (numeric features only).
    "gbdt-tensor": ["--model", "gbdt", "--trees", "60"],
    "rf": ["--model", "rf", "--trees", "30"],
    "linear": ["--model", "linear"],
    "logistic": ["--model", "logistic"],
    "mlp": ["--model", "mlp"] + FAST_MLP,
}


def cases(kind):
    """(name, csv path, target, families, training rows, test rows)."""
    if kind == "fixture":
        return [
            ("fixture_binary", os.path.join(FIXTURES, "binary.csv"), "income",
             ["gbdt", "rf", "logistic", "mlp", "bundle-platt", "bundle-beta", "bundle-isotonic"], 400, 200),
            ("fixture_regression", os.path.join(FIXTURES, "regression.csv"), "median_house_value",
             ["gbdt", "rf", "linear", "mlp", "bundle-blend"], 400, 200),
            ("fixture_multiclass", os.path.join(FIXTURES, "multiclass.csv"), "lettr",
             ["gbdt", "gbdt-tensor", "rf", "logistic", "mlp", "bundle-temperature"], 400, 200),
        ]
    return [
        ("adult", os.path.join(DATASETS, "adult.csv"), "income", ["gbdt", "rf", "logistic", "mlp"], 32561, 16281),
        ("california_housing", os.path.join(DATASETS, "california_housing.csv"), "median_house_value",
         ["gbdt", "rf", "linear", "mlp"], 16000, 4640),
        ("letter_recognition", os.path.join(DATASETS, "letter_recognition.csv"), "lettr",
         ["gbdt", "gbdt-tensor", "rf", "logistic", "mlp"], 16000, 4000),
    ]


def run(args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def number(text):
    """A numeric input's value: booleans are 0/1, as the exported model reads them."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return 1.0 if lowered == "true" else 0.0
    return float(text)


def feeds(session, frame):
    """One [N] array per model input: doubles (NaN for missing) or strings ('' for missing);
    or, for a model exported with --input tensor, one [N, features] array X of the columns in order."""
    specs = session.get_inputs()
    if len(specs) == 1 and specs[0].name == "X" and len(specs[0].shape) == 2:
        return {"X": np.array([[math.nan if v in MISSING else number(v) for v in row] for row in frame.itertuples(index=False)],
                              dtype=np.float64)}
    out = {}
    for spec in session.get_inputs():
        column = frame[spec.name].astype(object)
        if spec.type == "tensor(string)":
            out[spec.name] = np.array(["" if v in MISSING else v for v in column], dtype=object)
        else:
            out[spec.name] = np.array([math.nan if v in MISSING else number(v) for v in column], dtype=np.float64)
    return out


def compare(predicted, expected, classifier):
    """(max |diff| over values/probabilities, label mismatches)."""
    if classifier:
        columns = [c for c in expected.columns if c.startswith("p_")]
        diff = np.abs(predicted["probabilities"] - expected[columns].to_numpy(dtype=np.float64)).max()
        # A label may differ only where Pareto's two best classes tie (random forests
        # average to equal probabilities; the last bit then decides): not counted.
        probabilities = expected[columns].to_numpy(dtype=np.float64)
        names = [c[2:] for c in columns]
        chosen = np.array([names.index(str(label)) for label in predicted["label"]])
        differs = predicted["label"].astype(str) != expected["prediction"].astype(str).to_numpy()
        gap = probabilities.max(axis=1) - probabilities[np.arange(len(chosen)), chosen]
        labels = int((differs & (gap > 1e-12)).sum())
        return float(diff), labels
    diff = np.abs(predicted["value"] - expected["prediction"].to_numpy(dtype=np.float64)).max()
    return float(diff), 0


def check_mlflow(pareto, model, test, expected, classifier, work):
    import mlflow.pyfunc

    directory = os.path.join(work, os.path.basename(model) + ".mlflow")
    run([pareto, "export", model, "--format", "mlflow", "--out", directory])
    loaded = mlflow.pyfunc.load_model(directory)
    # Object columns for strings: pandas 3 would otherwise make Arrow-backed string
    # columns, whose .values onnxruntime does not take.
    frame = pd.DataFrame({name: pd.Series(values, dtype=object if values.dtype == object else values.dtype)
                          for name, values in feeds(loaded._model_impl.rt, test).items()})
    output = loaded.predict(frame)
    if classifier:
        columns = [c for c in expected.columns if c.startswith("p_")]
        predicted = {"probabilities": output[columns].to_numpy(dtype=np.float64), "label": output["prediction"].to_numpy()}
    else:
        predicted = {"value": output["prediction"].to_numpy(dtype=np.float64)}
    return compare(predicted, expected, classifier)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--fixture", action="store_true", help="the small fixtures under Tests/ (CI)")
    args = parser.parse_args()
    try:
        import mlflow.pyfunc  # noqa: F401
        with_mlflow, why = True, ""
    except Exception as error:  # mlflow is optional
        with_mlflow, why = False, f"mlflow not importable ({type(error).__name__}: {error})"
    if not with_mlflow:
        print(f"mlflow check skipped: {why}")

    try:
        from onnx import checker
    except ImportError:
        checker = None
        print("onnx.checker skipped: the onnx package is not installed")

    failures = 0
    print(f"{'data set':<22} {'family':<18} {'task':<11} {'test rows':>9} {'max |diff|':>11} {'labels':>7} "
          f"{'mlflow |diff|':>13} {'export s':>8}  result")
    for name, path, target, families, train_rows, test_rows in cases("fixture" if args.fixture else "real"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        train, test = frame.iloc[:train_rows], frame.iloc[train_rows:train_rows + test_rows]
        with tempfile.TemporaryDirectory() as work:
            train_csv, test_csv = os.path.join(work, "train.csv"), os.path.join(work, "test.csv")
            train.to_csv(train_csv, index=False)
            test.drop(columns=[target]).to_csv(test_csv, index=False)
            for family in families:
                model = os.path.join(work, f"{family}.pareto")
                blended = ""
                if family in BUNDLES:
                    out = os.path.join(work, family)
                    run([args.pareto, "optimize", train_csv, "--target", target, "--out", out] + BUNDLES[family])
                    shutil.copyfile(os.path.join(out, "model.pareto"), model)
                    with open(os.path.join(out, "summary.json")) as f:
                        ensemble = json.load(f).get("ensemble") or {}
                    blended = " (blend of %d)" % len(ensemble.get("members", [])) if ensemble.get("accepted") else ""
                else:
                    run([args.pareto, "train", train_csv, "--target", target, "--out", model] + FAMILIES[family])
                expected_csv = os.path.join(work, f"{family}.csv")
                run([args.pareto, "predict", model, test_csv, "--out", expected_csv])
                expected = pd.read_csv(expected_csv, dtype={"prediction": str} if family not in ("linear", "bundle-blend") else None,
                                       keep_default_na=False)
                onnx_path = os.path.join(work, f"{family}.onnx")
                started = time.perf_counter()
                tensor = ["--input", "tensor"] if family.endswith("-tensor") else []
                run([args.pareto, "export", model, "--format", "onnx", "--out", onnx_path] + tensor)
                export_seconds = time.perf_counter() - started
                if checker is not None:
                    # The ONNX reference checker (types, shapes, operator schemas), where onnx is installed.
                    checker.check_model(onnx_path, full_check=True)
                session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
                names = [o.name for o in session.get_outputs()]
                classifier = "probabilities" in names
                if not classifier:
                    expected["prediction"] = expected["prediction"].astype(np.float64)
                inputs = feeds(session, test.drop(columns=[target]))
                outputs = dict(zip(names, session.run(None, inputs)))
                diff, labels = compare(outputs, expected, classifier)
                ok = diff <= TOLERANCE and labels == 0
                mlflow_text = "skipped"
                if with_mlflow:
                    mdiff, mlabels = check_mlflow(args.pareto, model, test, expected, classifier, work)
                    mlflow_text = f"{mdiff:.2e}"
                    ok = ok and mdiff <= TOLERANCE and mlabels == 0
                failures += 0 if ok else 1
                task = "regression" if not classifier else ("binary" if outputs["probabilities"].shape[1] == 2 else "multiclass")
                print(f"{name:<22} {family:<18} {task:<11} {len(test):>9} {diff:>11.2e} {labels:>7} {mlflow_text:>13} "
                      f"{export_seconds:>8.2f}  {'ok' if ok else 'MISMATCH'}{blended}", flush=True)
    if failures:
        print(f"{failures} mismatch(es) beyond {TOLERANCE}")
        sys.exit(1)
    print(f"all exports agree with pareto predict to {TOLERANCE}")


if __name__ == "__main__":
    main()
