/// A job's exit status: 0 done, 1 failed, 3 model degraded and pipeline stopped.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case failure = 1
    /// `check-model` found the model degraded and stopped the pipeline.
    case degraded = 3
}
