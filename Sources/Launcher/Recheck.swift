import CMLAPI
import MonitorData
import PeriodArgs

/// `cml-local recheck --period C`: period C again with its labels as they
/// are now — `check-model --period C,T --no-trigger` run once, with the
/// job's own environment (its degradation policy) and the launcher's data
/// set and store, no API: it joins the labels, recomputes the metrics,
/// prints them beside the recorded ones and triggers nothing.
public enum PeriodRecheck {
    /// Runs the recheck; `output` gets each line of the job's output.
    ///
    /// - Returns: the job's exit status (0 done, 1 failed), or 1 with an
    ///   `ERROR:` line when it cannot start.
    public static func run(period: Int, options: LauncherOptions, output: @escaping @Sendable (String) -> Void) async -> Int32 {
        let job: JobDefinition
        let executable: String
        let total: Int
        do throws(LauncherError) {
            guard let found = options.jobs[PipelineJob.checkModel.name] else {
                throw LauncherError(.jobDefinitions, "\(options.jobsFile ?? "the job definitions"): no job named '\(PipelineJob.checkModel.name)'")
            }
            job = found
            executable = try options.locator.resolve(job)
            do {
                total = try DataSet(directory: options.resolvedDataDirectory).metadata.numPeriods
            } catch {
                throw LauncherError(.setting, "cannot read the data set: \(error.description)")
            }
            guard period >= 0, period < total else {
                throw LauncherError(.setting, "--period \(period): the data set has periods 0 to \(total - 1)")
            }
        } catch {
            output(error.description)
            return 1
        }
        var environment = RunEnvironment.base(host: options.hostEnvironment)
        environment.merge(job.environment.merging(options.jobEnvironment) { $1 }) { $1 }
        environment[RunEnvironment.dataDirectoryVariable] = options.resolvedDataDirectory
        if let store = options.storeDirectory { environment[RunEnvironment.storeDirectoryVariable] = store }
        let process = JobProcess(
            executable: executable, arguments: ["--period", "\(period),\(total)", "--no-trigger"], environment: environment,
            workingDirectory: options.workingDirectory,
            timeout: options.runTimeout ?? (job.timeoutSeconds > 0 ? .seconds(job.timeoutSeconds) : nil),
            killGrace: options.killGrace, onLine: { line, _ in output(line) }
        )
        let outcome = await process.run()
        if let reason = outcome.reason { output("cml-local: recheck \(outcome.status.rawValue): \(reason)") }
        return outcome.exitCode ?? 1
    }
}
