/// A period's validated predictions, as `get-predictions` hands them to
/// `load-ground-truth`: ids, interned predicted classes, and scores.
public struct StoredPredictions: Sendable {
    static let magic = "PPPRED03"

    /// Row `i`'s id is `ids.string(at: i)`.
    public var ids: IDTable
    /// Number → class label.
    public var classNames: [String]
    /// Per row: number of the predicted class.
    public var predictions: [Int32]
    /// Per row: the score, when the file has a `score` column.
    public var scores: [Double]?

    public init(ids: IDTable, classNames: [String], predictions: [Int32], scores: [Double]?) {
        self.ids = ids
        self.classNames = classNames
        self.predictions = predictions
        self.scores = scores
    }

    public var count: Int { predictions.count }

    /// Writes the `PPPRED03` format: class names, predictions, a score flag
    /// and the scores, then the id arena and its offsets (last, so that
    /// `check-model` reads the predictions and scores without them).
    func encode(into file: inout FileWriter) throws(StoreError) {
        file.write(magic: Self.magic)
        file.write(classNames)
        try file.write(array: predictions)
        file.write(scores == nil ? 0 : 1)
        if let scores { try file.write(array: scores) }
        try file.write(array: ids.bytes)
        try file.write(array: ids.offsets)
    }

    init(decoding reader: inout BinaryReader) throws(StoreError) {
        let (classNames, predictions, scores) = try Self.decodeRows(&reader)
        let arena = try reader.readArray(of: UInt8.self)
        let offsets = try reader.readArray(of: UInt32.self)
        guard reader.isAtEnd, offsets.count == predictions.count + 1,
            let table = IDTable(bytes: arena, offsets: offsets)
        else { throw reader.truncated() }
        self.init(ids: table, classNames: classNames, predictions: predictions, scores: scores)
    }

    /// The class names, predictions and scores at the start of a `PPPRED03` file, checked.
    static func decodeRows(
        _ reader: inout BinaryReader
    ) throws(StoreError) -> (classNames: [String], predictions: [Int32], scores: [Double]?) {
        let classNames = try reader.readStrings()
        let predictions = try reader.readArray(of: Int32.self)
        let flag = try reader.readInt()
        guard flag <= 1 else { throw reader.truncated() }
        let scores = flag == 1 ? try reader.readArray(of: Double.self) : nil
        let classCount = Int32(classNames.count)
        guard scores.map({ $0.count == predictions.count }) ?? true,
            predictions.allSatisfy({ $0 >= 0 && $0 < classCount })
        else { throw reader.truncated() }
        return (classNames, predictions, scores)
    }
}

/// A period's predictions joined with their labels, as `load-ground-truth`
/// hands them to `check-model`.
///
/// Stored as the labels alone (`joined.bin`, beside the period's
/// `predictions.bin`, whose predictions and scores it completes): half the
/// bytes to write and make durable.
public struct JoinedRecords: Sendable {
    static let magic = "PPJOIN02"

    /// Number → class label (predicted and true classes together; the
    /// predicted classes first, numbered as in the stored predictions).
    public var classNames: [String]
    /// Per row: number of the predicted class.
    public var predictions: [Int32]
    /// Per row: number of the true class, or -1 when the label has not arrived.
    public var labels: [Int32]
    /// Per row: the score, when the predictions have scores.
    public var scores: [Double]?

    public init(classNames: [String], predictions: [Int32], labels: [Int32], scores: [Double]?) {
        self.classNames = classNames
        self.predictions = predictions
        self.labels = labels
        self.scores = scores
    }

    /// Writes the `PPJOIN02` format: class names and labels.
    func encode(into file: inout FileWriter) throws(StoreError) {
        file.write(magic: Self.magic)
        file.write(classNames)
        try file.write(array: labels)
    }

    /// The class names and labels in `reader`.
    static func decodeLabels(_ reader: inout BinaryReader) throws(StoreError) -> (classNames: [String], labels: [Int32]) {
        let classNames = try reader.readStrings()
        let labels = try reader.readArray(of: Int32.self)
        let classCount = Int32(classNames.count)
        guard reader.isAtEnd, labels.allSatisfy({ $0 >= -1 && $0 < classCount }) else { throw reader.truncated() }
        return (classNames, labels)
    }
}
