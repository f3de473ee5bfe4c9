import CMLAPI
import FoundationEssentials

// The API has no idempotency key for creating a run. A create-run whose
// answer is lost (connection cut, 504 from a gateway) may have made the run,
// and a blind retry would start the next job twice. So each trigger carries
// an id in the run's environment, and before any re-send the client looks
// for a run that carries it (createAdopting, in JobClient+Create.swift).

extension JobClient {
    /// How many of a job's newest runs are searched for a trigger id.
    static let adoptionWindow = 25

    /// A new random trigger id.
    static func makeTriggerID() -> String {
        UUID().uuidString.lowercased()
    }

    func runsPath(_ jobID: String) -> String { "\(jobsPath)/\(Self.escape(jobID))/runs" }

    /// Creates one run of `jobID` for the trigger `triggerID`.
    ///
    /// Retries as ``RetryPolicy`` says, but after any failed attempt that
    /// may have reached the server it first lists the job's newest runs and
    /// adopts the one carrying `triggerID` and `arguments` (see
    /// ``createAdopting(_:thing:look:mayStillAppear:)``). A server that echoes no
    /// run's environment is reported through ``warn`` once, and the client
    /// then re-sends as it would without trigger ids.
    ///
    /// - Throws: ``JobClientError`` when no run was made or found; its message
    ///   says when a run may still appear and how to look for it.
    func createTriggeredRun(
        jobID: String, arguments: String, triggerID: String, environment: [String: String] = [:]
    ) async throws(JobClientError) -> JobRun {
        var variables = environment
        variables[CreateJobRunRequest.triggerIDVariable] = triggerID
        let request = try makeRequest("POST", runsPath(jobID), body: CreateJobRunRequest(arguments: arguments, environment: variables))
        var search = RunSearch(jobID: jobID, arguments: arguments, triggerID: triggerID)
        return try await createAdopting(
            request, thing: "A run",
            look: { () async throws(JobClientError) -> Look<JobRun> in try await adopt(&search) },
            mayStillAppear: {
                "look at the runs of job \(jobID) for one with arguments '\(arguments)' and "
                    + "\(CreateJobRunRequest.triggerIDVariable)=\(triggerID) in its environment"
            }
        )
    }

    /// What a trigger looks for among a job's runs.
    struct RunSearch {
        let jobID: String
        let arguments: String
        let triggerID: String
        /// The server showed runs but no trigger id on any: it does not echo them (warned once).
        var echoless = false
    }

    /// Looks for the run made for `search.triggerID` among the job's newest runs.
    ///
    /// - Throws: a listing failure that is not worth retrying.
    private func adopt(_ search: inout RunSearch) async throws(JobClientError) -> Look<JobRun> {
        let listing = try makeRequest(
            "GET", runsPath(search.jobID), query: [("sort", "-created_at"), ("page_size", String(Self.adoptionWindow))]
        )
        switch try await attemptOnce(listing) {
        case .retryable(let error, _):
            return .failed(error.with(message: "\(error.message) (looking for the run of trigger \(search.triggerID))"))
        case .success(let data):
            let page: ListJobRunsResponse = try decode(data, listing)
            return try match(page.jobRuns, &search).map(Look.found) ?? .absent
        }
    }

    /// The run carrying the trigger id (a random UUID: nothing else can carry
    /// it). Its arguments are checked only when the server shows them.
    private func match(_ runs: [JobRun], _ search: inout RunSearch) throws(JobClientError) -> JobRun? {
        if let run = runs.first(where: { $0.environment[CreateJobRunRequest.triggerIDVariable] == search.triggerID }) {
            guard run.arguments.isEmpty || Self.words(run.arguments) == Self.words(search.arguments) else {
                throw JobClientError(
                    .invalidResponse,
                    "run \(run.id) of job \(search.jobID) carries this trigger's \(CreateJobRunRequest.triggerIDVariable) but the "
                        + "arguments '\(run.arguments)', not '\(search.arguments)'",
                    mayHaveTakenEffect: true
                )
            }
            return run
        }
        if !runs.isEmpty, !runs.contains(where: { $0.environment[CreateJobRunRequest.triggerIDVariable] != nil }), !search.echoless {
            search.echoless = true
            warn(
                "none of the \(runs.count) newest runs of job \(search.jobID) shows a \(CreateJobRunRequest.triggerIDVariable): this CML "
                    + "server may not echo run environments, so a lost answer cannot be told from a refused request; "
                    + "sending the run request again (check that job's runs for a duplicate)"
            )
        }
        return nil
    }

    /// Arguments split on whitespace, as CML splits them.
    static func words(_ arguments: String) -> [Substring] {
        arguments.split(whereSeparator: \.isWhitespace)
    }
}
