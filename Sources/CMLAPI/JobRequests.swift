/// `POST /api/v2/projects/{p}/jobs` body (API v2 `CreateJobRequest`, the fields this project sets).
///
/// `environment` is a string→string map here, while a ``Job`` answer (and the
/// body of an update, which is a `Job`) carries it as a JSON-encoded string.
/// `nil` fields are left out of the JSON, so the server applies its defaults.
public struct CreateJobRequest: Codable, Sendable, Equatable {
    public var name: String
    /// The script CML starts, relative to the project root.
    public var script: String
    /// vCPUs per run.
    public var cpu: Double
    /// Memory per run, GiB.
    public var memory: Double
    /// Seconds before a run is timed out; 0 means none.
    public var timeout: Int
    /// The job-level environment.
    public var environment: [String: String]
    /// The ML Runtime image identifier; required by projects that use ML Runtimes.
    public var runtimeIdentifier: String?
    /// The legacy engine kernel; only for projects without ML Runtimes.
    public var kernel: String?
    /// The job's default arguments, one string.
    public var arguments: String?
    /// Stop a run that passes ``timeout``; without it CML only marks it.
    public var killOnTimeout: Bool?
    /// A cron expression (`0 6 * * *`): CML starts a run on it.
    public var schedule: String?

    public init(
        name: String, script: String, cpu: Double, memory: Double, timeout: Int, environment: [String: String],
        runtimeIdentifier: String? = nil, kernel: String? = nil, arguments: String? = nil, killOnTimeout: Bool? = nil,
        schedule: String? = nil
    ) {
        self.name = name
        self.script = script
        self.cpu = cpu
        self.memory = memory
        self.timeout = timeout
        self.environment = environment
        self.runtimeIdentifier = runtimeIdentifier
        self.kernel = kernel
        self.arguments = arguments
        self.killOnTimeout = killOnTimeout
        self.schedule = schedule
    }

    enum CodingKeys: String, CodingKey {
        case name, script, cpu, memory, timeout, environment, kernel, arguments, schedule
        case runtimeIdentifier = "runtime_identifier"
        case killOnTimeout = "kill_on_timeout"
    }
}

/// `PATCH /api/v2/projects/{p}/jobs/{j}` body: a partial ``Job``.
///
/// Only the non-`nil` fields are sent, and the server changes only those.
/// As in a ``Job``, `environment` is a JSON-encoded string→string object.
public struct UpdateJobRequest: Codable, Sendable, Equatable {
    public var name: String?
    public var script: String?
    public var cpu: Double?
    public var memory: Double?
    public var timeout: Int?
    /// JSON-encoded string→string object, e.g. `{"MONITOR_MAX_DROP":"0.05"}`.
    public var environment: String?
    public var runtimeIdentifier: String?
    public var kernel: String?
    public var arguments: String?
    public var killOnTimeout: Bool?
    /// A cron expression; `""` removes the schedule.
    public var schedule: String?

    public init(
        name: String? = nil, script: String? = nil, cpu: Double? = nil, memory: Double? = nil, timeout: Int? = nil,
        environment: String? = nil, runtimeIdentifier: String? = nil, kernel: String? = nil, arguments: String? = nil,
        killOnTimeout: Bool? = nil, schedule: String? = nil
    ) {
        self.name = name
        self.script = script
        self.cpu = cpu
        self.memory = memory
        self.timeout = timeout
        self.environment = environment
        self.runtimeIdentifier = runtimeIdentifier
        self.kernel = kernel
        self.arguments = arguments
        self.killOnTimeout = killOnTimeout
        self.schedule = schedule
    }

    enum CodingKeys: String, CodingKey {
        case name, script, cpu, memory, timeout, environment, kernel, arguments, schedule
        case runtimeIdentifier = "runtime_identifier"
        case killOnTimeout = "kill_on_timeout"
    }

    /// The API names of the fields it sets, in a fixed order.
    public var fieldNames: [String] {
        var names: [String] = []
        if name != nil { names.append("name") }
        if script != nil { names.append("script") }
        if cpu != nil { names.append("cpu") }
        if memory != nil { names.append("memory") }
        if timeout != nil { names.append("timeout") }
        if environment != nil { names.append("environment") }
        if runtimeIdentifier != nil { names.append("runtime_identifier") }
        if kernel != nil { names.append("kernel") }
        if arguments != nil { names.append("arguments") }
        if killOnTimeout != nil { names.append("kill_on_timeout") }
        if schedule != nil { names.append("schedule") }
        return names
    }

    /// `true` when it sets no field.
    public var isEmpty: Bool { fieldNames.isEmpty }
}
