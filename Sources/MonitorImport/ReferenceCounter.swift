/// Accuracy over the first `limit` labeled rows.
struct ReferenceCounter {
    let limit: Int?
    private(set) var seen = 0
    private var correct = 0

    init(limit: Int?) { self.limit = limit }

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
