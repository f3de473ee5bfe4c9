import Platform

/// A failure reading the data set. Its description names the file and, for CSV, the line.
///
/// One error type for the whole data module: ``kind`` says what went wrong in a
/// form a caller can switch on, ``file`` and ``line`` say where, and
/// ``message`` says it in words.
public struct DataError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file (or the data directory) does not exist.
        case notFound
        /// The file exists but cannot be read (a directory, no permission, a read error).
        case io
        /// The file does not start with the gzip magic bytes `1f 8b` (or is empty).
        case notGzip
        /// The file ends before the last gzip member is complete.
        case truncated
        /// zlib reports invalid compressed data (`Z_DATA_ERROR`); the message holds zlib's `msg`.
        case corrupt
        /// A member's CRC-32 trailer does not match its data.
        case checksumMismatch
        /// A member's ISIZE trailer does not match its data.
        case lengthMismatch
        /// Bytes after a complete gzip member that do not start another member.
        case trailingGarbage
        /// zlib could not allocate memory, or a size limit was exceeded.
        case outOfMemory
        /// The CSV syntax is invalid (quotes, field count, NUL, size limits, header).
        case csv
        /// A required column is missing.
        case schema
        /// A field's value is invalid (empty id, bad score, invalid UTF-8).
        case invalidValue
        /// `metadata.json.gz` is invalid, or a path it names is unsafe.
        case metadata
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

extension DataError {
    /// A field's bytes as text for a message: invalid UTF-8 repaired, control
    /// characters escaped (`\n`, `\r`, `\t`, `\u{0}` …) so a message stays
    /// one line whatever the data holds, cut after `limit` bytes with `…`.
    public static func displayText(_ bytes: UnsafeRawBufferPointer, limit: Int = 40) -> String {
        let cut = bytes.count > limit ? UnsafeRawBufferPointer(rebasing: bytes[0..<limit]) : bytes
        return displayText(String(decoding: cut, as: UTF8.self)) + (bytes.count > limit ? "…" : "")
    }

    /// `text` with control characters escaped, safe to print on one line.
    public static func displayText(_ text: String) -> String {
        oneLine(text)
    }
}
