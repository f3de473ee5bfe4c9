import ArgumentParser
import Foundation
import Launcher

extension CMLLocal {
    struct Recheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rechecks one period after late labels: joins them again, recomputes its metrics, triggers nothing.",
            discussion: """
                Runs check-model --period C,T --no-trigger once (T: the data set's num_periods), with the \
                Check Model job's own environment from the job definitions, and prints the realized metrics \
                beside those recorded. Only period C's stored results change. On CML, run the Check Model \
                job with the arguments --period C,T --no-trigger.
                """
        )

        @Option(help: "The period to recheck.")
        var period: Int

        @Option(help: "The data set directory (default: $MONITOR_DATA_DIR, else data/sample beside the job definitions).")
        var data: String?

        @Option(help: "The store directory (default: $MONITOR_STORE_DIR, else state/<data set>).")
        var store: String?

        @Option(help: "The job definitions file (default: jobs/jobs.json in the nearest folder above cml-local's binary that has one).")
        var jobs: String?

        func run() async throws {
            let root = ProjectRoot.besideCurrentExecutable()
            var options: LauncherOptions
            do throws(LauncherError) {
                let jobsFile = try LauncherOptions.jobsFile(jobs, root: root)
                options = LauncherOptions(jobs: try JobDefinitions.load(from: jobsFile))
                options.jobsFile = jobsFile
            } catch {
                printError(error.description)
                throw ExitCode.failure
            }
            let shell = ProcessInfo.processInfo.environment
            options.dataDirectory = LauncherOptions.dataDirectory(data, environment: shell, root: root)
            options.storeDirectory = LauncherOptions.storeDirectory(store, environment: shell)
            let status = await PeriodRecheck.run(period: period, options: options, output: LauncherOutput.standardOutput)
            if status != 0 { throw ExitCode(status) }
        }
    }
}
