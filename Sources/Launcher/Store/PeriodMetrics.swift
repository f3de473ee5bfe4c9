/// The fields of `STORE/periods/NNNN/metrics.json` that the summary shows.
public struct PeriodMetrics: Decodable, Sendable, Equatable {
    public var period: Int?
    /// `nil` when undefined (no labeled rows).
    public var accuracy: Double?
    public var labeled: Int?
    public var decision: String?
    public var degraded: Bool?
    /// `true` when the file exists but does not decode.
    public var isUnreadable = false

    static let unreadable = PeriodMetrics(isUnreadable: true)

    init(
        period: Int? = nil, accuracy: Double? = nil, labeled: Int? = nil, decision: String? = nil,
        degraded: Bool? = nil, isUnreadable: Bool = false
    ) {
        self.period = period
        self.accuracy = accuracy
        self.labeled = labeled
        self.decision = decision
        self.degraded = degraded
        self.isUnreadable = isUnreadable
    }

    enum CodingKeys: String, CodingKey { case period, accuracy, labeled, decision, degraded }
}
