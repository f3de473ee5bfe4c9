import Foundation
import CMLAPI
import Synchronization

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
    /// The project's jobs, in creation order (the defined ones first, then
    /// those created through the API).
    public nonisolated var jobs: [Job] { table.withLock { $0.jobs } }
    public nonisolated let runRequests: AsyncStream<RunRequest>
    private let continuation: AsyncStream<RunRequest>.Continuation
    /// The jobs and, for those from job definitions, what runs them. Changed
    /// only by this actor's methods; in a `Mutex` so ``jobs`` reads synchronously.
    private nonisolated let table: Mutex<JobTable>
    private let maxRuns: Int

    private var runs: [String: JobRun] = [:]
    private var runOrder: [String] = []
    private var sequenceOf: [String: Int] = [:]
    private var requested: [String: String] = [:]  // job id + normalized arguments → run id
    private var triggered: [String: String] = [:]  // MONITOR_TRIGGER_ID → run id
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
                    environment: definition.environment, arguments: ""
                )
            )
        }
        self.table = Mutex(JobTable(jobs: jobs, definitions: byID))
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
        let (page, next) = try Self.page(matching, size: pageSize, token: pageToken)
        return ListJobsResponse(jobs: page, nextPageToken: next)
    }

    public func job(projectID: String, jobID: String) throws(APIFailure) -> Job {
        try checkProject(projectID)
        guard let job = jobs.first(where: { $0.id == jobID }) else {
            throw .notFound("job not found: \(jobID)")
        }
        return job
    }

    /// Creates a job, as `POST /api/v2/projects/{p}/jobs` does.
    ///
    /// Names need not be unique (CML does not require it either); such a job
    /// has no local executable, so runs of it are refused.
    ///
    /// - Throws: ``APIFailure`` 404 for an unknown project, 400 for an empty name or script.
    public func createJob(projectID: String, _ request: CreateJobRequest) throws(APIFailure) -> Job {
        try checkProject(projectID)
        guard !request.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .badRequest("job name is required") }
        guard !request.script.isEmpty else { throw .badRequest("job script is required") }
        return table.withLock { table in
            var id = Self.makeID()
            while table.jobs.contains(where: { $0.id == id }) { id = Self.makeID() }
            let job = Job(
                id: id, name: request.name, script: request.script, cpu: request.cpu, memory: request.memory,
                timeout: request.timeout, environment: request.environment,
                arguments: request.arguments ?? "", runtimeIdentifier: request.runtimeIdentifier ?? "",
                kernel: request.kernel ?? "", killOnTimeout: request.killOnTimeout ?? false,
                schedule: request.schedule ?? ""
            )
            table.jobs.append(job)
            return job
        }
    }

    /// Changes the fields `update` sets, as `PATCH /api/v2/projects/{p}/jobs/{j}` does.
    /// A defined job's later runs get its new resources, timeout and environment.
    ///
    /// As Cloudera documents for its server, only `name`, `cpu`, `memory`,
    /// `timeout`, `environment` and `schedule` (of the fields this project uses) can be
    /// changed, and `kill_on_timeout` is taken too (whether a real server
    /// does is not documented; deploy reads the job back to see): `script`, `arguments`, `runtime_identifier` and `kernel` in the
    /// body are ignored, and the answer shows the job unchanged in them.
    ///
    /// - Throws: ``APIFailure`` 404 for an unknown project or job, 400 for an
    ///   empty name or script or an environment that is not a JSON string map.
    public func updateJob(projectID: String, jobID: String, _ update: UpdateJobRequest) throws(APIFailure) -> Job {
        try checkProject(projectID)
        if let name = update.name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw .badRequest("job name cannot be empty") }
        var environment: [String: String]?
        if let text = update.environment {
            guard let map = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
                throw .badRequest("invalid environment: expected a JSON-encoded object of strings, got '\(text)'")
            }
            environment = map
        }
        let updated: Job? = table.withLock { table in
            guard let index = table.jobs.firstIndex(where: { $0.id == jobID }) else { return nil }
            var job = table.jobs[index]
            var definition = table.definitions[jobID]
            if let name = update.name { job.name = name; definition?.name = name }
            if let cpu = update.cpu { job.cpu = cpu; definition?.cpu = cpu }
            if let memory = update.memory { job.memory = memory; definition?.memory = memory }
            if let timeout = update.timeout { job.timeout = timeout; definition?.timeoutSeconds = timeout }
            if let environment { job.environment = environment; definition?.environment = environment }
            if let kill = update.killOnTimeout { job.killOnTimeout = kill }
            if let schedule = update.schedule { job.schedule = schedule }
            table.jobs[index] = job
            table.definitions[jobID] = definition
            return job
        }
        guard let updated else { throw .notFound("job not found: \(jobID)") }
        return updated
    }

    /// Deletes a job, as `DELETE /api/v2/projects/{p}/jobs/{j}` does.
    ///
    /// - Throws: ``APIFailure`` 404 for an unknown project or job.
    public func deleteJob(projectID: String, jobID: String) throws(APIFailure) {
        try checkProject(projectID)
        let deleted = table.withLock { table in
            guard let index = table.jobs.firstIndex(where: { $0.id == jobID }) else { return false }
            table.jobs.remove(at: index)
            table.definitions[jobID] = nil
            return true
        }
        guard deleted else { throw .notFound("job not found: \(jobID)") }
    }

    // MARK: Runs

    /// Accepts a run of `jobID` and hands it over to be started at once.
    ///
    /// A request whose `MONITOR_TRIGGER_ID` already made a run is a replay (a
    /// client retrying after a lost answer): it gets that run, and no guard trips.
    ///
    /// - Throws: ``APIFailure`` 404 for an unknown project or job; 409 when a
    ///   guard refuses it (same job and arguments already requested, too many
    ///   runs) or the pipeline is over. A guard refusal also fails the pipeline
    ///   (``guardTrip``).
    public func createRun(
        projectID: String, jobID: String, arguments: String, environment: [String: String] = [:]
    ) throws(APIFailure) -> JobRun {
        let job = try job(projectID: projectID, jobID: jobID)
        guard let definition = table.withLock({ $0.definitions[job.id] }) else {
            throw .failedPrecondition(
                "run of '\(job.name)' refused: the job was created through the API and cml-local has no executable for it"
            )
        }
        let key = job.id + "\u{0}" + Self.words(arguments).joined(separator: " ")
        let triggerID = environment[CreateJobRunRequest.triggerIDVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let triggerID, let previous = triggered[triggerID], let run = runs[previous] {
            // A client retrying after a lost answer: the run it asked for exists.
            guard requested[key] == previous else {
                throw .badRequest(
                    "run of '\(job.name)' with arguments '\(arguments)' refused: \(CreateJobRunRequest.triggerIDVariable) \(triggerID) "
                        + "already made run \(previous) of another job or with other arguments"
                )
            }
            return run
        }
        if let closedReason {
            throw .conflict("run of '\(job.name)' with arguments '\(arguments)' refused: \(closedReason)")
        }
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
            environment: environment, createdAt: Timestamp.now()
        )
        runs[id] = run
        runOrder.append(id)
        sequenceOf[id] = runOrder.count
        requested[key] = id
        if let triggerID { triggered[triggerID] = id }
        active += 1
        continuation.yield(
            RunRequest(
                run: run, sequence: runOrder.count, definition: definition, environment: environment,
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

    /// The runs of a job, a page at a time: newest first for `sort` `-created_at`
    /// (the default), oldest first for `created_at`.
    ///
    /// - Throws: ``APIFailure`` 404 for an unknown project or job, 400 for
    ///   another sort key or an invalid page token.
    public func runs(
        projectID: String, jobID: String, sort: String = "", pageSize: Int = 0, pageToken: String = ""
    ) throws(APIFailure) -> ListJobRunsResponse {
        _ = try job(projectID: projectID, jobID: jobID)
        let oldestFirst = runOrder.compactMap { runs[$0] }.filter { $0.jobID == jobID }
        let ordered: [JobRun]
        switch sort.trimmingCharacters(in: .whitespaces) {
        case "", "-created_at": ordered = oldestFirst.reversed()
        case "created_at", "+created_at": ordered = oldestFirst
        default: throw .badRequest("invalid sort '\(sort)': cml-local sorts runs by created_at or -created_at")
        }
        let (page, next) = try Self.page(ordered, size: pageSize, token: pageToken)
        return ListJobRunsResponse(jobRuns: page, nextPageToken: next)
    }

    /// The page of `items` that `token` (an offset, opaque to clients) starts;
    /// `size` 0 means 10, and at most 1000 are sent.
    static func page<T>(_ items: [T], size: Int, token: String) throws(APIFailure) -> ([T], String) {
        var start = 0
        if !token.isEmpty {
            guard let offset = Int(token), offset >= 0, offset <= items.count else {
                throw .badRequest("invalid page_token '\(token)'")
            }
            start = offset
        }
        let end = min(start + (size > 0 ? min(size, 1000) : 10), items.count)
        return (Array(items[start..<end]), end < items.count ? String(end) : "")
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
}

/// The jobs of a ``LocalCML`` and the definitions of those that can run.
struct JobTable: Sendable {
    var jobs: [Job]
    var definitions: [String: JobDefinition]  // by job id
}

/// RFC 3339 timestamps in UTC with milliseconds.
enum Timestamp {
    static func now() -> String { string(Date()) }

    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
