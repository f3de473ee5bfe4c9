import MonitorData
import MonitorStore
import PeriodArgs

/// `load-ground-truth`: join period C's labels to the stored predictions by
/// id, store the joined records and the coverage, then trigger `Check Model`.
public enum LoadGroundTruthStep {
    public static func run(period: PeriodOption, context: JobContext) async -> ExitStatus {
        await JobRunner(job: .loadGroundTruth, context: context).run(period: period) { input throws(JobFailure) in
            let (coverage, warning) = try attempt {
                let (joined, coverage, predictedClasses) = try join(input)
                try input.store.writeJoined(joined, coverage: coverage, period: input.period.current)
                input.timings.mark("write")
                return (coverage, labelWarning(joined, predictedClasses: predictedClasses, task: input.dataSet.metadata.task))
            }
            input.output.line("✓ Extracted period \(input.period.current) data")
            input.output.line(
                "  Labeled: \(coverage.labeled) of \(coverage.rows) predictions (\(coverage.unlabeled) unlabeled), "
                    + "\(coverage.labelsWithoutPrediction) labels without a prediction"
            )
            if let warning { input.output.line("  ⚠ \(warning)") }
            return .trigger(.checkModel, input.period)
        }
    }

    /// What to say when the labels look spelled unlike the predictions: they
    /// share no value, or (in a binary-looking set) a label value is never predicted.
    static func labelWarning(_ joined: JoinedLabels, predictedClasses: Int, task: Metadata.Task?) -> String? {
        var used = [Bool](repeating: false, count: joined.classNames.count)
        for label in joined.labels where label >= 0 { used[Int(label)] = true }
        let labelClasses = joined.classNames.indices.filter { used[$0] }
        guard !labelClasses.isEmpty else { return nil }
        let onlyLabeled = labelClasses.filter { $0 >= predictedClasses }.map { joined.classNames[$0] }
        let predicted = joined.classNames.prefix(predictedClasses).sorted()
        func quoted(_ names: some Sequence<String>) -> String { names.map { "\"\($0)\"" }.joined(separator: ", ") }
        let hint = "if they mean the same classes spelled differently (1.0 for 1, True for 1), re-import with cml-local import --label-map"
        if onlyLabeled.count == labelClasses.count {
            return "Labels and predictions share no value: labels \(quoted(onlyLabeled.sorted())), predictions "
                + "\(quoted(predicted)); every labeled row counts as wrong. \(hint)"
        }
        let binary = task == .binary || (task == nil && predictedClasses <= 2)
        guard binary, !onlyLabeled.isEmpty else { return nil }
        return "Label values never predicted in this binary data set: \(quoted(onlyLabeled.sorted())) (predictions: "
            + "\(quoted(predicted))). \(hint)"
    }

    static func join(_ input: StepInput) throws -> (JoinedLabels, Coverage, predictedClasses: Int) {
        let index = input.period.current
        // The stored predictions are read on another thread while this one
        // parses the labels; rows parsed before they arrive wait in the batch.
        let store = input.store
        let loading = BackgroundWork { () throws(StoreError) in try store.readPredictionIDs(index) }
        var join = LabelJoin()
        var ids = IDJoin()
        do {
            let path = try input.dataSet.labelsPath(period: index)
            let reader = try LabelReader(path: path)
            join.path = path
            while try IDJoin.firstError(flushing: { () throws(JobFailure) in try join.joinPending(&ids, loading) }, reader.next) {
                ids.lookUp(reader.id, line: reader.line, value: reader.label)
                if ids.isFull, join.predictions != nil || loading.isFinished { try join.joinPending(&ids, loading) }
            }
            try join.joinPending(&ids, loading)
        } catch {
            // As if the predictions were read first: their error comes before any about the labels.
            if case .failure(let failure) = loading.wait() { throw failure }
            throw error
        }
        let predictions = join.predictions!
        let (classes, labels, unknown, rows) = (join.classes, join.labels, ids.ids, predictions.count)
        input.timings.markRead("join")
        let labeled = labels.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        let joined = JoinedLabels(classNames: classes.names, labels: labels, idsDigest: predictions.idsDigest)
        let coverage = Coverage(
            period: index,
            totalPeriods: input.period.total,
            rows: rows,
            labeled: labeled,
            unlabeled: rows - labeled,
            labelsWithoutPrediction: unknown.count
        )
        return (joined, coverage, predictions.classNames.count)
    }

}

/// The labels joined so far to a period's stored predictions.
///
/// Rows wait in an ``IDJoin``'s batch until the predictions are loaded, and
/// are then joined in file order. A struct with mutating methods, so the hot
/// loop has no captured variables (boxes, dynamic exclusivity checks).
struct LabelJoin: ~Copyable {
    /// The stored predictions, once loaded.
    private(set) var predictions: PredictionIDs?
    var path = ""
    var classes = ClassTable()
    /// Per prediction row: the label's class number, -1 while unlabeled.
    var labels: [Int32] = []

    init() {}

    /// Joins the rows waiting in `ids` in order, waiting for the predictions if they are not loaded yet.
    mutating func joinPending(_ ids: inout IDJoin, _ loading: BackgroundWork<PredictionIDs, StoreError>) throws(JobFailure) {
        if predictions == nil {
            let loaded: PredictionIDs
            switch loading.wait() {
            case .success(let value): loaded = value
            case .failure(let error): throw JobFailure(error)
            }
            predictions = loaded
            classes = ClassTable(names: loaded.classNames)
            labels = [Int32](repeating: -1, count: loaded.count)
        }
        do {
            try ids.lookUpPending(in: predictions!.ids) { row, label, line in
                guard row >= 0, label.count > 0 else { return }
                guard let number = classes.intern(label) else {
                    throw JobFailure("\(path):\(line): more than \(ClassTable.limit) distinct classes")
                }
                labels[row] = number
            }
        } catch let repeated as RepeatedID {
            throw JobFailure("\(path):\(repeated.line): duplicate id '\(text(repeated.id))' (each id may have one label)")
        } catch {
            throw JobFailure(wrapping: error)
        }
    }
}
