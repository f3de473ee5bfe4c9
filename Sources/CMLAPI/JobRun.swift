/// A run of a job (API v2 `JobRun`).
///
/// Times are RFC 3339 strings as the server sends them; `running_at` and
/// `finished_at` are absent or empty until the run gets there. Decodes and
/// encodes as a real server does (see ``Job``).
public struct JobRun: Codable, Sendable, Equatable {
    public var id: String
    public var jobID: String
    public var projectID: String
    public var status: RunStatus
    /// The run's arguments, one string (CML splits it on whitespace).
    public var arguments: String
    /// The environment the run was created with (on the wire, a JSON-encoded string).
    public var environment: [String: String]
    public var createdAt: String
    public var runningAt: String?
    public var finishedAt: String?

    public init(
        id: String, jobID: String, projectID: String, status: RunStatus, arguments: String,
        environment: [String: String] = [:], createdAt: String, runningAt: String? = nil, finishedAt: String? = nil
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
            jobID: try c.wireString(.jobID),
            projectID: try c.wireString(.projectID),
            status: try c.decodeIfPresent(RunStatus.self, forKey: .status) ?? .unknown,
            arguments: try c.wireString(.arguments),
            environment: try c.wireEnvironment(.environment),
            createdAt: try c.wireString(.createdAt),
            runningAt: try c.decodeIfPresent(String.self, forKey: .runningAt),
            finishedAt: try c.decodeIfPresent(String.self, forKey: .finishedAt)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.wireString(jobID, .jobID)
        try c.wireString(projectID, .projectID)
        try c.encode(status, forKey: .status)
        try c.wireString(arguments, .arguments)
        try c.wireEnvironment(environment, .environment)
        try c.wireString(createdAt, .createdAt)
        try c.wireString(runningAt ?? "", .runningAt)
        try c.wireString(finishedAt ?? "", .finishedAt)
    }
}
