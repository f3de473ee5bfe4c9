import Platform
import Synchronization

/// Opt-in accounting of the time spent inflating CSV input, process-wide, so
/// a job can report inflating and parsing apart (`MONITOR_TIMINGS=1`). Off by
/// default: then it costs one relaxed load per 64 KiB of CSV.
public enum InflateClock {
    private static let enabled = Atomic<Bool>(false)
    private static let total = Atomic<UInt64>(0)

    public static var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    /// The nanoseconds accumulated since the last call, and resets them.
    public static func take() -> UInt64 {
        total.exchange(0, ordering: .relaxed)
    }

    /// Runs `body`, adding its duration to the total when enabled.
    @inline(__always)
    static func measure<T>(_ body: () throws(DataError) -> T) throws(DataError) -> T {
        guard isEnabled else { return try body() }
        let start = now()
        defer { total.add(now() - start, ordering: .relaxed) }
        return try body()
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
