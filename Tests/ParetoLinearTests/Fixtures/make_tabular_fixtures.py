"""Expected predictions for ParetoLinear's TabularLearner adapters behind
Pipeline.linearPreprocessing(), from scikit-learn doing the same job.

scikit-learn side: numeric columns -> SimpleImputer(mean, add_indicator=True)
-> StandardScaler; categorical columns -> OneHotEncoder(min_frequency=5,
handle_unknown="infrequent_if_exist") (NaN a category of its own); then
LogisticRegression(C=1) for a class target or ElasticNet(alpha=0.1,
l1_ratio=0.5) for a numeric one. Rows whose 0-based index is a multiple of
4 are the test rows, the rest train. Writes tabular.json: per data set, the
test rows' class probabilities (classes in sorted order) or values.

Run from the repository root: python3 Tests/ParetoLinearTests/Fixtures/make_tabular_fixtures.py
(scikit-learn 1.9.1, pandas).
"""
import json
import os

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
datasets = os.path.join(here, "../../ParetoDataTests/Fixtures/datasets")
cases = []
for name, target, kind in [("adult", "income", "class"), ("iris", "target", "class"),
                           ("diabetes", "target", "value")]:
    frame = pd.read_csv(os.path.join(datasets, name + ".csv"), na_values=["?"], keep_default_na=True)
    y = frame.pop(target)
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    categorical = [c for c in frame.columns if c not in numeric]
    frame[categorical] = frame[categorical].astype(object).where(frame[categorical].notna(), np.nan)
    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="mean", add_indicator=True), StandardScaler()), numeric),
        ("cat", OneHotEncoder(min_frequency=5, handle_unknown="infrequent_if_exist"), categorical),
    ], sparse_threshold=0)
    test = np.arange(len(frame)) % 4 == 0
    model = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000) if kind == "class" \
        else ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-12, max_iter=1000000)
    pipe = make_pipeline(prep, model).fit(frame[~test], y[~test])
    if kind == "class":
        predictions = pipe.predict_proba(frame[test]).tolist()
        labels = [str(c) for c in pipe.classes_]
    else:
        predictions = [[v] for v in pipe.predict(frame[test]).tolist()]
        labels = []
    cases.append({"name": name, "target": target, "classLabels": labels, "predictions": predictions})

with open(os.path.join(here, "tabular.json"), "w") as out:
    json.dump({"cases": cases}, out, indent=1)
    out.write("\n")
