import MonitorData
import MonitorPolicy
import MonitorStore
import PeriodArgs
import Platform

/// `check-model`: compute period C's metrics, judge degradation, write
/// `metrics.json`, then trigger `Get Predictions` with `C+1,T` or stop.
public enum CheckModelStep {
    /// Runs the job; with `recheck` (`--no-trigger`), ``recheck(_:policy:)`` instead, which triggers nothing.
    public static func run(
        period: PeriodOption, degradation: DegradationOptions, context: JobContext, recheck: Bool = false
    ) async -> ExitStatus {
        await JobRunner(job: .checkModel, context: context).run(period: period) { input throws(JobFailure) in
            let policy = try degradation.resolve(environment: input.context.environment)
            if recheck { return try Self.recheck(input, policy: policy) }
            let record = try attempt {
                let record = try check(input, policy: policy)
                try input.store.writeMetrics(record)
                input.timings.mark("write")
                return record
            }
            report(record, to: input.output)
            let period = input.period
            guard record.decision != .stopDegraded else {
                input.output.line(
                    "✗ Model degraded in period \(period.current): \(record.reason). Pipeline stopped; "
                        + "no further period triggered. Resume with: get-predictions --period \(period.next!.argument)"
                )
                return .stop(.degraded)
            }
            if record.degraded {
                input.output.line("⚠ Period \(period.current) degraded (policy: continue): \(record.reason)")
            } else if record.estimatedDegraded == true {
                input.output.line("⚠ Period \(period.current) estimated degraded (policy: continue): \(record.reason)")
            }
            return .trigger(.getPredictions, period.next!)
        }
    }

    /// Late labels: joins period C's labels again, recomputes its metrics,
    /// prints them beside the recorded ones, and triggers nothing.
    static func recheck(_ input: StepInput, policy: DegradationPolicy) throws(JobFailure) -> StepResult {
        let index = input.period.current
        let (recorded, record) = try attempt {
            let recorded = try input.store.readMetrics(index)
            let (joined, coverage, _) = try LoadGroundTruthStep.join(input)
            // Judged before anything is written: a refused recheck leaves the period as recorded.
            let records = try input.store.records(joining: joined, period: index)
            let record = try check(input, policy: policy, joined: (records, coverage))
            try input.store.writeJoined(joined, coverage: coverage, period: index)
            try input.store.writeMetrics(record)
            return (recorded, record)
        }
        input.output.line("✓ Rechecked period \(index) with its labels as they are now")
        report(record, to: input.output)
        func compare(_ name: String, _ now: Double?, _ before: Double?) -> String {
            "\(name) \(percent(now)) (recorded \(recorded == nil ? "none" : percent(before)))"
        }
        input.output.line(
            "  Realized vs recorded: " + [
                compare("accuracy", record.accuracy, recorded?.accuracy),
                "labeled \(record.labeled) (recorded \(recorded.map { String($0.labeled) } ?? "none"))",
                compare("F1", record.f1, recorded?.f1),
                "decision \(record.decision.rawValue) (recorded \(recorded?.decision.rawValue ?? "none"))",
            ].joined(separator: ", ")
        )
        input.output.line("No job triggered (--no-trigger).")
        return .stop(.success)
    }

    /// The period's record, from `joined` when given, else from the store.
    static func check(
        _ input: StepInput, policy: DegradationPolicy, joined given: (JoinedRecords, Coverage)? = nil
    ) throws -> MetricsRecord {
        let index = input.period.current
        let metadata = input.dataSet.metadata
        let joined = try given?.0 ?? input.store.readJoined(index)
        let coverage = try given?.1 ?? input.store.readCoverage(index)
        input.timings.mark("load")
        let task = try taskDecision(input)
        let metrics = Metrics.compute(
            MetricsInput(
                classNames: joined.classNames,
                predictions: joined.predictions,
                labels: joined.labels,
                scores: joined.scores,
                positiveLabel: metadata.positiveLabel,
                averaging: task?.averaging,
                expectedClasses: task?.classes ?? []
            )
        )
        input.timings.mark("metrics")
        let (baseline, source) = try baseline(for: metrics, policy: policy, input: input)
        let assessment = Degradation.assess(
            metrics, baseline: baseline, policy: policy, isLastPeriod: input.period.isLast
        )
        let estimate = try input.store.readSummary(index).estimate
            ?? EstimateRecord(
                period: index, estimated: nil,
                estimatedReason: "get-predictions recorded no estimate for this period (re-run get-predictions)", scoreDrift: nil
            )
        var scoreDrift = estimate.scoreDrift
        if let psi = scoreDrift?.psi { scoreDrift?.drifted = policy.maxPSI.map { psi > $0 } }
        var (reason, decision) = (assessment.reason, assessment.decision)
        var estimatedDegraded: Bool?
        if assessment.insufficientGroundTruth, let upper = estimate.estimated?.accuracyUpper {
            let why = Degradation.assessEstimate(accuracyUpper: upper, baselineAccuracy: assessment.baselineAccuracy, policy: policy)
            estimatedDegraded = why != nil
            if let why {
                reason += "; " + why
                if policy.estimatedAction == .stop { decision = .stopDegraded }
            }
        }
        return MetricsRecord(
            period: index,
            totalPeriods: input.period.total,
            rows: metrics.rows,
            labeled: metrics.labeled,
            unlabeled: metrics.unlabeled,
            correct: metrics.correct,
            labelsWithoutPrediction: coverage.labelsWithoutPrediction,
            accuracy: metrics.accuracy,
            precision: metrics.precision,
            recall: metrics.recall,
            f1: metrics.f1,
            rocAUC: metrics.rocAUC,
            averaging: metrics.averaging,
            positiveLabel: metadata.positiveLabel,
            confusionMatrix: .init(labels: metrics.confusion.labels, matrix: metrics.confusion.matrix),
            undefined: metrics.undefinedReasons,
            baselineAccuracy: assessment.baselineAccuracy,
            baselineSource: source,
            drop: assessment.drop,
            pValue: assessment.pValue,
            degraded: assessment.degraded,
            insufficientGroundTruth: assessment.insufficientGroundTruth,
            reason: reason,
            decision: decision,
            minAccuracy: policy.minAccuracy,
            maxDrop: policy.maxDrop,
            unexpectedClasses: metrics.unexpectedClasses,
            averagingSource: task?.source ?? "this period's classes (no labeled period yet)",
            estimated: estimate.estimated,
            estimatedReason: estimate.estimatedReason,
            scoreDrift: scoreDrift,
            estimatedDegraded: estimatedDegraded,
            maxPSI: policy.maxPSI
        )
    }

    /// Binary or multiclass for the whole data set: recorded in the store by
    /// the first check that could decide, from the metadata's `task`, else
    /// the reference set's classes, else those of the first period (up to
    /// this one) with labels. `nil` while no period has labels yet.
    static func taskDecision(_ input: StepInput) throws -> TaskDecision? {
        if let stored = try input.store.readTask() {
            guard let averaging = Averaging(rawValue: stored.averaging) else {
                throw JobFailure(
                    "\(input.store.taskPath): averaging '\(stored.averaging)' is neither binary nor macro; remove the file "
                        + "and run check-model again to decide anew"
                )
            }
            return TaskDecision(averaging: averaging, classes: stored.classes, source: stored.source)
        }
        let metadata = input.dataSet.metadata
        let declared = metadata.task.map { $0 == .binary ? Averaging.binary : .macro }
        var evidence: (ClassValues, String)?
        if let files = try input.dataSet.referencePaths() {
            evidence = (try DataSet.classValues(predictions: files.predictions, labels: files.labels), "the reference set")
        } else {
            for index in 0...input.period.current {
                // The job read its own period's entry; an earlier one is read when needed (until the task is decided).
                let dataSet = index == input.period.current ? input.dataSet : try DataSet(directory: input.dataSet.directory, scope: .period(index))
                let values = try DataSet.classValues(
                    predictions: try dataSet.predictionsPath(period: index), labels: try dataSet.labelsPath(period: index)
                )
                if !values.labeled.isEmpty {
                    evidence = (values, "period \(index)")
                    break
                }
            }
        }
        guard let (values, source) = evidence else {
            return declared.map { TaskDecision(averaging: $0, classes: [], source: "metadata task") }
        }
        let decision: TaskDecision
        do {
            decision = try TaskDecision.decide(
                declared: declared, positiveLabel: metadata.positiveLabel, evidence: values.all, truncated: values.truncated,
                source: source
            )
        } catch {
            throw JobFailure("Data set '\(metadata.name)': \(error.description)")
        }
        try input.store.writeTask(StoredTask(averaging: decision.averaging.rawValue, classes: decision.classes, source: decision.source))
        return decision
    }

    /// The metadata's `reference` accuracy; else the first period, in order,
    /// with at least `policy.minLabeled` labeled rows (this one included);
    /// else none, saying why. A period judged on too few labels is never the baseline.
    ///
    /// - Throws: when an earlier period was not checked in this store: which
    ///   period is the baseline cannot be known, and a silent pass is no answer.
    static func baseline(
        for metrics: PeriodMetrics, policy: DegradationPolicy, input: StepInput
    ) throws -> (Baseline, String?) {
        if let reference = input.dataSet.metadata.reference["accuracy"] {
            return (.reference(accuracy: reference), "reference")
        }
        let current = input.period.current
        let enough = max(policy.minLabeled, 1)
        for index in 0..<current {
            guard let record = try input.store.readMetrics(index) else {
                throw JobFailure(
                    "No baseline for period \(current): period \(index) was not checked in store \(input.store.root), "
                        + "so which period is the baseline cannot be known. Run the pipeline from period \(index) with "
                        + "this store (get-predictions --period \(index),\(input.period.total)), or give the data set a "
                        + "reference accuracy (reference.accuracy in its metadata)"
                )
            }
            if let accuracy = record.accuracy, record.labeled >= enough {
                return (
                    .firstPeriod(index: index, accuracy: accuracy, labeled: record.labeled, correct: record.correct),
                    "period \(index)"
                )
            }
        }
        if let accuracy = metrics.accuracy, metrics.labeled >= enough {
            return (
                .firstPeriod(index: current, accuracy: accuracy, labeled: metrics.labeled, correct: metrics.correct),
                "period \(current), this one"
            )
        }
        let periods = current == 0 ? "period 0" : "none of periods 0–\(current)"
        return (.unavailable(reason: "no baseline yet: \(periods) has \(enough) or more labeled rows"), nil)
    }

    /// Realized and estimated accuracy side by side, the score drift, and
    /// whether the realized accuracy (when judged) fell outside the estimate's band.
    static func estimateLine(_ record: MetricsRecord) -> String {
        var line = "  Realized accuracy: \(percent(record.accuracy))  "
        if let estimated = record.estimated, let accuracy = estimated.accuracy,
            let lower = estimated.accuracyLower, let upper = estimated.accuracyUpper
        {
            line += "Estimated (CBPE): \(percent(accuracy)) (\(percent(lower))–\(percent(upper)))"
        } else {
            line += "Estimated: n/a (\(record.estimatedReason ?? "not estimated"))"
        }
        if let drift = record.scoreDrift {
            line += "  Score drift: PSI \(fixed(drift.psi, decimals: 3)), KS \(fixed(drift.ksStatistic, decimals: 3))"
            if drift.drifted == true { line += " (drifted)" }
        }
        if !record.insufficientGroundTruth, let realized = record.accuracy,
            let lower = record.estimated?.accuracyLower, let upper = record.estimated?.accuracyUpper,
            realized < lower || realized > upper
        {
            line += " — estimate off: the relation between score and outcome has changed (concept drift)"
        }
        return line
    }

    static func report(_ record: MetricsRecord, to output: any JobOutput) {
        output.line("✓ Period \(record.period) Metrics: Accuracy: \(percent(record.accuracy))")
        output.line(estimateLine(record))
        func metric(_ name: String, _ key: String, _ value: Double?, asPercent: Bool = true) -> String {
            guard let value else { return "\(name): n/a (\(record.undefined[key] ?? "undefined"))" }
            return "\(name): " + (asPercent ? percent(value) : fixed(value, decimals: 4))
        }
        let averaging = record.averaging == .macro ? " (macro average)" : ""
        output.line(
            "  " + [
                metric("Precision", "precision", record.precision),
                metric("Recall", "recall", record.recall),
                metric("F1", "f1", record.f1),
                metric("ROC AUC", "roc_auc", record.rocAUC, asPercent: false),
            ].joined(separator: "  ") + averaging
        )
        output.line("  Rows: \(record.rows), labeled: \(record.labeled), unlabeled: \(record.unlabeled)")
        if let unexpected = record.unexpectedClasses, !unexpected.isEmpty {
            let list = unexpected.sorted { $0.key < $1.key }.map { "\"\($0.key)\" (\($0.value)×)" }.joined(separator: ", ")
            output.line("  ⚠ Classes outside this binary data set: \(list); metrics stay one-vs-rest for \"\(record.positiveLabel)\"")
        }
        if record.averaging == .binary, !record.confusionMatrix.labels.isEmpty, !record.confusionMatrix.labels.contains(record.positiveLabel) {
            output.line("  ⚠ The positive label \"\(record.positiveLabel)\" occurs in none of this period's labeled rows")
        }
        if let baseline = record.baselineAccuracy {
            output.line("  Baseline accuracy: \(percent(baseline)) (\(record.baselineSource ?? "-"))")
        }
        output.line("  Decision: \(record.decision.rawValue) (\(record.reason))")
    }
}
