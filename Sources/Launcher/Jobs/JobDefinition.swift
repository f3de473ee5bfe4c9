import Foundation
import PeriodArgs

/// One job of `jobs/jobs.json`: what to run and with which resources and
/// job-level environment, for the launcher and for deployment to CML.
public struct JobDefinition: Codable, Sendable, Equatable {
    /// The job's name, by which jobs trigger it ("Check Model").
    public var name: String
    /// A product name found beside `cml-local`'s own binary, or an absolute path.
    public var executable: String
    /// The CML entry script, relative to the project root.
    public var script: String
    /// vCPUs per run.
    public var cpu: Double
    /// Memory per run, GiB.
    public var memory: Double
    /// Seconds a run may take; 0 means no limit; at most ``maxTimeoutSeconds``.
    public var timeoutSeconds: Int
    /// The job-level environment: the only non-platform variables a run gets.
    public var environment: [String: String]
    /// Deployment only: the CML ML Runtime image identifier (`cml-local deploy
    /// --runtime-identifier` overrides it); `nil` leaves it to the flag or the server.
    public var runtimeIdentifier: String?
    /// Deployment only: the legacy engine kernel (`python3`), for CML projects
    /// without ML Runtimes; `nil` sends none.
    public var kernel: String?
    /// Deployment only: the CML job's default arguments; `nil` sends none and
    /// leaves a deployed job's arguments alone.
    public var arguments: String?
    /// Deployment only: CML's `schedule`, a cron expression (`0 6 * * *`: every
    /// day at 06:00); `nil` leaves the job unscheduled. A scheduled job's
    /// default arguments are ``scheduledArguments`` unless ``arguments`` says otherwise.
    public var schedule: String?

    /// The arguments of a scheduled run: continue where the store stopped.
    public static let scheduledArguments = "--period next"

    /// The job's name in CML: ``name``, with ` [pipeline]` when its environment
    /// (and `extra`, e.g. `--job-env`) sets `MONITOR_PIPELINE` ("Get Predictions [churn]").
    public func deployedName(extra: [String: String] = [:]) -> String {
        PipelineJob.name(name, pipeline: extra[PipelineJob.pipelineVariable] ?? environment[PipelineJob.pipelineVariable])
    }

    /// The longest timeout in seconds: CML's job timeout is an int32 (about 68 years).
    public static let maxTimeoutSeconds = Int(Int32.max)

    public init(
        name: String, executable: String, script: String = "", cpu: Double = 1, memory: Double = 2,
        timeoutSeconds: Int = 3600, environment: [String: String] = [:],
        runtimeIdentifier: String? = nil, kernel: String? = nil, arguments: String? = nil, schedule: String? = nil
    ) {
        self.name = name
        self.executable = executable
        self.script = script
        self.cpu = cpu
        self.memory = memory
        self.timeoutSeconds = timeoutSeconds
        self.environment = environment
        self.runtimeIdentifier = runtimeIdentifier
        self.kernel = kernel
        self.arguments = arguments
        self.schedule = schedule
    }

    enum CodingKeys: String, CodingKey {
        case name, executable, script, cpu, memory, environment, kernel, arguments, schedule
        case timeoutSeconds = "timeout_seconds"
        case runtimeIdentifier = "runtime_identifier"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            executable: try c.decode(String.self, forKey: .executable),
            script: try c.decodeIfPresent(String.self, forKey: .script) ?? "",
            cpu: try c.decodeIfPresent(Double.self, forKey: .cpu) ?? 1,
            memory: try c.decodeIfPresent(Double.self, forKey: .memory) ?? 2,
            timeoutSeconds: try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? 3600,
            environment: try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:],
            runtimeIdentifier: try c.decodeIfPresent(String.self, forKey: .runtimeIdentifier),
            kernel: try c.decodeIfPresent(String.self, forKey: .kernel),
            arguments: try c.decodeIfPresent(String.self, forKey: .arguments),
            schedule: try c.decodeIfPresent(String.self, forKey: .schedule)
        )
    }
}

/// The contents of a job definitions file: `{"jobs": [JobDefinition…]}`.
public struct JobDefinitions: Codable, Sendable, Equatable {
    public var jobs: [JobDefinition]

    public init(jobs: [JobDefinition]) {
        self.jobs = jobs
    }

    /// The definition named exactly `name`.
    public subscript(name: String) -> JobDefinition? {
        jobs.first { $0.name == name }
    }

    /// The definitions under their CML names (``JobDefinition/deployedName(extra:)``).
    public func deployed(extra: [String: String] = [:]) -> JobDefinitions {
        JobDefinitions(jobs: jobs.map { job in
            var job = job
            job.name = job.deployedName(extra: extra)
            return job
        })
    }

    /// Reads and checks a definitions file.
    ///
    /// - Throws: ``LauncherError`` `.jobDefinitions` naming the file and what is wrong.
    public static func load(from path: String) throws(LauncherError) -> JobDefinitions {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw LauncherError(.jobDefinitions, "cannot read job definitions \(path): \(error.localizedDescription)")
        }
        let definitions: JobDefinitions
        do { definitions = try JSONDecoder().decode(JobDefinitions.self, from: data) } catch {
            throw LauncherError(.jobDefinitions, "invalid job definitions \(path): \(Self.describe(error))")
        }
        try definitions.validate(source: path)
        return definitions
    }

    /// Checks names (non-empty, unique), executables (non-empty) and timeouts
    /// (from 0 to ``JobDefinition/maxTimeoutSeconds``).
    public func validate(source: String) throws(LauncherError) {
        guard !jobs.isEmpty else { throw LauncherError(.jobDefinitions, "\(source): no jobs defined") }
        var seen: Set<String> = []
        for (index, job) in jobs.enumerated() {
            let at = "\(source): job #\(index + 1)"
            guard !job.name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw LauncherError(.jobDefinitions, "\(at) has an empty name")
            }
            guard seen.insert(job.name).inserted else {
                throw LauncherError(.jobDefinitions, "\(at): the name '\(job.name)' is used twice; names must be unique")
            }
            if let schedule = job.schedule, schedule.split(separator: " ", omittingEmptySubsequences: true).count != 5 {
                throw LauncherError(
                    .jobDefinitions,
                    "\(at) ('\(job.name)') has schedule '\(schedule)': expected a cron expression of five fields, e.g. '0 6 * * *'"
                )
            }
            guard !job.executable.isEmpty else {
                throw LauncherError(.jobDefinitions, "\(at) ('\(job.name)') has an empty executable")
            }
            guard job.timeoutSeconds >= 0 else {
                throw LauncherError(.jobDefinitions, "\(at) ('\(job.name)') has a negative timeout_seconds")
            }
            guard job.timeoutSeconds <= JobDefinition.maxTimeoutSeconds else {
                throw LauncherError(
                    .jobDefinitions,
                    "\(at) ('\(job.name)') has timeout_seconds \(job.timeoutSeconds); "
                        + "the most is \(JobDefinition.maxTimeoutSeconds) (CML's limit), 0 for none"
                )
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "missing field '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(let type, let context)?:
            return "expected \(type) at \(path(context))"
        case .valueNotFound(let type, let context)?:
            return "missing \(type) at \(path(context))"
        case .dataCorrupted(let context)?:
            return "not valid JSON (\(context.debugDescription))"
        default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? "top level" : path
    }
}
