import Foundation
import MonitorStore
import Platform

/// The run history (`launcher/runs.jsonl`) summarised: read line by line and
/// never held whole, so its size does not grow with the number of runs. It
/// describes the latest launcher session: runs per job, the failed runs and
/// the last runs (a few of each).
public struct RunHistory: Sendable {
    /// One job's runs in the latest session.
    public struct JobRuns: Sendable, Equatable {
        public var job: String
        public var runs = 0
        public var failed = 0
        public var seconds = 0.0
    }

    /// How many runs of each kind are listed.
    public static let listed = 20

    /// Launcher sessions in the history.
    public private(set) var sessions = 0
    /// The latest session's id; `nil` when the history is empty or missing.
    public private(set) var latestSession: String?
    /// The latest session's runs.
    public private(set) var runs = 0
    /// The latest session's runs per job, in the order the jobs first ran.
    public private(set) var jobs: [JobRuns] = []
    /// The latest session's first failed runs (at most ``listed``), in the order recorded.
    public private(set) var failures: [ReportData.Run] = []
    /// The latest session's failed runs.
    public private(set) var failedRuns = 0
    /// The latest session's last runs (at most ``listed``), oldest first.
    public var recent: [ReportData.Run] { Array(recentRing[recentStart...] + recentRing[..<recentStart]) }

    private var recentRing: [ReportData.Run] = []
    private var recentStart = 0
    private var seenSessions: Set<String> = []

    public init() {}

    /// Reads `path` line by line; lines that do not decode are skipped, a missing file is an empty history.
    public init(path: String) {
        guard let file = fopen(path, "r") else { return }
        defer { fclose(file) }
        let decoder = JSONDecoder()
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while true {
            let length = getline(&line, &capacity, file)
            guard length > 0, let line else { break }
            let bytes = UnsafeRawBufferPointer(start: line, count: length)
            if let run = try? decoder.decode(ReportData.Run.self, from: Data(bytes)) { add(run) }
        }
    }

    /// Counts `run`; a run of another session than the latest starts a new latest session.
    public mutating func add(_ run: ReportData.Run) {
        if run.session != latestSession {
            if seenSessions.insert(run.session).inserted { sessions += 1 }
            latestSession = run.session
            runs = 0
            jobs = []
            failures = []
            failedRuns = 0
            recentRing = []
            recentStart = 0
        }
        runs += 1
        let failed = run.status != "ENGINE_SUCCEEDED"
        if let index = jobs.firstIndex(where: { $0.job == run.job }) {
            jobs[index].runs += 1
            jobs[index].failed += failed ? 1 : 0
            jobs[index].seconds += run.durationSeconds
        } else {
            jobs.append(JobRuns(job: run.job, runs: 1, failed: failed ? 1 : 0, seconds: run.durationSeconds))
        }
        if failed {
            failedRuns += 1
            if failures.count < Self.listed { failures.append(run) }
        }
        if recentRing.count < Self.listed {
            recentRing.append(run)
        } else {
            recentRing[recentStart] = run
            recentStart = (recentStart + 1) % Self.listed
        }
    }
}
