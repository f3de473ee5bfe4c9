import MonitorData

/// Assigns rows to period slots and owns the output files of each slot.
///
/// A slot is a period for the count, size and window splits, and a distinct
/// value of the period column for the column split (numbered at the end;
/// spellings of one number, such as `1`, `01` and `1.0`, share a slot).
final class PeriodFiles {
    final class Slot {
        var predictions: GzipWriter?
        var labels: GzipWriter?
        var rows = 0
        var labeled = 0
        var predictionsDone = false
        var labelsDone = false
        /// The period column's spellings of this slot's value, in the order seen (column split).
        var values: [String] = []
        /// The value as a number, when it is one (column split).
        var number: PeriodNumber?
    }

    let options: ImportOptions
    /// The file the rows come from, for errors about the period column.
    let input: String
    let predictionsHeader: String
    private(set) var slots: [Slot] = []
    /// Rows of the input when the count split needs it.
    var totalRows = 0
    /// Column split: each spelling's slot, and each number's.
    private var valueSlots: [String: Int] = [:]
    private var numberSlots: [PeriodNumber: Int] = [:]
    /// Window split: the first row's window number.
    private var windowOrigin: Int64?
    /// Sequential splits: the slot being written; earlier ones are finished.
    private var current = 0

    init(options: ImportOptions, input: String, hasTimestamp: Bool, hasScore: Bool) {
        self.options = options
        self.input = input
        predictionsHeader =
            "id" + (hasTimestamp ? ",timestamp" : "") + ",prediction" + (hasScore ? ",score" : "") + "\n"
    }

    /// Opens the predictions input at `path` (for the count split, after a
    /// first pass counting its rows), finds its columns, and makes the period files.
    static func start(
        _ path: String, options: ImportOptions, needLabel: Bool, needID: Bool
    ) throws(ImportError) -> (csv: CSVReader, columns: ColumnIndices, files: PeriodFiles) {
        var total = 0
        if case .count = options.split { total = try RowChecks.countRows(path) }
        let csv = try RowChecks.open(path)
        let columns = try ColumnIndices.resolve(
            csv, options.columns, split: options.split, needPrediction: true, needLabel: needLabel, needID: needID)
        let files = PeriodFiles(
            options: options, input: csv.path, hasTimestamp: columns.timestamp != nil, hasScore: columns.score != nil)
        files.totalRows = total
        return (csv, columns, files)
    }

    var isSequential: Bool {
        if case .column = options.split { return false }
        return true
    }

    static func relativePath(_ folder: String, _ period: Int) -> String {
        let digits = String(period)
        return "\(folder)/period_\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits).csv.gz"
    }

    private func path(_ folder: String, slot: Int) -> String {
        isSequential
            ? "\(options.outputDirectory)/\(Self.relativePath(folder, slot))"
            : "\(options.outputDirectory)/\(folder)/slot-\(slot).csv.gz"
    }

    /// The slot of data row `index` (0-based).
    ///
    /// - Throws: ``ImportError`` for a bad or out-of-order timestamp, too many
    ///   windows, or an empty period value.
    func slot(row index: Int, csv: CSVReader, columns: ColumnIndices) throws(ImportError) -> Int {
        switch options.split {
        case .count(let n):
            return totalRows == 0 ? 0 : Int((Int64(index) * Int64(n)) / Int64(totalRows))
        case .size(let n):
            return index / n
        case .window(let seconds):
            let field = csv.field(columns.timestamp!)
            guard let time = RFC3339.parse(field) else {
                throw ImportError(
                    file: csv.path, line: csv.line,
                    "timestamp \"\(String(decoding: field.prefix(40), as: UTF8.self))\" is not an RFC 3339 date-time"
                        + " (e.g. 2024-01-31T12:00:00Z)")
            }
            let window = time >= 0 ? time / seconds : (time - seconds + 1) / seconds
            if windowOrigin == nil { windowOrigin = window }
            let slot = Int(window - windowOrigin!)
            if slot < current {
                throw ImportError(
                    file: csv.path, line: csv.line,
                    "timestamp \(String(decoding: field, as: UTF8.self)) is earlier than the window already written"
                        + " (\(RFC3339.format((windowOrigin! + Int64(current)) * seconds)) on): a window split needs"
                        + " rows in time order; sort the file by time, or split with --periods or --rows-per-period")
            }
            if slot >= ImportOptions.maxPeriods {
                throw ImportError(
                    file: csv.path, line: csv.line, "more than \(ImportOptions.maxPeriodsText) windows: is --window too short?")
            }
            return slot
        case .column:
            let field = csv.field(columns.period!)
            guard field.count > 0 else {
                throw ImportError(file: csv.path, line: csv.line, "empty period value")
            }
            let value = String(decoding: field, as: UTF8.self)
            if let slot = valueSlots[value] { return slot }
            return newValue(value, number: PeriodNumber(field))
        }
    }

    /// A spelling not seen before: the slot of its number, else a new slot.
    private func newValue(_ value: String, number: PeriodNumber?) -> Int {
        if let number, let slot = numberSlots[number] {
            slots[slot].values.append(value)
            valueSlots[value] = slot
            return slot
        }
        let slot = slots.count
        let entry = Slot()
        entry.values = [value]
        entry.number = number
        slots.append(entry)
        valueSlots[value] = slot
        if let number { numberSlots[number] = slot }
        return slot
    }

    /// The slot's files, opened on first use; a sequential split finishes the
    /// slots before `index` (their rows are all written).
    func open(_ index: Int, withLabels: Bool) throws(ImportError) -> Slot {
        if isSequential {
            while slots.count <= index { slots.append(Slot()) }
            if index > current {
                for earlier in current..<index { try finish(slots[earlier], period: earlier, labels: withLabels) }
                current = index
            }
        }
        let slot = slots[index]
        if slot.predictions == nil && !slot.predictionsDone {
            let writer = try GzipWriter(path: path("predictions", slot: index), level: options.compressionLevel)
            try writer.write(predictionsHeader)
            slot.predictions = writer
        }
        if withLabels { try openLabels(slot, index) }
        return slot
    }

    func openLabels(_ slot: Slot, _ index: Int) throws(ImportError) {
        guard slot.labels == nil && !slot.labelsDone else { return }
        let writer = try GzipWriter(path: path("labels", slot: index), level: options.compressionLevel)
        try writer.write("id,label\n")
        slot.labels = writer
    }

    /// Finishes `slot`'s open files as period `period`'s (header-only when
    /// never opened), each read as the jobs will before it is renamed.
    private func finish(_ slot: Slot, period: Int, labels: Bool) throws(ImportError) {
        let out = options.outputDirectory
        if !slot.predictionsDone {
            let target = "\(out)/\(Self.relativePath("predictions", period))"
            if slot.predictions == nil {
                slot.predictions = try GzipWriter(path: target, level: options.compressionLevel)
                try slot.predictions!.write(predictionsHeader)
            }
            try slot.predictions!.finish(movingTo: target, checking: JobsCheck.predictions)
            slot.predictions = nil
            slot.predictionsDone = true
        }
        if labels && !slot.labelsDone {
            let target = "\(out)/\(Self.relativePath("labels", period))"
            if slot.labels == nil {
                slot.labels = try GzipWriter(path: target, level: options.compressionLevel)
                try slot.labels!.write("id,label\n")
            }
            try slot.labels!.finish(movingTo: target, checking: JobsCheck.labels)
            slot.labels = nil
            slot.labelsDone = true
        }
    }

    /// Finishes every file and returns the periods written: gaps (an empty
    /// window, a missing integer period value, counted periods without rows)
    /// are empty periods.
    ///
    /// - Throws: ``ImportError`` when writing fails, the jobs would refuse a
    ///   row, or period values span more than ``ImportOptions/maxPeriods`` periods.
    func finishAll(minimumPeriods: Int) throws(ImportError) -> [WrittenPeriod] {
        var order: [Int?] = isSequential ? slots.indices.map { $0 } : try columnOrder()  // period → slot
        while order.count < minimumPeriods { order.append(nil) }
        if order.isEmpty { order = [nil] }
        var result: [WrittenPeriod] = []
        result.reserveCapacity(order.count)
        for (period, index) in order.enumerated() {
            let slot = index.map { slots[$0] } ?? Slot()
            try finish(slot, period: period, labels: true)
            var window: (start: Int64, end: Int64)?
            if case .window(let seconds) = options.split, let origin = windowOrigin {
                let start = (origin + Int64(period)) * seconds
                window = (start, start + seconds)
            }
            result.append(WrittenPeriod(rows: slot.rows, labeled: slot.labeled, window: window, values: slot.values))
        }
        return result
    }

    /// Finishes every period's files, then writes the metadata.
    ///
    /// - Throws: ``ImportError`` as ``finishAll(minimumPeriods:)`` and ``MetadataWriter``.
    func finishDataSet(reference: ReferenceCounter, labeled: Int, labelsWithoutPrediction: Int) throws(ImportError)
        -> ImportSummary
    {
        let minimum = if case .count(let n) = options.split { n } else { 0 }
        let periods = try finishAll(minimumPeriods: minimum)
        try MetadataWriter.write(options: options, periods: periods, reference: reference)
        return ImportSummary(
            periods: periods, labeled: labeled, labelsWithoutPrediction: labelsWithoutPrediction, reference: reference)
    }

    /// Column split: integers `v` are period `v - min` (gaps kept), other
    /// numbers in numeric order, anything else in text order.
    private func columnOrder() throws(ImportError) -> [Int?] {
        guard slots.allSatisfy({ $0.number != nil }) else {
            return slots.indices.sorted { slots[$0].values[0] < slots[$1].values[0] }
        }
        let sorted = slots.indices.sorted { slots[$0].number! < slots[$1].number! }
        guard sorted.count > 1, slots.allSatisfy({ $0.number!.isInteger }) else { return sorted }
        let low = slots[sorted.first!], high = slots[sorted.last!]
        let column = options.columns.period ?? "period"
        for slot in [low, high] where slot.number!.integer == nil {
            throw ImportError(
                file: input,
                "period value \(slot.values[0]) (column \(column)) has more than \(PeriodNumber.maxIntegerDigits) digits:"
                    + " too large to number periods by")
        }
        let lowValue = low.number!.integer!
        let (span, overflow) = high.number!.integer!.subtractingReportingOverflow(lowValue)
        guard !overflow, span < ImportOptions.maxPeriods else {
            throw ImportError(
                file: input,
                "period values (column \(column)) run from \(low.values[0]) to \(high.values[0]):"
                    + " more than \(ImportOptions.maxPeriodsText) periods")
        }
        var order = [Int?](repeating: nil, count: Int(span) + 1)
        for index in sorted { order[Int(slots[index].number!.integer! - lowValue)] = index }
        return order
    }
}

/// One period of the data set as written.
struct WrittenPeriod {
    var rows: Int
    var labeled: Int
    /// The period's time window `[start, end)` in seconds since the epoch (window split).
    var window: (start: Int64, end: Int64)?
    /// The period column's spellings of this period's value (column split).
    var values: [String]
}
