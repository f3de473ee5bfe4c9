/// A period's validated predictions, as `get-predictions` hands them to
/// `load-ground-truth`: ids, interned predicted classes, and scores.
public struct StoredPredictions: Sendable {
    static let magic = "PPPRED02"

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

    /// Writes the `PPPRED02` format: class names, the id arena, its offsets
    /// and hash table (so the next job need not rebuild it), predictions,
    /// then a score flag and the scores.
    func encode(into file: inout FileWriter) throws(StoreError) {
        file.write(magic: Self.magic)
        file.write(classNames)
        try file.write(array: ids.bytes)
        try file.write(array: ids.offsets)
        try file.write(array: ids.slots)
        try file.write(array: predictions)
        file.write(scores == nil ? 0 : 1)
        if let scores { try file.write(array: scores) }
    }

    init(decoding reader: inout BinaryReader) throws(StoreError) {
        classNames = try reader.readStrings()
        let arena = try reader.readArray(of: UInt8.self)
        let offsets = try reader.readArray(of: UInt32.self)
        let slots = try reader.readArray(of: UInt64.self)
        guard let table = IDTable(bytes: arena, offsets: offsets, slots: slots) else { throw reader.truncated() }
        ids = table
        predictions = try reader.readArray(of: Int32.self)
        scores = try reader.readInt() == 1 ? try reader.readArray(of: Double.self) : nil
        let classCount = Int32(classNames.count)
        guard reader.isAtEnd, predictions.count == ids.count, scores.map({ $0.count == ids.count }) ?? true,
            predictions.allSatisfy({ $0 >= 0 && $0 < classCount })
        else { throw reader.truncated() }
    }
}

/// A period's predictions joined with their labels, as `load-ground-truth`
/// hands them to `check-model`.
public struct JoinedRecords: Sendable {
    static let magic = "PPJOIN01"

    /// Number → class label (predicted and true classes together).
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

    /// Writes the `PPJOIN01` format: class names, predictions, labels, then
    /// a score flag and the scores.
    func encode(into file: inout FileWriter) throws(StoreError) {
        file.write(magic: Self.magic)
        file.write(classNames)
        try file.write(array: predictions)
        try file.write(array: labels)
        file.write(scores == nil ? 0 : 1)
        if let scores { try file.write(array: scores) }
    }

    init(decoding reader: inout BinaryReader) throws(StoreError) {
        classNames = try reader.readStrings()
        predictions = try reader.readArray(of: Int32.self)
        labels = try reader.readArray(of: Int32.self)
        scores = try reader.readInt() == 1 ? try reader.readArray(of: Double.self) : nil
        let classCount = Int32(classNames.count)
        guard reader.isAtEnd, labels.count == predictions.count, scores.map({ $0.count == predictions.count }) ?? true,
            predictions.allSatisfy({ $0 >= 0 && $0 < classCount }), labels.allSatisfy({ $0 >= -1 && $0 < classCount })
        else { throw reader.truncated() }
    }
}
