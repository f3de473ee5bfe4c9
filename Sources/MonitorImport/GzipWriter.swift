import CZlib
import Platform

/// Writes a gzip file (RFC 1952) through zlib's `deflate`, streaming.
///
/// Bytes are collected in an input buffer and deflated a buffer at a time;
/// memory is constant (two buffers plus zlib's state, about 300 KiB). The data
/// goes to a temporary file beside the destination; ``finish(movingTo:)``
/// ends the stream, fsyncs and renames it, so a reader never sees a partial
/// file. A writer dropped without ``finish(movingTo:)`` removes its temporary file.
///
/// Not `Sendable`: the `z_stream` it owns must be used from one place at a time.
public final class GzipWriter {
    /// The destination given to ``init(path:level:)``.
    public let path: String
    private let temporary: String
    private var fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var streamInitialized = false
    private var input: UnsafeMutablePointer<UInt8>
    private var inputCapacity: Int
    private var inputCount = 0
    private let output: UnsafeMutablePointer<UInt8>
    private let outputCapacity = 64 * 1024
    private var finished = false

    /// Creates the temporary file beside `path` and starts a gzip stream.
    ///
    /// - Parameter level: zlib's compression level, 1 (fast) … 9 (small).
    /// - Throws: ``ImportError`` naming `path`.
    public init(path: String, level: Int32 = 6) throws(ImportError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        self.temporary = "\(directory)/.\(base).tmp-\(getpid())"
        self.inputCapacity = 64 * 1024
        self.input = UnsafeMutablePointer<UInt8>.allocate(capacity: inputCapacity)
        self.output = UnsafeMutablePointer<UInt8>.allocate(capacity: outputCapacity)
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        self.fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ImportError(file: path, "cannot create \(temporary): \(errnoMessage())") }
        // windowBits 15 + 16: a gzip header and trailer; memLevel 8 is zlib's default.
        let status = czlib_deflateInit2(stream, level, 15 + 16, 8)
        guard status == Z_OK else { throw ImportError(file: path, "zlib deflateInit2 failed (\(status))") }
        streamInitialized = true
    }

    deinit {
        if streamInitialized { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        output.deallocate()
        if fd >= 0 { close(fd) }
        if !finished { unlink(temporary) }
    }

    /// Appends `bytes` to the stream.
    @inline(__always)
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ImportError) {
        if inputCount + bytes.count > inputCapacity { try makeRoom(bytes.count) }
        if let base = bytes.baseAddress {
            (input + inputCount).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        inputCount += bytes.count
    }

    /// Appends one byte to the stream.
    @inline(__always)
    public func write(byte: UInt8) throws(ImportError) {
        if inputCount == inputCapacity { try makeRoom(1) }
        input[inputCount] = byte
        inputCount += 1
    }

    /// Appends the UTF-8 bytes of `text`.
    public func write(_ text: String) throws(ImportError) {
        var text = text
        let result: Result<Void, ImportError> = text.withUTF8 { buffer in
            Result { () throws(ImportError) in try write(UnsafeRawBufferPointer(buffer)) }
        }
        try result.get()
    }

    /// Appends `field` as one CSV field (RFC 4180): quoted, with quotes doubled,
    /// when it holds a comma, a quote or a line break.
    public func writeCSVField(_ field: UnsafeRawBufferPointer) throws(ImportError) {
        var needsQuotes = false
        for byte in field where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13 {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return try write(field) }
        try write(byte: UInt8(ascii: "\""))
        for byte in field {
            if byte == UInt8(ascii: "\"") { try write(byte: byte) }
            try write(byte: byte)
        }
        try write(byte: UInt8(ascii: "\""))
    }

    /// ``writeCSVField(_:)-(UnsafeRawBufferPointer)`` for text.
    public func writeCSVField(_ text: String) throws(ImportError) {
        var text = text
        let result: Result<Void, ImportError> = text.withUTF8 { buffer in
            Result { () throws(ImportError) in try writeCSVField(UnsafeRawBufferPointer(buffer)) }
        }
        try result.get()
    }

    /// Ends the gzip stream, fsyncs the file and renames it to `destination` (default: ``path``).
    ///
    /// - Parameter check: called with the temporary file's path once the
    ///   stream has ended, before the fsync and the rename; what it throws
    ///   leaves the file unrenamed (and removed with the writer).
    /// - Throws: ``ImportError`` naming the file, or what `check` throws.
    public func finish(
        movingTo destination: String? = nil, checking check: ((String) throws(ImportError) -> Void)? = nil
    ) throws(ImportError) {
        precondition(!finished, "GzipWriter.finish called twice")
        try deflateInput(flush: Z_FINISH)
        // Read before the fsync, the file's atime change goes out with it rather than as extra journal work.
        if let check { try check(temporary) }
        guard fsync(fd) == 0 else { throw ImportError(file: path, "fsync failed: \(errnoMessage())") }
        close(fd)
        fd = -1
        let target = destination ?? path
        guard rename(temporary, target) == 0 else {
            throw ImportError(file: target, "cannot rename \(temporary): \(errnoMessage())")
        }
        finished = true
    }

    private func makeRoom(_ count: Int) throws(ImportError) {
        try deflateInput(flush: Z_NO_FLUSH)
        if count > inputCapacity {  // one write larger than the buffer: grow it
            input.deallocate()
            inputCapacity = count
            input = UnsafeMutablePointer<UInt8>.allocate(capacity: inputCapacity)
        }
    }

    private func deflateInput(flush: Int32) throws(ImportError) {
        stream.pointee.next_in = input
        stream.pointee.avail_in = uInt(inputCount)
        while true {
            stream.pointee.next_out = output
            stream.pointee.avail_out = uInt(outputCapacity)
            let status = deflate(stream, flush)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw ImportError(file: path, "zlib deflate failed (\(status))")
            }
            try writeAll(output, outputCapacity - Int(stream.pointee.avail_out))
            if flush == Z_FINISH {
                if status == Z_STREAM_END { break }
            } else if stream.pointee.avail_out != 0 {
                break
            }
        }
        inputCount = 0
    }

    private func writeAll(_ bytes: UnsafeMutablePointer<UInt8>, _ count: Int) throws(ImportError) {
        guard Platform.writeAll(fd, UnsafeRawBufferPointer(start: bytes, count: count)) else {
            throw ImportError(file: path, "write failed: \(errnoMessage())")
        }
    }
}
