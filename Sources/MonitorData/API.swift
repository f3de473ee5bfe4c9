// STUB: the public API of the data module. The data-module work replaces every
// `fatalError` with a real implementation and splits this file by type.

/// A failure reading the data set. Its description names the file and, for CSV, the line.
public struct DataError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case notFound, io, notGzip, truncated, corrupt, checksumMismatch, lengthMismatch, trailingGarbage
        case outOfMemory, csv, schema, invalidValue, metadata
    }
    public let kind: Kind
    /// The file at fault, as the user named it (data dir joined with the relative path).
    public let file: String
    /// 1-based line of the CSV record at fault, when there is one.
    public let line: Int?
    public let message: String

    public init(_ kind: Kind, file: String, line: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message` (or `file: message`).
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Streams the decompressed bytes of a gzip file (all members, RFC 1952).
public final class GzipReader {
    public init(path: String, chunkSize: Int = 256 * 1024) throws(DataError) { fatalError("stub") }
    /// Fills `buffer` with the next decompressed bytes; returns 0 at the end of the last member.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int { fatalError("stub") }
    /// The whole decompressed content; for small files (metadata).
    public static func readAll(path: String, limit: Int = 64 << 20) throws(DataError) -> [UInt8] { fatalError("stub") }
}

/// Streams the records of a gzip-compressed RFC 4180 CSV file with a header row.
public final class CSVReader {
    public init(path: String) throws(DataError) { fatalError("stub") }
    /// The header's column names (BOM stripped).
    public var header: [String] { fatalError("stub") }
    public func column(named name: String) -> Int? { fatalError("stub") }
    /// Advances to the next record; `false` at the end of the file.
    public func next() throws(DataError) -> Bool { fatalError("stub") }
    /// 1-based line on which the current record starts.
    public var line: Int { fatalError("stub") }
    public var fieldCount: Int { fatalError("stub") }
    /// The bytes of field `index` of the current record, unquoted; valid until ``next()``.
    public func field(_ index: Int) -> UnsafeRawBufferPointer { fatalError("stub") }
}

/// Reads a period's predictions file (`id`, `prediction`, optional `score`, `timestamp`).
public final class PredictionReader {
    public init(path: String) throws(DataError) { fatalError("stub") }
    public var hasScore: Bool { fatalError("stub") }
    /// Advances to the next row, validated (id and prediction non-empty, score in [0, 1]).
    public func next() throws(DataError) -> Bool { fatalError("stub") }
    public var line: Int { fatalError("stub") }
    /// Valid until ``next()``.
    public var id: UnsafeRawBufferPointer { fatalError("stub") }
    /// Valid until ``next()``.
    public var prediction: UnsafeRawBufferPointer { fatalError("stub") }
    /// The row's score; `.nan` when the file has no `score` column.
    public var score: Double { fatalError("stub") }
}

/// Reads a period's labels file (`id`, `label`; an empty label means "no label yet").
public final class LabelReader {
    public init(path: String) throws(DataError) { fatalError("stub") }
    public func next() throws(DataError) -> Bool { fatalError("stub") }
    public var line: Int { fatalError("stub") }
    public var id: UnsafeRawBufferPointer { fatalError("stub") }
    /// Empty when the label has not arrived.
    public var label: UnsafeRawBufferPointer { fatalError("stub") }
}

/// One entry of `metadata.json.gz`'s `periods`.
public struct PeriodInfo: Sendable, Equatable {
    public var period: Int
    public var start: String?
    public var end: String?
    public var predictions: String
    public var labels: String
    public var rows: Int?
}

/// The validated content of `metadata.json.gz`.
public struct Metadata: Sendable, Equatable {
    public var formatVersion: Int
    public var name: String
    public var numPeriods: Int
    public var positiveLabel: String
    public var periods: [PeriodInfo]
    public var reference: [String: Double]
}

/// A data set directory with its validated metadata.
public struct DataSet: Sendable {
    public let directory: String
    public let metadata: Metadata
    /// Reads and validates `directory/metadata.json.gz`.
    public init(directory: String) throws(DataError) { fatalError("stub") }
    /// The path of period `period`'s predictions file, checked to stay inside the data dir.
    public func predictionsPath(period: Int) throws(DataError) -> String { fatalError("stub") }
    /// The path of period `period`'s labels file, checked to stay inside the data dir.
    public func labelsPath(period: Int) throws(DataError) -> String { fatalError("stub") }
}
