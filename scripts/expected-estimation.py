#!/usr/bin/env python3
"""Expected values for Tests/MonitorPolicyTests/EstimationTests.swift, computed
independently of the Swift code with scikit-learn, numpy and scipy.

Run once by hand, paste its output into the Swift test tables; CI does not
need these packages:

    pip install numpy scipy scikit-learn
    python3 scripts/expected-estimation.py

What each value is:
- calibration: sklearn IsotonicRegression(out_of_bounds="clip") fitted on the
  reference's labeled rows (label == positive -> 1), predicted at seen and
  unseen scores;
- PSI: 10 bins, inner edges np.quantile(reference, [0.1 .. 0.9]) (linear),
  equal edges merged, outer bins open, a value on an edge in the upper bin
  (np.searchsorted side="right"), empty shares -> 1e-4, sum (a-r) ln(a/r);
- KS: scipy.stats.ks_2samp statistic, p-value kstwobign.sf(sqrt(nm/(n+m)) D),
  and ks_2samp(method="asymp") for comparison;
- CBPE: expected confusion matrix from the calibrated p, accuracy band
  estimate -/+ 3 sqrt(sum p(1-p)/n^2 + std_ref^2/n_ref), estimated ROC AUC by
  the trapezoid rule over rows sorted by score descending, ties grouped,
  starting at (0, 0).
"""
import numpy as np
from scipy.stats import kstwobign, ks_2samp
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import auc


def swift(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def lcg_scores(n, multiplier, bend):
    """The deterministic samples the Swift test builds the same way: (i * multiplier) mod 1, bent by v -> (1 - bend) v + bend v^2."""
    values = [(i * multiplier) % 1.0 for i in range(1, n + 1)]
    return [(1 - bend) * v + bend * v * v for v in values]


def psi(reference, actual):
    reference = np.asarray(reference, dtype=float)
    actual = np.asarray(actual, dtype=float)
    edges = np.unique(np.quantile(reference, np.arange(1, 10) / 10))
    r = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=len(edges) + 1) / len(reference)
    a = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1) / len(actual)
    r = np.where(r == 0, 1e-4, r)
    a = np.where(a == 0, 1e-4, a)
    return edges, float(np.sum((a - r) * np.log(a / r)))


def ks(reference, actual):
    d = ks_2samp(actual, reference).statistic
    n, m = len(actual), len(reference)
    return float(d), float(kstwobign.sf(np.sqrt(n * m / (n + m)) * d)), float(ks_2samp(actual, reference, method="asymp").pvalue)


def estimated_auc(scores, p):
    order = np.argsort(-np.asarray(scores), kind="stable")
    s = np.asarray(scores)[order]
    p = np.asarray(p)[order]
    tps, fps = np.cumsum(p), np.cumsum(1 - p)
    last = np.r_[s[1:] != s[:-1], True]  # the end of each group of equal scores
    tpr = np.r_[0, tps[last]] / tps[-1]
    fpr = np.r_[0, fps[last]] / fps[-1]
    return float(auc(fpr, tpr))


def cbpe(ref_scores, ref_pred, ref_labels, scores, pred, positive="1"):
    labeled = [i for i, l in enumerate(ref_labels) if l is not None]
    x = np.array([ref_scores[i] for i in labeled])
    y = np.array([1.0 if ref_labels[i] == positive else 0.0 for i in labeled])
    correct = np.array([1.0 if ref_labels[i] == ref_pred[i] else 0.0 for i in labeled])
    iso = IsotonicRegression(out_of_bounds="clip").fit(x, y)
    p = iso.predict(np.asarray(scores, dtype=float))
    positive_rows = np.array([v == positive for v in pred])
    tp, fp = p[positive_rows].sum(), (1 - p[positive_rows]).sum()
    fn, tn = p[~positive_rows].sum(), (1 - p[~positive_rows]).sum()
    n = len(scores)
    accuracy = (tp + tn) / n
    sigma = np.sqrt(np.sum(p * (1 - p)) / n**2 + correct.std() ** 2 / len(labeled))
    return {
        "thresholds": iso.X_thresholds_, "values": iso.y_thresholds_,
        "accuracy": accuracy, "lower": max(0.0, accuracy - 3 * sigma), "upper": min(1.0, accuracy + 3 * sigma),
        "precision": tp / (tp + fp), "recall": tp / (tp + fn), "f1": 2 * tp / (2 * tp + fp + fn),
        "roc_auc": estimated_auc(scores, p), "reference_accuracy": correct.mean(), "reference_std": correct.std(),
    }


print("// Isotonic calibration: (scores, outcomes, queries, expected)")
cases = [
    ([0.1, 0.2, 0.2, 0.3, 0.35, 0.5, 0.5, 0.5, 0.6, 0.8, 0.9, 0.9],
     [0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1],
     [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.33, 0.35, 0.5, 0.55, 0.6, 0.7, 0.8, 0.85, 0.9, 1.0]),
]
rng = np.random.default_rng(20)
s = np.round(rng.uniform(0, 1, 60), 2)
o = (rng.uniform(0, 1, 60) < s**2).astype(int)
cases.append((list(s), list(o), [0.0, 0.005, 0.123, 0.5, 0.777, 0.999, 1.0] + list(s[:8])))
for scores, outcomes, queries in cases:
    iso = IsotonicRegression(out_of_bounds="clip").fit(scores, outcomes)
    print(f"(scores: {swift(scores)},\n outcomes: {[bool(v) for v in outcomes]},\n"
          f" queries: {swift(queries)},\n expected: {swift(iso.predict(queries))}),".replace("True", "true").replace("False", "false"))

print("\n// PSI and KS on small samples: (reference, actual, edges, psi, ks, ksP)")
small = [
    ([0.1, 0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9, 0.95, 0.99],
     [0.2, 0.2, 0.5, 0.5, 0.5, 0.55, 0.9, 0.9, 0.99, 1.0]),
    ([0.5] * 8 + [0.6, 0.7], [0.4, 0.5, 0.5, 0.8]),
]
for reference, actual in small:
    edges, value = psi(reference, actual)
    d, p, _ = ks(reference, actual)
    print(f"(reference: {swift(reference)}, actual: {swift(actual)},\n edges: {swift(edges)}, psi: {value!r}, ks: {d!r}, ksP: {p!r}),")

print("\n// Large deterministic samples (lcg_scores): psi, ks, ksP (kstwobign), ks_2samp asymp")
reference = lcg_scores(1200, 0.6180339887498949, 0.0)
actual = lcg_scores(1000, 0.41421356237309503, 0.3)
edges, value = psi(reference, actual)
d, p, asymp = ks(reference, actual)
print(f"psi: {value!r}, ks: {d!r}, ksP: {p!r}, asymp: {asymp!r}")

print("\n// kstwobign.sf")
xs = [0.05, 0.2, 0.5, 0.8, 0.82, 0.83, 1.0, 1.3581, 2.0, 3.0, 6.0]
print(f"x: {swift(xs)},\nsf: {swift(kstwobign.sf(xs))}")

print("\n// CBPE end to end")
ref_scores = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.3, 0.6, 0.9]
ref_labels = ["0", "0", "1", "0", "0", "1", "0", "0", "1", "1", "0", "1", "1", "1", "0", "1", "1", "1", "1", None, "0", "1"]
ref_pred = ["1" if v >= 0.5 else "0" for v in ref_scores]
scores = [0.02, 0.12, 0.22, 0.3, 0.3, 0.47, 0.5, 0.58, 0.61, 0.72, 0.72, 0.8, 0.88, 0.97, 0.99]
pred = ["1" if v >= 0.5 else "0" for v in scores]
pred[3] = "1"
result = cbpe(ref_scores, ref_pred, ref_labels, scores, pred)
edges, value = psi(ref_scores, scores)
d, p, _ = ks(ref_scores, scores)
for key, v in result.items():
    print(f"{key}: {swift(v) if isinstance(v, np.ndarray) else repr(float(v))}")
print(f"edges: {swift(edges)}\npsi: {value!r}, ks: {d!r}, ksP: {p!r}")
