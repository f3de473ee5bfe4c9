import ArgumentParser
import Dispatch
import Foundation
import Launcher
import PeriodArgs

@main
struct CMLLocal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cml-local",
        abstract: "Runs the pipeline locally, standing in for CML.",
        subcommands: [Run.self, Recheck.self, Report.self, Import.self, Deploy.self]
    )
}

extension CMLLocal {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serves the CML API v2 on loopback and runs the job chain from Get Predictions to the end.",
            discussion: """
                Runs from any working directory: the job definitions and the sample data are found \
                beside cml-local's own binary, in the nearest folder above it that holds jobs/jobs.json \
                (the checkout from .build/…/release, the CML bundle from bin/). The store is relative \
                to the working directory. MONITOR_DATA_DIR and MONITOR_STORE_DIR from the shell are the \
                defaults of --data and --store, as for the jobs.

                --as-cml rehearses the CML deployment: every run goes through its entry script \
                (the job definition's script, e.g. jobs/cml/check_model.py) in a Jupyter kernel, \
                started by jobs/local/run_in_kernel.py, in a project laid out as the CML bundle \
                (bin/, jobs/, data/) that is assembled in STORE/launcher/rehearsal from the binaries \
                beside cml-local. Each run starts in that folder, gets its arguments only in \
                JOB_ARGUMENTS (none on its command line) and MONITOR_HTTP_TRANSPORT=curl. It needs a \
                Python with ipykernel and jupyter_client (python3 -m pip install ipykernel \
                jupyter_client) and costs about a second per run for the kernel.

                --period next continues where the store stopped: the first period without metrics.json, \
                of the data set's num_periods now (after cml-local import --append added periods); with \
                nothing new, the one run prints All periods completed! and exits 0.

                Exit status: 0 when every run succeeded, 3 when a run stopped on a model degradation, \
                1 when a run failed or timed out or a guard refused a run, 130 when interrupted.
                """
        )

        @Option(
            help: "The data set directory, given to the jobs as MONITOR_DATA_DIR (default: $MONITOR_DATA_DIR, else data/sample beside the job definitions)."
        )
        var data: String?

        @Option(help: "The store directory, given to the jobs as MONITOR_STORE_DIR (default: $MONITOR_STORE_DIR, else state/<data set>).")
        var store: String?

        @OptionGroup var period: PeriodOption

        @Option(help: "The job definitions file (default: jobs/jobs.json in the nearest folder above cml-local's binary that has one).")
        var jobs: String?

        @Option(help: "The most runs the pipeline may create, at least 3T+1 for T periods (default: 3T+1 and 10 more).")
        var maxRuns: Int?

        @Option(help: "Seconds a run may take (overrides each job's timeout_seconds).")
        var runTimeout: Double?

        @Option(
            name: .customLong("job-env"),
            help: ArgumentHelp(
                "Adds NAME=VALUE to every job's own environment for this run, e.g. MONITOR_ON_DEGRADATION=continue.",
                valueName: "NAME=VALUE"
            )
        )
        var jobEnvironment: [String] = []

        @Flag(
            name: .customLong("as-cml"),
            help: "Rehearse the CML deployment: each run through its entry script in a Jupyter kernel (see above)."
        )
        var asCML = false

        @Option(
            help: ArgumentHelp(
                "The Python for --as-cml, with ipykernel and jupyter_client (default: $CML_LOCAL_PYTHON, else python3 on PATH).",
                valueName: "path"
            )
        )
        var python: String?

        func validate() throws {
            if python != nil, !asCML { throw ValidationError("--python is used only with --as-cml") }
            if let maxRuns, maxRuns < 1 { throw ValidationError("--max-runs must be at least 1") }
            if let runTimeout, !(runTimeout > 0 && runTimeout <= Double(JobDefinition.maxTimeoutSeconds)) {
                throw ValidationError(
                    "--run-timeout must be a positive number of seconds up to \(JobDefinition.maxTimeoutSeconds), got \(runTimeout)"
                )
            }
            for pair in jobEnvironment where !(pair.split(separator: "=", maxSplits: 1).first.map { !$0.isEmpty } ?? false)
                || !pair.contains("=")
            {
                throw ValidationError("--job-env takes NAME=VALUE, got '\(pair)'")
            }
        }

        func run() async throws {
            let first: PeriodRequest?
            do { first = try period.resolveRequest() } catch {
                printError(error.description)
                throw ExitCode.failure
            }
            let root = ProjectRoot.besideCurrentExecutable()
            let jobsFile: String
            let definitions: JobDefinitions
            var rehearsal: Rehearsal?
            do throws(LauncherError) {
                jobsFile = try LauncherOptions.jobsFile(jobs, root: root)
                definitions = try JobDefinitions.load(from: jobsFile)
                if asCML {
                    // The entry scripts and the driver come from the project beside cml-local.
                    guard let root else { throw ProjectRoot.notFound(from: ProjectRoot.executableDirectory) }
                    let environment = ProcessInfo.processInfo.environment
                    let directory = FileManager.default.currentDirectoryPath
                    let python = try Rehearsal.resolvePython(python, environment: environment, workingDirectory: directory)
                    try await Rehearsal.checkKernelModules(python: python, host: environment, workingDirectory: directory)
                    rehearsal = Rehearsal(python: python, sourceRoot: root.path)
                }
            } catch {
                printError(error.description)
                throw ExitCode.failure
            }
            var options = LauncherOptions(jobs: definitions)
            options.jobsFile = jobsFile
            options.rehearsal = rehearsal
            let shell = ProcessInfo.processInfo.environment
            options.dataDirectory = LauncherOptions.dataDirectory(data, environment: shell, root: root)
            options.storeDirectory = LauncherOptions.storeDirectory(store, environment: shell)
            if case .period(let explicit) = first { options.period = explicit }
            options.next = first == .next
            options.maxRuns = maxRuns
            for pair in jobEnvironment {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                options.jobEnvironment[String(parts[0])] = String(parts[1])
            }
            options.runTimeout = runTimeout.map { .milliseconds(Int64(($0 * 1000).rounded())) }
            options.color = useColor()

            // The embedded HTTP server logs through swift-log at LOG_LEVEL (default info);
            // its start and shutdown lines are noise here. LOG_LEVEL=info shows them again.
            setenv("LOG_LEVEL", "critical", 0)
            // A closed stdout must not kill the launcher and orphan the runs (they have their own process groups).
            signal(SIGPIPE, SIG_IGN)
            let launcher = Launcher(options: options, output: LauncherOutput.standardOutput)
            let signals = Self.forwardSignals(to: launcher)
            let result = await launcher.run()
            signals.forEach { $0.cancel() }
            if result.exitStatus != 0 { throw ExitCode(result.exitStatus) }
        }

        /// SIGINT and SIGTERM stop the pipeline in order instead of killing the launcher.
        private static func forwardSignals(to launcher: Launcher) -> [any DispatchSourceSignal] {
            [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    FileHandle.standardError.write(Data("cml-local: interrupted, stopping the running jobs…\n".utf8))
                    launcher.interrupt()
                }
                source.resume()
                return source
            }
        }
    }
}

/// ANSI colours only on a terminal, and not when `NO_COLOR` is set to a non-empty value (no-color.org).
func useColor() -> Bool {
    isatty(1) != 0 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
