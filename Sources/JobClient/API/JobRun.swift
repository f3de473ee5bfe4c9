/// A run of a job (API v2 `JobRun`).
///
/// Times are RFC 3339 strings as the server sends them; `running_at` and
/// `finished_at` are absent or empty until the run gets there.
public struct JobRun: Codable, Sendable, Equatable {
    public var id: String
    public var jobID: String
    public var projectID: String
    public var status: RunStatus
    /// The run's arguments, one string (CML splits it on whitespace).
    public var arguments: String
    /// The run's environment overrides, a JSON-encoded string→string object.
    public var environment: String
    public var createdAt: String
    public var runningAt: String?
    public var finishedAt: String?

    public init(
        id: String, jobID: String, projectID: String, status: RunStatus, arguments: String,
        environment: String = "{}", createdAt: String, runningAt: String? = nil, finishedAt: String? = nil
    ) {
        self.id = id
        self.jobID = jobID
        self.projectID = projectID
        self.status = status
        self.arguments = arguments
        self.environment = environment
        self.createdAt = createdAt
        self.runningAt = runningAt
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case jobID = "job_id"
        case projectID = "project_id"
        case status, arguments, environment
        case createdAt = "created_at"
        case runningAt = "running_at"
        case finishedAt = "finished_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            jobID: try c.decodeIfPresent(String.self, forKey: .jobID) ?? "",
            projectID: try c.decodeIfPresent(String.self, forKey: .projectID) ?? "",
            status: try c.decodeIfPresent(RunStatus.self, forKey: .status) ?? .unknown,
            arguments: try c.decodeIfPresent(String.self, forKey: .arguments) ?? "",
            environment: try c.decodeIfPresent(String.self, forKey: .environment) ?? "{}",
            createdAt: try c.decodeIfPresent(String.self, forKey: .createdAt) ?? "",
            runningAt: try c.decodeIfPresent(String.self, forKey: .runningAt),
            finishedAt: try c.decodeIfPresent(String.self, forKey: .finishedAt)
        )
    }
}
