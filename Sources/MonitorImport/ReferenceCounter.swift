/// Accuracy over the first `limit` labeled rows, the reference set (written
/// to ``ReferenceFiles`` and left out of the periods).
struct ReferenceCounter {
    let limit: Int?
    private(set) var seen = 0
    private var correct = 0
    /// The reference's files, when a limit is set.
    var files: ReferenceFiles?

    init(limit: Int?) { self.limit = limit }

    /// Whether the next labeled row still belongs to the reference.
    var wantsMore: Bool { limit.map { seen < $0 } ?? false }

    mutating func add(correct isCorrect: Bool) {
        guard let limit, seen < limit else { return }
        seen += 1
        if isCorrect { correct += 1 }
    }

    var accuracy: Double? {
        guard limit != nil, seen > 0 else { return nil }
        return Double(correct) / Double(seen)
    }
}
