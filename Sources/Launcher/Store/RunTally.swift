import CMLAPI
import PeriodArgs

/// What the launcher keeps of its finished runs: counts and the few runs its
/// verdict names, never the runs themselves (they are in `runs.jsonl`), so
/// its memory does not grow with the number of runs.
struct RunTally: Sendable {
    /// Runs recorded.
    private(set) var count = 0
    /// Runs that ended `ENGINE_STOPPED`.
    private(set) var stopped = 0
    /// The earliest run (by sequence) that failed otherwise than by a degradation stop.
    private(set) var firstFailure: RunHistoryEntry?
    /// The earliest run that exited 3 (a degradation stop).
    private(set) var firstDegradation: RunHistoryEntry?
    /// The run with the highest sequence.
    private(set) var last: RunHistoryEntry?
    /// The largest `T` of the runs' `--period C,T` arguments.
    private(set) var periodTotal: Int?

    /// Counts `entry`.
    mutating func add(_ entry: RunHistoryEntry) {
        count += 1
        if entry.status == RunStatus.stopped.rawValue { stopped += 1 }
        if entry.status != RunStatus.succeeded.rawValue {
            let degradation = entry.status == RunStatus.failed.rawValue && entry.exitCode == 3
            if degradation {
                if firstDegradation.map({ entry.sequence < $0.sequence }) ?? true { firstDegradation = entry }
            } else if firstFailure.map({ entry.sequence < $0.sequence }) ?? true {
                firstFailure = entry
            }
        }
        if last.map({ entry.sequence > $0.sequence }) ?? true { last = entry }
        let words = entry.arguments.split(whereSeparator: \.isWhitespace)
        for (index, word) in words.enumerated() where word == "--period" && index + 1 < words.count {
            if let parsed = try? Period(parsing: String(words[index + 1])) {
                periodTotal = max(periodTotal ?? 0, parsed.total)
            }
        }
    }
}
