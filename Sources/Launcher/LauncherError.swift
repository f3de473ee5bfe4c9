/// A reason the launcher cannot start or continue a pipeline.
///
/// Run failures are not errors: they are results (see ``PipelineResult``).
public struct LauncherError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The job definitions file is missing, unreadable or invalid.
        case jobDefinitions
        /// A job's executable cannot be found or is not executable.
        case executable
        /// The local API server could not start.
        case server
        /// The store could not be written.
        case store
        /// `cml-local deploy` could not configure, read or change the CML project.
        case deploy
        /// `--as-cml`: no usable Python, or the rehearsal project could not be assembled.
        case rehearsal
        /// A setting the jobs would refuse (`--job-env`, a job's environment), or a `--max-runs` too small for the data set.
        case setting
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "ERROR: \(message)" }
}
