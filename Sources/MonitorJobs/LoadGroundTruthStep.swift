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

        // Rows are joined in batches: the batch's slots and stored ids are
        // touched first so their cache misses overlap; then each row is
        // joined in file order, as one at a time would.
        var pendingIDs = PendingIDs()
        var labelBytes: [UInt8] = []
        var labelEnds: [Int] = []
        func joinPending() throws(JobFailure) {
            defer {
                pendingIDs.removeAll()
                labelBytes.removeAll(keepingCapacity: true)
                labelEnds.removeAll(keepingCapacity: true)
            }
            pendingIDs.touch(predictions.ids, entries: true)
            for k in 0..<pendingIDs.count {
                let line = pendingIDs.line(k)
                try pendingIDs.withID(k) { id throws(JobFailure) in
                    if let row = predictions.ids.find(id, hash: pendingIDs.hash(k)) {
                        guard !seen[row] else { throw duplicate(id, line, path) }
                        seen[row] = true
                        let start = k == 0 ? 0 : labelEnds[k - 1]
                        if labelEnds[k] > start {
                            let label = labelBytes.withUnsafeBytes { all in
                                classes.intern(UnsafeRawBufferPointer(rebasing: all[start..<labelEnds[k]]))
                            }
                            guard let label else {
                                throw JobFailure("\(path):\(line): more than \(ClassTable.limit) distinct classes")
                            }
                            labels[row] = label
                        }
                    } else {
                        guard unknown.insert(id, hash: pendingIDs.hash(k)).inserted else { throw duplicate(id, line, path) }
                    }
                }
            }
        }
        while try flushingOnError(joinPending, reader.next()) {
            pendingIDs.append(reader.id, line: reader.line)
            labelBytes.append(contentsOf: reader.label)
            labelEnds.append(labelBytes.count)
            if pendingIDs.isFull { try joinPending() }
        }
        try joinPending()

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

    private static func duplicate(_ id: UnsafeRawBufferPointer, _ line: Int, _ path: String) -> JobFailure {
        JobFailure("\(path):\(line): duplicate id '\(text(id))' (each id may have one label)")
    }
}
