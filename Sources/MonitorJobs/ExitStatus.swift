/// A job's exit status (SPEC §3, §6).
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case failure = 1
    /// `check-model` found the model degraded and stopped the pipeline.
    case degraded = 3
}
