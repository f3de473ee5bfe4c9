import Foundation
import TestSupport
import Testing

/// Mistakes `cml-local run` can see before its first run: one `ERROR:` line,
/// exit 1, no run started and no store written.
@Suite struct PreflightTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// A working folder; runs use the sample (10 periods) beside the job definitions.
    struct Scratch {
        let directory: String
        var store: String { "\(directory)/store" }

        init() throws { directory = try makeTemporaryDirectory("preflight") }

        func run(_ arguments: [String]) throws -> ProcessResult {
            try runProduct("cml-local", ["run", "--store", "store"] + arguments, directory: directory)
        }

        /// `jobs/jobs.json` edited by `edit`, written to the folder; returns its path.
        func jobsFile(_ edit: (inout [[String: Any]]) -> Void) throws -> String {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(PreflightTests.repository)/jobs/jobs.json"))
            var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            var jobs = object["jobs"] as! [[String: Any]]
            edit(&jobs)
            object["jobs"] = jobs
            let path = "\(directory)/jobs.json"
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
            return path
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    func expectRefused(_ result: ProcessResult, _ line: String, _ scratch: Scratch, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, sourceLocation: sourceLocation)
        #expect(result.stdout == line + "\n", sourceLocation: sourceLocation)
        #expect(result.stderr.isEmpty, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: scratch.store), "a store was written", sourceLocation: sourceLocation)
    }

    static let refused: [(String, String)] = [
        ("MONITOR_MAX_DROP=abc", "Invalid MONITOR_MAX_DROP 'abc' from --job-env: expected a number in [0, 1]"),
        ("MONITOR_SIGNIFICANCE=2", "Invalid MONITOR_SIGNIFICANCE '2' from --job-env: expected a number in (0, 1)"),
        ("MONITOR_MIN_LABELED=-1", "Invalid MONITOR_MIN_LABELED '-1' from --job-env: expected a whole number >= 0"),
        ("MONITOR_ON_DEGRADATION=maybe", "Invalid MONITOR_ON_DEGRADATION 'maybe' from --job-env: expected 'stop' or 'continue'"),
        ("MONITOR_MIN_ACCURACY=high", "Invalid MONITOR_MIN_ACCURACY 'high' from --job-env: expected a number in [0, 1]"),
        ("MONITOR_API_TIMEOUT=soon", "Invalid MONITOR_API_TIMEOUT 'soon' from --job-env: expected a number of seconds in (0, 3600]"),
    ]

    @Test("a --job-env value the jobs would refuse", arguments: 0..<refused.count)
    func refusedJobEnvironment(index: Int) throws {
        let (pair, message) = Self.refused[index]
        let scratch = try Scratch()
        defer { scratch.remove() }
        expectRefused(try scratch.run(["--job-env", pair]), "ERROR: " + message, scratch)
    }

    @Test("a job's own environment in jobs.json that it would refuse")
    func refusedJobsFileEnvironment() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let jobs = try scratch.jobsFile { jobs in
            var environment = jobs[2]["environment"] as! [String: String]
            environment["MONITOR_ON_DEGRADATION"] = "maybe"
            jobs[2]["environment"] = environment
        }
        expectRefused(
            try scratch.run(["--jobs", jobs]),
            "ERROR: Invalid MONITOR_ON_DEGRADATION 'maybe' in the environment of 'Check Model' in \(jobs): expected 'stop' or 'continue'",
            scratch
        )
        // --job-env overrides it, and the pipeline runs.
        let fixed = try scratch.run(["--jobs", jobs, "--job-env", "MONITOR_ON_DEGRADATION=continue"])
        #expect(fixed.status == 0, "\(fixed.stdout)")
    }

    @Test("a jobs.json without one of the three jobs")
    func missingJob() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let jobs = try scratch.jobsFile { $0.remove(at: 1) }
        expectRefused(
            try scratch.run(["--jobs", jobs]),
            "ERROR: \(jobs): no job named 'Load Ground Truth'; the pipeline needs 'Get Predictions', 'Load Ground Truth' and 'Check Model'",
            scratch
        )
    }

    @Test("--max-runs below 3(T-C)+1 for the data set's T and the first period C")
    func tooFewRuns() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        expectRefused(
            try scratch.run(["--max-runs", "30"]),
            "ERROR: --max-runs 30 is too few: a pipeline over the 10 periods of data set 'sample' from period 0 makes 31 runs "
                + "(3 per period, then the final Get Predictions)",
            scratch
        )
        expectRefused(
            try scratch.run(["--max-runs", "21", "--period", "3,10"]),
            "ERROR: --max-runs 21 is too few: a pipeline over the 10 periods of data set 'sample' from period 3 makes 22 runs "
                + "(3 per period, then the final Get Predictions)",
            scratch
        )
        let exact = try scratch.run(["--max-runs", "31", "--job-env", "MONITOR_ON_DEGRADATION=continue"])
        #expect(exact.status == 0, "\(exact.stdout)")
        #expect(exact.stdout.contains("Pipeline completed: 31 runs, all succeeded."))
    }
}
