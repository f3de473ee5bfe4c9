/// A failure that ends a job with an `ERROR:` line and exit status 1.
struct JobFailure: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    init(_ error: some Error & CustomStringConvertible) {
        self.message = error.description
    }
}

extension JobFailure {
    /// Any error a step's modules throw, as a job failure with its message.
    init(wrapping error: any Error) {
        switch error {
        case let failure as JobFailure: self = failure
        case let described as any CustomStringConvertible: self.init(described.description)
        default: self.init(String(describing: error))
        }
    }
}

/// Runs `body`, turning whatever it throws into a ``JobFailure``.
func attempt<T>(_ body: () throws -> T) throws(JobFailure) -> T {
    do {
        return try body()
    } catch {
        throw JobFailure(wrapping: error)
    }
}
