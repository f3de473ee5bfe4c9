import Foundation
import MonitorData
import MonitorImport
import TestSupport
import Testing

@Suite("Import: labels spelled unlike the predictions")
struct LabelSpellingTests {
    static let csv = "id,prediction,score,label\n" + (0..<40).map { i in
        "r\(i),\(i % 2),0.\(i % 2 == 1 ? 8 : 2),\(i % 3 == 0 ? "1.0" : "0.0")"
    }.joined(separator: "\n") + "\n"

    @Test("disjoint label values are named, with the --label-map to use")
    func warnsOnDisjointValues() throws {
        let dir = try makeTemporaryDirectory("import-spelling")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try write(Self.csv, dir, "in.csv")
        let result = try runImport(["--input", input, "--periods", "2", "--out", dir + "/set"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let warning = result.lines.first { $0.hasPrefix("⚠ ") } ?? ""
        #expect(warning.contains(#"labels and predictions share no value: labels "0.0", "1.0", predictions "0", "1""#), "\(result.stdout)")
        #expect(warning.contains("--label-map"))
    }

    @Test("--label-map rewrites the labels: the data set's labels match the predictions, no warning")
    func mapsLabels() throws {
        let dir = try makeTemporaryDirectory("import-spelling")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try write(Self.csv, dir, "in.csv")
        let result = try runImport(["--input", input, "--periods", "2", "--out", dir + "/set", "--label-map", "1.0=1,0.0=0"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("⚠"))
        try expectJobsAccept(dir + "/set")
        let values = try DataSet.classValues(
            predictions: try DataSet(directory: dir + "/set").predictionsPath(period: 0),
            labels: try DataSet(directory: dir + "/set").labelsPath(period: 0)
        )
        #expect(values.labeled == ["0", "1"] && values.predicted == ["0", "1"])
    }

    @Test("a malformed --label-map is one ERROR line", arguments: ["1.0", "=1", "1.0=", "a=1,a=2"])
    func badLabelMap(map: String) throws {
        let dir = try makeTemporaryDirectory("import-spelling")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try write(Self.csv, dir, "in.csv")
        let result = try runImport(["--input", input, "--periods", "2", "--out", dir + "/set", "--label-map", map], in: dir)
        expectOneErrorLine(result)
        #expect(result.stderr.contains("--label-map"))
    }

    @Test("a reference accuracy from a handful of rows is flagged")
    func tinyReference() throws {
        let dir = try makeTemporaryDirectory("import-spelling")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try write(Self.csv, dir, "in.csv")
        let result = try runImport(
            ["--input", input, "--periods", "2", "--out", dir + "/set", "--label-map", "1.0=1,0.0=0", "--reference-rows", "5"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("⚠ the reference accuracy comes from only 5 labeled rows"))
    }
}
