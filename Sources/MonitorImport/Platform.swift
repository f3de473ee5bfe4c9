#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `path` (symbolic links followed) is a regular file, which can be
/// read twice; `true` when it cannot be examined (opening it says why).
func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return true }
    return (info.st_mode & S_IFMT) == S_IFREG
}
