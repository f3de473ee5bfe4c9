/// A job of a CML project (API v2 `Job`, the fields this project uses).
///
/// Fields other than `id` and `name` decode with defaults when absent, so the
/// client reads a real CML server's larger answers as well as the launcher's.
public struct Job: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// The script CML starts, relative to the project root.
    public var script: String
    /// vCPUs per run.
    public var cpu: Double
    /// Memory per run, in GiB.
    public var memory: Double
    /// Seconds before a run is timed out; 0 means none.
    public var timeout: Int
    /// The job-level environment, a JSON-encoded string→string object (as CML returns it).
    public var environment: String
    /// The job's default arguments.
    public var arguments: String
    /// The ML Runtime the job runs in (an image identifier); empty for legacy engines.
    public var runtimeIdentifier: String
    /// The legacy engine kernel ("python3"); empty with ML Runtimes.
    public var kernel: String

    public init(
        id: String, name: String, script: String = "", cpu: Double = 1, memory: Double = 1,
        timeout: Int = 0, environment: String = "{}", arguments: String = "",
        runtimeIdentifier: String = "", kernel: String = ""
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
    }

    enum CodingKeys: String, CodingKey {
        case id, name, script, cpu, memory, timeout, environment, arguments, kernel
        case runtimeIdentifier = "runtime_identifier"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            name: try c.decode(String.self, forKey: .name),
            script: try c.decodeIfPresent(String.self, forKey: .script) ?? "",
            cpu: try c.decodeIfPresent(Double.self, forKey: .cpu) ?? 0,
            memory: try c.decodeIfPresent(Double.self, forKey: .memory) ?? 0,
            timeout: try c.decodeIfPresent(Int.self, forKey: .timeout) ?? 0,
            environment: try c.decodeIfPresent(String.self, forKey: .environment) ?? "{}",
            arguments: try c.decodeIfPresent(String.self, forKey: .arguments) ?? "",
            runtimeIdentifier: try c.decodeIfPresent(String.self, forKey: .runtimeIdentifier) ?? "",
            kernel: try c.decodeIfPresent(String.self, forKey: .kernel) ?? ""
        )
    }
}
