import Platform

/// The standard normal distribution, as far as the drop test needs it.
enum NormalDistribution {
    /// Φ(z) = ½·erfc(−z/√2): accurate in both tails (no 1 − x cancellation).
    static func cdf(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }
}
