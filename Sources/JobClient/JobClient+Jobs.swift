import CMLAPI
import FoundationEssentials

/// A request the client would send, for a dry run: method, full URL and JSON
/// body. It never holds the key; ``description`` shows the Authorization
/// header as `Bearer <redacted>`.
public struct APIRequest: Sendable, Equatable, CustomStringConvertible {
    public let method: String
    public let url: String
    /// The JSON body (sorted keys), or `nil`.
    public let body: String?

    public var description: String {
        var lines = ["\(method) \(url)", "  Authorization: Bearer <redacted>"]
        if let body {
            lines.append("  Content-Type: application/json")
            lines.append("  \(body)")
        }
        return lines.joined(separator: "\n")
    }
}

extension JobClient {
    /// Every job of the project whose name contains `name` (the server's
    /// substring `search_filter`; `nil` lists all), following
    /// `next_page_token` to the last page.
    ///
    /// - Throws: ``JobClientError`` for any request error, or a page token the server repeats.
    public func listJobs(nameContaining name: String?) async throws(JobClientError) -> [Job] {
        var token = ""
        var seenTokens: Set<String> = []
        var jobs: [Job] = []
        repeat {
            var query: [(String, String)] = []
            if let name { query.append(("search_filter", WireFormat.json(["name": name]))) }
            query.append(("page_size", String(pageSize)))
            if !token.isEmpty { query.append(("page_token", token)) }
            let page: ListJobsResponse = try await send("GET", jobsPath, query: query)
            jobs += page.jobs
            token = page.nextPageToken
            guard seenTokens.insert(token).inserted || token.isEmpty else {
                throw redacted(JobClientError(.invalidResponse, "CML API repeated page token '\(token)' while listing jobs"))
            }
        } while !token.isEmpty
        return jobs
    }

    /// The project's job named exactly `name`, or `nil` when there is none.
    ///
    /// - Throws: ``JobClientError`` `.jobNotFound` when several jobs have exactly
    ///   that name (which one to use cannot be known); any request error.
    public func findJobIfExists(named name: String) async throws(JobClientError) -> Job? {
        let exact = try await listJobs(nameContaining: name).filter { $0.name == name }
        guard exact.count <= 1 else {
            throw JobClientError(
                .jobNotFound,
                "\(exact.count) jobs are named exactly '\(name)' in CML project \(configuration.projectID) "
                    + "(ids \(exact.map(\.id).joined(separator: ", "))); delete or rename all but one"
            )
        }
        return exact.first
    }

    /// Creates a job, once: after an attempt whose answer was lost or could
    /// not be read, it lists the jobs of that exact name before sending
    /// again and adopts the one it finds.
    ///
    /// - Throws: ``JobClientError`` for any request error; its message says
    ///   when the job may still appear.
    public func createJob(_ request: CreateJobRequest) async throws(JobClientError) -> Job {
        let post = try makeRequest("POST", jobsPath, body: request)
        return try await createAdopting(
            post, thing: "The job",
            look: { () async throws(JobClientError) -> Look<Job> in
                let exact: [Job]
                do throws(JobClientError) {
                    exact = try await listJobs(nameContaining: request.name).filter { $0.name == request.name }
                } catch where error.isTransient {
                    return .failed(error)
                }
                return exact.first.map(Look.found) ?? .absent
            },
            mayStillAppear: { "list the project's jobs for one named '\(request.name)'" }
        )
    }

    /// The job `jobID`, as the server holds it now.
    ///
    /// - Throws: ``JobClientError`` for any request error (404 when it does not exist).
    public func job(jobID: String) async throws(JobClientError) -> Job {
        try await send("GET", "\(jobsPath)/\(Self.escape(jobID))")
    }

    /// Deletes job `jobID` (and with it, on CML, its run history).
    ///
    /// - Throws: ``JobClientError`` for any request error.
    public func deleteJob(jobID: String) async throws(JobClientError) {
        try await sendIgnoringAnswer("DELETE", "\(jobsPath)/\(Self.escape(jobID))")
    }

    /// Sends the fields `update` sets of job `jobID`, whatever the answer
    /// holds: what the server applied is known only by reading the job back
    /// (``job(jobID:)``).
    ///
    /// - Throws: ``JobClientError`` for any request error.
    public func patchJob(jobID: String, _ update: UpdateJobRequest) async throws(JobClientError) {
        try await sendIgnoringAnswer("PATCH", "\(jobsPath)/\(Self.escape(jobID))", body: update)
    }

    /// Changes the fields `update` sets of job `jobID`.
    ///
    /// - Throws: ``JobClientError`` for any request error.
    public func updateJob(jobID: String, _ update: UpdateJobRequest) async throws(JobClientError) -> Job {
        try await send("PATCH", "\(jobsPath)/\(Self.escape(jobID))", body: update)
    }

    /// What ``createJob(_:)`` would send.
    public func describeCreateJob(_ request: CreateJobRequest) -> APIRequest {
        APIRequest(method: "POST", url: configuration.apiBase + jobsPath, body: Self.sortedJSON(request))
    }

    /// What ``updateJob(jobID:_:)`` would send.
    public func describeUpdateJob(jobID: String, _ update: UpdateJobRequest) -> APIRequest {
        APIRequest(method: "PATCH", url: configuration.apiBase + "\(jobsPath)/\(Self.escape(jobID))", body: Self.sortedJSON(update))
    }

    static func sortedJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
