/// A period's validated predictions, as `get-predictions` hands them to
/// `load-ground-truth`: ids, interned predicted classes, and scores.
public struct StoredPredictions: Sendable {
    static let magic = "PPPRED06"

    /// Row `i`'s id is `ids.string(at: i)`.
    public var ids: IDTable
    /// Number → class label.
    public var classNames: [String]
    /// Per row: number of the predicted class.
    public var predictions: [Int32]
    /// Per row: the score, when the file has a `score` column.
    public var scores: [Double]?
    /// ``IDTable/digest`` of the ids: the joined labels record it, so labels
    /// joined to other ids (or the same ids in another order) are refused.
    public var idsDigest: UInt64

    public init(ids: IDTable, classNames: [String], predictions: [Int32], scores: [Double]?) {
        self.init(ids: ids, classNames: classNames, predictions: predictions, scores: scores, idsDigest: ids.digest)
    }

    init(ids: IDTable, classNames: [String], predictions: [Int32], scores: [Double]?, idsDigest: UInt64) {
        self.ids = ids
        self.classNames = classNames
        self.predictions = predictions
        self.scores = scores
        self.idsDigest = idsDigest
    }

    public var count: Int { predictions.count }

    /// Writes the `PPPRED06` format: the ids' digest, class names,
    /// predictions (as class numbers: one byte each below 255 classes), a
    /// score flag and the scores, then the ids (last, so that
    /// `check-model` reads the rest without them): their width (0 when their
    /// lengths differ, else 1 + the length), the arena, and when their lengths
    /// differ, its offsets.
    func encode(into file: inout FileWriter) throws(StoreError) {
        file.write(magic: Self.magic)
        file.write(Int(truncatingIfNeeded: idsDigest))
        file.write(classNames)
        try file.write(classNumbers: predictions, classCount: classNames.count)
        file.write(scores == nil ? 0 : 1)
        if let scores { try file.write(array: scores) }
        file.write(ids.width.map { $0 + 1 } ?? 0)
        try file.write(array: ids.bytes)
        if ids.width == nil { try file.write(array: ids.offsets) }
    }

    init(decoding reader: inout BinaryReader) throws(StoreError) {
        let (idsDigest, classNames, predictions, scores) = try Self.decodeRows(&reader)
        let table = try Self.decodeIDs(&reader, count: predictions.count)
        self.init(ids: table, classNames: classNames, predictions: predictions, scores: scores, idsDigest: idsDigest)
    }

    /// The ids at the end of a `PPPRED06` file, `count` of them, as a table.
    static func decodeIDs(_ reader: inout BinaryReader, count: Int) throws(StoreError) -> IDTable {
        let width = try reader.readInt() - 1
        let arena = try reader.readArray(of: UInt8.self)
        let table: IDTable?
        if width < 0 {
            let offsets = try reader.readArray(of: UInt32.self)
            table = offsets.count == count + 1 ? IDTable(bytes: arena, offsets: offsets) : nil
        } else {
            table = IDTable(bytes: arena, width: width, count: count)
        }
        guard reader.isAtEnd, let table else { throw reader.truncated() }
        return table
    }

    /// The ids' digest, class names, predictions and scores at the start of a `PPPRED06` file, checked.
    static func decodeRows(
        _ reader: inout BinaryReader
    ) throws(StoreError) -> (idsDigest: UInt64, classNames: [String], predictions: [Int32], scores: [Double]?) {
        let idsDigest = try reader.readUInt64()
        let classNames = try reader.readStrings()
        let predictions = try reader.readClassNumbers(classCount: classNames.count, allowingNone: false)
        let flag = try reader.readInt()
        guard flag <= 1 else { throw reader.truncated() }
        let scores = flag == 1 ? try reader.readArray(of: Double.self) : nil
        guard scores.map({ $0.count == predictions.count }) ?? true else { throw reader.truncated() }
        return (idsDigest, classNames, predictions, scores)
    }
}

/// The ids of a period's stored predictions, without their predictions and
/// scores: what `load-ground-truth` joins the labels to.
public struct PredictionIDs: Sendable {
    /// Row `i`'s id is `ids.string(at: i)`.
    public var ids: IDTable
    /// Number → predicted class label.
    public var classNames: [String]
    /// ``StoredPredictions/idsDigest``.
    public var idsDigest: UInt64

    /// The number of rows.
    public var count: Int { ids.count }

    /// Reads a `PPPRED06` file's digest, class names and ids, skipping over
    /// (and not checking) its predictions and scores.
    init(decoding reader: inout BinaryReader) throws(StoreError) {
        idsDigest = try reader.readUInt64()
        classNames = try reader.readStrings()
        let rows = try reader.skipClassNumbers(classCount: classNames.count)
        let flag = try reader.readInt()
        guard flag <= 1 else { throw reader.truncated() }
        if flag == 1, try reader.skipArray(of: Double.self) != rows { throw reader.truncated() }
        ids = try StoredPredictions.decodeIDs(&reader, count: rows)
    }
}

/// The labels `load-ground-truth` stores for a period (`joined.bin`): per
/// row of the period's `predictions.bin`, the number of its true class.
public struct JoinedLabels: Sendable {
    static let magic = "PPJOIN04"

    /// Number → class label (the predicted classes first, numbered as in the
    /// stored predictions, then the classes only labels have).
    public var classNames: [String]
    /// Per prediction row: number of the true class, or -1 when the label has not arrived.
    public var labels: [Int32]
    /// The ``StoredPredictions/idsDigest`` of the predictions the labels were joined to.
    public var idsDigest: UInt64

    public init(classNames: [String], labels: [Int32], idsDigest: UInt64) {
        self.classNames = classNames
        self.labels = labels
        self.idsDigest = idsDigest
    }

    /// Writes the `PPJOIN04` format: the predictions' ids digest, class names
    /// and labels (as class numbers, -1 for none: one byte each below 255 classes).
    func encode(into file: inout FileWriter) throws(StoreError) {
        file.write(magic: Self.magic)
        file.write(Int(truncatingIfNeeded: idsDigest))
        file.write(classNames)
        try file.write(classNumbers: labels, classCount: classNames.count)
    }

    init(decoding reader: inout BinaryReader) throws(StoreError) {
        idsDigest = try reader.readUInt64()
        classNames = try reader.readStrings()
        labels = try reader.readClassNumbers(classCount: classNames.count, allowingNone: true)
        guard reader.isAtEnd else { throw reader.truncated() }
    }
}

/// A period's predictions joined with their labels, as `check-model` reads them.
///
/// Stored as the labels alone (``JoinedLabels``, `joined.bin`), beside the
/// period's `predictions.bin`, whose predictions and scores they complete.
public struct JoinedRecords: Sendable {
    /// Number → class label (predicted and true classes together; the
    /// predicted classes first, numbered as in the stored predictions).
    public var classNames: [String]
    /// Per row: number of the predicted class.
    public var predictions: [Int32]
    /// Per row: number of the true class, or -1 when the label has not arrived.
    public var labels: [Int32]
    /// Per row: the score, when the predictions have scores.
    public var scores: [Double]?

    /// The ``StoredPredictions/idsDigest`` of the predictions the labels were joined to.
    public var idsDigest: UInt64

    public init(
        classNames: [String], predictions: [Int32], labels: [Int32], scores: [Double]?, idsDigest: UInt64
    ) {
        self.classNames = classNames
        self.predictions = predictions
        self.labels = labels
        self.scores = scores
        self.idsDigest = idsDigest
    }
}
