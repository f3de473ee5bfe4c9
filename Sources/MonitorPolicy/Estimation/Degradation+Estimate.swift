extension Degradation {
    /// Judges a period that has too few labels on its estimate: degraded when
    /// the band's upper bound lies below the baseline minus the maximum drop,
    /// or below the minimum accuracy. The estimate sees covariate shift only;
    /// the caller applies ``DegradationPolicy/estimatedAction``.
    ///
    /// - Returns: why the estimate judges the period degraded, or `nil`.
    public static func assessEstimate(accuracyUpper upper: Double, baselineAccuracy: Double?, policy: DegradationPolicy) -> String? {
        var findings: [String] = []
        if let base = baselineAccuracy, base - upper > policy.maxDrop + tolerance {
            findings.append(
                "estimated accuracy at most \(DecimalFormat.percent(upper)), below baseline \(DecimalFormat.percent(base)) "
                    + "minus max drop \(DecimalFormat.points(policy.maxDrop)) points"
            )
        }
        if let minimum = policy.minAccuracy, upper < minimum {
            findings.append("estimated accuracy at most \(DecimalFormat.percent(upper)), below minimum \(DecimalFormat.percent(minimum))")
        }
        return findings.isEmpty ? nil : "estimated degraded: " + findings.joined(separator: "; ")
    }
}
