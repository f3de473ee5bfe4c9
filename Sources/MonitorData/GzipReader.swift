import CZlib
import Platform

/// Streams the decompressed bytes of a gzip file (all members, RFC 1952).
///
/// The file is read with POSIX `read()` in chunks of `chunkSize` bytes and
/// inflated by zlib (`windowBits` 15+16, gzip only), which checks each
/// member's trailer (CRC-32 and length) and the optional header CRC. Multi-member files (as
/// made by `cat a.gz b.gz`) are read to the end: after each member's
/// `Z_STREAM_END` the stream is reset and the next member decoded. Memory use
/// is constant: one input chunk plus zlib's 32 KiB window.
///
/// Errors are distinct: ``DataError/Kind/notFound``, ``DataError/Kind/io``,
/// ``DataError/Kind/notGzip`` (including an empty file),
/// ``DataError/Kind/truncated``, ``DataError/Kind/corrupt``,
/// ``DataError/Kind/checksumMismatch``, ``DataError/Kind/lengthMismatch``,
/// ``DataError/Kind/trailingGarbage`` and ``DataError/Kind/outOfMemory``.
///
/// Not `Sendable`: the `z_stream` it owns must be used from one place at a time.
public final class GzipReader {
    private enum State {
        /// Inside a member: zlib has been reset for it.
        case inMember
        /// After a member's `Z_STREAM_END`: the next bytes must start a new member or be the end.
        case betweenMembers
        case finished
    }

    /// The path as given.
    public let path: String
    private var fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var streamInitialized = false
    private let input: UnsafeMutableRawPointer
    private let chunkSize: Int
    private var fileEOF = false
    private var state: State = .inMember
    /// Members completed so far.
    private var members = 0
    /// Bytes read from the file so far.
    private var fileOffset = 0
    /// Decompressed bytes returned so far.
    public private(set) var bytesOut = 0
    /// The error a read threw: every later read throws it again.
    private var failure: DataError?

    /// Opens `path` and checks that it starts like a gzip file.
    ///
    /// - Throws: ``DataError`` of kind `.notFound`, `.io`, `.notGzip` (also for
    ///   an empty file), `.truncated` or `.outOfMemory`.
    public init(path: String, chunkSize: Int = 256 * 1024) throws(DataError) {
        self.path = path
        self.chunkSize = max(chunkSize, 16)
        self.input = UnsafeMutableRawPointer.allocate(byteCount: self.chunkSize, alignment: 16)
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        self.fd = -1

        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_CLOEXEC)
        } while fd < 0 && errno == EINTR
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw DataError(.notFound, file: path, "file not found")
            }
            throw DataError(.io, file: path, "cannot open: \(errnoMessage(code))")
        }
        self.fd = fd
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw DataError(.io, file: path, "cannot stat: \(errnoMessage(errno))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw DataError(.io, file: path, "is a directory, not a gzip file")
        }

        try refill()
        let available = Int(stream.pointee.avail_in)
        if available == 0 {
            throw DataError(.notGzip, file: path, "empty file (0 bytes), not a gzip file")
        }
        let first = input.load(as: UInt8.self)
        if first != 0x1f || (available >= 2 && input.load(fromByteOffset: 1, as: UInt8.self) != 0x8b) {
            throw DataError(.notGzip, file: path, "not a gzip file (does not start with 1f 8b)")
        }
        if available == 1 {
            throw DataError(.truncated, file: path, "truncated gzip file (1 byte)")
        }

        let status = czlib_inflateInit2(stream, 15 + 16)
        switch status {
        case Z_OK:
            streamInitialized = true
        case Z_MEM_ERROR:
            throw DataError(.outOfMemory, file: path, "zlib could not allocate memory")
        default:
            throw DataError(.io, file: path, "zlib inflateInit2 failed (\(status))")
        }
    }

    deinit {
        if streamInitialized {
            inflateEnd(stream)
        }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        if fd >= 0 {
            close(fd)
        }
    }

    /// Reads the next chunk of the file into the input buffer (only when zlib consumed all input).
    private func refill() throws(DataError) {
        precondition(stream.pointee.avail_in == 0)
        var count: Int
        repeat {
            count = posixRead(fd, input, chunkSize)
        } while count < 0 && errno == EINTR
        if count < 0 {
            let code = errno
            if code == EISDIR {
                throw DataError(.io, file: path, "is a directory, not a gzip file")
            }
            throw DataError(.io, file: path, "read error: \(errnoMessage(code))")
        }
        if count == 0 {
            fileEOF = true
        }
        fileOffset += count
        stream.pointee.next_in = input.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(count)
    }

    /// Fills `buffer` with the next decompressed bytes; returns 0 at the end of the last member.
    ///
    /// Returns fewer bytes than the buffer holds only at the end of the data.
    /// - Throws: ``DataError`` of kind `.io`, `.truncated`, `.corrupt`,
    ///   `.checksumMismatch`, `.lengthMismatch`, `.trailingGarbage` or `.outOfMemory`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        if let failure { throw failure }
        do {
            return try readMembers(into: buffer)
        } catch {
            failure = error
            throw error
        }
    }

    private func readMembers(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if case .finished = state { return 0 }
        let capacity = min(buffer.count, Int(UInt32.max))
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(capacity)
        defer {
            let produced = capacity - Int(stream.pointee.avail_out)
            bytesOut += produced
        }

        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && !fileEOF {
                try refill()
            }
            if stream.pointee.avail_in == 0 {
                // End of file.
                switch state {
                case .betweenMembers, .finished:
                    state = .finished
                    return capacity - Int(stream.pointee.avail_out)
                case .inMember:
                    let produced = capacity - Int(stream.pointee.avail_out)
                    if produced > 0 { return produced }  // report the truncation on the next call
                    throw DataError(
                        .truncated, file: path,
                        "truncated gzip file: unexpected end of file after \(fileOffset) bytes"
                            + " (member \(members + 1) incomplete)")
                }
            }
            if case .betweenMembers = state {
                // Another member must start here: magic 1f 8b.
                if stream.pointee.next_in.pointee != 0x1f
                    || (stream.pointee.avail_in >= 2 && stream.pointee.next_in[1] != 0x8b)
                {
                    throw trailingGarbage()
                }
                // A lone 1f at the very end looks like a member cut short: zlib reports truncation.
                let status = inflateReset(stream)
                if status != Z_OK {
                    throw DataError(.io, file: path, "zlib inflateReset failed (\(status))")
                }
                state = .inMember
            }

            let availInBefore = stream.pointee.avail_in
            let availOutBefore = stream.pointee.avail_out
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                break
            case Z_STREAM_END:
                members += 1
                state = .betweenMembers
            case Z_BUF_ERROR:
                // No progress possible: zlib needs more input (or output space, which we have).
                if stream.pointee.avail_in > 0 && stream.pointee.avail_out > 0 {
                    throw DataError(.corrupt, file: path, "zlib made no progress (Z_BUF_ERROR)")
                }
            case Z_DATA_ERROR:
                throw dataError()
            case Z_NEED_DICT:
                throw DataError(.corrupt, file: path, "corrupt gzip data: a preset dictionary is required")
            case Z_MEM_ERROR:
                throw DataError(.outOfMemory, file: path, "zlib ran out of memory")
            default:
                throw DataError(.corrupt, file: path, "zlib inflate failed (\(status))\(zlibMessage)")
            }
            if status == Z_OK && stream.pointee.avail_in == availInBefore
                && stream.pointee.avail_out == availOutBefore && availInBefore > 0
            {
                // Should not happen; never spin.
                throw DataError(.corrupt, file: path, "zlib made no progress")
            }
        }
        return capacity
    }

    private var zlibMessage: String {
        guard let msg = stream.pointee.msg else { return "" }
        return ": " + String(cString: msg)
    }

    private func dataError() -> DataError {
        let msg = stream.pointee.msg.map { String(cString: $0) } ?? "invalid compressed data"
        switch msg {
        case "incorrect data check":
            return DataError(
                .checksumMismatch, file: path,
                "gzip CRC-32 mismatch in member \(members + 1) (\(msg)): the file is corrupt")
        case "incorrect length check":
            return DataError(
                .lengthMismatch, file: path,
                "gzip length (ISIZE) mismatch in member \(members + 1) (\(msg)): the file is corrupt")
        case "incorrect header check" where members > 0:
            return trailingGarbage()
        default:
            return DataError(.corrupt, file: path, "corrupt gzip data in member \(members + 1): \(msg)")
        }
    }

    private func trailingGarbage() -> DataError {
        let offset = fileOffset - Int(stream.pointee.avail_in)
        return DataError(
            .trailingGarbage, file: path,
            "trailing garbage after gzip member \(members) at byte offset \(offset)")
    }

    /// The whole decompressed content; for small files (metadata).
    ///
    /// - Throws: the errors of ``init(path:chunkSize:)`` and ``read(into:)``,
    ///   and `.outOfMemory` when the content is larger than `limit` bytes.
    public static func readAll(path: String, limit: Int = 64 << 20) throws(DataError) -> [UInt8] {
        let reader = try GzipReader(path: path, chunkSize: 64 * 1024)
        var result: [UInt8] = []
        let chunk = 64 * 1024
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { scratch.deallocate() }
        while true {
            let count = try reader.read(into: scratch)
            if count == 0 { return result }
            if result.count + count > limit {
                throw DataError(
                    .outOfMemory, file: path, "decompressed content is larger than the limit of \(limit) bytes")
            }
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        }
    }
}
