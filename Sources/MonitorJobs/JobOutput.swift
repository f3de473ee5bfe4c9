import Platform

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

    /// Writes `text` as one line: a line break or other control character
    /// inside it (a path or a value from the data) is written escaped (`\n`,
    /// `\r`, …), so a failure is always exactly one `ERROR:` line.
    public func error(_ text: String) { Self.write(oneLine(text), to: 2) }

    /// Writes `text` and a line break; a failing write is dropped (there is nowhere left to report it).
    private static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        bytes.append(UInt8(ascii: "\n"))
        writeAll(fd, bytes)
    }
}
