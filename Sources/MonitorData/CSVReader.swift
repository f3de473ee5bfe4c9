import Platform

/// Streams the records of a gzip-compressed RFC 4180 CSV file with a header row.
///
/// The reader decompresses through ``GzipReader`` (inflating ahead on a second
/// thread for files larger than a few hundred KiB) into one reusable buffer and
/// parses records in place: a field is a slice of that buffer (or, for a quoted
/// field with `""` escapes, of a reusable scratch buffer), valid until the next
/// call of ``next()``. Memory stays constant: the 64 KiB buffer grows only when a
/// single record does not fit, and a record larger than the limit (1 MiB by
/// default) is an error, so the buffer never exceeds about twice the limit.
///
/// Syntax accepted: fields separated by `,`; records ended by LF, CRLF or a bare
/// CR; quoted fields with `""` escapes and embedded commas, quotes and line
/// breaks; a UTF-8 byte order mark before the header (stripped); a missing line
/// break at the end of the file. Blank lines are skipped. Everything else is a
/// ``DataError/Kind/csv`` error naming the file and line: an unterminated quote,
/// a quote inside an unquoted field, bytes after a closing quote, a record whose
/// field count differs from the header's, a NUL byte, a record larger than the
/// limit, an empty file, a header that is not valid UTF-8 or has duplicate names.
public final class CSVReader {
    /// The default limit on the size of one record (and so of one field): 1 MiB.
    public static let defaultMaxRecordBytes = 1 << 20
    private static let initialCapacity = 64 * 1024
    /// Bytes allocated after the buffer's capacity: the sentinel and room for one 8-byte load.
    private static let padding = 16

    private enum Outcome {
        case record
        case needMore
        case end
    }

    /// How the file's bytes are stored.
    public enum Compression: Sendable, Equatable {
        /// gzip (RFC 1952): the data set's format.
        case gzip
        /// Plain bytes.
        case none
        /// gzip when the file starts with the magic bytes `1f 8b`, plain otherwise.
        case detect
    }

    /// The path as given.
    public let path: String
    private let source: ByteSource
    private let maxRecordBytes: Int

    /// Decompressed bytes; `capacity + padding` allocated so a NUL sentinel always follows the data
    /// and an 8-byte load at any data position stays inside the allocation.
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Start of the unparsed data.
    private var position = 0
    /// End of the data in ``buffer``.
    private var end = 0
    private var eof = false

    /// 256-entry table: non-zero for `"`, LF and NUL (what a quoted-field scan stops at).
    private let quotedStop: UnsafeMutablePointer<UInt8>

    private var fields: UnsafeMutablePointer<UnsafeRawBufferPointer>
    private var fieldCapacity: Int
    private var count = 0
    /// Field count of every data record (the header's); 0 while reading the header.
    private var expectedFields = 0
    private var readingHeader = true

    private var scratch: UnsafeMutablePointer<UInt8>?
    private var scratchCapacity = 0
    private var scratchUsed = 0

    /// Line on which the next record starts.
    private var nextLine = 1
    private var currentLine = 0

    private var headerNames: [String] = []

    /// Opens the gzip-compressed CSV file at `path` and reads its header.
    ///
    /// - Parameter maxRecordBytes: the largest record (and so field) accepted.
    /// - Throws: ``DataError``: the errors of ``GzipReader``, and `.csv` when
    ///   the file is empty or the header is invalid.
    /// - Parameter compression: `.gzip` (the data set's files), `.none`, or `.detect` by the magic bytes.
    public init(
        path: String, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes, compression: Compression = .gzip
    ) throws(DataError) {
        // Opened first: if it throws, nothing is allocated yet (a throwing init that has not
        // initialised every stored property does not run deinit, so the buffers would leak).
        let gzip: Bool
        switch compression {
        case .gzip: gzip = true
        case .none: gzip = false
        case .detect: gzip = try PlainFileReader.startsLikeGzip(path: path)
        }
        self.source = gzip ? .gzip(PrefetchingGzipReader(try GzipReader(path: path))) : .plain(try PlainFileReader(path: path))
        self.path = path
        self.maxRecordBytes = max(maxRecordBytes, 1)
        self.capacity = Self.initialCapacity
        self.buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.initialCapacity + Self.padding)
        // Zeroed: word loads past the sentinel read defined bytes.
        self.buffer.initialize(repeating: 0, count: Self.initialCapacity + Self.padding)
        self.quotedStop = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        self.quotedStop.initialize(repeating: 0, count: 256)
        self.quotedStop[Int(UInt8(ascii: "\""))] = 1
        self.quotedStop[Int(UInt8(ascii: "\n"))] = 1
        self.quotedStop[0] = 1
        self.fieldCapacity = 16
        self.fields = UnsafeMutablePointer<UnsafeRawBufferPointer>.allocate(capacity: 16)
        try readHeader()  // every property is set: deinit frees the buffers if this throws
    }

    deinit {
        buffer.deallocate()
        quotedStop.deallocate()
        fields.deallocate()
        scratch?.deallocate()
    }

    /// The header's column names (BOM stripped).
    public var header: [String] { headerNames }

    /// The index of the column named `name` (exact, case-sensitive match), or `nil`.
    public func column(named name: String) -> Int? {
        headerNames.firstIndex(of: name)
    }

    /// 1-based line on which the current record starts (the header's line before the first ``next()``).
    public var line: Int { currentLine }

    /// The number of fields of the current record (the header's column count).
    public var fieldCount: Int { count }

    /// The bytes of field `index` of the current record, unquoted; valid until ``next()``.
    @inline(__always)
    public func field(_ index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "CSV field index out of range")
        return fields[index]
    }

    /// ``field(_:)`` without the range check, for the typed readers: they check
    /// their column indices against the header once, and every record has the
    /// header's field count.
    @inline(__always)
    func fieldUnchecked(_ index: Int) -> UnsafeRawBufferPointer {
        fields[index]
    }

    /// Advances to the next record; `false` at the end of the file.
    ///
    /// - Throws: ``DataError`` of kind `.csv` for invalid syntax, or a gzip error.
    public func next() throws(DataError) -> Bool {
        while true {
            switch try parseRecord() {
            case .record: return true
            case .end: return false
            case .needMore: try refill()
            }
        }
    }

    // MARK: - Header

    private func readHeader() throws(DataError) {
        while end < 3 && !eof {
            try refill()
        }
        if end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF {
            position = 3
        }
        readingHeader = true
        var outcome: Outcome
        repeat {
            outcome = try parseRecord()
            if case .needMore = outcome { try refill() }
        } while outcome == .needMore
        if outcome == .end {
            throw DataError(.csv, file: path, line: 1, "empty CSV file: no header row")
        }
        var names: [String] = []
        names.reserveCapacity(count)
        for index in 0..<count {
            guard let name = String(validating: fields[index], as: UTF8.self) else {
                throw DataError(
                    .csv, file: path, line: currentLine, "header column \(index + 1) is not valid UTF-8")
            }
            if let first = names.firstIndex(of: name) {
                throw DataError(
                    .csv, file: path, line: currentLine,
                    "duplicate column name \"\(DataError.displayText(name))\" in the header (columns \(first + 1) and \(index + 1))")
            }
            names.append(name)
        }
        headerNames = names
        expectedFields = names.count
        readingHeader = false
    }

    // MARK: - Buffer

    /// Keeps the partial record at the start of the buffer and appends decompressed bytes.
    private func refill() throws(DataError) {
        precondition(!eof, "CSVReader.refill after end of file")
        let partial = end - position
        if partial > maxRecordBytes {
            throw sizeError(line: nextLine)
        }
        if position > 0 {
            if partial > 0 {
                (buffer).update(from: buffer + position, count: partial)
            }
            end = partial
            position = 0
        }
        if end == capacity {
            let newCapacity = capacity * 2
            let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + Self.padding)
            newBuffer.initialize(from: buffer, count: end)
            (newBuffer + end).initialize(repeating: 0, count: newCapacity + Self.padding - end)
            buffer.deallocate()
            buffer = newBuffer
            capacity = newCapacity
        }
        let target = UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end)
        let got = try InflateClock.measure { () throws(DataError) -> Int in
            switch source {  // once per refill, not per record
            case .gzip(let gzip): try gzip.read(into: target)
            case .plain(let file): try file.read(into: target)
            }
        }
        if got == 0 {
            eof = true
        }
        end += got
        buffer[end] = 0  // sentinel: stops every scan at the end of the data
    }

    private func sizeError(line: Int) -> DataError {
        DataError(
            .csv, file: path, line: line,
            "record or field larger than the limit of \(maxRecordBytes) bytes (is a quote missing?)")
    }

    private func growFields() throws(DataError) {
        if !readingHeader {
            throw DataError(
                .csv, file: path, line: nextLine,
                "too many fields: expected \(expectedFields) (as in the header), found more")
        }
        if fieldCapacity >= 100_000 {
            throw DataError(.csv, file: path, line: nextLine, "header has more than 100000 columns")
        }
        let newCapacity = fieldCapacity * 2
        let newFields = UnsafeMutablePointer<UnsafeRawBufferPointer>.allocate(capacity: newCapacity)
        newFields.update(from: fields, count: count)
        fields.deallocate()
        fields = newFields
        fieldCapacity = newCapacity
    }

    /// Copies a quoted field's content to the scratch buffer, turning `""` into `"`.
    private func unescape(
        _ start: UnsafeMutablePointer<UInt8>, _ end: UnsafeMutablePointer<UInt8>
    ) throws(DataError) -> UnsafeMutablePointer<UInt8> {
        if scratch == nil {
            scratchCapacity = maxRecordBytes
            scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchCapacity)
        }
        let length = end - start
        if scratchUsed + length > scratchCapacity {
            throw sizeError(line: nextLine)
        }
        let output = scratch! + scratchUsed
        var write = output
        var read = start
        while read < end {
            let byte = read.pointee
            write.pointee = byte
            write += 1
            // Inside a closed quoted field every quote is doubled.
            read += byte == UInt8(ascii: "\"") ? 2 : 1
        }
        scratchUsed += write - output
        return output
    }

    // MARK: - The record parser

    /// The first byte at or after `start` that is `,` `"` LF CR or NUL, eight bytes at a time.
    ///
    /// All five are below `-` (0x2D), so each word is first tested for bytes below
    /// 0x2D (four operations); each flagged byte is then checked exactly. The lowest
    /// flagged byte of a word is always a real one and later flags can only be false
    /// positives (borrows propagate upwards), never misses. The data always ends
    /// with a NUL sentinel and the buffer has padding after it, so the loads stay
    /// inside the allocation and the scan always stops.
    @inline(__always)
    private static func scanUnquoted(_ start: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let below: UInt64 = 0x2D2D_2D2D_2D2D_2D2D
        let highs: UInt64 = 0x8080_8080_8080_8080
        var p = start
        while true {
            let word = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            var mask = (word &- below) & ~word & highs
            while mask != 0 {
                let q = p + (mask.trailingZeroBitCount >> 3)
                let byte = q.pointee
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\"")
                    || byte == UInt8(ascii: "\r") || byte == 0
                {
                    return q
                }
                mask &= mask &- 1
            }
            p += 8
        }
    }

    /// Parses one record starting at ``position``. Returns `.needMore` (having
    /// changed nothing but skipped blank lines) when the record is not complete
    /// in the buffer and more data may come.
    private func parseRecord() throws(DataError) -> Outcome {
        let base = buffer
        let dataEnd = base + end
        var p = base + position

        // Skip blank lines.
        while p < dataEnd {
            let byte = p.pointee
            if byte == UInt8(ascii: "\n") {
                p += 1
            } else if byte == UInt8(ascii: "\r") {
                if p + 1 == dataEnd && !eof {
                    position = p - base
                    return .needMore
                }
                p += (p + 1 < dataEnd && p[1] == UInt8(ascii: "\n")) ? 2 : 1
            } else {
                break
            }
            nextLine += 1
        }
        position = p - base
        if p == dataEnd {
            return eof ? .end : .needMore
        }

        let recordStart = p
        let quotedStop = self.quotedStop
        scratchUsed = 0
        var newlines = 0  // line breaks inside quoted fields
        // The field list lives in locals: stores through `out` cannot alias them.
        var n = 0
        var out = fields
        var outCapacity = fieldCapacity
        @inline(__always) func store(_ start: UnsafeMutablePointer<UInt8>, _ length: Int) throws(DataError) {
            if n == outCapacity {
                count = n
                try growFields()
                out = fields
                outCapacity = fieldCapacity
            }
            out[n] = UnsafeRawBufferPointer(start: start, count: length)
            n += 1
        }

        fieldLoop: while true {
            if p.pointee != UInt8(ascii: "\"") {
                // Unquoted field: scan to the next `,` `"` LF CR or NUL (the sentinel is a NUL).
                let q = Self.scanUnquoted(p)
                switch q.pointee {
                case UInt8(ascii: ","):
                    try store(p, q - p)
                    p = q + 1
                    continue fieldLoop
                case UInt8(ascii: "\n"):
                    try store(p, q - p)
                    p = q + 1
                    break fieldLoop
                case UInt8(ascii: "\r"):
                    if q + 1 == dataEnd && !eof { return .needMore }
                    try store(p, q - p)
                    p = (q + 1 < dataEnd && q[1] == UInt8(ascii: "\n")) ? q + 2 : q + 1
                    break fieldLoop
                case UInt8(ascii: "\""):
                    throw DataError(
                        .csv, file: path, line: nextLine + newlines,
                        "a quote (\") inside unquoted field \(n + 1); quote the whole field and double the quote")
                default:  // NUL
                    if q == dataEnd {
                        if !eof { return .needMore }
                        try store(p, q - p)
                        p = q
                        break fieldLoop
                    }
                    throw DataError(
                        .csv, file: path, line: nextLine + newlines, "NUL byte in field \(n + 1)")
                }
            }

            // Quoted field.
            let contentStart = p + 1
            var q = contentStart
            var escaped = false
            while true {
                while quotedStop[Int(q.pointee)] == 0 {
                    q += 1
                }
                let byte = q.pointee
                if byte == UInt8(ascii: "\n") {
                    newlines += 1
                    q += 1
                } else if byte == 0 {
                    if q == dataEnd {
                        if !eof { return .needMore }
                        throw DataError(
                            .csv, file: path, line: nextLine,
                            "unterminated quoted field \(n + 1): end of file before the closing quote")
                    }
                    throw DataError(
                        .csv, file: path, line: nextLine + newlines, "NUL byte in quoted field \(n + 1)")
                } else {  // quote
                    if q + 1 == dataEnd && !eof { return .needMore }
                    if q + 1 < dataEnd && q[1] == UInt8(ascii: "\"") {
                        escaped = true
                        q += 2
                    } else {
                        break
                    }
                }
            }
            let contentEnd = q
            if escaped {
                let start = try unescape(contentStart, contentEnd)
                try store(start, scratchUsed - (start - scratch!))
            } else {
                try store(contentStart, contentEnd - contentStart)
            }
            let after = contentEnd + 1
            if after == dataEnd {  // end of file (needMore was handled above)
                p = after
                break fieldLoop
            }
            switch after.pointee {
            case UInt8(ascii: ","):
                p = after + 1
                continue fieldLoop
            case UInt8(ascii: "\n"):
                p = after + 1
                break fieldLoop
            case UInt8(ascii: "\r"):
                if after + 1 == dataEnd && !eof { return .needMore }
                p = (after + 1 < dataEnd && after[1] == UInt8(ascii: "\n")) ? after + 2 : after + 1
                break fieldLoop
            default:
                throw DataError(
                    .csv, file: path, line: nextLine + newlines,
                    "unexpected character after the closing quote of field \(n)")
            }
        }

        if p - recordStart > maxRecordBytes + 2 {
            throw sizeError(line: nextLine)
        }
        count = n
        if !readingHeader && n != expectedFields {
            throw DataError(
                .csv, file: path, line: nextLine,
                "wrong number of fields: expected \(expectedFields) (as in the header), found \(n)")
        }
        currentLine = nextLine
        nextLine += 1 + newlines
        position = p - base
        return .record
    }
}
