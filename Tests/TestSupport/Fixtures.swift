import Foundation

/// A fresh directory under the system's temporary directory.
public func makeTemporaryDirectory(_ label: String = "pp") throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to `path` gzip-compressed, through the system's `gzip`.
public func writeGzip(_ text: String, to path: String) throws {
    try writeGzip(Data(text.utf8), to: path)
}

public func writeGzip(_ data: Data, to path: String) throws {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true
    )
    let plain = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path + ".plain"
    try data.write(to: URL(fileURLWithPath: plain))
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gzip.arguments = ["-n", "-f", "-c", plain]
    let output = FileManager.default.createFile(atPath: path, contents: nil)
    precondition(output)
    gzip.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try gzip.run()
    gzip.waitUntilExit()
    try FileManager.default.removeItem(atPath: plain)
    guard gzip.terminationStatus == 0 else { throw FixtureError("gzip failed for \(path)") }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One period of a test data set.
public struct PeriodFixture: Sendable {
    public var predictionsCSV: String
    public var labelsCSV: String
    /// `rows` in the metadata; `nil` leaves it out.
    public var rows: Int?

    public init(predictionsCSV: String, labelsCSV: String, rows: Int? = nil) {
        self.predictionsCSV = predictionsCSV
        self.labelsCSV = labelsCSV
        self.rows = rows
    }

    /// A period from rows: `(id, prediction, score)` and `(id, label)`.
    public init(predictions: [(String, String, Double?)], labels: [(String, String)]) {
        let withScores = predictions.contains { $0.2 != nil }
        var csv = withScores ? "id,prediction,score\n" : "id,prediction\n"
        for (id, prediction, score) in predictions {
            csv += withScores ? "\(id),\(prediction),\(score ?? 0)\n" : "\(id),\(prediction)\n"
        }
        var labelsCSV = "id,label\n"
        for (id, label) in labels { labelsCSV += "\(id),\(label)\n" }
        self.init(predictionsCSV: csv, labelsCSV: labelsCSV, rows: predictions.count)
    }
}

/// Writes a data set (docs/data-format.md): `metadata.json.gz`, `predictions/period_NNNN.csv.gz`, `labels/…`.
public func writeDataSet(
    _ periods: [PeriodFixture],
    to directory: String,
    name: String = "fixture",
    positiveLabel: String? = nil,
    reference: [String: Double]? = nil,
    numPeriods: Int? = nil,
    task: String? = nil
) throws {
    var entries: [[String: Any]] = []
    for (index, period) in periods.enumerated() {
        let file = String(format: "period_%04d.csv.gz", index)
        try writeGzip(period.predictionsCSV, to: "\(directory)/predictions/\(file)")
        try writeGzip(period.labelsCSV, to: "\(directory)/labels/\(file)")
        var entry: [String: Any] = [
            "period": index, "predictions": "predictions/\(file)", "labels": "labels/\(file)",
        ]
        if let rows = period.rows { entry["rows"] = rows }
        entries.append(entry)
    }
    var metadata: [String: Any] = [
        "format_version": 1, "name": name, "num_periods": numPeriods ?? periods.count, "periods": entries,
    ]
    if let positiveLabel { metadata["positive_label"] = positiveLabel }
    if let reference { metadata["reference"] = reference }
    if let task { metadata["task"] = task }
    let json = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])
    try writeGzip(json, to: "\(directory)/metadata.json.gz")
}

/// A deterministic pseudo-random generator (SplitMix64) for test data.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
