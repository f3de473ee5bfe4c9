/// Judges a period's accuracy against the thresholds of a ``DegradationPolicy``.
public enum Degradation {
    /// How far a drop may pass the maximum and still count as equal to it:
    /// accuracies are ratios of counts, and 0.75 − 0.70 is 0.05000000000000004
    /// in binary floating point.
    public static let tolerance = 1e-9

    /// Judges a period.
    ///
    /// In order:
    /// - no accuracy, or fewer labeled rows than ``DegradationPolicy/minLabeled``:
    ///   insufficient ground truth, reported and not judged;
    /// - accuracy below ``DegradationPolicy/minAccuracy`` (when set): degraded;
    /// - a drop from the baseline above ``DegradationPolicy/maxDrop`` that a
    ///   one-sided test of H0 "accuracy ≥ baseline" rejects at
    ///   ``DegradationPolicy/significance``: degraded. The test is a one-sample
    ///   z-test against a ``Baseline/reference(accuracy:)`` (an exact binomial
    ///   test against a reference of 0 or 1, where the z-test has no spread)
    ///   and a pooled two-proportion z-test against
    ///   ``Baseline/firstPeriod(index:accuracy:labeled:correct:)``. It only
    ///   runs when the drop exceeds the maximum by more than ``tolerance``.
    ///
    /// The decision is ``Decision/stopDegraded`` for a degraded period under
    /// the `stop` action (also on the last period), else
    /// ``Decision/lastPeriod`` or ``Decision/continue``. The thresholds are
    /// not validated here.
    public static func assess(_ metrics: PeriodMetrics, baseline: Baseline, policy: DegradationPolicy, isLastPeriod: Bool) -> Assessment {
        let otherwise: Decision = isLastPeriod ? .lastPeriod : .continue
        let baselineAccuracy = baseline.accuracy

        guard let accuracy = metrics.accuracy, metrics.labeled >= policy.minLabeled, metrics.labeled > 0 else {
            let reason = metrics.labeled < policy.minLabeled
                ? "insufficient ground truth: \(metrics.labeled) labeled rows < minimum \(policy.minLabeled)"
                : "insufficient ground truth: no labeled rows"
            return Assessment(
                degraded: false, insufficientGroundTruth: true, reason: reason,
                baselineAccuracy: baselineAccuracy, drop: nil, pValue: nil, decision: otherwise
            )
        }

        var findings: [String] = []
        var degraded = false
        if let minimum = policy.minAccuracy, accuracy < minimum {
            degraded = true
            findings.append("accuracy \(DecimalFormat.percent(accuracy)) below minimum \(DecimalFormat.percent(minimum))")
        }

        var drop: Double?
        var pValue: Double?
        if let base = baselineAccuracy {
            let change = base - accuracy
            drop = change
            let (changeText, maxText) = DecimalFormat.points(change, against: policy.maxDrop, tolerance: tolerance)
            let dropText = "\(changeText) points from baseline \(DecimalFormat.percent(base)) (max \(maxText))"
            if change > policy.maxDrop + tolerance {
                let test = dropTest(accuracy: accuracy, labeled: metrics.labeled, correct: metrics.correct, baseline: baseline)
                pValue = test.pValue
                let pText = "p \(DecimalFormat.pValue(test.pValue))"
                if test.pValue < policy.significance {
                    degraded = true
                    findings.append("accuracy dropped \(dropText), \(pText) < \(policy.significance) (\(test.name))")
                } else if !degraded {
                    findings.append("accuracy dropped \(dropText) but the drop is not significant: \(pText) ≥ \(policy.significance) (\(test.name))")
                }
            } else if !degraded {
                findings.append(change >= 0
                    ? "within thresholds (drop \(changeText) points from baseline \(DecimalFormat.percent(base)))"
                    : "within thresholds (\(DecimalFormat.points(-change)) points above baseline \(DecimalFormat.percent(base)))")
            }
        } else if case .unavailable(let why) = baseline {
            findings.append("\(why): only the minimum accuracy applies")
        }

        return Assessment(
            degraded: degraded, insufficientGroundTruth: false,
            reason: findings.joined(separator: "; "),
            baselineAccuracy: baselineAccuracy, drop: drop, pValue: pValue,
            decision: degraded && policy.action == .stop ? .stopDegraded : otherwise
        )
    }

    /// The one-sided test of H0 "accuracy ≥ baseline": its p-value Φ(z) and its name for the reason.
    static func dropTest(accuracy: Double, labeled n: Int, correct x: Int, baseline: Baseline) -> (pValue: Double, name: String) {
        switch baseline {
        case .reference(let reference) where reference <= 0 || reference >= 1:
            // P(X ≤ x) for X ~ Binomial(n, reference): 0 when a miss is impossible under H0, else 1.
            let p: Double = reference >= 1 ? (x < n ? 0 : 1) : 1
            return (p, "exact binomial test vs reference")
        case .reference(let reference):
            let se = (reference * (1 - reference) / Double(n)).squareRoot()
            return (pValue(estimate: accuracy, baseline: reference, standardError: se), "one-sample z-test vs reference")
        case .firstPeriod(let index, let first, let n0, let x0):
            let name = "two-proportion z-test vs period \(index)"
            guard n0 > 0 else {
                // No counts for period 0: test against its accuracy as a fixed value.
                let se = (first * (1 - first) / Double(n)).squareRoot()
                return (pValue(estimate: accuracy, baseline: first, standardError: se), name)
            }
            let p0 = Double(x0) / Double(n0)
            let pooled = Double(x + x0) / Double(n + n0)
            let se = (pooled * (1 - pooled) * (1 / Double(n) + 1 / Double(n0))).squareRoot()
            return (pValue(estimate: accuracy, baseline: p0, standardError: se), name)
        case .unavailable:
            return (1, "no test")
        }
    }

    /// Φ((estimate − baseline)/se); with no spread (se 0 or not finite) 0 when below the baseline, else 1.
    static func pValue(estimate: Double, baseline: Double, standardError se: Double) -> Double {
        guard se > 0, se.isFinite else { return estimate < baseline ? 0 : 1 }
        let p = NormalDistribution.cdf((estimate - baseline) / se)
        return p.isFinite ? p : (estimate < baseline ? 0 : 1)
    }
}
