import MonitorData
import MonitorStore
import PeriodArgs
import Platform

/// `get-predictions`: read and validate period C's predictions, store them and
/// their summary, then trigger `Load Ground Truth` with `C,T`.
public enum GetPredictionsStep {
    /// Runs the job. `period` may be absent: period 0 of the data set's `num_periods`.
    public static func run(period: PeriodOption, context: JobContext) async -> ExitStatus {
        await JobRunner(job: .getPredictions, context: context).run(period: period) { input throws(JobFailure) in
            let summary = try attempt {
                var (stored, summary) = try read(input)
                input.timings.markRead("parse")
                // The estimate runs on the other core while the predictions are written; the summary holds it.
                let source = PeriodEstimation.Source(input)
                let estimating = BackgroundWork { [stored] () throws(JobFailure) in
                    try PeriodEstimation.estimate(source, predictions: stored)
                }
                var failure: JobFailure?
                try input.store.writePredictions(stored, period: input.period.current) {
                    switch estimating.wait() {
                    case .success(let estimate): summary.estimate = estimate
                    case .failure(let error): failure = error
                    }
                    return summary
                }
                input.timings.mark("write")  // the estimate overlaps the write
                if let failure { throw failure }
                return summary
            }
            var line = "✓ Validated period \(input.period.current) predictions: \(summary.rows) rows, "
                + "predicted-positive rate \(percent(summary.predictedPositiveRate))"
            if let mean = summary.scores?.mean { line += ", mean score \(fixed(mean, decimals: 4))" }
            input.output.line(line)
            if let estimate = summary.estimate { input.output.line(estimateLine(estimate)) }
            return .trigger(.loadGroundTruth, input.period)
        }
    }

    /// `✓ Estimated period 3 accuracy (no labels needed): 91.8% (89.9–93.7%), score drift PSI 0.04`, or why there is no estimate.
    static func estimateLine(_ record: EstimateRecord) -> String {
        let drift = record.scoreDrift.map { ", score drift PSI \(fixed($0.psi, decimals: 2))" } ?? ""
        guard let estimated = record.estimated, let accuracy = estimated.accuracy,
            let lower = estimated.accuracyLower, let upper = estimated.accuracyUpper
        else {
            return "– No estimated accuracy for period \(record.period): \(record.estimatedReason ?? "not estimated")\(drift)"
        }
        return "✓ Estimated period \(record.period) accuracy (no labels needed): \(fixed(accuracy * 100, decimals: 1))% "
            + "(\(fixed(lower * 100, decimals: 1))–\(fixed(upper * 100, decimals: 1))%)\(drift)"
    }

    static func read(_ input: StepInput) throws -> (StoredPredictions, PredictionSummary) {
        let metadata = input.dataSet.metadata
        let index = input.period.current
        let path = try input.dataSet.predictionsPath(period: index)
        let reader = try PredictionReader(path: path)
        let expected = try input.dataSet.periodInfo(index).rows
        // The metadata's row count sizes the arrays (a hint: checked against the file below).
        var rows = PredictionRows(path: path, expected: min(expected ?? 1024, 1 << 24), hasScore: reader.hasScore)
        while try IDJoin.firstError(flushing: { () throws(JobFailure) in try rows.addPending() }, reader.next) {
            try rows.append(id: reader.id, prediction: reader.prediction, score: reader.score, line: reader.line)
        }
        try rows.addPending()
        let (ids, classes, predictions) = (rows.ids.ids, rows.classes, rows.predictions)
        if let expected, expected != predictions.count {
            throw JobFailure(
                "\(path): has \(predictions.count) prediction rows but the metadata says rows = \(expected) for period \(index)"
            )
        }

        let count = predictions.count
        var perClass = [Int](repeating: 0, count: classes.names.count)
        for predicted in predictions { perClass[Int(predicted)] += 1 }
        let positive = classes.number(of: metadata.positiveLabel).map { perClass[Int($0)] } ?? 0
        let distribution = rows.hasScore
            ? ScoreDistribution(
                bins: rows.bins,
                mean: count > 0 ? rows.sum / Double(count) : nil,
                min: count > 0 ? rows.low : nil,
                max: count > 0 ? rows.high : nil
            ) : nil
        let summary = PredictionSummary(
            period: index,
            totalPeriods: input.period.total,
            rows: count,
            positiveLabel: metadata.positiveLabel,
            predictedPositiveRate: count > 0 ? Double(positive) / Double(count) : nil,
            predictedClasses: Dictionary(uniqueKeysWithValues: zip(classes.names, perClass)),
            scores: distribution
        )
        let stored = StoredPredictions(
            ids: ids, classNames: classes.names, predictions: predictions, scores: rows.hasScore ? rows.scores : nil
        )
        return (stored, summary)
    }
}

/// The prediction rows read so far and their score statistics.
///
/// Ids are added through an ``IDJoin``, a batch at a time. A struct with
/// mutating methods, so the hot loop has no captured variables (boxes,
/// dynamic exclusivity checks).
struct PredictionRows: ~Copyable {
    let path: String
    let hasScore: Bool
    var ids: IDJoin
    var classes = ClassTable()
    var predictions: [Int32]
    var scores: [Double]
    var bins = [Int](repeating: 0, count: 10)
    var sum = 0.0, low = Double.infinity, high = -Double.infinity

    init(path: String, expected: Int, hasScore: Bool) {
        self.path = path
        self.hasScore = hasScore
        ids = IDJoin(capacity: expected)
        predictions = LargeArrays.reserved(capacity: expected)
        scores = hasScore ? LargeArrays.reserved(capacity: expected) : []
    }

    @inline(__always)
    mutating func append(id: UnsafeRawBufferPointer, prediction: UnsafeRawBufferPointer, score: Double, line: Int)
        throws(JobFailure)
    {
        do {
            try ids.add(id, line: line)
        } catch {
            throw duplicate(error)
        }
        guard let predicted = classes.intern(prediction) else {
            try addPending()
            throw JobFailure(
                "\(path):\(line): more than \(ClassTable.limit) distinct predicted classes; "
                    + "is the prediction column a class label?"
            )
        }
        predictions.append(predicted)
        if hasScore {
            scores.append(score)
            bins[min(9, Int(score * 10))] += 1
            sum += score
            low = min(low, score)
            high = max(high, score)
        }
    }

    /// Adds the ids still waiting in the batch.
    mutating func addPending() throws(JobFailure) {
        do {
            try ids.addPending()
        } catch {
            throw duplicate(error)
        }
    }

    private func duplicate(_ repeated: RepeatedID) -> JobFailure {
        JobFailure("\(path):\(repeated.line): duplicate id '\(text(repeated.id))' (ids must be unique within a period)")
    }
}

/// A field's bytes as text for a message: control characters escaped (an id
/// may hold a line break; the ERROR line must stay one line), cut to a readable length.
func text(_ bytes: UnsafeRawBufferPointer) -> String {
    DataError.displayText(bytes, limit: 80)
}

/// ``text(_:)`` of `bytes`.
func text(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBytes { text($0) }
}
