import MonitorData

/// Assigns rows to period slots and owns the output files of each slot.
///
/// A slot is a period for the count, size and window splits, and a distinct
/// value of the period column for the column split (numbered at the end).
final class PeriodFiles {
    final class Slot {
        var predictions: GzipWriter?
        var labels: GzipWriter?
        var rows = 0
        var labeled = 0
        var predictionsDone = false
        var labelsDone = false
        /// The period column's value (column split).
        var value: String?
    }

    let options: ImportOptions
    let predictionsHeader: String
    private(set) var slots: [Slot] = []
    /// Rows of the input when the count split needs it.
    var totalRows = 0
    private var valueSlots: [String: Int] = [:]
    /// Window split: the first row's window number.
    private var windowOrigin: Int64?
    /// Sequential splits: the slot being written; earlier ones are finished.
    private var current = 0

    init(options: ImportOptions, hasTimestamp: Bool, hasScore: Bool) {
        self.options = options
        predictionsHeader =
            "id" + (hasTimestamp ? ",timestamp" : "") + ",prediction" + (hasScore ? ",score" : "") + "\n"
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
    /// - Throws: ``ImportError`` for a bad or out-of-order timestamp, or an empty period value.
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
            if slot > 1_000_000 {
                throw ImportError(file: csv.path, line: csv.line, "more than 1,000,000 windows: is --window too short?")
            }
            return slot
        case .column:
            let field = csv.field(columns.period!)
            guard field.count > 0 else {
                throw ImportError(file: csv.path, line: csv.line, "empty period value")
            }
            let value = String(decoding: field, as: UTF8.self)
            if let slot = valueSlots[value] { return slot }
            let slot = slots.count
            valueSlots[value] = slot
            let entry = Slot()
            entry.value = value
            slots.append(entry)
            return slot
        }
    }

    /// The slot's files, opened on first use; a sequential split finishes the
    /// slots before `index` (their rows are all written).
    func open(_ index: Int, withLabels: Bool) throws(ImportError) -> Slot {
        if isSequential {
            while slots.count <= index { slots.append(Slot()) }
            if index > current {
                for earlier in current..<index { try finish(earlier, period: earlier, labels: withLabels) }
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

    /// Finishes slot `index`'s open files as period `period`'s (header-only when never opened).
    private func finish(_ index: Int, period: Int, labels: Bool) throws(ImportError) {
        let slot = slots[index]
        let out = options.outputDirectory
        if !slot.predictionsDone {
            let target = "\(out)/\(Self.relativePath("predictions", period))"
            if slot.predictions == nil {
                slot.predictions = try GzipWriter(path: target, level: options.compressionLevel)
                try slot.predictions!.write(predictionsHeader)
            }
            try slot.predictions!.finish(movingTo: target)
            slot.predictions = nil
            slot.predictionsDone = true
        }
        if labels && !slot.labelsDone {
            let target = "\(out)/\(Self.relativePath("labels", period))"
            if slot.labels == nil {
                slot.labels = try GzipWriter(path: target, level: options.compressionLevel)
                try slot.labels!.write("id,label\n")
            }
            try slot.labels!.finish(movingTo: target)
            slot.labels = nil
            slot.labelsDone = true
        }
    }

    /// The final periods: for each, its slot (`nil` for an empty window or a
    /// gap in integer period values) and its window. Finishes every file.
    ///
    /// - Throws: ``ImportError`` when writing fails or period values span too many periods.
    func finishAll(minimumPeriods: Int) throws(ImportError) -> [(slot: Slot?, window: (Int64, Int64)?, value: String?)] {
        var order: [Int?]  // period → slot
        switch options.split {
        case .column:
            let values = slots.map { $0.value! }
            let integers = values.compactMap { Int($0) }
            if !values.isEmpty && integers.count == values.count {
                let low = integers.min()!, high = integers.max()!
                guard high - low < 1_000_000 else {
                    throw ImportError(
                        file: options.outputDirectory,
                        "period values run from \(low) to \(high): more than 1,000,000 periods")
                }
                order = Array(repeating: nil, count: high - low + 1)
                for (slot, value) in integers.enumerated() { order[value - low] = slot }
            } else {
                order = values.indices.sorted { values[$0] < values[$1] }.map { Optional($0) }
            }
        default:
            order = slots.indices.map { Optional($0) }
        }
        while order.count < minimumPeriods { order.append(nil) }
        if order.isEmpty { order = [nil] }
        var result: [(slot: Slot?, window: (Int64, Int64)?, value: String?)] = []
        for (period, slotIndex) in order.enumerated() {
            let slot: Slot
            if let slotIndex {
                slot = slots[slotIndex]
            } else {
                slot = Slot()
                slots.append(slot)
            }
            let index = slots.firstIndex { $0 === slot }!
            try finish(index, period: period, labels: true)
            var window: (Int64, Int64)?
            if case .window(let seconds) = options.split, let origin = windowOrigin {
                let start = (origin + Int64(period)) * seconds
                window = (start, start + seconds)
            }
            result.append((slotIndex == nil ? nil : slot, window, slot.value))
        }
        return result
    }
}
