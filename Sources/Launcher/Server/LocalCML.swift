import Foundation
import JobClient

/// The state of the CML project that `cml-local` stands in for: its jobs, the
/// runs requested so far, and the guards on new ones.
///
/// The API server and the launcher both create runs through ``createRun(projectID:jobID:arguments:environment:)``.
/// Each accepted run is handed to ``runRequests`` to be started at once; the
/// stream finishes when no run is scheduled or running any more (the pipeline
/// has drained) or after ``close(reason:)``.
public actor LocalCML {
    /// A run accepted by the project, to be started.
    public struct RunRequest: Sendable {
        public let run: JobRun
        public let sequence: Int
        public let definition: JobDefinition
        /// Per-run variables sent with the create request.
        public let environment: [String: String]
        /// Wall clock when the run was accepted, in µs since the epoch (for `MONITOR_TIMINGS`).
        public var acceptedUnixMicroseconds: UInt64 = 0
    }

    /// Why a run request was refused by a guard.
    public struct GuardTrip: Sendable, Equatable {
        public let message: String
    }

    public nonisolated let projectID: String
    public nonisolated let jobs: [Job]
    public nonisolated let runRequests: AsyncStream<RunRequest>
    private let continuation: AsyncStream<RunRequest>.Continuation
    private let definitions: [String: JobDefinition]  // by job id
    private let maxRuns: Int

    private var runs: [String: JobRun] = [:]
    private var runOrder: [String] = []
    private var sequenceOf: [String: Int] = [:]
    private var requested: [String: String] = [:]  // job id + normalized arguments → run id
    private var active = 0
    private var closedReason: String?
    public private(set) var guardTrip: GuardTrip?

    /// - Parameters:
    ///   - projectID: the project id the API answers for.
    ///   - definitions: the jobs, in order; each gets a random CML-like id.
    ///   - maxRuns: the most runs accepted in total.
    public init(projectID: String = LocalCML.makeID(), definitions: [JobDefinition], maxRuns: Int = 10_000) {
        self.projectID = projectID
        self.maxRuns = maxRuns
        var jobs: [Job] = []
        var byID: [String: JobDefinition] = [:]
        for definition in definitions {
            var id = Self.makeID()
            while byID[id] != nil { id = Self.makeID() }
            byID[id] = definition
            jobs.append(
                Job(
                    id: id, name: definition.name, script: definition.script, cpu: definition.cpu,
                    memory: definition.memory, timeout: definition.timeoutSeconds,
                    environment: Self.jsonString(definition.environment), arguments: ""
                )
            )
        }
        self.jobs = jobs
        self.definitions = byID
        (runRequests, continuation) = AsyncStream.makeStream(of: RunRequest.self)
    }

    /// A CML-like id: four groups of four lowercase letters and digits (`crfy-i66p-le3j-cdss`).
    public static func makeID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return (0..<4).map { _ in String((0..<4).map { _ in alphabet.randomElement()! }) }.joined(separator: "-")
    }

    // MARK: Jobs

    /// Jobs whose name contains `nameFilter` (case-insensitive), a page at a time.
    /// `pageToken` is the opaque `next_page_token` of the previous page.
    public func listJobs(
        projectID: String, nameFilter: String?, pageSize: Int, pageToken: String
    ) throws(APIFailure) -> ListJobsResponse {
        try checkProject(projectID)
        let matching = jobs.filter { job in
            guard let nameFilter, !nameFilter.isEmpty else { return true }
            return job.name.range(of: nameFilter, options: .caseInsensitive) != nil
        }
        var start = 0
        if !pageToken.isEmpty {
            guard let offset = Int(pageToken), offset >= 0, offset <= matching.count else {
                throw .badRequest("invalid page_token '\(pageToken)'")
            }
            start = offset
        }
        let size = pageSize > 0 ? min(pageSize, 100) : 10
        let end = min(start + size, matching.count)
        return ListJobsResponse(jobs: Array(matching[start..<end]), nextPageToken: end < matching.count ? String(end) : "")
    }

    public func job(projectID: String, jobID: String) throws(APIFailure) -> Job {
        try checkProject(projectID)
        guard let job = jobs.first(where: { $0.id == jobID }) else {
            throw .notFound("job not found: \(jobID)")
        }
        return job
    }

    // MARK: Runs

    /// Accepts a run of `jobID` and hands it over to be started at once.
    ///
    /// - Throws: ``APIFailure`` 404 for an unknown project or job; 409 when a
    ///   guard refuses it (same job and arguments already requested, too many
    ///   runs) or the pipeline is over. A guard refusal also fails the pipeline
    ///   (``guardTrip``).
    public func createRun(
        projectID: String, jobID: String, arguments: String, environment: [String: String] = [:]
    ) throws(APIFailure) -> JobRun {
        let job = try job(projectID: projectID, jobID: jobID)
        if let closedReason {
            throw .conflict("run of '\(job.name)' with arguments '\(arguments)' refused: \(closedReason)")
        }
        let key = job.id + "\u{0}" + Self.words(arguments).joined(separator: " ")
        if let previous = requested[key] {
            let message =
                "run of '\(job.name)' with arguments '\(arguments)' refused: the same request already made run "
                + "#\(sequenceOf[previous] ?? 0) (\(previous)). The same job ran twice with the same --period: "
                + "no progress — the 'stuck on period 0' loop of the old environment-variable version"
            trip(message)
            throw .conflict(message)
        }
        guard runOrder.count < maxRuns else {
            let message =
                "run of '\(job.name)' with arguments '\(arguments)' refused: the maximum of \(maxRuns) runs "
                + "per pipeline is reached (--max-runs)"
            trip(message)
            throw .conflict(message)
        }
        let id = Self.makeID()
        let run = JobRun(
            id: id, jobID: job.id, projectID: self.projectID, status: .scheduling, arguments: arguments,
            environment: Self.jsonString(environment), createdAt: Timestamp.now()
        )
        runs[id] = run
        runOrder.append(id)
        sequenceOf[id] = runOrder.count
        requested[key] = id
        active += 1
        continuation.yield(
            RunRequest(
                run: run, sequence: runOrder.count, definition: definitions[job.id]!, environment: environment,
                acceptedUnixMicroseconds: LauncherTimings.realtimeMicroseconds()
            )
        )
        return run
    }

    public func run(projectID: String, jobID: String, runID: String) throws(APIFailure) -> JobRun {
        _ = try job(projectID: projectID, jobID: jobID)
        guard let run = runs[runID], run.jobID == jobID else { throw .notFound("job run not found: \(runID)") }
        return run
    }

    /// The runs of a job, newest first (as CML lists them).
    public func runs(projectID: String, jobID: String) throws(APIFailure) -> ListJobRunsResponse {
        _ = try job(projectID: projectID, jobID: jobID)
        return ListJobRunsResponse(jobRuns: runOrder.reversed().compactMap { runs[$0] }.filter { $0.jobID == jobID })
    }

    /// The 1-based creation order of a run (0 if unknown).
    public func sequence(of id: String) -> Int {
        sequenceOf[id] ?? 0
    }

    /// Every run so far, in creation order.
    public func allRuns() -> [JobRun] {
        runOrder.compactMap { runs[$0] }
    }

    // MARK: Run lifecycle (called by the supervisor)

    func markRunning(_ id: String) -> JobRun? {
        runs[id]?.status = .running
        runs[id]?.runningAt = Timestamp.now()
        return runs[id]
    }

    func markFinished(_ id: String, status: RunStatus) -> JobRun? {
        guard var run = runs[id], !run.status.isFinal else { return runs[id] }
        run.status = status
        run.finishedAt = Timestamp.now()
        runs[id] = run
        active -= 1
        if active == 0 {
            closedReason = closedReason ?? "the pipeline is over (no run was active any more)"
            continuation.finish()
        }
        return run
    }

    /// Refuses every further run (interrupt, failure to start); the stream
    /// still ends only once the active runs have finished.
    func close(reason: String) {
        closedReason = closedReason ?? reason
        if active == 0 { continuation.finish() }
    }

    private func trip(_ message: String) {
        if guardTrip == nil { guardTrip = GuardTrip(message: message) }
    }

    private func checkProject(_ id: String) throws(APIFailure) {
        guard id == projectID else { throw .notFound("project not found: \(id)") }
    }

    /// Splits arguments as CML does: on whitespace, never through a shell.
    public static func words(_ arguments: String) -> [String] {
        arguments.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    static func jsonString(_ map: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(map)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// RFC 3339 timestamps in UTC with milliseconds.
enum Timestamp {
    static func now() -> String { string(Date()) }

    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
