import Foundation
import TestSupport
import Testing

/// `cml-local run` started outside the checkout: the job definitions and the
/// sample data are found beside the binary, the store lands in the working directory.
@Suite struct RunFromAnywhereTests {
    static let repository = repositoryRoot

    /// The first line: `cml-local: CML API v2 at …; jobs FILE; store DIR; data set 'NAME' (T periods) at DIR`,
    /// as `jobs`, `store`, `data set` (`'NAME' (T periods)`) and `data` (DIR).
    func header(_ result: ProcessResult) -> [String: String] {
        var fields: [String: String] = [:]
        for part in (result.lines.first ?? "").components(separatedBy: "; ").dropFirst() {
            if part.hasPrefix("data set "), let at = part.range(of: " at ", options: .backwards) {
                fields["data set"] = String(part[part.index(part.startIndex, offsetBy: 9)..<at.lowerBound])
                fields["data"] = String(part[at.upperBound...])
                continue
            }
            let words = part.split(separator: " ", maxSplits: 1).map(String.init)
            if words.count == 2 { fields[words[0]] = words[1] }
        }
        return fields
    }

    func runs(store: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(store)/launcher/runs.jsonl"))
        return data.split(separator: UInt8(ascii: "\n")).count
    }

    @Test func withACopyOfTheSampleFromATemporaryDirectory() throws {
        let directory = try makeTemporaryDirectory("anywhere")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: "\(Self.repository)/data/sample", toPath: "\(directory)/sample-copy")
        let result = try runProduct(
            "cml-local", ["run", "--data", "sample-copy", "--job-env", "MONITOR_ON_DEGRADATION=continue"], directory: directory
        )
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let fields = header(result)
        let jobs = try #require(fields["jobs"])
        #expect(jobs.hasSuffix("/jobs/jobs.json") && FileManager.default.fileExists(atPath: jobs))
        #expect(fields["store"] == "\(directory)/state/sample")
        #expect(fields["data"] == "\(directory)/sample-copy")
        #expect(fields["data set"] == "'sample' (10 periods)")
        #expect(try runs(store: "\(directory)/state/sample") == 31)
        #expect(result.stdout.contains("Pipeline completed: 31 runs, all succeeded."))
    }

    @Test func withoutDataTheSampleBesideTheJobDefinitions() throws {
        let directory = try makeTemporaryDirectory("anywhere")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try runProduct("cml-local", ["run", "--job-env", "MONITOR_ON_DEGRADATION=continue"], directory: directory)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let fields = header(result)
        let jobs = try #require(fields["jobs"])
        let root = String(jobs.dropLast("/jobs/jobs.json".count))
        #expect(fields["data"] == "\(root)/data/sample")
        #expect(fields["store"] == "\(directory)/state/sample")
        #expect(try runs(store: "\(directory)/state/sample") == 31)
        #expect(result.stdout.contains("All periods completed! (Period 10 = Total 10)"))

        // report finds the same data set and store from the same folder.
        let report = try runProduct("cml-local", ["report"], directory: directory)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout == "Report: \(directory)/state/sample/report.html\n")
    }

    @Test func monitorDataAndStoreDirectoriesFromTheShellAreTheDefaults() throws {
        let directory = try makeTemporaryDirectory("anywhere")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let period = PeriodFixture(predictions: [("a", "1", nil), ("b", "0", nil)], labels: [("a", "1"), ("b", "0")])
        try writeDataSet([period, period], to: "\(directory)/mine", name: "shell-set")
        let shell = ["PATH": "/usr/bin:/bin", "MONITOR_DATA_DIR": "mine", "MONITOR_STORE_DIR": "\(directory)/kept"]

        let result = try runProduct("cml-local", ["run"], environment: shell, directory: directory)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let fields = header(result)
        #expect(fields["data"] == "\(directory)/mine")
        #expect(fields["data set"] == "'shell-set' (2 periods)")
        #expect(fields["store"] == "\(directory)/kept")
        #expect(try runs(store: "\(directory)/kept") == 7)
        #expect(result.stdout.contains("All periods completed! (Period 2 = Total 2)"))

        let report = try runProduct("cml-local", ["report"], environment: shell, directory: directory)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout == "Report: \(directory)/kept/report.html\n")

        // Without MONITOR_STORE_DIR the store is the data set's default; flags win over the shell.
        let dataOnly = ["PATH": "/usr/bin:/bin", "MONITOR_DATA_DIR": "\(directory)/mine"]
        let flagged = try runProduct("cml-local", ["run", "--data", "mine", "--store", "flagged"], environment: shell, directory: directory)
        #expect(flagged.status == 0, "\(flagged.stdout)\n\(flagged.stderr)")
        #expect(header(flagged)["store"] == "\(directory)/flagged")
        let byName = try runProduct("cml-local", ["run"], environment: dataOnly, directory: directory)
        #expect(byName.status == 0, "\(byName.stdout)\n\(byName.stderr)")
        #expect(header(byName)["store"] == "\(directory)/state/shell-set")
        #expect(header(byName)["data set"] == "'shell-set' (2 periods)")
    }

    @Test func aBinaryWithNoJobDefinitionsAboveItSaysWhereItLooked() throws {
        let directory = try makeTemporaryDirectory("anywhere")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/bin", withIntermediateDirectories: true)
        let binary = "\(directory)/bin/cml-local"
        do { try FileManager.default.linkItem(atPath: "\(executablesDirectory())/cml-local", toPath: binary) } catch {
            try FileManager.default.copyItem(atPath: "\(executablesDirectory())/cml-local", toPath: binary)
        }
        let result = try runExecutable(binary, ["run"], directory: directory)
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix("ERROR: cannot find the job definitions: no jobs/jobs.json in \(directory)/bin (cml-local's folder) or any folder above it")
        )
        #expect(result.stdout.isEmpty)
        // --jobs still works, relative to the working directory.
        try FileManager.default.createDirectory(atPath: "\(directory)/elsewhere", withIntermediateDirectories: true)
        try "{\"jobs\": []}".write(toFile: "\(directory)/elsewhere/jobs.json", atomically: true, encoding: .utf8)
        let explicit = try runExecutable(binary, ["run", "--jobs", "elsewhere/jobs.json"], directory: directory)
        #expect(explicit.status == 1)
        #expect(explicit.stderr == "ERROR: \(directory)/elsewhere/jobs.json: no jobs defined\n")
    }
}
