/// `--label-map FROM=TO,…`: label values rewritten as they are imported,
/// for labels spelled unlike the predictions (`1.0` for `1`, `True` for `1`).
public struct LabelMap: Sendable, Equatable {
    var pairs: [(from: [UInt8], to: [UInt8])] = []

    public static func == (a: LabelMap, b: LabelMap) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.from == $1.from && $0.to == $1.to }
    }

    public init() {}

    /// Parses `FROM=TO` pairs separated by commas, e.g. `1.0=1,0.0=0`.
    ///
    /// - Throws: ``ImportError`` naming a pair without `=`, an empty side, or a value mapped twice.
    public init(parsing text: String) throws(ImportError) {
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let sides = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty else {
                throw ImportError(file: "--label-map", "'\(pair)' is not FROM=TO (e.g. --label-map 1.0=1,0.0=0)")
            }
            let from = Array(sides[0].utf8)
            guard !pairs.contains(where: { $0.from == from }) else {
                throw ImportError(file: "--label-map", "'\(sides[0])' is mapped twice")
            }
            pairs.append((from, Array(sides[1].utf8)))
        }
    }

    /// Calls `body` with `label` as mapped (itself when no pair names it).
    @inline(__always)
    func apply<R, E: Error>(_ label: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        for pair in pairs where pair.from.elementsEqual(label) {
            let result = pair.to.withUnsafeBytes { bytes in Result { () throws(E) -> R in try body(bytes) } }
            return try result.get()
        }
        return try body(label)
    }
}

/// The distinct label and prediction values an import wrote (a few of
/// each), to say when the labels look spelled unlike the predictions.
struct SpellingCheck {
    static let limit = 32
    private(set) var predicted: [[UInt8]] = []
    private(set) var labeled: [[UInt8]] = []
    private var manyPredicted = false
    private var manyLabeled = false

    mutating func prediction(_ value: UnsafeRawBufferPointer) { Self.add(value, to: &predicted, many: &manyPredicted) }
    mutating func label(_ value: UnsafeRawBufferPointer) { Self.add(value, to: &labeled, many: &manyLabeled) }

    private static func add(_ value: UnsafeRawBufferPointer, to values: inout [[UInt8]], many: inout Bool) {
        guard !many, !values.contains(where: { $0.elementsEqual(value) }) else { return }
        if values.count == limit { many = true } else { values.append(Array(value)) }
    }

    /// The warning, if any: no value shared, or (at most two predicted
    /// classes) label values never predicted.
    var warning: String? {
        guard !labeled.isEmpty, !manyLabeled, !manyPredicted else { return nil }
        let text = { (values: [[UInt8]]) in values.map { "\"\(String(decoding: $0, as: UTF8.self))\"" }.sorted().joined(separator: ", ") }
        let unpredicted = labeled.filter { label in !predicted.contains(label) }
        let hint = "if they are the same classes spelled differently, import again with --label-map (e.g. 1.0=1,0.0=0)"
        if unpredicted.count == labeled.count {
            return "labels and predictions share no value: labels \(text(labeled)), predictions \(text(predicted)); "
                + "every labeled row would count as wrong. \(hint)"
        }
        guard predicted.count <= 2, !unpredicted.isEmpty else { return nil }
        return "label values never predicted: \(text(unpredicted)) (predictions \(text(predicted))). \(hint)"
    }
}
