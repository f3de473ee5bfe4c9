import Foundation
import Platform

/// Opt-in timing lines of the launcher (`MONITOR_TIMINGS=1` in its own
/// environment), for the benchmarks: one line per run (accepted, spawned,
/// exited, wall clock in µs) and one with the launcher's own peak RSS.
enum LauncherTimings {
    static func realtimeMicroseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
    }

    /// `timings: launcher maxrss_kb=… children_maxrss_kb=…`: the launcher's own
    /// peak RSS, and the largest of its finished children's.
    static func usageLine() -> String {
        var own = rusage()
        var children = rusage()
        getrusage(who(RUSAGE_SELF), &own)
        getrusage(who(RUSAGE_CHILDREN), &children)
        // VmHWM: the launcher's own peak; ru_maxrss also counts its parent's memory at fork.
        var peak = own.ru_maxrss
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        {
            peak = Int(line.dropFirst(6).filter { $0.isNumber }) ?? peak
        }
        return "timings: launcher maxrss_kb=\(peak) children_maxrss_kb=\(children.ru_maxrss)"
    }
}

private func who(_ value: __rusage_who) -> __rusage_who_t { __rusage_who_t(value.rawValue) }
