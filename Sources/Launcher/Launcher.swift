import Foundation
import CMLAPI
import MonitorData
import MonitorReport
import MonitorStore
import PeriodArgs
import Synchronization

/// Runs a whole pipeline locally, standing in for CML: serves the API v2 on
/// loopback, starts the first run, starts every requested run at once as a
/// separate process, and returns when no run is active or pending any more.
///
/// ```swift
/// let launcher = Launcher(options: options, output: LauncherOutput.standardOutput)
/// let result = await launcher.run()
/// exit(result.exitStatus)
/// ```
public final class Launcher: Sendable {
    public let options: LauncherOptions
    private let output: @Sendable (String) -> Void
    /// `MONITOR_TIMINGS=1` in the launcher's environment: print `timings:` lines for the benchmarks.
    private var timings: Bool { options.hostEnvironment["MONITOR_TIMINGS"] == "1" }
    private let state = Mutex(State())

    private struct State {
        var interrupted = false
        var work: Task<Void, Never>?
        var finished = RunTally()
    }

    public init(options: LauncherOptions, output: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.output = output
    }

    /// Stops the pipeline: refuses new runs, stops the running ones (SIGTERM,
    /// then SIGKILL after the grace period); ``run()`` then returns 130.
    /// Safe to call from any thread, more than once.
    public func interrupt() {
        let work = state.withLock { state -> Task<Void, Never>? in
            state.interrupted = true
            return state.work
        }
        work?.cancel()
    }

    /// Runs the pipeline to its end.
    public func run() async -> PipelineResult {
        let session = LocalCML.makeID()
        var root = options.storeDirectory ?? ""
        do throws(LauncherError) {
            let preflight = try Preflight(options)
            root = try options.resolveStoreDirectory()
            let store = LauncherStore(root: root)
            let lock: StoreLock
            do {
                lock = try StoreLock(store: store.store)
            } catch {
                throw LauncherError(.store, error.description)
            }
            defer { withExtendedLifetime(lock) {} }
            try Self.checkLease(store.store)
            try store.prepare()
            return try await runPipeline(store: store, session: session, preflight: preflight)
        } catch {
            output(error.description)
            return PipelineResult.notStarted(explanation: error.message, storeDirectory: root)
        }
    }

    private func runPipeline(
        store: LauncherStore, session: String, preflight: Preflight
    ) async throws(LauncherError) -> PipelineResult {
        let executables = preflight.executables
        let rehearsal = try options.rehearsal.map { rehearsal throws(LauncherError) in
            try RehearsalProject.assemble(
                rehearsal, at: store.rehearsalDirectory, definitions: options.jobs, jobsFile: options.jobsFile,
                executables: executables,
                dataDirectory: options.resolvedDataDirectory
            )
        }

        // Under their CML names: with MONITOR_PIPELINE, "Get Predictions [churn]", as the jobs trigger them.
        let deployed = options.jobs.deployed(extra: options.jobEnvironment)
        var byDeployedName: [String: String] = [:]
        for (job, named) in zip(options.jobs.jobs, deployed.jobs) { byDeployedName[named.name] = executables[job.name] }
        let cml = LocalCML(definitions: deployed.jobs, maxRuns: preflight.maxRuns)
        let server = LocalAPIServer(cml: cml)
        let running = try await server.start()
        let dataSet = preflight.dataSet
        output(
            "cml-local: CML API v2 at \(running.apiBase), project \(cml.projectID), session \(session); "
                + (options.jobsFile.map { "jobs \($0); " } ?? "") + "store \(store.root)"
                + Self.dataPart(dataSet?.metadata, at: rehearsal?.dataDirectory ?? options.dataDirectory ?? dataSet?.directory)
        )
        if let rehearsal {
            output(
                "cml-local: rehearsing the CML deployment (--as-cml): each run is \(rehearsal.python) "
                    + "\(rehearsal.driver) <its entry script>, a Jupyter kernel, in \(rehearsal.root)"
            )
        }

        let context = RunContext(
            store: store, session: session, executables: byDeployedName, apiURL: running.apiV1URL,
            apiKey: server.token, projectID: cml.projectID, rehearsal: rehearsal
        )
        let firstName = options.jobs[options.firstJob]!.deployedName(extra: options.jobEnvironment)
        let firstJobID = cml.jobs.first { $0.name == firstName }!.id
        let firstArguments =
            options.next ? "--period \(PeriodRequest.nextKeyword)" : options.period?.commandLineArguments ?? ""
        var startFailure: String?
        do {
            _ = try await cml.createRun(projectID: cml.projectID, jobID: firstJobID, arguments: firstArguments)
        } catch {
            startFailure = error.body.message
            await cml.close(reason: "the first run could not be created")
        }

        let work = Task {
            await withDiscardingTaskGroup { group in
                for await request in cml.runRequests {
                    group.addTask { await self.execute(request, cml: cml, context: context) }
                }
            }
        }
        let alreadyInterrupted = state.withLock { state in
            state.work = work
            return state.interrupted
        }
        if alreadyInterrupted { work.cancel() }
        await work.value

        // Runs accepted while stopping never started: record them as stopped.
        let interrupted = state.withLock { $0.interrupted }
        if interrupted { await cml.close(reason: "the launcher was interrupted") }
        for run in await cml.allRuns() where !run.status.isFinal {
            let definition = options.jobs.jobs.first { job in cml.jobs.contains { $0.id == run.jobID && $0.name == job.name } }
            let stopped = await cml.markFinished(run.id, status: .stopped) ?? run
            record(
                entry(
                    run: stopped, sequence: await cml.sequence(of: run.id), job: definition?.name ?? run.jobID,
                    outcome: .init(status: .stopped, reason: "never started: the launcher was stopping"),
                    duration: .zero, context: context
                ),
                store: store
            )
        }
        await running.stop()

        let runs = state.withLock { $0.finished }
        let result = PipelineResult.judge(
            runs: runs, session: session, guardTrip: await cml.guardTrip?.message, startFailure: startFailure,
            interrupted: interrupted, storeDirectory: store.root
        )
        let total = [options.period?.total, runs.periodTotal].compactMap { $0 }.max()
        for line in PeriodSummary(store: store, total: total, color: options.color).lines() {
            output(line)
        }
        writeReport(store: store)
        output(result.explanation)
        if timings { output(LauncherTimings.usageLine()) }
        return result
    }

    /// Refuses a store leased by a live chain (on CML, or a job started by
    /// hand); a stale lease (expired, or its process gone from this host) is
    /// left to the first job, which takes it over.
    private static func checkLease(_ store: Store) throws(LauncherError) {
        let lease: StoreLease?
        do { lease = try store.readLease() } catch { throw LauncherError(.store, error.description) }
        guard let lease, lease.isLive() else { return }
        throw LauncherError(
            .store,
            "store \(store.root) is leased by another chain: \(lease.description). One chain at a time writes a "
                + "store: wait for it to finish, or use another --store"
        )
    }

    /// The banner's `; data set 'NAME' (T periods) at DIR`, or `; data DIR` when the data set cannot be read.
    private static func dataPart(_ metadata: Metadata?, at directory: String?) -> String {
        guard let directory else { return "" }
        guard let metadata else { return "; data \(directory)" }
        let periods = metadata.numPeriods == 1 ? "1 period" : "\(metadata.numPeriods) periods"
        return "; data set '\(DataError.displayText(metadata.name))' (\(periods)) at \(directory)"
    }

    /// Writes `STORE/report.html`; a failure is a warning and never changes the exit status.
    private func writeReport(store: LauncherStore) {
        let name = try? DataSet(directory: options.resolvedDataDirectory).metadata.name
        do {
            output("Report: \(try Report.write(store: store.store, runHistory: store.historyFile, name: name))")
        } catch {
            output("warning: the report was not written: \(error.description)")
        }
    }

    // MARK: One run

    private struct RunContext: Sendable {
        let store: LauncherStore
        let session: String
        let executables: [String: String]
        let apiURL: String
        let apiKey: String
        let projectID: String
        /// `--as-cml`: the project the runs go through their entry scripts in.
        let rehearsal: RehearsalProject?
    }

    private func execute(_ request: LocalCML.RunRequest, cml: LocalCML, context: RunContext) async {
        let definition = request.definition
        let run = request.run
        let label = "#\(request.sequence) \(definition.name)" + (run.arguments.isEmpty ? "" : " \(run.arguments)")
        let prefix = "  [#\(request.sequence) \(definition.name)] "
        let log = try? context.store.openLog(runID: run.id)
        let output = self.output
        var process = JobProcess(
            executable: context.executables[definition.name]!,
            arguments: LocalCML.words(run.arguments),
            environment: RunEnvironment.make(
                host: options.hostEnvironment, job: definition.environment.merging(options.jobEnvironment) { $1 },
                run: request.environment,
                dataDirectory: context.rehearsal?.dataDirectory ?? options.dataDirectory,
                // A rehearsal's runs start elsewhere: the store must not follow their working directory.
                storeDirectory: context.rehearsal != nil ? context.store.root : options.storeDirectory,
                apiURL: context.apiURL, apiKey: context.apiKey, projectID: context.projectID
            ),
            workingDirectory: options.workingDirectory,
            timeout: options.runTimeout ?? (definition.timeoutSeconds > 0 ? .seconds(definition.timeoutSeconds) : nil),
            killGrace: options.killGrace,
            onLine: { line, isError in
                log?.write(Array((line + "\n").utf8))
                output(prefix + (isError ? "stderr: " : "") + line)
            }
        )

        // The chain lives as long as the launcher: a lease it leaves behind when killed is stale at once.
        process.environment["MONITOR_LEASE_PID"] = String(getpid())

        if let project = context.rehearsal {
            // As CML runs it: the entry script in a kernel, the arguments only in JOB_ARGUMENTS.
            process.executable = project.python
            process.arguments = [project.driver, definition.script]
            process.environment = RunEnvironment.asCML(process.environment, arguments: run.arguments)
            process.workingDirectory = project.root
        }

        _ = await cml.markRunning(run.id)
        output("▶ \(label) — run \(run.id) \(RunStatus.running.rawValue)")
        let clock = ContinuousClock()
        let spawnMicroseconds = LauncherTimings.realtimeMicroseconds()
        let started = clock.now
        let outcome =
            Task.isCancelled
            ? JobProcess.Outcome(status: .stopped, reason: "never started: the launcher was stopping")
            : await process.run()
        let duration = clock.now - started
        if timings {
            output(
                "timings: run=\(request.sequence) job=\(definition.name.replacingOccurrences(of: " ", with: "_")) "
                    + "accepted_unix_us=\(request.acceptedUnixMicroseconds) spawn_unix_us=\(spawnMicroseconds) "
                    + "exit_unix_us=\(LauncherTimings.realtimeMicroseconds())"
            )
        }
        if let reason = outcome.reason { log?.write(Array("[cml-local] \(outcome.status.rawValue): \(reason)\n".utf8)) }
        log?.close()
        let finished = await cml.markFinished(run.id, status: outcome.status) ?? run
        let entry = entry(run: finished, sequence: request.sequence, job: definition.name, outcome: outcome, duration: duration, context: context)
        record(entry, store: context.store)

        let mark = outcome.status == .succeeded ? "✔" : "✘"
        let exit = outcome.exitCode.map { "exit \($0)" } ?? outcome.signal.map { "signal \($0)" } ?? "no exit status"
        var line = "\(mark) \(label) — run \(run.id) \(outcome.status.rawValue) (\(exit)) in \(JobProcess.format(duration))"
        if outcome.status != .succeeded {
            line += ": \(outcome.reason ?? "failed"); log \(context.store.logFile(runID: run.id))"
        }
        output(line)
    }

    private func entry(
        run: JobRun, sequence: Int, job: String, outcome: JobProcess.Outcome, duration: Duration, context: RunContext
    ) -> RunHistoryEntry {
        RunHistoryEntry(
            id: run.id, sequence: sequence, session: context.session, job: job, jobID: run.jobID,
            arguments: run.arguments, status: outcome.status.rawValue, exitCode: outcome.exitCode,
            signal: outcome.signal, createdAt: run.createdAt, runningAt: run.runningAt,
            finishedAt: run.finishedAt ?? Timestamp.now(),
            durationSeconds: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18,
            reason: outcome.reason, log: context.store.logFile(runID: run.id)
        )
    }

    private func record(_ entry: RunHistoryEntry, store: LauncherStore) {
        state.withLock { $0.finished.add(entry) }
        do { try store.appendHistory(entry) } catch { output("warning: \(error.message)") }
    }
}

/// Ready-made output sinks.
public enum LauncherOutput {
    /// Writes each line to standard output at once (one `write` per line).
    /// A closed stdout (`cml-local run | head`) drops the output but not the
    /// pipeline: the runs still finish and are recorded in the store.
    public static let standardOutput: @Sendable (String) -> Void = { line in
        try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
    }
}
