import MonitorData
import PeriodArgs
import Platform
import Synchronization

/// Opt-in phase timings of one job run (`MONITOR_TIMINGS=1` in the job's
/// environment), for the benchmarks: one `timings:` line on standard error at
/// the end of the run, e.g.
///
/// ```
/// timings: job=get-predictions period=3,20 main_unix_us=… total_ms=41.2 setup_ms=0.6 inflate_ms=12.1 parse_ms=20.3 write_ms=3.9 trigger_ms=4.1 maxrss_kb=21000
/// ```
///
/// `main_unix_us` is the wall clock when `main` began (after the loader and
/// the runtime); `total_ms` runs from there to the line. Off by default: then
/// every call is a no-op and nothing is printed.
final class JobTimings {
    /// Wall clock (µs since the epoch) and monotonic clock (ns) at `main`, set once by ``JobCommand``.
    static let mainUnixMicroseconds = Atomic<UInt64>(0)
    static let mainMonotonicNanoseconds = Atomic<UInt64>(0)

    /// Records the start of `main`.
    static func markMain() {
        mainUnixMicroseconds.store(realtimeMicroseconds(), ordering: .relaxed)
        mainMonotonicNanoseconds.store(monotonicNanoseconds(), ordering: .relaxed)
    }

    let enabled: Bool
    private var phases: [(name: String, nanoseconds: UInt64)] = []
    private var last: UInt64

    init(environment: [String: String]) {
        enabled = environment["MONITOR_TIMINGS"] == "1"
        let main = Self.mainMonotonicNanoseconds.load(ordering: .relaxed)
        last = main > 0 ? main : Self.monotonicNanoseconds()
        if enabled { InflateClock.isEnabled = true }
    }

    /// Closes the current phase under `name` (time since the previous mark).
    func mark(_ name: String) {
        guard enabled else { return }
        let now = Self.monotonicNanoseconds()
        phases.append((name, now - last))
        last = now
    }

    /// Closes a reading phase, splitting off the time zlib spent inflating
    /// since the previous mark as `inflate`.
    func markRead(_ name: String) {
        guard enabled else { return }
        let now = Self.monotonicNanoseconds()
        let inflate = min(InflateClock.take(), now - last)
        phases.append(("inflate", inflate))
        phases.append((name, now - last - inflate))
        last = now
    }

    /// The `timings:` line, or `nil` when off.
    func line(job: PipelineJob, period: String) -> String? {
        guard enabled else { return nil }
        let now = Self.monotonicNanoseconds()
        let main = Self.mainMonotonicNanoseconds.load(ordering: .relaxed)
        var text = "timings: job=\(job.executable) period=\(period)"
        text += " main_unix_us=\(Self.mainUnixMicroseconds.load(ordering: .relaxed))"
        text += " total_ms=\(Self.milliseconds(main > 0 ? now - main : 0))"
        var merged: [(String, UInt64)] = []
        for (name, ns) in phases {
            if let i = merged.firstIndex(where: { $0.0 == name }) { merged[i].1 += ns } else { merged.append((name, ns)) }
        }
        for (name, ns) in merged { text += " \(name)_ms=\(Self.milliseconds(ns))" }
        text += " maxrss_kb=\(Self.peakResidentKilobytes())"
        return text
    }

    /// The process's own peak RSS: `VmHWM` of /proc/self/status (getrusage's
    /// `ru_maxrss` also counts the parent's memory at fork, before the exec).
    static func peakResidentKilobytes() -> Int {
        if let file = fopen("/proc/self/status", "r") {
            defer { fclose(file) }
            var line = [CChar](repeating: 0, count: 256)
            while fgets(&line, 256, file) != nil {
                let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if text.hasPrefix("VmHWM:") {
                    return Int(text.dropFirst(6).filter { $0.isNumber }) ?? 0
                }
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF_WHO, &usage)
        return usage.ru_maxrss
    }

    static func milliseconds(_ ns: UInt64) -> String {
        let tenths = (ns + 5_000) / 10_000  // hundredths of a millisecond
        let fraction = tenths % 100
        return "\(tenths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func realtimeMicroseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
    }
}

private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
