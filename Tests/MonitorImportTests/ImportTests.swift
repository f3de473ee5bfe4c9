import Foundation
import MonitorData
import Testing

@testable import MonitorImport

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to `dir/name`, gzip-compressed when `gzip`.
func write(_ text: String, _ dir: String, _ name: String, gzip: Bool = false) throws -> String {
    let path = "\(dir)/\(name)"
    if gzip {
        let writer = try GzipWriter(path: path)
        try writer.write(text)
        try writer.finish()
    } else {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    return path
}

struct ReadBack {
    var metadata: Metadata
    var predictions: [[(id: String, prediction: String, score: Double)]] = []
    var labels: [[String: String]] = []
    var hasTimestamp: [Bool] = []
}

/// Reads an imported data set through MonitorData, as the jobs do.
func readBack(_ directory: String) throws -> ReadBack {
    let dataSet = try DataSet(directory: directory)
    var result = ReadBack(metadata: dataSet.metadata)
    for period in 0..<dataSet.metadata.numPeriods {
        let reader = try PredictionReader(path: try dataSet.predictionsPath(period: period))
        result.hasTimestamp.append(reader.hasTimestamp)
        var rows: [(String, String, Double)] = []
        while try reader.next() {
            rows.append((String(decoding: reader.id, as: UTF8.self), String(decoding: reader.prediction, as: UTF8.self), reader.score))
        }
        result.predictions.append(rows)
        let labels = try LabelReader(path: try dataSet.labelsPath(period: period))
        var map: [String: String] = [:]
        while try labels.next() {
            map[String(decoding: labels.id, as: UTF8.self)] = String(decoding: labels.label, as: UTF8.self)
        }
        result.labels.append(map)
    }
    return result
}

/// The ids of a data set's reference predictions and labels files (each in file order; both must agree).
func referenceIDs(_ directory: String) throws -> [String] {
    let files = try #require(try DataSet(directory: directory).referencePaths())
    let predictions = try PredictionReader(path: files.predictions)
    var ids: [String] = []
    while try predictions.next() { ids.append(String(decoding: predictions.id, as: UTF8.self)) }
    let labels = try LabelReader(path: files.labels)
    var labeled: [String] = []
    while try labels.next() { labeled.append(String(decoding: labels.id, as: UTF8.self)) }
    #expect(Set(labeled) == Set(ids))
    return ids
}

private func combinedCSV(rows: Int) -> String {
    var text = "id,prediction,score,label\n"
    for i in 0..<rows { text += "id-\(i),\(i % 2),0.\(i % 10),\(i % 3 == 0 ? "" : String((i + 1) % 2))\n" }
    return text
}

@Suite struct SplitTests {
    @Test(arguments: [false, true])
    func byCountPlainAndGzip(gzip: Bool) throws {
        let dir = try temporaryDirectory()
        let input = try write(combinedCSV(rows: 10), dir, gzip ? "in.csv.gz" : "in.csv", gzip: gzip)
        let summary = try importChecked(
            ImportOptions(input: .combined(input), split: .count(3), outputDirectory: "\(dir)/out", name: "counted"))
        #expect(summary.rowsPerPeriod == [4, 3, 3])
        let back = try readBack("\(dir)/out")
        #expect(back.metadata.name == "counted")
        #expect(back.metadata.numPeriods == 3)
        #expect(back.metadata.periods.map(\.rows) == [4, 3, 3])
        #expect(back.predictions[0].map(\.id) == ["id-0", "id-1", "id-2", "id-3"])
        #expect(back.predictions[1][0].score == 0.4)
        // Rows 0, 3, 6, 9 have no label yet: left out of the labels files.
        #expect(back.labels[0] == ["id-1": "0", "id-2": "1"])
        #expect(back.labels.map(\.count).reduce(0, +) == summary.labeled)
        #expect(summary.labeled == 6)
    }

    @Test func moreCountedPeriodsThanRowsGivesEmptyPeriods() throws {
        let dir = try temporaryDirectory()
        let input = try write(combinedCSV(rows: 2), dir, "in.csv")
        let summary = try importChecked(
            ImportOptions(input: .combined(input), split: .count(4), outputDirectory: "\(dir)/out", name: "few"))
        #expect(summary.rowsPerPeriod == [1, 0, 1, 0])
        let back = try readBack("\(dir)/out")
        #expect(back.predictions.map(\.count) == [1, 0, 1, 0])
    }

    @Test func bySize() throws {
        let dir = try temporaryDirectory()
        let input = try write(combinedCSV(rows: 10), dir, "in.csv")
        let summary = try importChecked(
            ImportOptions(input: .combined(input), split: .size(4), outputDirectory: "\(dir)/out", name: "sized"))
        #expect(summary.rowsPerPeriod == [4, 4, 2])
        let back = try readBack("\(dir)/out")
        #expect(back.predictions.map(\.count) == [4, 4, 2])
        #expect(back.predictions[2].map(\.id) == ["id-8", "id-9"])
    }

    @Test func byWindowKeepsEmptyWindows() throws {
        let dir = try temporaryDirectory()
        let text = """
            timestamp,prediction,label,id
            2024-01-01T10:00:00Z,1,1,a
            2024-01-01T23:59:59.5+00:00,0,1,b
            2024-01-04T01:00:00+02:00,1,0,c
            2024-01-04T03:00:00Z,1,1,d

            """
        let input = try write(text, dir, "in.csv")
        let summary = try importChecked(
            ImportOptions(input: .combined(input), split: .window(seconds: 86400), outputDirectory: "\(dir)/out", name: "w"))
        // c is 2024-01-03T23:00Z: the third day.
        #expect(summary.rowsPerPeriod == [2, 0, 1, 1])
        let back = try readBack("\(dir)/out")
        #expect(back.predictions.map(\.count) == [2, 0, 1, 1])
        #expect(back.hasTimestamp == [true, true, true, true])
        #expect(back.metadata.periods[1].start == "2024-01-02T00:00:00Z")
        #expect(back.metadata.periods[1].end == "2024-01-03T00:00:00Z")
        #expect(back.labels[1].isEmpty)
    }

    @Test func windowNeedsTimeOrder() throws {
        let dir = try temporaryDirectory()
        let text = "timestamp,prediction,label\n2024-01-02T00:00:00Z,1,1\n2024-01-01T00:00:00Z,1,1\n"
        let input = try write(text, dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(
                ImportOptions(input: .combined(input), split: .window(seconds: 3600), outputDirectory: "\(dir)/out", name: "w"))
        }
        #expect(error?.file == input)
        #expect(error?.line == 3)
        #expect(error?.message.contains("time order") == true)
    }

    @Test func badTimestampNamesFileAndLine() throws {
        let dir = try temporaryDirectory()
        let text = "timestamp,prediction,label\n2024-01-01T00:00:00Z,1,1\n2024-13-01 00:00,1,1\n"
        let input = try write(text, dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(
                ImportOptions(input: .combined(input), split: .window(seconds: 3600), outputDirectory: "\(dir)/out", name: "w"))
        }
        #expect(error?.description.hasPrefix("\(input):3: timestamp \"2024-13-01 00:00\"") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))  // no half data set left behind
    }
}

@Suite struct LayoutTests {
    /// The Python jobs' layout: one CSV, their column names, a period column, no id.
    @Test(arguments: [false, true])
    func seedLayout(gzip: Bool) throws {
        let dir = try temporaryDirectory()
        var text = "known_prediction,probability_class_1,artificial_ground_truth,period\n"
        let periods = [0, 0, 0, 1, 1, 2, 2, 2, 2]
        for (i, period) in periods.enumerated() {
            let prediction = i % 2
            text += "\(prediction),\(prediction == 1 ? "0.9" : "0.2"),\(i == 3 ? 0 : prediction),\(period)\n"
        }
        let input = try write(text, dir, "old.csv", gzip: gzip)
        let summary = try importChecked(
            ImportOptions(
                input: .combined(input), split: .column,
                columns: .init(
                    prediction: "known_prediction", score: "probability_class_1", label: "artificial_ground_truth",
                    period: "period"),
                outputDirectory: "\(dir)/migrated", name: "migrated", referenceRows: 4))
        // The first 4 labeled rows are the reference set, out of the periods: period value 0 is gone.
        #expect(summary.rowsPerPeriod == [1, 4])
        #expect(summary.referenceAccuracy == 0.75)  // row 4 (i = 3) is wrong
        #expect(summary.referenceRows == 4)
        let back = try readBack("\(dir)/migrated")
        #expect(back.metadata.reference["accuracy"] == summary.referenceAccuracy)
        #expect(back.predictions[0].map(\.id) == ["row-5"])
        #expect(back.predictions[1].map(\.score) == [0.9, 0.2, 0.9, 0.2])
        #expect(back.labels[1] == ["row-6": "1", "row-7": "0", "row-8": "1", "row-9": "0"])
        let files = try #require(back.metadata.referenceFiles)
        #expect(files.predictions == "reference/predictions.csv.gz" && files.labels == "reference/labels.csv.gz")
        #expect(try referenceIDs("\(dir)/migrated") == ["row-1", "row-2", "row-3", "row-4"])
    }

    @Test func textPeriodValuesAreSortedAndIntegerGapsKept() throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,label,period\n1,1,b\n0,0,a\n1,1,b\n", dir, "text.csv")
        let summary = try importChecked(
            ImportOptions(input: .combined(input), split: .column, columns: .init(period: "period"), outputDirectory: "\(dir)/t", name: "t"))
        #expect(summary.rowsPerPeriod == [1, 2])
        let numbers = try write("prediction,label,period\n1,1,5\n0,0,3\n", dir, "numbers.csv")
        let gaps = try importChecked(
            ImportOptions(input: .combined(numbers), split: .column, columns: .init(period: "period"), outputDirectory: "\(dir)/n", name: "n"))
        #expect(gaps.rowsPerPeriod == [1, 0, 1])
        #expect(try readBack("\(dir)/n").predictions.map(\.count) == [1, 0, 1])
    }

    @Test func twoFilesJoinedByID() throws {
        let dir = try temporaryDirectory()
        let predictions = try write(
            "id,timestamp,prediction,score\np1,2024-01-01T00:00:00Z,1,0.9\np2,2024-01-01T01:00:00Z,0,0.1\n"
                + "\"p,3\",2024-01-02T00:00:00Z,1,0.8\np4,2024-01-02T05:00:00Z,0,0.3\n",
            dir, "predictions.csv.gz", gzip: true)
        let labels = try write("label,id\n0,p4\n1,\"p,3\"\n1,ghost\n,p2\n1,p1\n", dir, "labels.csv")
        let summary = try importChecked(
            ImportOptions(
                input: .separate(predictions: predictions, labels: labels), split: .window(seconds: 86400),
                outputDirectory: "\(dir)/out", name: "two", referenceRows: 2))
        // The labels file's first 2 labeled ids (p4, p,3) are the reference set, out of the periods.
        #expect(summary.rowsPerPeriod == [2])
        #expect(summary.labelsWithoutPrediction == 1)
        #expect(summary.labeled == 1)
        #expect(summary.referenceAccuracy == 1.0)  // p4 → 0 correct, p,3 → 1 correct
        let back = try readBack("\(dir)/out")
        #expect(back.predictions[0].map(\.id) == ["p1", "p2"])
        #expect(back.labels[0] == ["p1": "1"])
        #expect(try referenceIDs("\(dir)/out") == ["p,3", "p4"])
    }

    @Test func duplicateIDInPredictionsIsAnError() throws {
        let dir = try temporaryDirectory()
        let predictions = try write("id,prediction\na,1\nb,0\na,1\n", dir, "p.csv")
        let labels = try write("id,label\na,1\n", dir, "l.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(
                ImportOptions(input: .separate(predictions: predictions, labels: labels), split: .size(10), outputDirectory: "\(dir)/o", name: "d"))
        }
        #expect(error?.line == 4)
        #expect(error?.message.contains("duplicate id \"a\"") == true)
    }
}

@Suite struct ErrorTests {
    @Test func missingColumnNamesFileLineAndFlag() throws {
        let dir = try temporaryDirectory()
        let input = try write("id,prediction,label\na,1,1\n", dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(
                ImportOptions(
                    input: .combined(input), split: .size(5), columns: .init(score: "probability"),
                    outputDirectory: "\(dir)/out", name: "x"))
        }
        #expect(error?.description.hasPrefix("\(input):1: missing column \"probability\" (--score-column)") == true)
        let noLabel = try write("id,prediction\na,1\n", dir, "nolabel.csv")
        let second = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(noLabel), split: .size(5), outputDirectory: "\(dir)/o2", name: "x"))
        }
        #expect(second?.message.contains("missing column \"label\" (name another with --label-column)") == true)
    }

    @Test func badScoreAndEmptyPrediction() throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,score,label\n1,0.5,1\n1,1.5,1\n", dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(input), split: .size(5), outputDirectory: "\(dir)/out", name: "x"))
        }
        #expect(error?.description == "\(input):3: score \"1.5\" is outside [0, 1]")  // the jobs' rule and words
        let empty = try write("prediction,label\n,1\n", dir, "empty.csv")
        let second = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(empty), split: .size(5), outputDirectory: "\(dir)/o2", name: "x"))
        }
        #expect(second?.description == "\(empty):2: empty prediction")
    }

    @Test func refusesANonEmptyOutputFolder() throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,label\n1,1\n", dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(input), split: .size(5), outputDirectory: dir, name: "x"))
        }
        #expect(error?.message.contains("is not empty") == true)
    }

    @Test func emptyInputIsOneEmptyPeriod() throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,label\n", dir, "in.csv")
        let summary = try importChecked(ImportOptions(input: .combined(input), split: .size(5), outputDirectory: "\(dir)/o", name: "x"))
        #expect(summary.rowsPerPeriod == [0])
        #expect(try readBack("\(dir)/o").predictions.map(\.count) == [0])
    }
}

@Suite struct PiecesTests {
    @Test(arguments: [
        ("2024-01-01T00:00:00Z", Int64(1_704_067_200)), ("2024-01-01t01:00:00.123z", 1_704_070_800),
        ("2024-01-01 02:00:00+02:00", 1_704_067_200), ("1969-12-31T23:59:59Z", -1), ("2024-02-29T00:00:00-00:30", 1_709_166_600),
    ])
    func rfc3339(text: String, seconds: Int64) {
        let parsed = Array(text.utf8).withUnsafeBytes { RFC3339.parse($0) }
        #expect(parsed == seconds)
    }

    /// Every form the importer accepts: a replacement parser must take them all, with these values.
    @Test(arguments: [
        ("2024-01-31T12:00:00Z", Int64(1_706_702_400)), ("2024-01-31t12:00:00Z", 1_706_702_400),
        ("2024-01-31 12:00:00Z", 1_706_702_400), ("2024-01-31T12:00:00z", 1_706_702_400),
        ("2024-01-31T12:00:00.5Z", 1_706_702_400), ("2024-01-31T12:00:00.123456789Z", 1_706_702_400),
        ("2024-01-31T14:00:00+02:00", 1_706_702_400), ("2024-01-31T07:30:00-04:30", 1_706_702_400),
        ("2024-01-31T12:00:00+00:00", 1_706_702_400), ("2024-01-31T12:00:00-00:00", 1_706_702_400),
        ("2024-01-31 14:00:00.25+02:00", 1_706_702_400), ("2016-12-31T23:59:60Z", 1_483_228_799),
        ("2024-02-29T00:00:00Z", 1_709_164_800), ("2000-02-29T00:00:00Z", 951_782_400),
        ("0000-03-01T00:00:00Z", -62_162_035_200), ("9999-12-31T23:59:59Z", 253_402_300_799),
        ("1969-12-31T23:59:59.999Z", -1),
    ])
    func rfc3339AcceptedForms(text: String, seconds: Int64) {
        #expect(Array(text.utf8).withUnsafeBytes { RFC3339.parse($0) } == seconds)
    }

    @Test(arguments: [
        "2024-02-30T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01", "2024-01-01T00:00:00+0200", "x",
        "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T00:60:00Z", "2024-01-01T00:00:61Z", "2024-1-01T00:00:00Z", "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00Z ", " 2024-01-01T00:00:00Z", "2024-01-01T00:00:00+24:00", "20240101T000000Z",
        "2024-01-01_00:00:00Z",
    ])
    func rfc3339Invalid(text: String) {
        #expect(Array(text.utf8).withUnsafeBytes { RFC3339.parse($0) } == nil)
    }

    @Test func formatRoundTrips() {
        #expect(RFC3339.format(1_704_067_200) == "2024-01-01T00:00:00Z")
        #expect(RFC3339.format(-1) == "1969-12-31T23:59:59Z")
    }

    @Test func windows() {
        #expect(ImportOptions.windowSeconds("30m") == 1800)
        #expect(ImportOptions.windowSeconds("7d") == 604_800)
        #expect(ImportOptions.windowSeconds("1h") == 3600)
        #expect(ImportOptions.windowSeconds("0d") == nil)
        #expect(ImportOptions.windowSeconds("d") == nil)
        #expect(ImportOptions.windowSeconds("5y") == nil)
    }

    @Test func gzipWriterQuotesAndReadsBackThroughCSVReader() throws {
        let dir = try temporaryDirectory()
        let writer = try GzipWriter(path: "\(dir)/x.csv.gz", level: 1)
        try writer.write("a,b\n")
        try writer.writeCSVField("has,comma \"and\" quote\nline")
        try writer.write(",plain\n")
        let big = String(repeating: "y", count: 200_000)  // larger than the writer's buffer
        try writer.writeCSVField(big)
        try writer.write(",z\n")
        try writer.finish()
        let csv = try CSVReader(path: "\(dir)/x.csv.gz", maxRecordBytes: 1 << 20, compression: .detect)
        #expect(try csv.next())
        #expect(String(decoding: csv.field(0), as: UTF8.self) == "has,comma \"and\" quote\nline")
        #expect(try csv.next())
        #expect(csv.field(0).count == 200_000)
        #expect(try !csv.next())
    }

    @Test(arguments: [CSVReader.Compression.none, .detect])
    func plainCSVSource(compression: CSVReader.Compression) throws {
        let dir = try temporaryDirectory()
        let path = try write("id,v\n1,\"a\r\nb\"\n2,c", dir, "p.csv")
        let csv = try CSVReader(path: path, compression: compression)
        #expect(csv.header == ["id", "v"])
        #expect(try csv.next())
        #expect(String(decoding: csv.field(1), as: UTF8.self) == "a\r\nb")
        #expect(try csv.next())
        #expect(csv.line == 4)
        #expect(try !csv.next())
        #expect(throws: DataError.self) { try CSVReader(path: path) }  // the data set's readers still want gzip
    }
}

/// `import --append`: a refused append leaves the data set as it was.
@Suite struct AppendTests {
    /// A three-period data set in `dir/data` and a second input of 4 rows in `dir/new.csv`.
    private static func dataSet() throws -> (dir: String, data: String, new: String) {
        let dir = try temporaryDirectory()
        let input = try write(combinedCSV(rows: 10), dir, "in.csv")
        _ = try importChecked(ImportOptions(input: .combined(input), split: .count(3), outputDirectory: "\(dir)/data", name: "grown"))
        let new = try write(combinedCSV(rows: 4).replacingOccurrences(of: "id-", with: "new-"), dir, "new.csv")
        return (dir, "\(dir)/data", new)
    }

    /// Every file and folder under `data` (the staging folder too), and the metadata's text.
    private static func snapshot(_ data: String) throws -> (files: [String], metadata: String) {
        (try FileManager.default.subpathsOfDirectory(atPath: data).sorted(),
         String(decoding: try GzipReader.readAll(path: DataSet.metadataPath(directory: data)), as: UTF8.self))
    }

    private static func append(_ data: String, _ input: String, metadataLimit: Int = DataSet.maxMetadataBytes) throws(ImportError) -> Int {
        try Appender.run(
            ImportOptions(input: .combined(input), split: .count(2), outputDirectory: data, name: "ignored"),
            metadataLimit: metadataLimit
        ).first
    }

    @Test func changedEarlierEntryIsRefusedBeforeAnyFileMoves() throws {
        let (_, data, new) = try Self.dataSet()
        let metadataPath = DataSet.metadataPath(directory: data)
        let original = String(decoding: try GzipReader.readAll(path: metadataPath), as: UTF8.self)
        // A duplicate key: the jobs' decoder takes the first "rows", the rewrite keeps the last.
        let duplicated = original.replacingOccurrences(of: "\"period\" : 0,", with: "\"period\" : 0, \"rows\" : 99,")
        #expect(duplicated != original)
        _ = try write(duplicated, data, "metadata.json.gz", gzip: true)
        let before = try Self.snapshot(data)

        let error = #expect(throws: ImportError.self) { try Self.append(data, new) }
        #expect(error?.message.contains("would change the entries of periods 0-2; nothing rewritten") == true)
        let after = try Self.snapshot(data)
        #expect(after.files == before.files)
        #expect(after.metadata == before.metadata)

        _ = try write(original, data, "metadata.json.gz", gzip: true)
        #expect(try Self.append(data, new) == 3)
        try expectJobsAccept(data)
        #expect(try readBack(data).metadata.periods.map(\.rows) == [4, 3, 3, 2, 2])
    }

    @Test func oversizeMetadataIsRefusedBeforeAnyFileMoves() throws {
        let (_, data, new) = try Self.dataSet()
        let before = try Self.snapshot(data)
        // The data set's own metadata fits; with two more entries it does not.
        let limit = before.metadata.utf8.count + 10

        let error = #expect(throws: ImportError.self) { try Self.append(data, new, metadataLimit: limit) }
        #expect(error?.file == DataSet.metadataPath(directory: data))
        #expect(error?.message.contains("the jobs read at most \(limit)") == true)
        let after = try Self.snapshot(data)
        #expect(after.files == before.files)
        #expect(after.metadata == before.metadata)
    }
}
