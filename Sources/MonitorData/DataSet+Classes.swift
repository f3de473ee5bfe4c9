/// The class values a labeled set uses: the evidence for deciding, once per
/// data set, whether its metrics are binary or multiclass.
public struct ClassValues: Sendable, Equatable {
    /// Distinct `prediction` values, sorted.
    public var predicted: [String]
    /// Distinct non-empty `label` values, sorted.
    public var labeled: [String]
    /// `true` when reading stopped at the limit: there are more values than listed.
    public var truncated: Bool

    /// Every distinct value, sorted.
    public var all: [String] { Array(Set(predicted).union(labeled)).sorted() }
}

extension DataSet {
    /// The reference set's files (`reference.predictions`, `reference.labels`),
    /// checked as a period's files are; `nil` when the metadata names none.
    ///
    /// - Throws: ``DataError`` of kind `.metadata` for a path that leads outside the data directory.
    public func referencePaths() throws(DataError) -> (predictions: String, labels: String)? {
        guard let files = metadata.referenceFiles else { return nil }
        return (
            try checkedPath(files.predictions, field: "reference.predictions"),
            try checkedPath(files.labels, field: "reference.labels")
        )
    }

    /// The distinct class values in a predictions file and a labels file, up
    /// to `limit` different values in all (then ``ClassValues/truncated``).
    ///
    /// - Throws: ``DataError`` as the prediction and label readers do.
    public static func classValues(predictions: String, labels: String, limit: Int = 64) throws(DataError) -> ClassValues {
        var predicted = DistinctValues(limit: limit)
        let predictionReader = try PredictionReader(path: predictions)
        while try predictionReader.next(), predicted.add(predictionReader.prediction) {}
        var labeled = DistinctValues(limit: limit - predicted.values.count)
        let labelReader = try LabelReader(path: labels)
        while try labelReader.next(), labeled.add(labelReader.label) {}
        return ClassValues(
            predicted: predicted.values.sorted(), labeled: labeled.values.sorted(),
            truncated: predicted.full || labeled.full
        )
    }
}

/// A few distinct byte strings, compared in place: no allocation per row.
private struct DistinctValues {
    let limit: Int
    var bytes: [[UInt8]] = []
    var full = false

    init(limit: Int) {
        self.limit = max(limit, 0)
    }

    var values: [String] { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// Adds `value` (empty values are skipped); `false` once past the limit.
    mutating func add(_ value: UnsafeRawBufferPointer) -> Bool {
        guard !value.isEmpty else { return true }
        if bytes.contains(where: { $0.elementsEqual(value) }) { return true }
        guard bytes.count < limit else {
            full = true
            return false
        }
        bytes.append(Array(value))
        return true
    }
}
