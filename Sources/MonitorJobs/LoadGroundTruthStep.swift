import MonitorData
import MonitorStore
import PeriodArgs

/// `load-ground-truth`: join period C's labels to the stored predictions by
/// id, store the joined records and the coverage, then trigger `Check Model`.
public enum LoadGroundTruthStep {
    public static func run(period: PeriodOption, context: JobContext) async -> ExitStatus {
        await JobRunner(job: .loadGroundTruth, context: context).run(period: period) { input throws(JobFailure) in
            let coverage = try attempt {
                let (joined, coverage) = try join(input)
                try input.store.writeJoined(joined, coverage: coverage, period: input.period.current)
                input.timings.mark("write")
                return coverage
            }
            input.output.line("✓ Extracted period \(input.period.current) data")
            input.output.line(
                "  Labeled: \(coverage.labeled) of \(coverage.rows) predictions (\(coverage.unlabeled) unlabeled), "
                    + "\(coverage.labelsWithoutPrediction) labels without a prediction"
            )
            return .trigger(.checkModel, input.period)
        }
    }

    static func join(_ input: StepInput) throws -> (JoinedRecords, Coverage) {
        let index = input.period.current
        let predictions = try input.store.readPredictions(index)
        input.timings.mark("load")
        let path = try input.dataSet.labelsPath(period: index)
        let reader = try LabelReader(path: path)
        var classes = ClassTable(names: predictions.classNames)
        let rows = predictions.count
        var labels = [Int32](repeating: -1, count: rows)
        var seen = [Bool](repeating: false, count: rows)
        var unknown = IDTable(capacity: 64)

        while try reader.next() {
            if let row = predictions.ids.find(reader.id) {
                guard !seen[row] else { throw duplicate(reader, path) }
                seen[row] = true
                if reader.label.count > 0 {
                    guard let label = classes.intern(reader.label) else {
                        throw JobFailure("\(path):\(reader.line): more than \(ClassTable.limit) distinct classes")
                    }
                    labels[row] = label
                }
            } else {
                guard unknown.insert(reader.id).inserted else { throw duplicate(reader, path) }
            }
        }

        input.timings.markRead("join")
        let labeled = labels.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        let joined = JoinedRecords(
            classNames: classes.names, predictions: predictions.predictions, labels: labels, scores: predictions.scores
        )
        let coverage = Coverage(
            period: index,
            totalPeriods: input.period.total,
            rows: rows,
            labeled: labeled,
            unlabeled: rows - labeled,
            labelsWithoutPrediction: unknown.count
        )
        return (joined, coverage)
    }

    private static func duplicate(_ reader: LabelReader, _ path: String) -> JobFailure {
        JobFailure("\(path):\(reader.line): duplicate id '\(text(reader.id))' (each id may have one label)")
    }
}
