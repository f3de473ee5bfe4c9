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
        nextPageToken = try c.decodeIfPresent(String.self, forKey: .nextPageToken) ?? ""
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
        nextPageToken = try c.decodeIfPresent(String.self, forKey: .nextPageToken) ?? ""
    }
}

/// `POST /api/v2/projects/{p}/jobs/{j}/runs` body.
///
/// `arguments` is ONE string; the server rejects a JSON list. There is no
/// `environment_variables` field: per-run variables go in ``environment``.
public struct CreateJobRunRequest: Codable, Sendable, Equatable {
    public var arguments: String
    public var environment: [String: String]?

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
        error = try c.decodeIfPresent(String.self, forKey: .error) ?? ""
        code = try c.decodeIfPresent(Int.self, forKey: .code) ?? 0
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        // Real servers put objects in details; this client only needs to survive them.
        details = (try? c.decodeIfPresent([String].self, forKey: .details)) ?? []
    }
}
