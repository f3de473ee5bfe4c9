/// A failure reading or writing the store. Its description names the file.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// An output of an earlier job is not there yet.
        case missing
        /// A store file exists but cannot be understood.
        case corrupt
        /// The file system refused (permissions, disk full, …).
        case io
        /// The store is in use by another pipeline.
        case locked
        /// The store holds another data set.
        case conflict
    }

    public let kind: Kind
    public let path: String
    public let message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
