import JobClient
import MonitorPolicy
import PeriodArgs

/// Everything a job takes from outside: locations, its environment, where it
/// logs, and how it triggers the next job. Tests build one by hand.
public struct JobContext: Sendable {
    /// `--data`, if given.
    public var dataDirectory: String?
    /// `--store`, if given.
    public var storeDirectory: String?
    /// The process environment: job-level configuration and the CML platform variables.
    public var environment: [String: String]
    public var output: any JobOutput
    /// How to start the next job; `nil` resolves it from the CML variables in ``environment``.
    public var trigger: (any JobTrigger)?

    public init(
        dataDirectory: String? = nil,
        storeDirectory: String? = nil,
        environment: [String: String],
        output: any JobOutput = StandardOutput(),
        trigger: (any JobTrigger)? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.storeDirectory = storeDirectory
        self.environment = environment
        self.output = output
        self.trigger = trigger
    }

    /// `--data`, else `MONITOR_DATA_DIR`, else `data/sample`.
    var resolvedDataDirectory: String {
        JobSetting(flag: "--data", dataDirectory, variable: "MONITOR_DATA_DIR", environment: environment)?.text
            ?? "data/sample"
    }

    /// `--store`, else `MONITOR_STORE_DIR`, else `nil` (the data set's default).
    var resolvedStoreDirectory: String? {
        JobSetting(flag: "--store", storeDirectory, variable: "MONITOR_STORE_DIR", environment: environment)?.text
    }

    /// `MONITOR_PIPELINE`: the pipeline whose jobs this one triggers (`nil` for none).
    var pipeline: String? {
        environment[PipelineJob.pipelineVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The trigger to use: the given one, the CML API when its variables are
    /// set, or `nil` for standalone mode.
    func resolveTrigger() throws(JobFailure) -> (any JobTrigger)? {
        if let trigger { return trigger }
        let configuration: CMLConfiguration
        do {
            guard let found = try CMLConfiguration(environment: environment) else { return nil }
            configuration = found
        } catch {
            throw JobFailure("CML API configuration: \(error.description)")
        }
        var client = JobClient(configuration: configuration, retry: try retryPolicy())
        let output = output
        client.warn = { output.error("WARNING: \($0)") }
        return client
    }

    /// The client's retry policy, with `MONITOR_API_TIMEOUT` (seconds one API
    /// request may take, default 10) from the job-level environment.
    func retryPolicy() throws(JobFailure) -> RetryPolicy {
        var policy = RetryPolicy.default
        do {
            if let timeout = try APITimeout.parse(environment: environment) { policy.requestTimeout = timeout }
        } catch {
            throw JobFailure(error)
        }
        return policy
    }
}
