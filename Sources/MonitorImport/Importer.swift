import Foundation
import MonitorData

/// Turns logged predictions and labels into a SPEC §4 data set, streaming.
///
/// Input: CSV, plain or gzip-compressed (told apart by the magic bytes), read
/// through ``CSVReader``; either one file holding a prediction and a label per
/// row, or a predictions file and a labels file joined by id. Output:
/// `predictions/period_NNNN.csv.gz`, `labels/period_NNNN.csv.gz` and, last,
/// `metadata.json.gz`, each written through ``GzipWriter`` (temporary file,
/// fsync, rename).
///
/// Memory: constant in the rows for one file — each period's files are written
/// as its rows go by; splits by count, size and window keep one period open at
/// a time, a period column keeps one open per distinct value. Two files: the
/// predictions are streamed first and only their ids are held (id → period and
/// predicted class, for the join and the reference), then the labels are
/// streamed into every period's labels file.
public enum Importer {
    /// Runs the import described by `options`.
    ///
    /// - Throws: ``ImportError`` naming the file and, for a bad row, the line:
    ///   a missing column, an empty id or prediction, a bad score, a bad or
    ///   out-of-order timestamp, a duplicate id (two-file input), an output folder in use.
    public static func run(_ options: ImportOptions) throws(ImportError) -> ImportSummary {
        let out = options.outputDirectory
        let created = try prepareOutput(out)
        do {
            switch options.input {
            case .combined(let path):
                return try CombinedImport(options: options, path: path).run()
            case .separate(let predictions, let labels):
                return try SeparateImport(options: options, predictionsPath: predictions, labelsPath: labels).run()
            }
        } catch {
            // Leave no half data set behind, so the same command can run again once fixed.
            for folder in created.reversed() { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    /// Creates the output folders; returns those it created.
    private static func prepareOutput(_ out: String) throws(ImportError) -> [String] {
        let manager = FileManager.default
        var created: [String] = []
        var isDirectory: ObjCBool = false
        if !manager.fileExists(atPath: out) { created.append(out) }
        if manager.fileExists(atPath: out, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ImportError(file: out, "exists and is not a directory") }
            let entries = (try? manager.contentsOfDirectory(atPath: out)) ?? []
            guard entries.isEmpty else {
                throw ImportError(file: out, "is not empty: import into a new folder (or remove this one)")
            }
        }
        for folder in [out, out + "/predictions", out + "/labels"] {
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw ImportError(file: folder, "cannot create the folder: \(error)")
            }
        }
        return created.isEmpty ? [out + "/predictions", out + "/labels"] : created
    }
}

// MARK: - Columns

/// The input columns an import uses, as indices into a header.
struct ColumnIndices {
    var id: Int?
    var timestamp: Int?
    var prediction: Int?
    var score: Int?
    var label: Int?
    var period: Int?

    /// Finds the columns in `csv`'s header. A name given by a flag must exist;
    /// a default name is used when present.
    static func resolve(
        _ csv: CSVReader, _ columns: ImportOptions.Columns, split: ImportOptions.Split,
        needPrediction: Bool, needLabel: Bool, needID: Bool
    ) throws(ImportError) -> ColumnIndices {
        func find(_ given: String?, default name: String, flag: String, required: Bool) throws(ImportError) -> Int? {
            if let given {
                guard let index = csv.column(named: given) else {
                    throw ImportError(
                        file: csv.path, line: csv.line,
                        "missing column \"\(given)\" (\(flag)); the header has: \(csv.header.joined(separator: ", "))")
                }
                return index
            }
            let index = csv.column(named: name)
            if index == nil && required {
                throw ImportError(
                    file: csv.path, line: csv.line,
                    "missing column \"\(name)\" (name another with \(flag)); the header has: "
                        + csv.header.joined(separator: ", "))
            }
            return index
        }
        var result = ColumnIndices()
        result.id = try find(columns.id, default: "id", flag: "--id-column", required: needID)
        var needTimestamp = false
        if case .window = split { needTimestamp = true }
        if needPrediction {
            result.timestamp = try find(
                columns.timestamp, default: "timestamp", flag: "--timestamp-column", required: needTimestamp)
            result.prediction = try find(columns.prediction, default: "prediction", flag: "--prediction-column", required: true)
            result.score = try find(columns.score, default: "score", flag: "--score-column", required: false)
            if case .column = split {
                result.period = try find(columns.period, default: "period", flag: "--period-column", required: true)
            }
        }
        if needLabel {
            result.label = try find(columns.label, default: "label", flag: "--label-column", required: true)
        }
        return result
    }
}

// MARK: - Periods

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

// MARK: - Rows

enum RowChecks {
    /// Checks the prediction and score fields of the current row.
    static func checkPrediction(_ csv: CSVReader, _ columns: ColumnIndices) throws(ImportError) {
        if csv.field(columns.prediction!).count == 0 {
            throw ImportError(file: csv.path, line: csv.line, "empty prediction")
        }
        if let score = columns.score {
            let field = csv.field(score)
            var text = Substring(String(decoding: field, as: UTF8.self))
            while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
            while let last = text.last, last == " " || last == "\t" { text.removeLast() }
            guard let value = Double(text), value >= 0, value <= 1 else {
                throw ImportError(
                    file: csv.path, line: csv.line,
                    field.count == 0 ? "empty score" : "score \"\(text.prefix(40))\" is not a number in [0, 1]")
            }
        }
    }

    static func checkID(_ csv: CSVReader, _ column: Int) throws(ImportError) -> UnsafeRawBufferPointer {
        let id = csv.field(column)
        if id.count == 0 { throw ImportError(file: csv.path, line: csv.line, "empty id") }
        return id
    }

    /// Writes `id[,timestamp],prediction[,score]` for the current row.
    static func writePrediction(
        _ writer: GzipWriter, csv: CSVReader, columns: ColumnIndices, generatedID: Int
    ) throws(ImportError) {
        if let id = columns.id {
            try writer.writeCSVField(csv.field(id))
        } else {
            try writer.write("row-\(generatedID)")
        }
        if let timestamp = columns.timestamp {
            try writer.write(byte: UInt8(ascii: ","))
            try writer.writeCSVField(csv.field(timestamp))
        }
        try writer.write(byte: UInt8(ascii: ","))
        try writer.writeCSVField(csv.field(columns.prediction!))
        if let score = columns.score {
            try writer.write(byte: UInt8(ascii: ","))
            try writer.writeCSVField(csv.field(score))
        }
        try writer.write(byte: 10)
    }

    static func open(_ path: String) throws(ImportError) -> CSVReader {
        do {
            return try CSVReader(path: path, compression: .detect)
        } catch {
            throw ImportError(error)
        }
    }

    static func next(_ csv: CSVReader) throws(ImportError) -> Bool {
        do {
            return try csv.next()
        } catch {
            throw ImportError(error)
        }
    }

    static func countRows(_ path: String) throws(ImportError) -> Int {
        let csv = try open(path)
        var count = 0
        while try next(csv) { count += 1 }
        return count
    }
}

// MARK: - One file

struct CombinedImport {
    let options: ImportOptions
    let path: String

    func run() throws(ImportError) -> ImportSummary {
        var total = 0
        if case .count = options.split { total = try RowChecks.countRows(path) }
        let csv = try RowChecks.open(path)
        let columns = try ColumnIndices.resolve(
            csv, options.columns, split: options.split, needPrediction: true, needLabel: true, needID: false)
        let files = PeriodFiles(options: options, hasTimestamp: columns.timestamp != nil, hasScore: columns.score != nil)
        files.totalRows = total
        var reference = ReferenceCounter(limit: options.referenceRows)
        var index = 0
        var labeled = 0
        while try RowChecks.next(csv) {
            if let id = columns.id { _ = try RowChecks.checkID(csv, id) }
            try RowChecks.checkPrediction(csv, columns)
            let slot = try files.open(try files.slot(row: index, csv: csv, columns: columns), withLabels: true)
            index += 1
            try RowChecks.writePrediction(slot.predictions!, csv: csv, columns: columns, generatedID: index)
            slot.rows += 1
            let label = csv.field(columns.label!)
            if label.count > 0 {  // an empty label is "no label yet": left out of the labels file
                let writer = slot.labels!
                if let id = columns.id {
                    try writer.writeCSVField(csv.field(id))
                } else {
                    try writer.write("row-\(index)")
                }
                try writer.write(byte: UInt8(ascii: ","))
                try writer.writeCSVField(label)
                try writer.write(byte: 10)
                slot.labeled += 1
                labeled += 1
                reference.add(correct: label.elementsEqual(csv.field(columns.prediction!)))
            }
        }
        let minimum = if case .count(let n) = options.split { n } else { 0 }
        let periods = try files.finishAll(minimumPeriods: minimum)
        try MetadataWriter.write(options: options, periods: periods, reference: reference)
        return ImportSummary(
            periods: periods.count, rowsPerPeriod: periods.map { $0.slot?.rows ?? 0 }, labeled: labeled,
            labelsWithoutPrediction: 0, referenceAccuracy: reference.accuracy, referenceRows: reference.seen)
    }
}

// MARK: - Two files

struct SeparateImport {
    let options: ImportOptions
    let predictionsPath: String
    let labelsPath: String

    /// What is held per prediction id: its slot, its predicted class, whether a label was seen.
    struct Entry {
        var slot: Int32
        var prediction: Int32
        var labeled: Bool
    }

    func run() throws(ImportError) -> ImportSummary {
        var total = 0
        if case .count = options.split { total = try RowChecks.countRows(predictionsPath) }
        let csv = try RowChecks.open(predictionsPath)
        let columns = try ColumnIndices.resolve(
            csv, options.columns, split: options.split, needPrediction: true, needLabel: false, needID: true)
        let files = PeriodFiles(options: options, hasTimestamp: columns.timestamp != nil, hasScore: columns.score != nil)
        files.totalRows = total
        var entries: [String: Entry] = [:]
        var classes: [String: Int32] = [:]
        var index = 0
        while try RowChecks.next(csv) {
            let idBytes = try RowChecks.checkID(csv, columns.id!)
            try RowChecks.checkPrediction(csv, columns)
            let slotIndex = try files.slot(row: index, csv: csv, columns: columns)
            let slot = try files.open(slotIndex, withLabels: false)
            index += 1
            let id = String(decoding: idBytes, as: UTF8.self)
            let predicted = String(decoding: csv.field(columns.prediction!), as: UTF8.self)
            let classIndex: Int32
            if let known = classes[predicted] {
                classIndex = known
            } else {
                classIndex = Int32(classes.count)
                classes[predicted] = classIndex
            }
            guard entries.updateValue(Entry(slot: Int32(slotIndex), prediction: classIndex, labeled: false), forKey: id) == nil
            else {
                throw ImportError(file: csv.path, line: csv.line, "duplicate id \"\(id.prefix(60))\"")
            }
            try RowChecks.writePrediction(slot.predictions!, csv: csv, columns: columns, generatedID: index)
            slot.rows += 1
        }

        let labels = try RowChecks.open(labelsPath)
        let labelColumns = try ColumnIndices.resolve(
            labels, options.columns, split: options.split, needPrediction: false, needLabel: true, needID: true)
        var reference = ReferenceCounter(limit: options.referenceRows)
        var labeled = 0
        var withoutPrediction = 0
        while try RowChecks.next(labels) {
            let idBytes = try RowChecks.checkID(labels, labelColumns.id!)
            let label = labels.field(labelColumns.label!)
            let id = String(decoding: idBytes, as: UTF8.self)
            guard var entry = entries[id] else {
                withoutPrediction += 1  // a label for an id never predicted: counted, dropped
                continue
            }
            if entry.labeled {
                throw ImportError(file: labels.path, line: labels.line, "duplicate label for id \"\(id.prefix(60))\"")
            }
            guard label.count > 0 else { continue }  // "no label yet"
            entry.labeled = true
            entries[id] = entry
            let slot = files.slots[Int(entry.slot)]
            try files.openLabels(slot, Int(entry.slot))
            try slot.labels!.writeCSVField(idBytes)
            try slot.labels!.write(byte: UInt8(ascii: ","))
            try slot.labels!.writeCSVField(label)
            try slot.labels!.write(byte: 10)
            slot.labeled += 1
            labeled += 1
            reference.add(correct: classes[String(decoding: label, as: UTF8.self)] == entry.prediction)
        }
        let minimum = if case .count(let n) = options.split { n } else { 0 }
        let periods = try files.finishAll(minimumPeriods: minimum)
        try MetadataWriter.write(options: options, periods: periods, reference: reference)
        return ImportSummary(
            periods: periods.count, rowsPerPeriod: periods.map { $0.slot?.rows ?? 0 }, labeled: labeled,
            labelsWithoutPrediction: withoutPrediction, referenceAccuracy: reference.accuracy,
            referenceRows: reference.seen)
    }
}

// MARK: - Reference and metadata

/// Accuracy over the first `limit` labeled rows.
struct ReferenceCounter {
    let limit: Int?
    private(set) var seen = 0
    private var correct = 0

    init(limit: Int?) { self.limit = limit }

    mutating func add(correct isCorrect: Bool) {
        guard let limit, seen < limit else { return }
        seen += 1
        if isCorrect { correct += 1 }
    }

    var accuracy: Double? {
        guard limit != nil, seen > 0 else { return nil }
        return Double(correct) / Double(seen)
    }
}

enum MetadataWriter {
    struct File: Encodable {
        struct Period: Encodable {
            var period: Int
            var start: String?
            var end: String?
            var predictions: String
            var labels: String
            var rows: Int
            var sourcePeriod: String?

            enum CodingKeys: String, CodingKey {
                case period, start, end, predictions, labels, rows
                case sourcePeriod = "source_period"
            }
        }
        var formatVersion = 1
        var name: String
        var numPeriods: Int
        var positiveLabel: String
        var periods: [Period]
        var reference: [String: Double]?

        enum CodingKeys: String, CodingKey {
            case name, periods, reference
            case formatVersion = "format_version"
            case numPeriods = "num_periods"
            case positiveLabel = "positive_label"
        }
    }

    static func write(
        options: ImportOptions, periods: [(slot: PeriodFiles.Slot?, window: (Int64, Int64)?, value: String?)],
        reference: ReferenceCounter
    ) throws(ImportError) {
        let file = File(
            name: options.name, numPeriods: periods.count, positiveLabel: options.positiveLabel,
            periods: periods.enumerated().map { period, entry in
                File.Period(
                    period: period, start: entry.window.map { RFC3339.format($0.0) },
                    end: entry.window.map { RFC3339.format($0.1) },
                    predictions: PeriodFiles.relativePath("predictions", period),
                    labels: PeriodFiles.relativePath("labels", period), rows: entry.slot?.rows ?? 0,
                    sourcePeriod: entry.value)
            },
            reference: reference.accuracy.map { ["accuracy": $0] })
        let path = options.outputDirectory + "/metadata.json.gz"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(file)
        } catch {
            throw ImportError(file: path, "cannot encode the metadata: \(error)")
        }
        let writer = try GzipWriter(path: path)
        try writer.write(String(decoding: data, as: UTF8.self) + "\n")
        try writer.finish()
    }
}
