import JobClient
import MonitorData
import MonitorStore
import PeriodArgs

/// What a job's own work decided.
enum StepResult {
    /// Trigger `job` with `period`.
    case trigger(PipelineJob, Period)
    /// Stop the pipeline with this status, triggering nothing.
    case stop(ExitStatus)

    /// Whether the chain ends with this run: a stop, or a trigger of the final `C == T` run.
    var endsChain: Bool {
        switch self {
        case .stop: true
        case .trigger(_, let period): period.isFinished
        }
    }
}

/// The data set, the store and the period of one job run.
struct StepInput {
    let period: Period
    let dataSet: DataSet
    let store: Store
    let context: JobContext
    /// Opt-in phase timings (`MONITOR_TIMINGS=1`).
    let timings: JobTimings

    var output: any JobOutput { context.output }
}

/// The frame every job shares (docs/period-contract.md): resolve `C,T`, read the
/// metadata, check `T`, stop when finished, do the job's work, then trigger
/// the next job once the outputs are durable.
struct JobRunner {
    let job: PipelineJob
    let context: JobContext

    func run(
        period option: PeriodOption,
        step: (StepInput) async throws(JobFailure) -> StepResult
    ) async -> ExitStatus {
        let timings = JobTimings(environment: context.environment)
        var periodText = "-"
        let status = await run(period: option, timings: timings, periodText: &periodText, step: step)
        if let line = timings.line(job: job, period: periodText) { context.output.error(line) }
        return status
    }

    private func run(
        period option: PeriodOption,
        timings: JobTimings,
        periodText: inout String,
        step: (StepInput) async throws(JobFailure) -> StepResult
    ) async -> ExitStatus {
        let output = context.output
        do throws(JobFailure) {
            let requested: PeriodRequest?
            do {
                requested = try option.resolveRequest()
                if requested == .next, job != .getPredictions { _ = try option.resolve() }
            } catch {
                output.error(error.description)
                return .failure
            }
            if case .period(let period) = requested {
                output.line(PeriodMessages.parameterProvided(period))
            } else if requested == nil, job != .getPredictions {
                output.error(PeriodMessages.missing(job: job.executable))
                return .failure
            }
            let trigger = try context.resolveTrigger()

            // get-predictions of period 0 (or of the next period) checks every period's entry; any other job only its own.
            let explicit: Period? = if case .period(let period) = requested { period } else { nil }
            let checksAll = job == .getPredictions && (explicit?.current ?? 0) == 0
            let dataSet: DataSet
            do {
                dataSet = try DataSet(
                    directory: context.resolvedDataDirectory, scope: checksAll ? .all : .period(explicit?.current ?? 0))
            } catch {
                throw JobFailure(error)
            }
            let total = dataSet.metadata.numPeriods
            let store = Store(
                root: context.resolvedStoreDirectory ?? Store.defaultRoot(dataSetName: dataSet.metadata.name)
            )
            var period: Period
            switch requested {
            case .period(let explicit):
                period = explicit
            case nil:
                output.line(PeriodMessages.noParameter)
                do {
                    period = try Period.first(of: total)
                } catch {
                    throw JobFailure(error.description)
                }
                output.line(PeriodMessages.parameterProvided(period))
            case .next:
                period = try Self.next(of: total)  // resolved below, under the lease
            }
            guard period.total == total else {
                releaseChainLease(store)
                let advice = total > period.total
                    ? "The data set has grown since this chain started; continue with get-predictions --period next"
                    : "The jobs are misaligned with the data; start again with get-predictions --period 0,\(total)"
                throw JobFailure(
                    "Period total mismatch: --period \(period.argument) says \(period.total) periods but data set "
                        + "'\(dataSet.metadata.name)' (\(dataSet.directory)) has num_periods = \(total). " + advice
                )
            }
            if period.isFinished, requested != .next {
                periodText = period.argument
                output.line(PeriodMessages.allCompleted(period))
                releaseChainLease(store)  // the chain's last run
                return .success
            }

            // The next job is looked up while this one works (a GET: harmless if not triggered after all).
            trigger?.prepare(jobName: job.next.name(pipeline: context.pipeline))
            let lease = try LeaseKeeper(
                store: store, context: context,
                holder: "\(job.name(pipeline: context.pipeline)), period \(requested == .next ? "next" : period.argument)"
            )
            do throws(JobFailure) {
                try attempt {
                    let metadata = dataSet.metadata
                    if metadata.isComplete {
                        try store.claim(
                            for: StoreOwner(
                                name: metadata.name, periods: metadata.numPeriods,
                                periodsDigest: dataSet.periodsDigest(first: metadata.numPeriods)!),
                            dataDirectory: dataSet.directory, digestOfFirst: dataSet.periodsDigest(first:),
                            filesDigests: metadata.periods.map(DataSet.filesDigest(of:))
                        )
                    } else {
                        try store.claim(
                            for: StoreOwner(name: metadata.name, periods: 0, periodsDigest: dataSet.periodsDigest(first: 0)!),
                            dataDirectory: dataSet.directory, period: period.current, of: metadata.numPeriods,
                            filesDigest: dataSet.filesDigest(period: period.current)
                        )
                    }
                }
                if requested == .next {
                    period = try Self.next(of: total, completed: store.completedPeriods(total: total))
                    output.line(PeriodMessages.parameterProvided(next: period))
                    if period.isFinished {
                        periodText = period.argument
                        output.line(PeriodMessages.allCompleted(period))
                        lease.release()
                        return .success
                    }
                }
            } catch {
                lease.release()
                throw error
            }
            periodText = period.argument
            let input = StepInput(period: period, dataSet: dataSet, store: store, context: context, timings: timings)
            timings.mark("setup")
            let result: StepResult
            do {
                result = try await step(input)
            } catch {
                lease.release()
                throw error
            }
            // check-model refreshes the report last: off the chain's path, the next run already started.
            defer {
                if job == .checkModel {
                    refreshReport(store: store, dataSet: dataSet, chainEnds: result.endsChain, timings: timings)
                }
            }
            switch result {
            case .stop(let status):
                lease.release()
                return status
            case .trigger(let next, let nextPeriod):
                defer { timings.mark("trigger") }
                do { try lease.stop() } catch {
                    lease.release()
                    throw JobFailure("\(error.message); nothing triggered")
                }
                return await self.trigger(next, nextPeriod, using: trigger, lease: lease)
            }
        } catch {
            output.error("ERROR: \(error.message)")
            return .failure
        }
    }

    /// Ends the lease a triggering run handed to this one, when this run ends the chain before taking it.
    private func releaseChainLease(_ store: Store) {
        guard let chain = context.environment[LeaseKeeper.chainVariable], !chain.isEmpty else { return }
        try? store.releaseLease(owner: chain)
    }

    private func refreshReport(store: Store, dataSet: DataSet, chainEnds: Bool, timings: JobTimings) {
        guard chainEnds || ReportRefresh.isDue(store: store.root) else { return }
        ReportRefresh.run(store: store.root, data: dataSet.directory, output: context.output)
        timings.mark("report")
    }

    private static func next(of total: Int, completed: Int = 0) throws(JobFailure) -> Period {
        do { return try PeriodRequest.next(completed: completed, total: total) } catch { throw JobFailure(error.description) }
    }

    private func trigger(
        _ next: PipelineJob, _ period: Period, using trigger: (any JobTrigger)?, lease: LeaseKeeper
    ) async -> ExitStatus {
        let output = context.output
        let command = resumeCommand(next, period)
        guard let trigger else {
            lease.release()
            output.line("Standalone mode (no CML API configured): run the next step with")
            output.line("  \(command)")
            return .success
        }
        let name = next.name(pipeline: context.pipeline)
        do {
            // Handed over before the run exists: once created, it may start (and end the chain) at once.
            try lease.handOver(to: "\(name), period \(period.argument), triggered by \(job.name(pipeline: context.pipeline))")
        } catch {
            output.error("ERROR: \(error.message); \(name) (Period \(period.current)/\(period.total)) not triggered")
            return .failure
        }
        do {
            let runID = try await trigger.trigger(
                jobName: name, arguments: period.commandLineArguments, environment: [LeaseKeeper.chainVariable: lease.owner]
            )
            output.line("✓ Triggered \(job.triggerNoun): \(name) (Period \(period.current)/\(period.total))")
            output.line("  Job run ID: \(runID)")
            return .success
        } catch {
            lease.release()
            let resume =
                error.mayHaveTakenEffect
                ? "This job's outputs are saved; once you have checked that no such run exists, resume by running job"
                : "This job's outputs are saved; resume by running job"
            output.error(
                "ERROR: Could not trigger \(name) (Period \(period.current)/\(period.total)): \(error.description). "
                    + "\(resume) '\(name)' with arguments '\(period.commandLineArguments)' (locally: \(command))"
            )
            return .failure
        }
    }

    /// The command line that runs `next` by hand, with this run's explicit locations.
    private func resumeCommand(_ next: PipelineJob, _ period: Period) -> String {
        var words = [next.executable, period.commandLineArguments]
        if let data = context.dataDirectory { words.append("--data \(shellQuoted(data))") }
        if let store = context.storeDirectory { words.append("--store \(shellQuoted(store))") }
        return words.joined(separator: " ")
    }
}

/// `text` quoted for a POSIX shell when it needs it (for messages only).
func shellQuoted(_ text: String) -> String {
    let safe = text.unicodeScalars.allSatisfy { scalar in
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ",", "=", ":": true
        default: false
        }
    }
    if safe && !text.isEmpty { return text }
    return "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
