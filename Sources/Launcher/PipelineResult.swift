import CMLAPI

/// How a pipeline ended.
public struct PipelineResult: Sendable {
    /// 0: every run succeeded and the pipeline drained; 3: a run exited 3 (a
    /// degradation stop) and nothing else failed; 1: a run failed otherwise or
    /// timed out, a guard refused a run, or the launcher could not start; 130: interrupted.
    public var exitStatus: Int32
    /// Every run, in creation order.
    public var runs: [RunHistoryEntry]
    /// One line saying why it ended.
    public var explanation: String
    /// The store the history, logs and metrics are in.
    public var storeDirectory: String

    static func judge(
        runs: [RunHistoryEntry], guardTrip: String?, startFailure: String?, interrupted: Bool, storeDirectory: String
    ) -> PipelineResult {
        func result(_ status: Int32, _ text: String) -> PipelineResult {
            PipelineResult(exitStatus: status, runs: runs, explanation: text, storeDirectory: storeDirectory)
        }
        func describe(_ run: RunHistoryEntry) -> String {
            let arguments = run.arguments.isEmpty ? "" : " \(run.arguments)"
            return "run #\(run.sequence) \(run.job)\(arguments) \(run.status): \(run.reason ?? "") (log \(run.log))"
        }
        let count = runs.count == 1 ? "1 run" : "\(runs.count) runs"
        if interrupted {
            let stopped = runs.filter { $0.status == RunStatus.stopped.rawValue }.count
            return result(130, "Pipeline INTERRUPTED after \(count) (\(stopped) stopped).")
        }
        if let startFailure {
            return result(1, "Pipeline FAILED: the first run could not be created: \(startFailure)")
        }
        if let guardTrip {
            return result(1, "Pipeline FAILED after \(count): \(guardTrip)")
        }
        let degradation = runs.filter { $0.status == RunStatus.failed.rawValue && $0.exitCode == 3 }
        if let failed = runs.first(where: { $0.status != RunStatus.succeeded.rawValue && !degradation.contains($0) }) {
            return result(1, "Pipeline FAILED after \(count): \(describe(failed))")
        }
        if let stop = degradation.first {
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
