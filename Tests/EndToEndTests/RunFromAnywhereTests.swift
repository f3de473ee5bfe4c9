import Foundation
import TestSupport
import Testing

/// `cml-local run` started outside the checkout: the job definitions and the
/// sample data are found beside the binary, the store lands in the working directory.
@Suite struct RunFromAnywhereTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The first line: `cml-local: CML API v2 at …; jobs FILE; store DIR; data DIR`.
    func header(_ result: ProcessResult) -> [String: String] {
        var fields: [String: String] = [:]
        for part in (result.lines.first ?? "").components(separatedBy: "; ").dropFirst() {
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
