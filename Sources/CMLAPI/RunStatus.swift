/// The status of a job run, as the CML API v2 spells it.
///
/// Unknown values (and enum numbers) decode as ``unknown`` so a newer server never breaks a client.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    case scheduling = "ENGINE_SCHEDULING"
    case starting = "ENGINE_STARTING"
    case running = "ENGINE_RUNNING"
    case stopping = "ENGINE_STOPPING"
    case stopped = "ENGINE_STOPPED"
    case succeeded = "ENGINE_SUCCEEDED"
    case failed = "ENGINE_FAILED"
    case timedOut = "ENGINE_TIMEDOUT"
    /// The run was not started (CML skips a scheduled run while one is still going, for example).
    case skipped = "ENGINE_SKIPPED"
    case unknown = "ENGINE_UNKNOWN"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = (try? container.decode(String.self)).flatMap(RunStatus.init(rawValue:)) ?? .unknown
    }

    /// `true` once the run can no longer change: stopped, succeeded, failed, timed out or skipped.
    public var isFinal: Bool {
        switch self {
        case .stopped, .succeeded, .failed, .timedOut, .skipped: true
        case .scheduling, .starting, .running, .stopping, .unknown: false
        }
    }
}
