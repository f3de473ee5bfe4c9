import Foundation
import MonitorData
import MonitorImport
import TestSupport
import Testing

/// Issue 15 item 11: what the jobs would refuse, the import refuses, naming the input row.
@Suite struct JobsAcceptTests {
    @Test func hexScoreIsRefusedAtItsInputLine() throws {
        let dir = try temporaryDirectory()
        let input = try write("id,prediction,score,label\na,1,0.5,1\nb,1,0x1p-1,1\nc,0,0.1,0\n", dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(input), split: .size(2), outputDirectory: "\(dir)/out", name: "x"))
        }
        #expect(error?.description == "\(input):3: score \"0x1p-1\" is not a number")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    @Test func hexScoreWithGeneratedIDs() throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,score,label,period\n1,0.5,1,b\n1,0.5,1,a\n1,0X1P-1,1,b\n", dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(
                ImportOptions(
                    input: .combined(input), split: .column, columns: .init(period: "period"), outputDirectory: "\(dir)/out",
                    name: "x"))
        }
        #expect(error?.description == "\(input):4: score \"0X1P-1\" is not a number")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    @Test func twoFilesNameTheFileAtFault() throws {
        let dir = try temporaryDirectory()
        let predictions = try write("id,prediction,score\np1,1,0.9\np2,0,0x0p+0\n", dir, "p.csv")
        let labels = try write("id,label\np1,1\n", dir, "l.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(
                ImportOptions(
                    input: .separate(predictions: predictions, labels: labels), split: .size(5), outputDirectory: "\(dir)/o",
                    name: "x"))
        }
        #expect(error?.description == "\(predictions):3: score \"0x0p+0\" is not a number")
        let badLabel = "\(dir)/l2.csv"
        try Data(Array("id,label\np1,1\np2,".utf8) + [0xFF] + [10]).write(to: URL(fileURLWithPath: badLabel))
        let good = try write("id,prediction\np1,1\np2,0\n", dir, "p2.csv")
        let second = #expect(throws: ImportError.self) {
            try Importer.run(
                ImportOptions(
                    input: .separate(predictions: good, labels: badLabel), split: .size(5), outputDirectory: "\(dir)/o2",
                    name: "x"))
        }
        #expect(second?.description == "\(badLabel):3: label is not valid UTF-8")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/o2"))
    }

    @Test func invalidUTF8PredictionIsRefused() throws {
        let dir = try temporaryDirectory()
        let path = "\(dir)/in.csv"
        try Data(Array("id,prediction,label\na,1,1\nb,".utf8) + [0xC3, 0x28] + Array(",1\n".utf8)).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(path), split: .size(5), outputDirectory: "\(dir)/out", name: "x"))
        }
        #expect(error?.description == "\(path):3: prediction is not valid UTF-8")
    }

    @Test(arguments: ["", String(repeating: "n", count: 300), String(repeating: "é", count: 256)])
    func namesTheJobsRefuse(name: String) throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,label\n1,1\n", dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(input), split: .size(5), outputDirectory: "\(dir)/out", name: name))
        }
        #expect(error?.message.contains("name") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    @Test func longestNameIsAccepted() throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,label\n1,1\n", dir, "in.csv")
        _ = try importChecked(
            ImportOptions(
                input: .combined(input), split: .size(5), outputDirectory: "\(dir)/out", name: String(repeating: "é", count: 255)))
    }

    @Test func emptyNameOnTheCommandLine() throws {
        let dir = try temporaryDirectory()
        _ = try write("prediction,label\n1,1\n", dir, "in.csv")
        let result = try runImport(["--input", "in.csv", "--rows-per-period", "5", "--out", "out", "--name", ""], in: dir)
        expectOneErrorLine(result)
        #expect(result.stderr.contains("name is empty"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }
}
