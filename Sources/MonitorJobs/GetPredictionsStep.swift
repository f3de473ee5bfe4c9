import MonitorData
import MonitorStore
import PeriodArgs

/// `get-predictions`: read and validate period C's predictions, store them and
/// their summary, then trigger `Load Ground Truth` with `C,T`.
public enum GetPredictionsStep {
    /// Runs the job. `period` may be absent: period 0 of the data set's `num_periods`.
    public static func run(period: PeriodOption, context: JobContext) async -> ExitStatus {
        await JobRunner(job: .getPredictions, context: context).run(period: period) { input throws(JobFailure) in
            let summary = try attempt {
                let (stored, summary) = try read(input)
                input.timings.markRead("parse")
                try input.store.writePredictions(stored, summary: summary, period: input.period.current)
                input.timings.mark("write")
                return summary
            }
            var line = "✓ Validated period \(input.period.current) predictions: \(summary.rows) rows, "
                + "predicted-positive rate \(percent(summary.predictedPositiveRate))"
            if let mean = summary.scores?.mean { line += ", mean score \(fixed(mean, decimals: 4))" }
            input.output.line(line)
            return .trigger(.loadGroundTruth, input.period)
        }
    }

    static func read(_ input: StepInput) throws -> (StoredPredictions, PredictionSummary) {
        let metadata = input.dataSet.metadata
        let index = input.period.current
        let path = try input.dataSet.predictionsPath(period: index)
        let reader = try PredictionReader(path: path)
        let expected = metadata.periods[index].rows
        var ids = IDTable(capacity: expected ?? 1024)
        var classes = ClassTable()
        var predictions: [Int32] = []
        predictions.reserveCapacity(expected ?? 1024)
        let hasScore = reader.hasScore
        var scores: [Double] = []
        if hasScore { scores.reserveCapacity(expected ?? 1024) }
        var bins = [Int](repeating: 0, count: 10)
        var sum = 0.0, low = Double.infinity, high = -Double.infinity

        while try reader.next() {
            let (_, inserted) = ids.insert(reader.id)
            guard inserted else {
                throw JobFailure("\(path):\(reader.line): duplicate id '\(text(reader.id))' (ids must be unique within a period)")
            }
            guard let predicted = classes.intern(reader.prediction) else {
                throw JobFailure(
                    "\(path):\(reader.line): more than \(ClassTable.limit) distinct predicted classes; "
                        + "is the prediction column a class label?"
                )
            }
            predictions.append(predicted)
            if hasScore {
                let score = reader.score
                scores.append(score)
                bins[min(9, Int(score * 10))] += 1
                sum += score
                low = min(low, score)
                high = max(high, score)
            }
        }
        if let expected, expected != predictions.count {
            throw JobFailure(
                "\(path): has \(predictions.count) prediction rows but the metadata says rows = \(expected) for period \(index)"
            )
        }

        let rows = predictions.count
        var perClass = [Int](repeating: 0, count: classes.names.count)
        for predicted in predictions { perClass[Int(predicted)] += 1 }
        let positive = classes.number(of: metadata.positiveLabel).map { perClass[Int($0)] } ?? 0
        let distribution = hasScore
            ? ScoreDistribution(
                bins: bins,
                mean: rows > 0 ? sum / Double(rows) : nil,
                min: rows > 0 ? low : nil,
                max: rows > 0 ? high : nil
            ) : nil
        let summary = PredictionSummary(
            period: index,
            totalPeriods: input.period.total,
            rows: rows,
            positiveLabel: metadata.positiveLabel,
            predictedPositiveRate: rows > 0 ? Double(positive) / Double(rows) : nil,
            predictedClasses: Dictionary(uniqueKeysWithValues: zip(classes.names, perClass)),
            scores: distribution
        )
        let stored = StoredPredictions(
            ids: ids, classNames: classes.names, predictions: predictions, scores: hasScore ? scores : nil
        )
        return (stored, summary)
    }
}

/// A field's bytes as text for a message, cut to a readable length.
func text(_ bytes: UnsafeRawBufferPointer) -> String {
    let cut = bytes.count > 80 ? UnsafeRawBufferPointer(rebasing: bytes[0..<80]) : bytes
    return String(decoding: cut, as: UTF8.self) + (bytes.count > 80 ? "…" : "")
}
