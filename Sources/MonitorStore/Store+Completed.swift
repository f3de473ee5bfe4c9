extension Store {
    /// How many periods in a row, from period 0, have their `metrics.json`:
    /// periods `0 ..< n` are completed, period `n` is the next to run
    /// (at most `total`).
    public func completedPeriods(total: Int) -> Int {
        var count = 0
        while count < total, FileSystem.exists(metricsPath(count)) { count += 1 }
        return count
    }
}
