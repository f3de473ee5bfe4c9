/// A period's confusion matrix over its labeled rows.
///
/// Encodes as `{"labels": [...], "matrix": [[...]]}`: ``labels`` are the
/// sorted class labels, rows of ``matrix`` are true labels and columns are
/// predicted labels, both in the order of ``labels``.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    public var labels: [String]
    public var matrix: [[Int]]

    public init(labels: [String], matrix: [[Int]]) {
        self.labels = labels
        self.matrix = matrix
    }
}
