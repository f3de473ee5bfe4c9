import MonitorData
import MonitorPolicy
import MonitorStore
import PeriodArgs

/// What the launcher checks before the first run, so that a mistake it can
/// see costs no run and writes no store: the three jobs are defined and their
/// executables found, every job's environment holds only values the jobs
/// accept, and `--max-runs` leaves room for the whole pipeline.
struct Preflight: Sendable {
    /// Each job's executable, by job name.
    let executables: [String: String]
    /// The data set, when it can be read (when it cannot, the first run says why).
    let dataSet: DataSet?
    /// The most runs the pipeline may create: `--max-runs`, else the data set's
    /// run count plus ``margin``, else ``maxRunsWithoutDataSet``.
    let maxRuns: Int

    /// Runs allowed beyond the data set's `3(T−C)+1` when `--max-runs` is not given.
    static let margin = 10
    /// The limit when the data set cannot be read.
    static let maxRunsWithoutDataSet = 10_000

    /// - Throws: ``LauncherError`` naming the job, the setting or the file at fault.
    init(_ options: LauncherOptions) throws(LauncherError) {
        let source = options.jobsFile ?? "the job definitions"
        let required = PipelineJob.allCases.map(\.name)
        for name in required + [options.firstJob] where options.jobs[name] == nil {
            let list = required.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " and '\(required.last!)'"
            throw LauncherError(.jobDefinitions, "\(source): no job named '\(name)'; the pipeline needs \(list)")
        }
        var executables: [String: String] = [:]
        for job in options.jobs.jobs {
            executables[job.name] = try options.locator.resolve(job)
            try Self.checkEnvironment(of: job, options: options, source: source)
        }
        self.executables = executables
        dataSet = try? DataSet(directory: options.resolvedDataDirectory)
        maxRuns = try Self.maxRuns(options: options, metadata: dataSet?.metadata)
    }

    /// The settings the job would refuse at its start: the API timeout (every
    /// job triggers the next), the degradation policy (`Check Model`).
    private static func checkEnvironment(of job: JobDefinition, options: LauncherOptions, source: String) throws(LauncherError) {
        let environment = job.environment.merging(options.jobEnvironment) { $1 }
        do {
            _ = try APITimeout.parse(environment: environment)
            if job.name == PipelineJob.checkModel.name { _ = try DegradationPolicy(environment: environment) }
        } catch {
            let origin =
                options.jobEnvironment[error.source] != nil
                ? "from --job-env" : "in the environment of '\(job.name)' in \(source)"
            throw LauncherError(.setting, "Invalid \(error.source) '\(error.value)' \(origin): expected \(error.expected)")
        }
    }

    private static func maxRuns(options: LauncherOptions, metadata: Metadata?) throws(LauncherError) -> Int {
        guard let metadata else { return options.maxRuns ?? maxRunsWithoutDataSet }
        let next = options.next ? (try? options.resolveStoreDirectory()).map { root in
            MonitorStore.Store(root: root).completedPeriods(total: metadata.numPeriods)
        } : nil
        let first = min(next ?? options.period?.current ?? 0, metadata.numPeriods)
        let needed = PipelineJob.runCount(from: first, total: metadata.numPeriods)
        guard let maxRuns = options.maxRuns else { return needed + margin }
        guard maxRuns >= needed else {
            throw LauncherError(
                .setting,
                "--max-runs \(maxRuns) is too few: a pipeline over the \(metadata.numPeriods) periods of data set "
                    + "'\(DataError.displayText(metadata.name))' from period \(first) makes \(needed) runs "
                    + "(3 per period, then the final \(PipelineJob.getPredictions.name))"
            )
        }
        return maxRuns
    }
}
