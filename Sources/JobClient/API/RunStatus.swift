/// The status of a job run, as the CML API v2 spells it.
///
/// Unknown values decode as ``unknown`` so a newer server never breaks a client.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    case scheduling = "ENGINE_SCHEDULING"
    case starting = "ENGINE_STARTING"
    case running = "ENGINE_RUNNING"
    case stopping = "ENGINE_STOPPING"
    case stopped = "ENGINE_STOPPED"
    case succeeded = "ENGINE_SUCCEEDED"
    case failed = "ENGINE_FAILED"
    case timedOut = "ENGINE_TIMEDOUT"
    case unknown = "ENGINE_UNKNOWN"

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = RunStatus(rawValue: raw) ?? .unknown
    }

    /// `true` once the run can no longer change: stopped, succeeded, failed or timed out.
    public var isFinal: Bool {
        switch self {
        case .stopped, .succeeded, .failed, .timedOut: true
        case .scheduling, .starting, .running, .stopping, .unknown: false
        }
    }
}
