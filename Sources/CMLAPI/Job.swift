/// A job of a CML project (API v2 `Job`, the fields this project uses).
///
/// Decodes what a real server sends (int64 fields as strings, `environment`
/// as a JSON-encoded string, zero values left out, other fields ignored) and
/// encodes the same way.
public struct Job: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// The script CML starts, relative to the project root.
    public var script: String
    /// vCPUs per run.
    public var cpu: Double
    /// Memory per run, in GiB.
    public var memory: Double
    /// Seconds before a run is timed out; 0 means none. An int64: a string on the wire.
    public var timeout: Int
    /// The job-level environment (on the wire, a JSON-encoded string).
    public var environment: [String: String]
    /// The job's default arguments.
    public var arguments: String
    /// The ML Runtime the job runs in (an image identifier); empty for legacy engines.
    public var runtimeIdentifier: String
    /// The legacy engine kernel ("python3"); empty with ML Runtimes.
    public var kernel: String
    /// Whether a run past ``timeout`` is stopped (else only marked).
    public var killOnTimeout: Bool
    /// The cron expression CML starts runs on; empty when unscheduled.
    public var schedule: String

    public init(
        id: String, name: String, script: String = "", cpu: Double = 1, memory: Double = 1,
        timeout: Int = 0, environment: [String: String] = [:], arguments: String = "",
        runtimeIdentifier: String = "", kernel: String = "", killOnTimeout: Bool = false,
        schedule: String = ""
    ) {
        self.id = id
        self.name = name
        self.script = script
        self.cpu = cpu
        self.memory = memory
        self.timeout = timeout
        self.environment = environment
        self.arguments = arguments
        self.runtimeIdentifier = runtimeIdentifier
        self.kernel = kernel
        self.killOnTimeout = killOnTimeout
        self.schedule = schedule
    }

    enum CodingKeys: String, CodingKey {
        case id, name, script, cpu, memory, timeout, environment, arguments, kernel, schedule
        case runtimeIdentifier = "runtime_identifier"
        case killOnTimeout = "kill_on_timeout"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            name: try c.wireString(.name),
            script: try c.wireString(.script),
            cpu: try c.wireDouble(.cpu),
            memory: try c.wireDouble(.memory),
            timeout: try c.wireInteger(.timeout),
            environment: try c.wireEnvironment(.environment),
            arguments: try c.wireString(.arguments),
            runtimeIdentifier: try c.wireString(.runtimeIdentifier),
            kernel: try c.wireString(.kernel),
            killOnTimeout: try c.decodeIfPresent(Bool.self, forKey: .killOnTimeout) ?? false,
            schedule: try c.wireString(.schedule)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.wireString(name, .name)
        try c.wireString(script, .script)
        try c.wireDouble(cpu, .cpu)
        try c.wireDouble(memory, .memory)
        try c.wireInt64(timeout, .timeout)
        try c.wireEnvironment(environment, .environment)
        try c.wireString(arguments, .arguments)
        try c.wireString(runtimeIdentifier, .runtimeIdentifier)
        try c.wireString(kernel, .kernel)
        if killOnTimeout { try c.encode(true, forKey: .killOnTimeout) }
        try c.wireString(schedule, .schedule)
    }
}
