/// Starts a run of another job: the one thing the jobs need from the platform.
///
/// ``JobClient`` implements it over the CML API v2; tests use fakes.
public protocol JobTrigger: Sendable {
    /// Creates a run of the job named exactly `jobName` with `arguments`
    /// (one string, e.g. `--period 3,10`) and returns the new run's id.
    ///
    /// - Throws: ``JobClientError`` when the job cannot be found or the API refuses.
    func trigger(jobName: String, arguments: String) async throws(JobClientError) -> String

    /// ``trigger(jobName:arguments:)`` with per-run variables for the new run's
    /// environment. Optional: the default drops them.
    func trigger(jobName: String, arguments: String, environment: [String: String]) async throws(JobClientError) -> String

    /// Starts what a later ``trigger(jobName:arguments:)`` of `jobName` can
    /// do ahead (finding the job), so that the trigger itself waits less.
    /// Optional: the default does nothing.
    func prepare(jobName: String)
}

extension JobTrigger {
    public func prepare(jobName: String) {}

    public func trigger(jobName: String, arguments: String, environment: [String: String]) async throws(JobClientError) -> String {
        try await trigger(jobName: jobName, arguments: arguments)
    }
}
