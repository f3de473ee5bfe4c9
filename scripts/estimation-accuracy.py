#!/usr/bin/env python3
"""How good is the estimate? Generates two data sets with covariate shift,
runs the pipeline on each, and compares the estimated accuracy with the
realized one.

Each set: a 5,000-row labeled reference and 10 periods of 5,000 rows. A row's
true probability q of the positive class is drawn from Beta(a, b), where
(a, b) move from period to period away from the reference's Beta(0.25, 0.25) (the score distribution shifts); the label is
Bernoulli(q), so P(label | q) never changes. The reported score is q
("calibrated") or q ** 0.5 ("uncalibrated"); the prediction is score >= 0.5.

    pip install numpy
    swift build --product cml-local --product get-predictions --product load-ground-truth --product check-model
    python3 scripts/estimation-accuracy.py [--bin .build/debug] [--keep DIR] [--seed N]

Prints, per set, each period's realized and estimated accuracy and band, the
mean absolute error in percentage points (beside the error a perfect
estimate would make: the realized accuracy's own sampling noise), and in how
many periods the realized accuracy lies inside the band.
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

ROWS, REFERENCE_ROWS, PERIODS = 5000, 5000, 10
BASE = 0.25  # Beta(0.25, 0.25): a confident model, about 88% accurate


def write_csv(path, header, rows):
    with gzip.open(path, "wt", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def draw(rng, n, a, b, bend, prefix):
    """Rows, and the mean absolute deviation of their realized accuracy from its expectation (pp):
    the error even a perfect estimate makes against the realized accuracy."""
    q = rng.beta(a, b, n)
    labels = (rng.uniform(size=n) < q).astype(int)
    scores = q**bend
    predictions = (scores >= 0.5).astype(int)
    right = np.where(predictions == 1, q, 1 - q)
    noise = np.sqrt(np.sum(right * (1 - right))) / n * np.sqrt(2 / np.pi) * 100
    ids = [f"{prefix}-{i}" for i in range(n)]
    preds = [(i, str(p), f"{s:.6f}") for i, p, s in zip(ids, predictions, scores)]
    labs = [(i, str(l)) for i, l in zip(ids, labels)]
    return preds, labs, noise


def make(directory, bend, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(f"{directory}/predictions")
    os.makedirs(f"{directory}/labels")
    os.makedirs(f"{directory}/reference")
    preds, labs, _ = draw(rng, REFERENCE_ROWS, BASE, BASE, bend, "r")
    write_csv(f"{directory}/reference/predictions.csv.gz", ["id", "prediction", "score"], preds)
    write_csv(f"{directory}/reference/labels.csv.gz", ["id", "label"], labs)
    periods, noise = [], []
    for k in range(PERIODS):
        # The score distribution drifts from Beta(BASE, BASE) towards Beta(0.15, 0.6) and Beta(0.6, 0.15), alternately.
        t = k / (PERIODS - 1)
        a, b = (BASE - 0.1 * t, BASE + 0.35 * t) if k % 2 else (BASE + 0.35 * t, BASE - 0.1 * t)
        preds, labs, floor = draw(rng, ROWS, a, b, bend, f"p{k}")
        noise.append(floor)
        write_csv(f"{directory}/predictions/period_{k:04d}.csv.gz", ["id", "prediction", "score"], preds)
        write_csv(f"{directory}/labels/period_{k:04d}.csv.gz", ["id", "label"], labs)
        periods.append({"period": k, "predictions": f"predictions/period_{k:04d}.csv.gz",
                        "labels": f"labels/period_{k:04d}.csv.gz", "rows": ROWS})
    metadata = {"format_version": 1, "name": f"covariate-shift-{bend}", "num_periods": PERIODS, "positive_label": "1",
                "task": "binary", "periods": periods,
                "reference": {"predictions": "reference/predictions.csv.gz", "labels": "reference/labels.csv.gz"}}
    with gzip.open(f"{directory}/metadata.json.gz", "wt") as f:
        json.dump(metadata, f)
    return float(np.mean(noise))


def run(binary, directory, store):
    subprocess.run([f"{binary}/cml-local", "run", "--data", directory, "--store", store,
                    "--job-env", "MONITOR_ON_DEGRADATION=continue"], check=True, stdout=subprocess.DEVNULL)
    rows = []
    for k in range(PERIODS):
        with open(f"{store}/periods/{k:04d}/metrics.json") as f:
            m = json.load(f)
        e = m["estimated"]
        rows.append((k, m["accuracy"], e["accuracy"], e["accuracy_lower"], e["accuracy_upper"], m["score_drift"]["psi"]))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/debug")
    parser.add_argument("--keep", help="write the data sets and stores here instead of a temporary folder")
    parser.add_argument("--seed", type=int, default=0, help="added to each set's random seed (default 0)")
    args = parser.parse_args()
    root = args.keep or tempfile.mkdtemp()
    try:
        for name, bend, seed in [("calibrated", 1.0, 1), ("uncalibrated (score = p^0.5)", 0.5, 2)]:
            directory, store = f"{root}/{bend}/data", f"{root}/{bend}/store"
            shutil.rmtree(f"{root}/{bend}", ignore_errors=True)
            noise = make(directory, bend, seed + args.seed)
            rows = run(os.path.abspath(args.bin), directory, store)
            print(f"{name}:")
            print("  period  realized  estimated  band             PSI")
            for k, real, est, low, high, psi in rows:
                print(f"  {k:6d}  {real * 100:7.2f}%  {est * 100:8.2f}%  {low * 100:.2f}–{high * 100:.2f}%  {psi:.3f}")
            mae = np.mean([abs(r[1] - r[2]) for r in rows]) * 100
            inside = sum(1 for r in rows if r[3] <= r[1] <= r[4])
            print(f"  mean absolute error {mae:.2f} pp (a perfect estimate: {noise:.2f} pp, the realized accuracy's own noise); "
                  f"realized inside the band in {inside}/{len(rows)} periods\n")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
