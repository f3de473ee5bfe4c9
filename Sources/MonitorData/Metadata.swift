import FoundationEssentials

/// One entry of `metadata.json.gz`'s `periods`.
public struct PeriodInfo: Sendable, Equatable {
    /// The period number; equal to the entry's index.
    public var period: Int
    /// Start of the period's window `[start, end)` (RFC 3339), when given.
    public var start: String?
    /// End of the period's window, when given.
    public var end: String?
    /// Path of the predictions file, relative to the data directory.
    public var predictions: String
    /// Path of the labels file, relative to the data directory.
    public var labels: String
    /// Expected number of prediction rows, when given.
    public var rows: Int?

    public init(
        period: Int, start: String? = nil, end: String? = nil, predictions: String, labels: String,
        rows: Int? = nil
    ) {
        self.period = period
        self.start = start
        self.end = end
        self.predictions = predictions
        self.labels = labels
        self.rows = rows
    }
}

/// The validated content of `metadata.json.gz`.
public struct Metadata: Sendable, Equatable {
    /// `format_version`; always 1.
    public var formatVersion: Int
    /// The data set's name (non-empty).
    public var name: String
    /// `num_periods`, `T` (≥ 1).
    public var numPeriods: Int
    /// The positive class for precision, recall and F1 (default `"1"`).
    public var positiveLabel: String
    /// The entries read, `periods[i].period == i`: every period's after
    /// ``decode(json:file:)``, only the requested one's after
    /// ``decode(json:file:period:)`` (see ``isComplete``).
    public var periods: [PeriodInfo]
    /// Whether ``periods`` holds every period's entry.
    public var isComplete: Bool { periods.count == numPeriods }
    /// Baseline metrics (e.g. `["accuracy": 0.95]`), each in `0...1`; empty when absent.
    public var reference: [String: Double]
    /// `reference.predictions` and `reference.labels`: a labeled reference set's files, if given.
    public var referenceFiles: (predictions: String, labels: String)? {
        get { referencePredictions.flatMap { p in referenceLabels.map { (p, $0) } } }
        set {
            referencePredictions = newValue?.predictions
            referenceLabels = newValue?.labels
        }
    }
    private var referencePredictions: String?
    private var referenceLabels: String?
    /// `task`: binary or multiclass metrics for the whole data set; `nil` when not declared.
    public var task: Task?

    /// The kind of metrics a data set declares.
    public enum Task: String, Sendable, Equatable {
        case binary, multiclass
    }

    public init(
        formatVersion: Int = 1, name: String, numPeriods: Int, positiveLabel: String = "1",
        periods: [PeriodInfo], reference: [String: Double] = [:], task: Task? = nil
    ) {
        self.formatVersion = formatVersion
        self.name = name
        self.numPeriods = numPeriods
        self.positiveLabel = positiveLabel
        self.periods = periods
        self.reference = reference
        self.task = task
    }

    /// Decodes and validates metadata JSON (docs/data-format.md); unknown fields are ignored.
    ///
    /// - Parameter file: the metadata file's path, for error messages.
    /// - Throws: ``DataError`` of kind `.metadata` naming `file` and the field at fault.
    public static func decode(json: [UInt8], file: String) throws(DataError) -> Metadata {
        try decoded(RawMetadata.self, from: Data(json), file: file).validated(file: file)
    }

    /// `json` decoded as `T`; an error names `file` and the field, its path under `prefix` (where `json` is).
    private static func decoded<T: Decodable>(
        _ type: T.Type, from json: Data, file: String, under prefix: String = ""
    ) throws(DataError) -> T {
        do {
            return try JSONDecoder().decode(type, from: json)
        } catch let error as DecodingError {
            throw DataError(.metadata, file: file, "invalid metadata: \(describe(error, under: prefix))")
        } catch {
            throw DataError(.metadata, file: file, "invalid metadata JSON\(prefix.isEmpty ? "" : " in \(prefix)"): \(error)")
        }
    }

    /// Decodes and validates what one period's job needs: the JSON syntax of
    /// the whole document, its top-level fields, `num_periods` against the
    /// number of entries, and entry `period` only (none when `period` is out
    /// of range). A damaged entry of another period is not looked at;
    /// ``decode(json:file:)`` checks every entry.
    ///
    /// - Parameter file: the metadata file's path, for error messages.
    /// - Throws: ``DataError`` of kind `.metadata` naming `file` and the field at fault.
    public static func decode(json: [UInt8], file: String, period: Int) throws(DataError) -> Metadata {
        guard let outline = MetadataOutline.scan(json, entry: period) else { return try decode(json: json, file: file) }
        // The top level with `periods` emptied, then the entry alone.
        let header = outline.periods.map { json[..<$0.lowerBound] + Array("[]".utf8) + json[$0.upperBound...] } ?? json
        let raw = try decoded(RawMetadata.self, from: Data(header), file: file)
        var entries: [(offset: Int, element: RawPeriod)] = []
        if let range = outline.entry {
            entries.append((period, try decoded(RawPeriod.self, from: Data(json[range]), file: file, under: "periods[\(period)]")))
        }
        return try raw.validated(file: file, count: outline.periods.map { _ in outline.count }, entries: entries) {
            number, count, index in
            // A numbering fault is explained with every entry's number, when they can be read.
            guard let range = outline.periods,
                let numbers = try? JSONDecoder().decode([PeriodNumber].self, from: Data(json[range]))
            else { return RawMetadata.numberingHead(number, count: count, at: index) }
            return RawMetadata.numberingProblem(numbers.map(\.period), count: count, at: index)
        }
    }

    /// Checks a path from the metadata: non-empty, relative, without a `..` component.
    static func checkRelativePath(_ path: String, field: String, file: String) throws(DataError) {
        if path.isEmpty {
            throw DataError(.metadata, file: file, "\(field) is empty")
        }
        if path.hasPrefix("/") {
            throw DataError(
                .metadata, file: file, "\(field) \"\(path)\" is an absolute path; paths must be relative to the data directory")
        }
        if path.utf8.contains(0) {
            throw DataError(.metadata, file: file, "\(field) contains a NUL character")
        }
        if path.split(separator: "/", omittingEmptySubsequences: true).contains("..") {
            throw DataError(
                .metadata, file: file, "\(field) \"\(path)\" contains \"..\"; paths must stay inside the data directory")
        }
    }

    /// `error` in words, its field path starting with `prefix` (the path of the decoded value).
    private static func describe(_ error: DecodingError, under prefix: String = "") -> String {
        func pathText(_ path: [any CodingKey]) -> String {
            var text = prefix
            for key in path {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
            return text.isEmpty ? "top level" : text
        }
        switch error {
        case .typeMismatch(let type, let context):
            let found = found(in: context.debugDescription).map { ", found \($0)" } ?? ""
            return "\(pathText(context.codingPath)): expected \(typeName(type))\(found)"
        case .valueNotFound(let type, let context):
            return "\(pathText(context.codingPath)): expected \(typeName(type)), found null"
        case .keyNotFound(let key, let context):
            return "\(pathText(context.codingPath + [key])): missing field"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty && prefix.isEmpty { return "not valid JSON" }
            return "\(pathText(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// What a type mismatch found, from its "Expected to decode X but found Y instead." text.
    private static func found(in description: String) -> String? {
        let suffix = " instead."
        guard let start = description.firstRange(of: " but found "), description.hasSuffix(suffix) else { return nil }
        let found = String(description[start.upperBound...].dropLast(suffix.count))
        switch found {
        case "number": return "a number"
        case "bool": return "a boolean"
        case "a dictionary": return "an object"
        default: return found
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type: return "an integer"
        case is String.Type: return "a string"
        case is [RawPeriod].Type, is Array<Any>.Type: return "an array"
        default:
            let name = "\(type)"
            if name.hasPrefix("Dictionary") || name.hasPrefix("Raw") { return "an object" }
            if name.hasPrefix("Array") { return "an array" }
            return name
        }
    }
}

/// `reference`: metric values (numbers) and the reference set's files (strings).
private struct RawReference: Decodable {
    var metrics: [String: Double] = [:]
    var predictions: String?
    var labels: String?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for key in c.allKeys {
            switch key.stringValue {
            case "predictions": predictions = try c.decode(String.self, forKey: key)
            case "labels": labels = try c.decode(String.self, forKey: key)
            default: metrics[key.stringValue] = try c.decodeNumber(forKey: key)
            }
        }
    }
}

/// An entry's `period` alone, `nil` when absent or not an integer.
private struct PeriodNumber: Decodable {
    var period: Int?

    enum CodingKeys: String, CodingKey {
        case period
    }

    init(from decoder: any Decoder) throws {
        period = try? decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .period)
    }
}

private struct RawPeriod: Decodable {
    var period: Int?
    var start: String?
    var end: String?
    var predictions: String?
    var labels: String?
    var rows: Int?

    enum CodingKeys: String, CodingKey {
        case period, start, end, predictions, labels, rows
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        period = try c.decodeIntegerIfPresent(forKey: .period)
        start = try c.decodeIfPresent(String.self, forKey: .start)
        end = try c.decodeIfPresent(String.self, forKey: .end)
        predictions = try c.decodeIfPresent(String.self, forKey: .predictions)
        labels = try c.decodeIfPresent(String.self, forKey: .labels)
        rows = try c.decodeIntegerIfPresent(forKey: .rows)
    }
}

private struct RawMetadata: Decodable {
    var formatVersion: Int?
    var name: String?
    var numPeriods: Int?
    var positiveLabel: String?
    var periods: [RawPeriod]?
    var reference: RawReference?
    var task: String?

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case name
        case numPeriods = "num_periods"
        case positiveLabel = "positive_label"
        case periods
        case reference
        case task
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decodeIntegerIfPresent(forKey: .formatVersion)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        numPeriods = try c.decodeIntegerIfPresent(forKey: .numPeriods)
        positiveLabel = try c.decodeIfPresent(String.self, forKey: .positiveLabel)
        periods = try c.decodeIfPresent([RawPeriod].self, forKey: .periods)
        reference = try c.decodeIfPresent(RawReference.self, forKey: .reference)
        task = try c.decodeIfPresent(String.self, forKey: .task)
    }

    func validated(file: String) throws(DataError) -> Metadata {
        let periods = self.periods
        return try validated(file: file, count: periods?.count, entries: Array((periods ?? []).enumerated())) {
            _, count, index in Self.numberingProblem(periods!.map(\.period), count: count, at: index)
        }
    }

    /// Validates the top-level fields, that `periods` has `count` entries
    /// (`nil`: no `periods`), and `entries` with their indices; `numbering`
    /// explains an entry numbered `number` at index `index` of `count`.
    func validated(
        file: String, count: Int?, entries: [(offset: Int, element: RawPeriod)],
        numbering: (_ number: Int?, _ count: Int, _ index: Int) -> String
    ) throws(DataError) -> Metadata {
        func fail(_ message: String) -> DataError { DataError(.metadata, file: file, message) }
        guard let formatVersion else { throw fail("missing field format_version") }
        guard formatVersion == 1 else {
            throw fail("unsupported format_version \(formatVersion) (this version reads format_version 1)")
        }
        guard let name else { throw fail("missing field name") }
        guard !name.isEmpty else { throw fail("name is empty") }
        guard let numPeriods else { throw fail("missing field num_periods") }
        guard numPeriods >= 1 else { throw fail("num_periods is \(numPeriods); it must be at least 1") }
        let positiveLabel = self.positiveLabel ?? "1"
        guard !positiveLabel.isEmpty else { throw fail("positive_label is empty") }
        guard let count else { throw fail("missing field periods") }
        guard count == numPeriods else {
            throw fail("periods has \(count) entries but num_periods is \(numPeriods)")
        }

        var result: [PeriodInfo] = []
        result.reserveCapacity(entries.count)
        for (index, entry) in entries {
            guard let period = entry.period else { throw fail("periods[\(index)]: missing field period") }
            if period != index {
                throw fail(numbering(period, numPeriods, index))
            }
            guard let predictions = entry.predictions else {
                throw fail("periods[\(index)]: missing field predictions")
            }
            guard let labels = entry.labels else { throw fail("periods[\(index)]: missing field labels") }
            try Metadata.checkRelativePath(predictions, field: "periods[\(index)].predictions", file: file)
            try Metadata.checkRelativePath(labels, field: "periods[\(index)].labels", file: file)
            if let rows = entry.rows, rows < 0 {
                throw fail("periods[\(index)].rows is \(rows); it must be at least 0")
            }
            result.append(
                PeriodInfo(
                    period: period, start: entry.start, end: entry.end, predictions: predictions, labels: labels,
                    rows: entry.rows))
        }
        var task: Metadata.Task?
        if let text = self.task {
            guard let known = Metadata.Task(rawValue: text) else {
                throw fail("task is \"\(text)\"; expected \"binary\" or \"multiclass\"")
            }
            task = known
        }
        var metadata = Metadata(
            formatVersion: formatVersion, name: name, numPeriods: numPeriods, positiveLabel: positiveLabel,
            periods: result, reference: [:], task: task)
        if let reference {
            for (metric, value) in reference.metrics.sorted(by: { $0.key < $1.key }) {
                guard value.isFinite, (0...1).contains(value) else {
                    throw fail("reference.\(metric) is \(value); a reference metric is a fraction from 0 to 1 (0.95 for 95%)")
                }
            }
            metadata.reference = reference.metrics
            switch (reference.predictions, reference.labels) {
            case (nil, nil): break
            case (let predictions?, let labels?):
                try Metadata.checkRelativePath(predictions, field: "reference.predictions", file: file)
                try Metadata.checkRelativePath(labels, field: "reference.labels", file: file)
                metadata.referenceFiles = (predictions, labels)
            case (nil, _): throw fail("reference.labels is given without reference.predictions")
            case (_, nil): throw fail("reference.predictions is given without reference.labels")
            }
        }
        return metadata
    }

    /// Says that entry `index` is numbered `number`, not `index`.
    static func numberingHead(_ number: Int?, count: Int, at index: Int) -> String {
        "periods[\(index)].period is \(number.map(String.init) ?? "null"), expected \(index)"
            + " (periods must be numbered 0…\(count - 1) in order)"
    }

    /// Explains why `periods[].period` is not `0, 1, …, count-1` in order.
    static func numberingProblem(_ numbers: [Int?], count: Int, at index: Int) -> String {
        var seen: [Int: Int] = [:]
        for case let number? in numbers { seen[number, default: 0] += 1 }
        let duplicates = seen.filter { $0.value > 1 }.keys.sorted()
        let missing = (0..<count).filter { seen[$0] == nil }
        var message = numberingHead(numbers[index], count: count, at: index)
        if !duplicates.isEmpty {
            message += "; duplicate period numbers: " + duplicates.map(String.init).joined(separator: ", ")
        }
        if !missing.isEmpty {
            message += "; missing period numbers: " + missing.map(String.init).joined(separator: ", ")
        }
        return message
    }
}

extension KeyedDecodingContainer {
    /// An optional integer field. A number that is not an `Int` (`300.5`, `1e30`)
    /// or a string is a type mismatch at the field, saying what was found:
    /// swift-foundation's `JSONDecoder` throws its own error for such a number,
    /// which its top level reports as "not valid JSON" with no path.
    fileprivate func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        do {
            return try decode(Int.self, forKey: key)
        } catch DecodingError.typeMismatch(let type, let context) {
            guard let text = try? decode(String.self, forKey: key) else {
                throw DecodingError.typeMismatch(type, context)
            }
            throw mismatch(Int.self, key, found: "the string \"\(DataError.displayText(text))\"")
        } catch let error as DecodingError {
            throw error
        } catch {
            guard let number = try? decode(Double.self, forKey: key) else {
                throw mismatch(Int.self, key, found: "a number out of range")
            }
            throw mismatch(Int.self, key, found: "\(number)")
        }
    }

    /// A number field; one beyond `Double`'s range (`1e400`) is a type mismatch at the field.
    fileprivate func decodeNumber(forKey key: Key) throws -> Double {
        do {
            return try decode(Double.self, forKey: key)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw mismatch(Double.self, key, found: "a number out of range")
        }
    }

    private func mismatch(_ type: Any.Type, _ key: Key, found: String) -> DecodingError {
        DecodingError.typeMismatch(
            type, .init(codingPath: codingPath + [key], debugDescription: "Expected to decode \(type) but found \(found) instead.")
        )
    }
}
