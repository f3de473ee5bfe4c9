import Platform
import Synchronization

/// The few POSIX file operations the store needs, with errors that name the path.
public enum FileSystem {
    /// Writes `bytes` to `path` atomically: a temporary file beside it, `fsync`,
    /// `rename`, then `fsync` of the directory. Readers see the old or the new
    /// content, never a part. Only a regular file is replaced: a FIFO, a device,
    /// a directory or a symbolic link at `path` is an error, never renamed over.
    ///
    /// - Throws: ``StoreError`` (`.io`) naming the path; the temporary file is removed.
    public static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws(StoreError) {
        try writeAtomically(to: path) { (file: inout FileWriter) throws(StoreError) in try file.write(bytes) }
    }

    /// ``writeAtomically(_:to:)-(UnsafeRawBufferPointer,_)`` for content that
    /// `body` writes piece by piece: large content need not be copied into one
    /// buffer first.
    ///
    /// `durable: false` for bookkeeping that a crash may lose (the lease): still
    /// atomic, without the `fsync`s (tens of milliseconds each on some disks)
    /// and without the kill tests' named fault points. `exclusive: true` writes
    /// only where no file is (`link(2)`, atomic on NFS too: of two writers, one
    /// wins) and returns `false` when one is.
    @discardableResult
    static func writeAtomically(
        to path: String, durable: Bool = true, exclusive: Bool = false,
        _ body: (inout FileWriter) throws(StoreError) -> Void
    ) throws(StoreError) -> Bool {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            throw StoreError(.io, path: path, "is not a regular file; it is not replaced")
        }
        let directory = parent(of: path)
        try makeDirectories(directory)
        // pid and a random tag: unique across threads, and across hosts sharing the store.
        let temporary = "\(directory)/.\(basename(of: path)).tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError(path, "cannot create temporary file") }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            var file = FileWriter(fd: fd, path: path)
            try body(&file)
            try file.flush()
            if durable {
                FaultPoint.temporaryWritten.stopHere()
                guard fsync(fd) == 0 else { throw ioError(path, "fsync failed") }
            }
        }
        if durable { FaultPoint.beforeRename.stopHere() }
        if exclusive {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST { return false }
                throw ioError(path, "link failed")
            }
            unlink(temporary)
        } else {
            guard rename(temporary, path) == 0 else { throw ioError(path, "rename failed") }
        }
        ok = true
        guard durable else { return true }
        syncDirectory(directory)
        if FaultPoint.firstRename.exchange(false, ordering: .relaxed) { FaultPoint.afterFirstRename.stopHere() }
        return true
    }

    /// Points in a write where a test can have a job stop itself (SIGSTOP),
    /// named by the variable `MONITOR_TEST_STOP_AT`, to kill it there. Unset:
    /// one comparison per write.
    enum FaultPoint: String {
        /// The temporary file has its whole content, not yet synced.
        case temporaryWritten = "temporary-written"
        /// The temporary file is synced; the rename comes next.
        case beforeRename = "before-rename"
        /// The job's first output has just been renamed into place.
        case afterFirstRename = "after-first-rename"

        static let chosen: FaultPoint? = getenv("MONITOR_TEST_STOP_AT").flatMap { FaultPoint(rawValue: String(cString: $0)) }
        static let firstRename = Atomic(true)

        @inline(__always)
        func stopHere() {
            if Self.chosen == self { raise(SIGSTOP) }
        }
    }

    /// ``writeAtomically(_:to:)-(UnsafeRawBufferPointer,_)`` for an array.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(StoreError) {
        let result: Result<Void, StoreError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(StoreError) in try writeAtomically(buffer, to: path) }
        }
        try result.get()
    }

    /// ``writeAtomically(_:to:)-(UnsafeRawBufferPointer,_)`` for text.
    public static func writeAtomically(_ text: String, to path: String) throws(StoreError) {
        try writeAtomically(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to an output file a user named. A regular file, or none,
    /// is written with ``writeAtomically(_:to:)-([UInt8],_)``; anything else
    /// at `path` (a FIFO, a device, a symbolic link such as `/dev/stdout`) is
    /// opened and written in place, never replaced.
    ///
    /// - Throws: ``StoreError`` (`.io`) naming the path.
    public static func writeOutput(_ bytes: [UInt8], to path: String) throws(StoreError) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG else {
            return try writeAtomically(bytes, to: path)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0o644)
        guard fd >= 0 else { throw ioError(path, "cannot open") }
        defer { close(fd) }
        try writeBytes(bytes, to: fd, path: path)
    }

    /// Writes `bytes` to standard output.
    ///
    /// - Throws: ``StoreError`` (`.io`) when the write fails.
    public static func writeStandardOutput(_ bytes: [UInt8]) throws(StoreError) {
        try writeBytes(bytes, to: STDOUT_FILENO, path: "standard output")
    }

    /// `true` when `path` is the file, pipe or terminal open as this process's
    /// standard output (`/dev/stdout`, `/proc/self/fd/1`, or the file stdout is redirected to).
    public static func isStandardOutput(_ path: String) -> Bool {
        var named = stat(), output = stat()
        guard stat(path, &named) == 0, fstat(STDOUT_FILENO, &output) == 0 else { return false }
        return named.st_dev == output.st_dev && named.st_ino == output.st_ino
    }

    private static func writeBytes(_ bytes: [UInt8], to fd: Int32, path: String) throws(StoreError) {
        let result: Result<Void, StoreError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(StoreError) in try writeAll(fd, buffer, path: path) }
        }
        try result.get()
    }

    /// The whole content of `path`.
    ///
    /// - Throws: ``StoreError`` `.missing` when the file does not exist, `.io` otherwise.
    public static func read(_ path: String, limit: Int = 1 << 32) throws(StoreError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw StoreError(.missing, path: path, "does not exist") }
            throw ioError(path, "cannot open")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError(.io, path: path, "is not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= limit else { throw StoreError(.corrupt, path: path, "is larger than \(limit) bytes") }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        let failed = bytes.withUnsafeMutableBytes { buffer -> Bool in
            while filled < size {
                let n = posixRead(fd, buffer.baseAddress! + filled, size - filled)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n < 0 }
                filled += n
            }
            return false
        }
        if failed { throw ioError(path, "read failed") }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// `true` when `path` exists.
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Removes `path` if it exists.
    public static func remove(_ path: String) throws(StoreError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw ioError(path, "cannot remove") }
    }

    /// `mkdir -p`.
    public static func makeDirectories(_ path: String) throws(StoreError) {
        if path.isEmpty || path == "/" || path == "." { return }
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw StoreError(.io, path: path, "exists and is not a directory")
            }
            return
        }
        try makeDirectories(parent(of: path))
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw ioError(path, "cannot create directory") }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func basename(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreError) {
        guard Platform.writeAll(fd, bytes) else { throw ioError(path, "write failed") }
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func ioError(_ path: String, _ what: String) -> StoreError {
        StoreError(.io, path: path, "\(what): \(errnoMessage())")
    }
}
