#!/usr/bin/env python3
"""Expected values for Tests/MonitorPolicyTests, computed independently of the
Swift code with scikit-learn, scipy and statsmodels.

Run once by hand, paste its output into the Swift test tables; CI does not
need these packages:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn scipy statsmodels
    /tmp/venv/bin/python scripts/expected-metrics.py

Metric conventions held by the tests (docs/monitoring.md): only labeled rows (label is
not None) count; a binary metric that is undefined is null (scikit-learn's
zero_division=np.nan, mapped to None); multiclass is macro with
zero_division=0; ROC AUC is null for multiclass, one-class or score-less
periods.
"""
import math
import warnings

import numpy as np
from scipy.stats import norm
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score,
                             precision_score, recall_score, roc_auc_score)
from statsmodels.stats.proportion import proportions_ztest

warnings.simplefilter("ignore", UserWarning)  # single-label confusion matrices are intended

# (name, positive label, predictions, labels (None = no label yet), scores or None)
CASES = [
    ("binary with ties in scores and unlabeled rows", "1",
     ["1", "0", "1", "1", "0", "0", "1", "0", "1", "0", "0", "1", "1", "0"],
     ["1", "0", "0", "1", "1", "0", None, "0", "1", "1", "0", "0", None, "1"],
     [0.9, 0.3, 0.7, 0.7, 0.3, 0.1, 0.8, 0.3, 0.7, 0.7, 0.2, 0.55, 0.6, 0.3]),
    ("imbalanced binary", "1",
     ["0"] * 15 + ["1", "0", "1", "1", "0"],
     ["0"] * 13 + ["0", "1", "0", "1", "1", "0", "0"],
     [0.05, 0.1, 0.15, 0.2, 0.1, 0.3, 0.25, 0.05, 0.4, 0.35, 0.2, 0.1, 0.45,
      0.48, 0.49, 0.6, 0.3, 0.9, 0.7, 0.1]),
    ("multiclass with a class never predicted", "1",
     ["a", "b", "a", "b", "a", "b", "a", "a", "b", "b"],
     ["a", "b", "c", "c", "a", "a", "b", "a", "b", None],
     None),
    ("multiclass with a predicted class never true", "1",
     ["0", "1", "2", "2", "1", "0", "2"],
     ["0", "1", "1", "0", "1", "0", "0"],
     [0.1, 0.9, 0.5, 0.5, 0.8, 0.2, 0.4]),
    ("one-class period", "1",
     ["1", "0", "1", "1", "0"],
     ["1", "1", "1", "1", "1"],
     [0.9, 0.2, 0.8, 0.6, 0.4]),
    ("only negative labels and predictions", "1",
     ["0", "0", "0"],
     ["0", "0", None],
     [0.1, 0.2, 0.3]),
    ("no labeled rows", "1",
     ["1", "0", "1"],
     [None, None, None],
     [0.9, 0.1, 0.8]),
    ("empty period", "1", [], [], None),
    ("all correct", "1",
     ["1", "0", "1", "0", "1", "1"],
     ["1", "0", "1", "0", "1", "1"],
     [0.9, 0.1, 0.8, 0.3, 0.6, 0.6]),
    ("positive label yes with string classes", "yes",
     ["yes", "no", "no", "yes", "yes", "no", "no", "yes"],
     ["yes", "no", "yes", "no", "yes", "no", "yes", "yes"],
     [0.8, 0.3, 0.45, 0.6, 0.9, 0.2, 0.45, 0.45]),
]


def nan_to_none(x):
    x = float(x)
    return None if math.isnan(x) else x


def expected(positive, predictions, labels, scores):
    idx = [i for i, l in enumerate(labels) if l is not None]
    y_true = [labels[i] for i in idx]
    y_pred = [predictions[i] for i in idx]
    classes = sorted(set(y_true) | set(y_pred))
    binary = len(set(y_true) | set(predictions) | {positive}) <= 2
    out = {"rows": len(predictions), "labeled": len(idx), "classes": classes,
           "averaging": "binary" if binary else "macro"}
    if not idx:
        out.update(accuracy=None, precision=None, recall=None, f1=None, auc=None, matrix=[])
        return out
    out["accuracy"] = accuracy_score(y_true, y_pred)
    out["matrix"] = confusion_matrix(y_true, y_pred, labels=classes).tolist()
    if binary:
        negative = [c for c in classes if c != positive]
        labs = (negative[:1] or ["<none>"]) + [positive]
        kw = dict(labels=labs, pos_label=positive, average="binary", zero_division=np.nan)
        out["precision"] = nan_to_none(precision_score(y_true, y_pred, **kw))
        out["recall"] = nan_to_none(recall_score(y_true, y_pred, **kw))
        out["f1"] = nan_to_none(f1_score(y_true, y_pred, **kw))
        if scores is None or len(set(y_true)) < 2:
            out["auc"] = None
        else:
            s = [scores[i] for i in idx]
            out["auc"] = roc_auc_score([1 if t == positive else 0 for t in y_true], s)
    else:
        kw = dict(labels=classes, average="macro", zero_division=0)
        out["precision"] = precision_score(y_true, y_pred, **kw)
        out["recall"] = recall_score(y_true, y_pred, **kw)
        out["f1"] = f1_score(y_true, y_pred, **kw)
        out["auc"] = None
    return out


def swift(x):
    if x is None:
        return "nil"
    if isinstance(x, str):
        return '"%s"' % x
    if isinstance(x, float):
        return repr(x)
    if isinstance(x, list):
        return "[" + ", ".join(swift(v) for v in x) + "]"
    return str(x)


print("// Metrics cases (scikit-learn)")
for name, positive, predictions, labels, scores in CASES:
    e = expected(positive, predictions, labels, scores)
    print("MetricsCase(")
    print("    %s, positive: %s," % (swift(name), swift(positive)))
    print("    predictions: %s," % swift(predictions))
    print("    labels: %s," % swift(labels))
    print("    scores: %s," % swift(scores))
    print("    accuracy: %s, precision: %s, recall: %s, f1: %s, rocAUC: %s," % tuple(
        swift(e[k]) for k in ("accuracy", "precision", "recall", "f1", "auc")))
    print("    averaging: .%s, classes: %s, matrix: %s" % (e["averaging"], swift(e["classes"]), swift(e["matrix"])))
    print("),")

# Drop tests: one-sided, H0 accuracy >= baseline (alternative 'smaller').
print()
print("// One-sample z-test vs reference: (n, x, reference) -> p = norm.cdf(z), z with the null's variance")
for n, x, ref in [(100, 83, 0.90), (200, 170, 0.95), (40, 36, 0.95), (500, 455, 0.95), (1000, 940, 0.95)]:
    z_manual = (x / n - ref) / math.sqrt(ref * (1 - ref) / n)
    z, p = proportions_ztest(x, n, value=ref, alternative="smaller", prop_var=ref)
    assert abs(z - z_manual) < 1e-12
    print("(n: %d, x: %d, reference: %r, p: %r),  // z = %r, norm.cdf = %r" % (n, x, ref, float(p), float(z), float(norm.cdf(z))))

print()
print("// Pooled two-proportion z-test vs period 0: (n, x, n0, x0) -> p")
for n, x, n0, x0 in [(500, 413, 1000, 950), (40, 35, 50, 47), (300, 270, 1000, 950), (120, 100, 200, 190)]:
    z, p = proportions_ztest([x, x0], [n, n0], alternative="smaller")
    print("(n: %d, x: %d, n0: %d, x0: %d, p: %r),  // z = %r, norm.cdf = %r" % (n, x, n0, x0, float(p), float(z), float(norm.cdf(z))))

print()
print("// Normal CDF reference points: (z, norm.cdf(z))")
for z in [-8.0, -3.0, -1.6448536269514722, -1.0, 0.0, 0.5, 2.0]:
    print("(%r, %r)," % (z, float(norm.cdf(z))))
