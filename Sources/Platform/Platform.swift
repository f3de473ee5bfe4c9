// The one place that knows which system the package runs on: Linux with
// glibc (Debian 12, and the glibc 2.31 systems of CML's runtimes). Every
// module imports this one instead of the C library.
#if !os(Linux)
#error("PeriodPipeline builds and runs on Linux (glibc) only")
#endif

@_exported import Glibc

/// `strerror(code)` as a Swift string: `errnoMessage(ENOENT)` → `"No such file or directory"`.
public func errnoMessage(_ code: Int32 = errno) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// POSIX `read(2)`, for types whose own `read` methods hide the C function.
@inline(__always)
public func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// Whether `path` (symbolic links followed) is a regular file, which can be
/// read twice; `true` when it cannot be examined (opening it says why).
public func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return true }
    return (info.st_mode & S_IFMT) == S_IFREG
}

/// Writes all of `bytes` to `fd`, again after a partial write or `EINTR`.
///
/// - Returns: `false` when a write fails (`errno` says why); nothing more is written then.
@discardableResult
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}

/// ``writeAll(_:_:)-(_,UnsafeRawBufferPointer)`` for an array, `Data` or any other bytes.
@discardableResult
public func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>) -> Bool {
    if let written = bytes.withContiguousStorageIfAvailable({ writeAll(fd, UnsafeRawBufferPointer($0)) }) { return written }
    return Array(bytes).withUnsafeBytes { writeAll(fd, $0) }
}

/// Starts `body` on a new thread.
///
/// - Returns: the thread, for `pthread_join` (or `pthread_detach`); `nil`
///   when no thread can be made (`body` is then dropped, never run).
public func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { context in
        Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context)
    guard status == 0 else {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        return nil
    }
    return thread
}

/// What a thread made by ``startThread(_:)`` runs.
private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
