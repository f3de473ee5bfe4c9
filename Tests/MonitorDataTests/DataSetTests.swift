import Foundation
import MonitorData
import Testing

/// A valid metadata object with `periods` periods, as a JSON-compatible dictionary.
func metadataObject(periods: Int = 2) -> [String: Any] {
    [
        "format_version": 1,
        "name": "test",
        "num_periods": periods,
        "periods": (0..<periods).map { p in
            [
                "period": p, "start": "2024-01-0\(p + 1)T00:00:00Z", "end": "2024-01-0\(p + 2)T00:00:00Z",
                "predictions": "predictions/period_\(p).csv.gz", "labels": "labels/period_\(p).csv.gz", "rows": 2,
            ] as [String: Any]
        },
    ]
}

func writeMetadata(_ dir: TempDir, _ object: Any) throws {
    let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    try dir.writeGzip("metadata.json.gz", Array(json))
}

func writeMetadata(_ dir: TempDir, json: String) throws {
    try dir.writeGzip("metadata.json.gz", json)
}

@Suite("Metadata and DataSet")
struct DataSetTests {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    @Test("the bundled sample data set reads completely")
    func sample() throws {
        let dataSet = try DataSet(directory: Self.packageRoot + "/data/sample")
        let metadata = dataSet.metadata
        #expect(metadata.name == "sample")
        #expect(metadata.formatVersion == 1)
        #expect(metadata.numPeriods == 10)
        #expect(metadata.positiveLabel == "1")
        #expect(metadata.reference.isEmpty)
        for period in 0..<metadata.numPeriods {
            let predictions = try PredictionReader(path: try dataSet.predictionsPath(period: period))
            #expect(predictions.hasScore)
            var rows = 0
            while try predictions.next() { rows += 1 }
            #expect(rows == metadata.periods[period].rows)
            let labels = try LabelReader(path: try dataSet.labelsPath(period: period))
            var labelRows = 0
            while try labels.next() { labelRows += 1 }
            #expect(labelRows > rows * 9 / 10 && labelRows < rows)
        }
    }

    @Test("a valid metadata file: defaults, unknown fields, reference")
    func valid() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var object = metadataObject()
        object["unknown"] = ["nested": true]
        object["reference"] = ["accuracy": 0.95, "f1": 1]
        try writeMetadata(dir, object)
        let dataSet = try DataSet(directory: dir.path)
        #expect(dataSet.directory == dir.path)
        #expect(dataSet.metadata == Metadata(
            name: "test", numPeriods: 2, positiveLabel: "1",
            periods: [
                PeriodInfo(period: 0, start: "2024-01-01T00:00:00Z", end: "2024-01-02T00:00:00Z",
                           predictions: "predictions/period_0.csv.gz", labels: "labels/period_0.csv.gz", rows: 2),
                PeriodInfo(period: 1, start: "2024-01-02T00:00:00Z", end: "2024-01-03T00:00:00Z",
                           predictions: "predictions/period_1.csv.gz", labels: "labels/period_1.csv.gz", rows: 2),
            ],
            reference: ["accuracy": 0.95, "f1": 1]))
        #expect(try dataSet.predictionsPath(period: 1) == dir.path + "/predictions/period_1.csv.gz")
        #expect(try dataSet.labelsPath(period: 0) == dir.path + "/labels/period_0.csv.gz")
        // A trailing slash on the directory does not double.
        #expect(try DataSet(directory: dir.path + "/").labelsPath(period: 0) == dir.path + "/labels/period_0.csv.gz")
        // Period out of range.
        let error = dataError { _ = try dataSet.predictionsPath(period: 2) }
        #expect(error?.kind == .metadata)
    }

    @Test("optional fields may be absent; positive_label is kept")
    func minimal() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeMetadata(dir, json: """
            {"format_version": 1, "name": "m", "num_periods": 1, "positive_label": "yes",
             "periods": [{"period": 0, "predictions": "p.csv.gz", "labels": "l.csv.gz"}]}
            """)
        let metadata = try DataSet(directory: dir.path).metadata
        #expect(metadata.positiveLabel == "yes")
        #expect(metadata.periods == [PeriodInfo(period: 0, predictions: "p.csv.gz", labels: "l.csv.gz")])
    }

    struct Invalid: CustomTestStringConvertible, Sendable {
        var name: String
        var json: String
        var message: String
        var testDescription: String { name }
    }

    static func json(_ edit: (inout [String: Any]) -> Void) -> String {
        var object = metadataObject(periods: 3)
        edit(&object)
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func editPeriod(_ index: Int, _ edit: @escaping (inout [String: Any]) -> Void) -> String {
        json { object in
            var periods = object["periods"] as! [[String: Any]]
            edit(&periods[index])
            object["periods"] = periods
        }
    }

    static let invalid: [Invalid] = [
        Invalid(name: "not JSON", json: "{not json", message: "not valid JSON"),
        Invalid(name: "not an object", json: "[1, 2]", message: "expected"),
        Invalid(name: "format_version 2", json: json { $0["format_version"] = 2 }, message: "unsupported format_version 2"),
        Invalid(name: "format_version missing", json: json { $0["format_version"] = nil }, message: "missing field format_version"),
        Invalid(name: "format_version a string", json: json { $0["format_version"] = "1" }, message: "format_version: expected an integer"),
        Invalid(name: "name missing", json: json { $0["name"] = nil }, message: "missing field name"),
        Invalid(name: "name empty", json: json { $0["name"] = "" }, message: "name is empty"),
        Invalid(name: "num_periods 0", json: json { $0["num_periods"] = 0 }, message: "num_periods is 0"),
        Invalid(name: "num_periods missing", json: json { $0["num_periods"] = nil }, message: "missing field num_periods"),
        Invalid(name: "periods count", json: json { $0["num_periods"] = 4 }, message: "periods has 3 entries but num_periods is 4"),
        Invalid(name: "periods missing", json: json { $0["periods"] = nil }, message: "missing field periods"),
        Invalid(name: "duplicate period", json: editPeriod(2) { $0["period"] = 1 },
                message: "periods[2].period is 1, expected 2 (periods must be numbered 0…2 in order); duplicate period numbers: 1; missing period numbers: 2"),
        Invalid(name: "out of order", json: editPeriod(0) { $0["period"] = 5 }, message: "missing period numbers: 0"),
        Invalid(name: "period missing", json: editPeriod(1) { $0["period"] = nil }, message: "periods[1]: missing field period"),
        Invalid(name: "predictions missing", json: editPeriod(1) { $0["predictions"] = nil }, message: "periods[1]: missing field predictions"),
        Invalid(name: "labels empty", json: editPeriod(1) { $0["labels"] = "" }, message: "periods[1].labels is empty"),
        Invalid(name: "absolute path", json: editPeriod(0) { $0["predictions"] = "/etc/passwd" }, message: "absolute path"),
        Invalid(name: "parent directory", json: editPeriod(0) { $0["predictions"] = "../x.csv.gz" }, message: "\"..\""),
        Invalid(name: "parent directory inside", json: editPeriod(2) { $0["labels"] = "labels/../../x.csv.gz" }, message: "periods[2].labels"),
        Invalid(name: "negative rows", json: editPeriod(1) { $0["rows"] = -1 }, message: "periods[1].rows is -1"),
        Invalid(name: "rows not an integer", json: editPeriod(1) { $0["rows"] = "ten" }, message: "periods[1].rows: expected an integer"),
        Invalid(name: "reference not numbers", json: json { $0["reference"] = ["accuracy": "high"] }, message: "reference.accuracy: expected a number"),
        Invalid(name: "reference not an object", json: json { $0["reference"] = 0.9 }, message: "reference"),
        Invalid(name: "positive_label empty", json: json { $0["positive_label"] = "" }, message: "positive_label is empty"),
        Invalid(name: "positive_label a number", json: json { $0["positive_label"] = 1 }, message: "positive_label: expected a string"),
    ]

    @Test("invalid metadata; valid JSON of a wrong type names the field, the type expected and what was found", arguments: invalid + wrongTypes)
    func invalidMetadata(_ example: Invalid) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeMetadata(dir, json: example.json)
        let error = dataError { _ = try DataSet(directory: dir.path) }
        #expect(error?.kind == .metadata)
        #expect(error?.file == dir.path + "/metadata.json.gz")
        #expect(error?.message.contains(example.message) == true, "\(String(describing: error))")
    }

    /// Valid JSON of the wrong type: the field, the type expected and what was found, never "not valid JSON".
    static let wrongTypes: [Invalid] = {
        func with(_ literal: String, _ edit: (inout [String: Any]) -> Void) -> String {
            json(edit).replacingOccurrences(of: "\"LITERAL\"", with: literal)
        }
        return [
            Invalid(name: "rows 300.5", json: editPeriod(1) { $0["rows"] = 300.5 },
                    message: "invalid metadata: periods[1].rows: expected an integer, found 300.5"),
            Invalid(name: "num_periods \"10\"", json: json { $0["num_periods"] = "10" },
                    message: #"invalid metadata: num_periods: expected an integer, found the string "10""#),
            Invalid(name: "num_periods 1e30", json: with("1e30") { $0["num_periods"] = "LITERAL" },
                    message: "invalid metadata: num_periods: expected an integer, found 1e+30"),
            Invalid(name: "format_version 1.5", json: json { $0["format_version"] = 1.5 },
                    message: "invalid metadata: format_version: expected an integer, found 1.5"),
            Invalid(name: "period 0.5", json: editPeriod(0) { $0["period"] = 0.5 },
                    message: "invalid metadata: periods[0].period: expected an integer, found 0.5"),
            Invalid(name: "reference 1e400", json: with("1e400") { $0["reference"] = ["accuracy": "LITERAL"] },
                    message: "invalid metadata: reference.accuracy: expected a number, found a number out of range"),
            Invalid(name: "name 5", json: json { $0["name"] = 5 }, message: "invalid metadata: name: expected a string, found a number"),
            Invalid(name: "name true", json: json { $0["name"] = true }, message: "invalid metadata: name: expected a string, found a boolean"),
            Invalid(name: "periods an object", json: json { $0["periods"] = ["a": 1] },
                    message: "invalid metadata: periods: expected an array, found an object"),
            Invalid(name: "a period a number", json: json { $0["periods"] = [5] },
                    message: "invalid metadata: periods[0]: expected an object, found a number"),
        ]
    }()

    @Test("a missing data directory, a missing or damaged metadata file")
    func missing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let noDir = dataError { _ = try DataSet(directory: dir.path + "/nope") }
        #expect(noDir?.kind == .notFound)
        #expect(noDir?.message.contains("data directory does not exist") == true)
        #expect(noDir?.file == dir.path + "/nope")

        let noMetadata = dataError { _ = try DataSet(directory: dir.path) }
        #expect(noMetadata?.kind == .notFound)
        #expect(noMetadata?.file == dir.path + "/metadata.json.gz")

        try dir.write("metadata.json.gz", Array("{}".utf8))
        #expect(dataError { _ = try DataSet(directory: dir.path) }?.kind == .notGzip)

        let file = try dir.write("plain", [1])
        #expect(dataError { _ = try DataSet(directory: file) }?.kind == .io)
    }

    @Test("symbolic links may not lead out of the data directory")
    func symlinkEscape() throws {
        let root = try TempDir()
        defer { root.remove() }
        let outside = try root.writeGzip("outside/secret.csv.gz", "id,prediction\na,1\n")
        let data = TempDirAt(root.path + "/data")
        try FileManager.default.createDirectory(atPath: data.path, withIntermediateDirectories: true)
        var object = metadataObject(periods: 1)
        object["periods"] = [[
            "period": 0, "predictions": "predictions/p0.csv.gz", "labels": "inner/l0.csv.gz",
        ]]
        let json = try JSONSerialization.data(withJSONObject: object)
        try FileManager.default.createDirectory(atPath: data.path + "/predictions", withIntermediateDirectories: true)
        try Data(try root.gzip(Array(json))).write(to: URL(fileURLWithPath: data.path + "/metadata.json.gz"))
        try FileManager.default.createSymbolicLink(atPath: data.path + "/predictions/p0.csv.gz", withDestinationPath: outside)
        // A symlinked folder that stays inside the data directory is fine.
        try FileManager.default.createDirectory(atPath: data.path + "/real", withIntermediateDirectories: true)
        try root.writeGzip("data/real/l0.csv.gz", "id,label\na,1\n")
        try FileManager.default.createSymbolicLink(atPath: data.path + "/inner", withDestinationPath: "real")

        let dataSet = try DataSet(directory: data.path)
        let error = dataError { _ = try dataSet.predictionsPath(period: 0) }
        #expect(error?.kind == .metadata)
        #expect(error?.message.contains("outside the data directory") == true)
        #expect(try dataSet.labelsPath(period: 0) == data.path + "/inner/l0.csv.gz")

        // A missing file behind a symlinked folder that leads outside is rejected too.
        var escaping = metadataObject(periods: 1)
        escaping["periods"] = [["period": 0, "predictions": "out/missing.csv.gz", "labels": "inner/l0.csv.gz"]]
        try Data(try root.gzip(Array(try JSONSerialization.data(withJSONObject: escaping))))
            .write(to: URL(fileURLWithPath: data.path + "/metadata.json.gz"))
        try FileManager.default.createSymbolicLink(atPath: data.path + "/out", withDestinationPath: root.path + "/outside")
        let escapingSet = try DataSet(directory: data.path)
        #expect(dataError { _ = try escapingSet.predictionsPath(period: 0) }?.kind == .metadata)
        // A missing file inside the data directory is left to the reader (notFound).
        #expect(try escapingSet.labelsPath(period: 0) == data.path + "/inner/l0.csv.gz")

        // The data directory itself may be reached through a symbolic link.
        try FileManager.default.createSymbolicLink(atPath: root.path + "/link", withDestinationPath: data.path)
        #expect(try DataSet(directory: root.path + "/link").labelsPath(period: 0) == root.path + "/link/inner/l0.csv.gz")
    }
}

/// A directory path inside another ``TempDir`` (removed with it).
struct TempDirAt {
    let path: String
    init(_ path: String) { self.path = path }
}
