#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The API has no idempotency key for creating a run. A create-run whose
// answer is lost (connection cut, 504 from a gateway) may have made the run,
// and a blind retry would start the next job twice. So each trigger carries
// an id in the run's environment, and before any re-send the client looks
// for a run that carries it.

extension JobClient {
    /// The create-run variable that identifies one trigger across its retries.
    /// Jobs never read it: it is the launcher's and the client's business.
    public static let triggerIDVariable = "MONITOR_TRIGGER_ID"

    /// How many of a job's newest runs are searched for a trigger id.
    static let adoptionWindow = 25

    /// A new random trigger id.
    static func makeTriggerID() -> String {
        UUID().uuidString.lowercased()
    }

    /// The newest runs of job `jobID`, newest first: one page of `pageSize`.
    ///
    /// - Throws: ``JobClientError`` for any request error.
    public func newestRuns(jobID: String, pageSize: Int = 25) async throws(JobClientError) -> [JobRun] {
        let page: ListJobRunsResponse = try await send(
            "GET", runsPath(jobID), query: [("sort", "-created_at"), ("page_size", String(pageSize))]
        )
        return page.jobRuns
    }

    func runsPath(_ jobID: String) -> String { "\(jobsPath)/\(Self.escape(jobID))/runs" }

    /// Creates one run of `jobID` for the trigger `triggerID`.
    ///
    /// Retries as ``RetryPolicy`` says, but after any failed attempt that
    /// may have reached the server it first lists the job's newest runs and
    /// adopts the one carrying `triggerID` and `arguments`. After the last
    /// failed attempt it looks once more. A server that echoes no run's
    /// environment is reported through ``warn`` once, and the client then
    /// re-sends as it would without trigger ids.
    ///
    /// - Throws: ``JobClientError`` when no run was made or found; its message
    ///   says when a run may still appear and how to look for it.
    func createTriggeredRun(
        jobID: String, arguments: String, triggerID: String, environment: [String: String] = [:]
    ) async throws(JobClientError) -> JobRun {
        var variables = environment
        variables[Self.triggerIDVariable] = triggerID
        let request = try makeRequest("POST", runsPath(jobID), body: CreateJobRunRequest(arguments: arguments, environment: variables))
        var search = RunSearch(jobID: jobID, arguments: arguments, triggerID: triggerID)
        var attempt = 0
        while true {
            attempt += 1
            let failure: JobClientError
            var extraDelay: Duration = .zero
            do throws(JobClientError) {
                var look = Look.absent
                if search.needed { look = try await adopt(&search) }
                switch look {
                case .found(let run):
                    return run
                case .failed(let error):
                    failure = error  // no re-send before a look succeeds
                case .absent:
                    switch try await attemptOnce(request) {
                    case .success(let data):
                        search.needed = true  // the run exists whatever its answer says
                        return try decode(data, request)
                    case .retryable(let error, let retryAfter):
                        failure = error
                        extraDelay = retryAfter
                        if error.mayHaveReachedServer { search.needed = true }
                    }
                }
            } catch {
                // Not worth retrying; a run may still exist if an earlier attempt (or this answer) made it.
                if search.needed, let run = await lastLook(&search) { return run }
                throw search.needed ? mayStillAppear(error, search) : error
            }
            guard attempt < retry.maxAttempts else {
                if search.needed, let run = await lastLook(&search) { return run }
                let error = gaveUp(failure, after: attempt)
                throw search.needed ? mayStillAppear(error, search) : error
            }
            try await backOff(after: attempt, atLeast: extraDelay, failure)
        }
    }

    /// What a trigger looks for among a job's runs.
    struct RunSearch {
        let jobID: String
        let arguments: String
        let triggerID: String
        /// An attempt may have made the run: look before sending again.
        var needed = false
        /// The server showed runs but no trigger id on any: it does not echo them (warned once).
        var echoless = false
    }

    /// What a look at the newest runs found.
    enum Look {
        case found(JobRun)
        /// Not among them (or the server does not echo environments).
        case absent
        /// The listing failed in a way worth retrying.
        case failed(JobClientError)
    }

    /// Looks for the run made for `search.triggerID` among the job's newest runs.
    ///
    /// - Throws: a listing failure that is not worth retrying.
    private func adopt(_ search: inout RunSearch) async throws(JobClientError) -> Look {
        let listing = try makeRequest(
            "GET", runsPath(search.jobID), query: [("sort", "-created_at"), ("page_size", String(Self.adoptionWindow))]
        )
        switch try await attemptOnce(listing) {
        case .retryable(let error, _):
            return .failed(error.with(message: "\(error.message) (looking for the run of trigger \(search.triggerID))"))
        case .success(let data):
            let page: ListJobRunsResponse = try decode(data, listing)
            return match(page.jobRuns, &search).map(Look.found) ?? .absent
        }
    }

    /// A last look after the final failure; `nil` when it finds nothing or fails.
    private func lastLook(_ search: inout RunSearch) async -> JobRun? {
        guard case .found(let run)? = try? await adopt(&search) else { return nil }
        return run
    }

    private func match(_ runs: [JobRun], _ search: inout RunSearch) -> JobRun? {
        let wanted = Self.words(search.arguments)
        if let run = runs.first(where: {
            $0.environment[Self.triggerIDVariable] == search.triggerID && Self.words($0.arguments) == wanted
        }) {
            return run
        }
        if !runs.isEmpty, !runs.contains(where: { $0.environment[Self.triggerIDVariable] != nil }), !search.echoless {
            search.echoless = true
            warn(
                "none of the \(runs.count) newest runs of job \(search.jobID) shows a \(Self.triggerIDVariable): this CML "
                    + "server may not echo run environments, so a lost answer cannot be told from a refused request; "
                    + "sending the run request again (check that job's runs for a duplicate)"
            )
        }
        return nil
    }

    private func mayStillAppear(_ error: JobClientError, _ search: RunSearch) -> JobClientError {
        redacted(
            error.with(
                message: "\(error.message). A run may still appear: an earlier request may have reached the server. "
                    + "Before starting it again, look at the runs of job \(search.jobID) for one with arguments "
                    + "'\(search.arguments)' and \(Self.triggerIDVariable)=\(search.triggerID) in its environment"
            )
        )
    }

    /// Arguments split on whitespace, as CML splits them.
    static func words(_ arguments: String) -> [Substring] {
        arguments.split(whereSeparator: \.isWhitespace)
    }
}
