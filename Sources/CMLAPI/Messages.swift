/// `GET /api/v2/projects/{p}/jobs` answer.
public struct ListJobsResponse: Codable, Sendable, Equatable {
    public var jobs: [Job]
    /// Empty on the last page.
    public var nextPageToken: String

    public init(jobs: [Job], nextPageToken: String = "") {
        self.jobs = jobs
        self.nextPageToken = nextPageToken
    }

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextPageToken = "next_page_token"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        jobs = try c.decodeIfPresent([Job].self, forKey: .jobs) ?? []
        nextPageToken = try c.wireString(.nextPageToken)
    }

    /// As a real server: an empty list and an empty token are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !jobs.isEmpty { try c.encode(jobs, forKey: .jobs) }
        try c.wireString(nextPageToken, .nextPageToken)
    }
}

/// `GET /api/v2/projects/{p}/jobs/{j}/runs` answer.
public struct ListJobRunsResponse: Codable, Sendable, Equatable {
    public var jobRuns: [JobRun]
    /// Empty on the last page.
    public var nextPageToken: String

    public init(jobRuns: [JobRun], nextPageToken: String = "") {
        self.jobRuns = jobRuns
        self.nextPageToken = nextPageToken
    }

    enum CodingKeys: String, CodingKey {
        case jobRuns = "job_runs"
        case nextPageToken = "next_page_token"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        jobRuns = try c.decodeIfPresent([JobRun].self, forKey: .jobRuns) ?? []
        nextPageToken = try c.wireString(.nextPageToken)
    }

    /// As a real server: an empty list and an empty token are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !jobRuns.isEmpty { try c.encode(jobRuns, forKey: .jobRuns) }
        try c.wireString(nextPageToken, .nextPageToken)
    }
}

/// `POST /api/v2/projects/{p}/jobs/{j}/runs` body.
///
/// `arguments` is ONE string; the server rejects a JSON list. There is no
/// `environment_variables` field: per-run variables go in ``environment``,
/// an object here (a run echoes it back as a JSON-encoded string).
public struct CreateJobRunRequest: Codable, Sendable, Equatable {
    public var arguments: String
    public var environment: [String: String]?

    /// The run variable that identifies one trigger across its retries: the
    /// client sets it, the launcher refuses a second run carrying the same one.
    /// Jobs never read it.
    public static let triggerIDVariable = "MONITOR_TRIGGER_ID"

    public init(arguments: String, environment: [String: String]? = nil) {
        self.arguments = arguments
        self.environment = environment
    }
}

/// The error body of the API: `{"error", "code", "message", "details"}`.
///
/// `code` is the gRPC status code (CML's API is served by grpc-gateway).
public struct APIError: Codable, Sendable, Equatable {
    public var error: String
    public var code: Int
    public var message: String
    public var details: [String]

    public init(error: String, code: Int, message: String, details: [String] = []) {
        self.error = error
        self.code = code
        self.message = message
        self.details = details
    }

    enum CodingKeys: String, CodingKey { case error, code, message, details }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        error = (try? c.wireString(.error)) ?? ""
        code = (try? c.wireInteger(.code)) ?? 0
        message = (try? c.wireString(.message)) ?? ""
        // Real servers put objects in details; this client only needs to survive them.
        details = (try? c.decodeIfPresent([String].self, forKey: .details)) ?? []
    }
}
