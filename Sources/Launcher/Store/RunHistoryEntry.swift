/// One line of `STORE/launcher/runs.jsonl`: a finished run.
public struct RunHistoryEntry: Codable, Sendable, Equatable {
    public var id: String
    /// 1-based order of the run in its launcher session.
    public var sequence: Int
    /// The launcher session (one `cml-local run`), shared by its runs.
    public var session: String
    public var job: String
    public var jobID: String
    public var arguments: String
    public var status: String
    /// The exit status, `nil` when the process was killed by a signal or never started.
    public var exitCode: Int32?
    /// The signal that ended the process, if any.
    public var signal: Int32?
    public var createdAt: String
    public var runningAt: String?
    public var finishedAt: String
    public var durationSeconds: Double
    /// Why the run did not succeed, in words.
    public var reason: String?
    public var log: String

    enum CodingKeys: String, CodingKey {
        case id, sequence, session, job, arguments, status, signal, reason, log
        case jobID = "job_id"
        case exitCode = "exit_code"
        case createdAt = "created_at"
        case runningAt = "running_at"
        case finishedAt = "finished_at"
        case durationSeconds = "duration_seconds"
    }
}
