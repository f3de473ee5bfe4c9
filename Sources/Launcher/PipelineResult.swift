import CMLAPI

/// How a pipeline ended.
public struct PipelineResult: Sendable {
    /// 0: every run succeeded and the pipeline drained; 3: a run exited 3 (a
    /// degradation stop) and nothing else failed; 1: a run failed otherwise or
    /// timed out, a guard refused a run, or the launcher could not start; 130: interrupted.
    public var exitStatus: Int32
    /// How many runs there were.
    public var runCount: Int
    /// The last run created, if any.
    public var lastRun: RunHistoryEntry?
    /// The launcher session the runs belong to (`""` when none started).
    public var session: String
    /// One line saying why it ended.
    public var explanation: String
    /// The store the history, logs and metrics are in.
    public var storeDirectory: String

    /// Every run of this session, in creation order, read from the store's
    /// `launcher/runs.jsonl` (the launcher does not keep them in memory).
    public func runs() -> [RunHistoryEntry] {
        guard !session.isEmpty, !storeDirectory.isEmpty else { return [] }
        return LauncherStore(root: storeDirectory).history().filter { $0.session == session }.sorted { $0.sequence < $1.sequence }
    }

    /// A result for a launcher that started no run.
    static func notStarted(explanation: String, storeDirectory: String) -> PipelineResult {
        PipelineResult(
            exitStatus: 1, runCount: 0, lastRun: nil, session: "", explanation: explanation, storeDirectory: storeDirectory)
    }

    static func judge(
        runs: RunTally, session: String, guardTrip: String?, startFailure: String?, interrupted: Bool, storeDirectory: String
    ) -> PipelineResult {
        func result(_ status: Int32, _ text: String) -> PipelineResult {
            PipelineResult(
                exitStatus: status, runCount: runs.count, lastRun: runs.last, session: session, explanation: text,
                storeDirectory: storeDirectory)
        }
        func describe(_ run: RunHistoryEntry) -> String {
            let arguments = run.arguments.isEmpty ? "" : " \(run.arguments)"
            return "run #\(run.sequence) \(run.job)\(arguments) \(run.status): \(run.reason ?? "") (log \(run.log))"
        }
        let count = runs.count == 1 ? "1 run" : "\(runs.count) runs"
        if interrupted {
            return result(130, "Pipeline INTERRUPTED after \(count) (\(runs.stopped) stopped).")
        }
        if let startFailure {
            return result(1, "Pipeline FAILED: the first run could not be created: \(startFailure)")
        }
        if let guardTrip {
            return result(1, "Pipeline FAILED after \(count): \(guardTrip)")
        }
        if let failed = runs.firstFailure {
            return result(1, "Pipeline FAILED after \(count): \(describe(failed))")
        }
        if let stop = runs.firstDegradation {
            let arguments = stop.arguments.isEmpty ? "" : " \(stop.arguments)"
            return result(
                3,
                "Pipeline STOPPED after \(count): run #\(stop.sequence) \(stop.job)\(arguments) exited 3 "
                    + "(model degradation; see its log \(stop.log))"
            )
        }
        return result(0, "Pipeline completed: \(count), all succeeded.")
    }
}
