import MonitorData
import MonitorPolicy
import MonitorStore
import PeriodArgs

/// `get-predictions`' estimate of a period's performance from its scores
/// (CBPE) and their drift from the reference, computed in a pass of its own
/// over the period's columns once they are read.
enum PeriodEstimation {
    /// What the estimate reads besides the period's columns: sendable, so it can run beside the store write.
    struct Source: Sendable {
        let period: Period
        let dataSet: DataSet
        let store: Store
        let environment: [String: String]

        init(_ input: StepInput) {
            (period, dataSet, store, environment) = (input.period, input.dataSet, input.store, input.context.environment)
        }
    }

    /// The period's estimate and drift, or why there is none.
    ///
    /// - Throws: ``JobFailure`` when the reference's files cannot be read.
    static func estimate(_ input: Source, predictions stored: StoredPredictions) throws(JobFailure) -> EstimateRecord {
        let period = input.period.current
        func none(_ reason: String) -> EstimateRecord {
            EstimateRecord(period: period, estimated: nil, estimatedReason: reason, scoreDrift: nil)
        }
        guard let scores = stored.scores else { return none("the predictions have no score column") }
        let reference: EstimationReference
        switch try self.reference(input) {
        case .failure(let why): return none(why.description)
        case .success(let built): reference = built
        }
        guard !scores.isEmpty else { return none("the period has no rows") }
        let positive = stored.classNames.firstIndex(of: input.dataSet.metadata.positiveLabel).map { Int32($0) }
        let (estimate, drift) = CBPE.estimate(
            scores: scores, predictions: stored.predictions, positiveIndex: positive, reference: reference
        )
        return EstimateRecord(
            period: period,
            estimated: EstimatedMetrics(
                accuracy: estimate.accuracy, accuracyLower: estimate.accuracyLower, accuracyUpper: estimate.accuracyUpper,
                precision: estimate.precision, recall: estimate.recall, f1: estimate.f1, rocAUC: estimate.rocAUC
            ),
            estimatedReason: nil,
            scoreDrift: ScoreDriftRecord(psi: drift.psi, ksStatistic: drift.ksStatistic, ksPValue: drift.ksPValue)
        )
    }

    /// The reference: the store's artifact when its source is unchanged, else
    /// built from the source (the metadata's reference files, else period 0's
    /// labeled rows once period 0 is checked) and stored.
    static func reference(_ input: Source) throws(JobFailure) -> Result<EstimationReference, EstimationUnavailable> {
        let metadata = input.dataSet.metadata
        if metadata.task == .multiclass {
            return .failure(.init("multiclass data set: the estimate is for binary classification"))
        }
        if let task = try attempt({ try input.store.readTask() }), task.averaging == Averaging.macro.rawValue {
            return .failure(.init("multiclass data set (\(task.source)): the estimate is for binary classification"))
        }
        let minLabeled = try attempt { try DegradationPolicy(environment: input.environment).minLabeled }
        let files: [String]
        let source: String
        if let paths = try attempt({ try input.dataSet.referencePaths() }) {
            files = [paths.predictions, paths.labels]
            source = "reference files"
        } else {
            guard input.period.current > 0 else { return .failure(.init("reference period")) }
            guard try attempt({ try input.store.readMetrics(0) }) != nil else {
                return .failure(.init("period 0, the reference, has not been checked in this store yet"))
            }
            files = [input.store.predictionsPath(0), input.store.joinedPath(0)]
            source = "period 0"
        }
        let digest = try attempt {
            try Store.referenceDigest(files: files, settings: "\(metadata.positiveLabel)\n\(minLabeled)\n\(metadata.task?.rawValue ?? "")")
        }
        if let stored = try? input.store.readReference(), stored.digest == digest {
            return stored.reference
        }
        let built = try build(input, source: source, minLabeled: minLabeled)
        try attempt { try input.store.writeReference(StoredReference(digest: digest, source: source, reference: built)) }
        return built
    }

    /// Reads the reference's rows and builds it.
    static func build(_ input: Source, source: String, minLabeled: Int) throws(JobFailure)
        -> Result<EstimationReference, EstimationUnavailable>
    {
        let rows: ReferenceRows
        if let paths = try attempt({ try input.dataSet.referencePaths() }) {
            rows = try ReferenceRows.read(predictions: paths.predictions, labels: paths.labels)
        } else {
            let joined = try attempt { try input.store.readJoined(0) }
            rows = ReferenceRows(classNames: joined.classNames, predictions: joined.predictions, labels: joined.labels, scores: joined.scores)
        }
        guard let scores = rows.scores else { return .failure(.init("the reference (\(source)) has no score column")) }
        let used = Set(rows.predictions.map { Int($0) } + rows.labels.filter { $0 >= 0 }.map { Int($0) })
        if input.dataSet.metadata.task == nil, used.count > 2 {
            return .failure(.init("the reference (\(source)) holds \(used.count) classes: the estimate is for binary classification"))
        }
        let positive = rows.classNames.firstIndex(of: input.dataSet.metadata.positiveLabel).map { Int32($0) }
        return EstimationReference.build(
            scores: scores, predictions: rows.predictions, labels: rows.labels, positiveIndex: positive, minLabeled: minLabeled
        ).mapError { EstimationUnavailable("\($0.description) (\(source))") }
    }
}

/// A reference set's rows: classes interned, labels joined to predictions by id.
struct ReferenceRows {
    var classNames: [String]
    var predictions: [Int32]
    /// -1 for a row without a label.
    var labels: [Int32]
    var scores: [Double]?

    /// Reads a reference's predictions and labels files, joined by id.
    ///
    /// - Throws: ``JobFailure`` naming the file and line of a duplicate id or unreadable row.
    static func read(predictions path: String, labels labelsPath: String) throws(JobFailure) -> ReferenceRows {
        let reader = try attempt { try PredictionReader(path: path) }
        var rows = PredictionRows(path: path, expected: 1024, hasScore: reader.hasScore)
        while try attempt({ try IDJoin.firstError(flushing: { () throws(JobFailure) in try rows.addPending() }, reader.next) }) {
            try rows.append(id: reader.id, prediction: reader.prediction, score: reader.score, line: reader.line)
        }
        try rows.addPending()
        var classes = rows.classes
        var labels = [Int32](repeating: -1, count: rows.predictions.count)
        let labelReader = try attempt { try LabelReader(path: labelsPath) }
        while try attempt({ try labelReader.next() }) {
            guard !labelReader.label.isEmpty, let row = rows.ids.ids.find(labelReader.id) else { continue }
            guard labels[row] < 0 else {
                throw JobFailure("\(labelsPath):\(labelReader.line): duplicate id '\(text(labelReader.id))' in the reference labels")
            }
            guard let label = classes.intern(labelReader.label) else {
                throw JobFailure("\(labelsPath):\(labelReader.line): more than \(ClassTable.limit) distinct classes")
            }
            labels[row] = label
        }
        return ReferenceRows(
            classNames: classes.names, predictions: rows.predictions, labels: labels, scores: rows.hasScore ? rows.scores : nil
        )
    }
}
