import Foundation
import MonitorImport
import TestSupport
import Testing

/// `cml-local import` as a user runs it: what it prints, and input from a pipe.
@Suite struct CommandTests {
    /// Issue 15 items 8 and 9: the value → period mapping is printed, merged spellings together.
    @Test func printsTheValueToPeriodMapping() throws {
        let dir = try temporaryDirectory()
        _ = try write("prediction,label,period\n1,1,10.0\n1,1,0.0\n1,1,2.0\n1,1,2\n1,1,02\n", dir, "in.csv")
        let result = try runImport(["--input", "in.csv", "--period-column", "period", "--out", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.first?.hasPrefix("Imported 5 prediction rows (5 labeled) into 11 periods") == true, "\(result.stdout)")
        #expect(result.lines.contains("Period values → periods: 0.0 → 0, 2.0 = 2 = 02 → 2, 10.0 → 10"), "\(result.stdout)")
        try expectJobsAccept("\(dir)/out")
    }

    /// Issue 15 item 12: empty periods in ranges.
    @Test func printsEmptyPeriodsInRanges() throws {
        let dir = try temporaryDirectory()
        _ = try write("prediction,label,period\n1,1,0\n1,1,4\n1,1,9\n1,1,10\n1,1,14\n", dir, "in.csv")
        let result = try runImport(["--input", "in.csv", "--period-column", "period", "--out", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.contains("Empty periods: 1-3, 5-8, 11-13"), "\(result.stdout)")
    }

    /// Issue 15 item 12: `--periods` reads its input twice, which a pipe cannot give.
    @Test func periodsFromAPipeSaysSo() throws {
        let dir = try temporaryDirectory()
        let result = try pipe("printf 'prediction,label\\n1,1\\n0,1\\n'", into: ["--periods", "2"], in: dir)
        expectOneErrorLine(result)
        #expect(result.stderr.contains("reads the input twice"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    /// The other splits read once, so a plain CSV from a pipe imports.
    @Test func plainCSVFromAPipe() throws {
        let dir = try temporaryDirectory()
        let result = try pipe("printf 'prediction,label\\n1,1\\n0,1\\n'", into: ["--rows-per-period", "1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.first?.hasPrefix("Imported 2 prediction rows (2 labeled) into 2 periods") == true)
        try expectJobsAccept("\(dir)/out")
    }

    @Test func gzipFromAPipeSaysSo() throws {
        let dir = try temporaryDirectory()
        let result = try pipe("printf 'prediction,label\\n1,1\\n' | gzip", into: ["--rows-per-period", "1"], in: dir)
        expectOneErrorLine(result)
        #expect(result.stderr.contains("decompress gzip'd input first"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    /// `PRODUCER | cml-local import --input /dev/stdin ARGUMENTS --out out`.
    private func pipe(_ producer: String, into arguments: [String], in dir: String) throws -> ProcessResult {
        let command = producer + " | \"$BIN\" import --input /dev/stdin " + arguments.joined(separator: " ") + " --out out"
        return try runExecutable(
            "/bin/sh", ["-c", command],
            environment: ["PATH": "/usr/bin:/bin", "BIN": "\(executablesDirectory())/cml-local"], directory: dir)
    }
}
