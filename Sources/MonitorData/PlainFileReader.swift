import Platform

/// Where ``CSVReader`` gets its bytes from.
enum ByteSource {
    /// Inflated ahead on a second thread once the file is larger than a buffer or so.
    case gzip(PrefetchingGzipReader)
    case plain(PlainFileReader)
}

/// Streams the bytes of an uncompressed file with POSIX `read()`, for CSV
/// files that are not gzip-compressed (imports of logged predictions).
///
/// Not `Sendable`: it owns a file descriptor used from one place at a time.
public final class PlainFileReader {
    /// The path as given.
    public let path: String
    private var fd: Int32

    /// Opens `path` for reading.
    ///
    /// - Throws: ``DataError`` of kind `.notFound` or `.io` (also for a directory).
    public init(path: String) throws(DataError) {
        self.path = path
        self.fd = try Self.openFile(path)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Fills `buffer` with the next bytes; returns 0 at the end of the file.
    ///
    /// - Throws: ``DataError`` of kind `.io`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let count = posixRead(fd, base + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                throw DataError(.io, file: path, "read error: \(errnoMessage(errno))")
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Whether the file at `path` starts with the gzip magic bytes `1f 8b`.
    ///
    /// - Throws: ``DataError`` of kind `.notFound` or `.io`.
    public static func startsLikeGzip(path: String) throws(DataError) -> Bool {
        let fd = try openFile(path)
        defer { close(fd) }
        var magic: (UInt8, UInt8) = (0, 0)
        let count = withUnsafeMutableBytes(of: &magic) { posixRead(fd, $0.baseAddress!, 2) }
        return count == 2 && magic.0 == 0x1f && magic.1 == 0x8b
    }

    private static func openFile(_ path: String) throws(DataError) -> Int32 {
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_CLOEXEC)
        } while fd < 0 && errno == EINTR
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw DataError(.notFound, file: path, "file not found") }
            throw DataError(.io, file: path, "cannot open: \(errnoMessage(code))")
        }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw DataError(.io, file: path, "is a directory, not a file")
        }
        return fd
    }
}
