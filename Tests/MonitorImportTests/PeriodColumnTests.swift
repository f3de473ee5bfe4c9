import Foundation
import MonitorData
import MonitorImport
import Testing

/// A combined CSV with one row per value of `periods` (prediction and label 1, ids `row-<n>`).
private func periodColumnInput(_ periods: [String], _ dir: String) throws -> String {
    try write("prediction,label,period\n" + periods.map { "1,1,\($0)\n" }.joined(), dir, "in.csv")
}

private func columnOptions(_ input: String, _ out: String) -> ImportOptions {
    ImportOptions(input: .combined(input), split: .column, columns: .init(period: "period"), outputDirectory: out, name: "p")
}

@Suite struct PeriodColumnTests {
    /// Issue 15 item 8: spellings of one number are one period; no row is lost.
    @Test(arguments: [
        (["1", "01", "+1"], ["0"]),
        (["1", "01", "+1", " 1", "1.0", "1e0", "0.1E1"], ["0", "-0", "0.0"]),
    ])
    func equalNumbersAreOnePeriod(ones: [String], zeros: [String]) throws {
        let dir = try temporaryDirectory()
        let periods = ones.flatMap { Array(repeating: $0, count: 45) } + zeros.flatMap { Array(repeating: $0, count: 10) }
        let summary = try importChecked(columnOptions(try periodColumnInput(periods.shuffled(), dir), "\(dir)/out"))
        let expected = [zeros.count * 10, ones.count * 45]
        #expect(summary.rowsPerPeriod == expected)
        #expect(summary.rows == periods.count)
        #expect(summary.labeled == periods.count)
        let back = try readBack("\(dir)/out")
        #expect(back.predictions.map(\.count) == expected)
        #expect(back.labels.map(\.count) == expected)
    }

    /// Issue 15 item 9: float-typed integers (pandas with gaps) in numeric order, gaps kept.
    @Test func floatTypedIntegersInNumericOrder() throws {
        let dir = try temporaryDirectory()
        let periods = ["10.0", "0.0", "2.0", "11.0", "1.0", "5.0", "3.0"]
        let summary = try importChecked(columnOptions(try periodColumnInput(periods, dir), "\(dir)/out"))
        #expect(summary.rowsPerPeriod == [1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1])
        let back = try readBack("\(dir)/out")
        try #require(back.predictions.count == 12)
        // row-n is the n-th input row: "10.0" is row-1, "11.0" row-4.
        #expect(back.predictions[10].map(\.id) == ["row-1"])
        #expect(back.predictions[11].map(\.id) == ["row-4"])
        #expect(back.predictions[2].map(\.id) == ["row-3"])
    }

    /// Numbers that are not all integers: numeric order, numbered consecutively.
    @Test func decimalsInNumericOrder() throws {
        let dir = try temporaryDirectory()
        let periods = ["10.25", "0.5", "2", "-3", "1.5", "0.50"]
        let summary = try importChecked(columnOptions(try periodColumnInput(periods, dir), "\(dir)/out"))
        #expect(summary.rowsPerPeriod == [1, 2, 1, 1, 1])
        let back = try readBack("\(dir)/out")
        #expect(back.predictions.map { $0.map(\.id) } == [["row-4"], ["row-2", "row-6"], ["row-5"], ["row-3"], ["row-1"]])
    }

    /// Issue 15 item 10: values near the 64-bit limits (and beyond) are the clean
    /// "too many periods" error, and nothing is left behind.
    @Test(arguments: [
        ["-9223372036854775808", "9223372036854775807"], ["9223372036854775807", "-2"],
        ["0", "99999999999999999999999"], ["1e30", "0"],
    ])
    func valuesNearTheLimitsAreTooManyPeriods(values: [String]) throws {
        let dir = try temporaryDirectory()
        let input = try periodColumnInput(values, dir)
        let error = #expect(throws: ImportError.self) { try Importer.run(columnOptions(input, "\(dir)/out")) }
        #expect(error?.message.contains("more than 1,000,000 periods") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
        // Into an existing empty folder: it is left empty (no temporary files).
        try FileManager.default.createDirectory(atPath: "\(dir)/empty", withIntermediateDirectories: false)
        #expect(throws: ImportError.self) { try Importer.run(columnOptions(input, "\(dir)/empty")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/empty").isEmpty)
    }

    @Test func integersOfMoreThan38DigitsAreNamed() throws {
        let dir = try temporaryDirectory()
        let input = try periodColumnInput(["1e300", "1e300", "0"], dir)
        let error = #expect(throws: ImportError.self) { try Importer.run(columnOptions(input, "\(dir)/out")) }
        #expect(error?.description == "\(input): period value 1e300 (column period) has more than 38 digits: too large to number periods by")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    @Test func valuesAtTheLimitsStillImport() throws {
        let dir = try temporaryDirectory()
        let periods = ["9223372036854775807", "9223372036854775806", "9223372036854775807"]
        let summary = try importChecked(columnOptions(try periodColumnInput(periods, dir), "\(dir)/out"))
        #expect(summary.rowsPerPeriod == [1, 2])
    }

    /// `--periods` near the limit: an error, not an overflow or a million empty files.
    @Test func tooManyCountedPeriods() throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,label\n1,1\n1,1\n1,1\n", dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(input), split: .count(Int.max), outputDirectory: "\(dir)/out", name: "c"))
        }
        #expect(error?.message.contains("not more than 1,000,000 periods") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    /// A library caller's split of zero divided by zero.
    @Test(arguments: [ImportOptions.Split.count(0), .size(0), .window(seconds: 0)])
    func emptySplitsAreRefused(split: ImportOptions.Split) throws {
        let dir = try temporaryDirectory()
        let input = try write("prediction,label,timestamp\n1,1,2024-01-01T00:00:00Z\n1,1,2024-01-01T00:00:00Z\n", dir, "in.csv")
        let error = #expect(throws: ImportError.self) {
            try Importer.run(ImportOptions(input: .combined(input), split: split, outputDirectory: "\(dir)/out", name: "c"))
        }
        #expect(error?.message.contains("at least 1") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }
}
