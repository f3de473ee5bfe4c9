import MonitorData

/// A failure importing logged predictions. Its description names the file and,
/// for a row, the line.
public struct ImportError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file at fault (an input, or an output being written).
    public let file: String
    /// 1-based line of the input record at fault, when there is one.
    public let line: Int?
    public let message: String
    /// Set while the error is about a row of an output file the jobs would
    /// refuse, until ``JobsCheck/locateInInput(_:_:)`` finds its input row.
    var refused: Refused?

    /// The refused row's id (when it could be read), and whether it is in a labels file.
    struct Refused: Sendable, Equatable {
        var id: [UInt8]?
        var labels: Bool
    }

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    init(_ error: DataError) {
        self.init(file: error.file, line: error.line, error.message)
    }

    init(_ error: DataError, refused: Refused) {
        self.init(error)
        self.refused = refused
    }

    /// `file:line: message` (or `file: message`).
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
