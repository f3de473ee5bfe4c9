#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a job's log lines go.
public protocol JobOutput: Sendable {
    /// A progress line (standard output).
    func line(_ text: String)
    /// An `ERROR:` line (standard error).
    func error(_ text: String)
}

/// Standard output and standard error, one unbuffered write per line, so a
/// launcher or CML sees each line as it happens.
public struct StandardOutput: JobOutput {
    public init() {}

    public func line(_ text: String) { Self.write(text, to: 1) }

    /// Writes `text` as one line: a line break inside it (a path or a value
    /// from the data) is written as `\n` or `\r`, so a failure is always
    /// exactly one `ERROR:` line.
    public func error(_ text: String) {
        guard text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return Self.write(text, to: 2) }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        Self.write(escaped, to: 2)
    }

    private static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
