/// A period's validated predictions, as `get-predictions` hands them to
/// `load-ground-truth`: ids, interned predicted classes, and scores.
public struct StoredPredictions: Sendable {
    static let magic = "PPPRED01"

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

    func encoded() -> [UInt8] {
        var writer = BinaryWriter(magic: Self.magic, reserving: ids.bytes.count + count * 16)
        writer.write(classNames)
        writer.write(array: ids.bytes)
        writer.write(array: ids.offsets)
        writer.write(array: predictions)
        writer.write(scores == nil ? 0 : 1)
        if let scores { writer.write(array: scores) }
        return writer.bytes
    }

    /// The bytes of ``encoded()``, as pieces that point into the arrays (no
    /// copy of the megabytes of a large period), for the duration of `body`.
    func withEncodedPieces<R>(_ body: ([UnsafeRawBufferPointer]) throws(StoreError) -> R) throws(StoreError) -> R {
        var head = BinaryWriter(magic: Self.magic)
        head.write(classNames)
        head.write(ids.bytes.count)
        var offsetsCount = BinaryWriter(magic: "")
        offsetsCount.write(ids.offsets.count)
        var predictionsCount = BinaryWriter(magic: "")
        predictionsCount.write(predictions.count)
        var tail = BinaryWriter(magic: "")
        tail.write(scores == nil ? 0 : 1)
        if let scores { tail.write(scores.count) }
        let scores = self.scores ?? []
        let result: Result<R, StoreError> = head.bytes.withUnsafeBytes { p0 in
            ids.bytes.withUnsafeBytes { p1 in
                offsetsCount.bytes.withUnsafeBytes { p2 in
                    ids.offsets.withUnsafeBytes { p3 in
                        predictionsCount.bytes.withUnsafeBytes { p4 in
                            predictions.withUnsafeBytes { p5 in
                                tail.bytes.withUnsafeBytes { p6 in
                                    scores.withUnsafeBytes { p7 in
                                        Result { () throws(StoreError) in try body([p0, p1, p2, p3, p4, p5, p6, p7]) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return try result.get()
    }

    init(decoding bytes: [UInt8], path: String) throws(StoreError) {
        var reader = try BinaryReader(bytes, magic: Self.magic, path: path)
        classNames = try reader.readStrings()
        let arena = try reader.readArray(of: UInt8.self)
        let offsets = try reader.readArray(of: UInt32.self)
        guard let table = IDTable(bytes: arena, offsets: offsets) else { throw reader.truncated() }
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

    func encoded() -> [UInt8] {
        var writer = BinaryWriter(magic: Self.magic, reserving: predictions.count * 16)
        writer.write(classNames)
        writer.write(array: predictions)
        writer.write(array: labels)
        writer.write(scores == nil ? 0 : 1)
        if let scores { writer.write(array: scores) }
        return writer.bytes
    }

    /// The bytes of ``encoded()``, as pieces that point into the arrays, for the duration of `body`.
    func withEncodedPieces<R>(_ body: ([UnsafeRawBufferPointer]) throws(StoreError) -> R) throws(StoreError) -> R {
        var head = BinaryWriter(magic: Self.magic)
        head.write(classNames)
        head.write(predictions.count)
        var labelsCount = BinaryWriter(magic: "")
        labelsCount.write(labels.count)
        var tail = BinaryWriter(magic: "")
        tail.write(scores == nil ? 0 : 1)
        if let scores { tail.write(scores.count) }
        let scores = self.scores ?? []
        let result: Result<R, StoreError> = head.bytes.withUnsafeBytes { p0 in
            predictions.withUnsafeBytes { p1 in
                labelsCount.bytes.withUnsafeBytes { p2 in
                    labels.withUnsafeBytes { p3 in
                        tail.bytes.withUnsafeBytes { p4 in
                            scores.withUnsafeBytes { p5 in
                                Result { () throws(StoreError) in try body([p0, p1, p2, p3, p4, p5]) }
                            }
                        }
                    }
                }
            }
        }
        return try result.get()
    }

    init(decoding bytes: [UInt8], path: String) throws(StoreError) {
        var reader = try BinaryReader(bytes, magic: Self.magic, path: path)
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
