import Foundation
import TestSupport
import Testing

/// The whole pipeline through `cml-local run` with the real jobs, as a user runs it.
@Suite struct PipelineEndToEndTests {
    static let repository = repositoryRoot

    func launch(_ ws: Workspace, _ extra: [String] = [], environment: [String: String] = [:]) throws -> ProcessResult {
        try runProduct(
            "cml-local",
            ["run", "--data", ws.data, "--store", ws.store, "--jobs", "\(Self.repository)/jobs/jobs.json"] + extra,
            environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 },
            directory: Self.repository
        )
    }

    /// The runs of the latest `cml-local run` on the store, in order.
    func history(_ ws: Workspace) throws -> [LauncherRun] {
        let all = try launcherHistory(ws.store)
        return all.filter { $0.session == all.last?.session }
    }

    /// `[Get Predictions, Load Ground Truth, Check Model] × periods`, then the final `Get Predictions --period T,T`.
    func expectedRuns(from first: Int, total: Int, startsWithoutPeriod: Bool) -> [(String, String)] {
        var runs: [(String, String)] = []
        for c in first..<total {
            let argument = "--period \(c),\(total)"
            runs.append(("Get Predictions", c == first && startsWithoutPeriod ? "" : argument))
            runs.append(("Load Ground Truth", argument))
            runs.append(("Check Model", argument))
        }
        runs.append(("Get Predictions", "--period \(total),\(total)"))
        return runs
    }

    @Test func tenPeriodsAreExactly3TPlus1RunsInOrder() throws {
        let periods = (0..<10).map { GeneratedPeriod(period: $0, rows: 200, accuracy: 0.9, seed: UInt64(100 + $0)) }
        let ws = try Workspace(periods.map(\.fixture))
        let result = try launch(ws, ["--job-env", "MONITOR_ON_DEGRADATION=continue"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let runs = try history(ws)
        #expect(runs.count == 31)
        let expected = expectedRuns(from: 0, total: 10, startsWithoutPeriod: true)
        #expect(runs.map(\.job) == expected.map(\.0))
        #expect(runs.map(\.arguments) == expected.map(\.1))
        #expect(runs.allSatisfy { $0.status == "ENGINE_SUCCEEDED" && $0.exit_code == 0 })
        for (index, period) in periods.enumerated() {
            #expect(result.stdout.contains("✓ Extracted period \(index) data"))
            #expect(result.stdout.contains("✓ Triggered next period: Get Predictions (Period \(index + 1)/10)"))
            let m = try ws.metrics(index)
            #expect(abs(double(m["accuracy"])! - period.expected.accuracy!) < 1e-9)
        }
        #expect(result.stdout.contains("No parameter provided: defaulting to period 0"))
        #expect(result.stdout.contains("All periods completed! (Period 10 = Total 10)"))
        #expect(result.stdout.contains("Pipeline completed: 31 runs, all succeeded."))
    }

    @Test func degradationStopsThePipelineWithStatus3() throws {
        let good = GeneratedPeriod(period: 0, rows: 800, accuracy: 0.95, seed: 1)
        let bad = GeneratedPeriod(period: 1, rows: 800, accuracy: 0.6, seed: 2)
        let ws = try Workspace([good.fixture, bad.fixture, good.fixture, good.fixture])
        let result = try launch(ws)
        #expect(result.status == 3, "\(result.stdout)")
        let runs = try history(ws)
        #expect(runs.count == 6)
        #expect(runs.last?.job == "Check Model")
        #expect(runs.last?.exit_code == 3)
        #expect(runs.last?.status == "ENGINE_FAILED")
        #expect(!FileManager.default.fileExists(atPath: "\(ws.store)/periods/0002"))
        #expect(result.stdout.contains("✗ Model degraded in period 1"))
    }

    @Test func aFailingJobFailsThePipelineAndResumeCompletesIt() throws {
        let periods = (0..<5).map { GeneratedPeriod(period: $0, rows: 100, accuracy: 0.9, seed: UInt64(7 + $0)) }
        let ws = try Workspace(periods.map(\.fixture))
        let labels = "\(ws.data)/labels/period_0002.csv.gz"
        let original = try Data(contentsOf: URL(fileURLWithPath: labels))
        try Data("not gzip".utf8).write(to: URL(fileURLWithPath: labels))

        let failed = try launch(ws, ["--job-env", "MONITOR_ON_DEGRADATION=continue"])
        #expect(failed.status == 1)
        let runs = try history(ws)
        #expect(runs.count == 8)
        #expect(runs.last?.job == "Load Ground Truth")
        #expect(runs.last?.arguments == "--period 2,5")
        #expect(runs.last?.exit_code == 1)
        #expect(failed.stdout.contains("labels/period_0002.csv.gz"))

        try original.write(to: URL(fileURLWithPath: labels))
        let resumed = try launch(ws, ["--period", "2,5", "--job-env", "MONITOR_ON_DEGRADATION=continue"])
        #expect(resumed.status == 0, "\(resumed.stdout)")
        let session = try history(ws)
        let expected = expectedRuns(from: 2, total: 5, startsWithoutPeriod: false)
        #expect(session.map(\.job) == expected.map(\.0))
        #expect(session.map(\.arguments) == expected.map(\.1))
        for index in 0..<5 { #expect((try ws.metrics(index))["period"] as? Int == index) }
    }

    @Test(.timeLimit(.minutes(1))) func aRunPastItsTimeoutIsKilledAndFailsThePipeline() throws {
        let root = try makeTemporaryDirectory("timeout")
        let sleeper = "\(root)/sleeper"
        try "#!/bin/sh\nexec sleep 30\n".write(toFile: sleeper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sleeper)
        // The three jobs must be defined; only the first ever runs.
        let jobs = #"{"jobs": ["# + ["Get Predictions", "Load Ground Truth", "Check Model"].map {
            #"{"name": "\#($0)", "executable": "\#(sleeper)", "script": "x.py", "cpu": 1, "memory": 1, "timeout_seconds": 60, "environment": {}}"#
        }.joined(separator: ", ") + "]}"
        try jobs.write(toFile: "\(root)/jobs.json", atomically: true, encoding: .utf8)
        let ws = try Workspace([GeneratedPeriod(period: 0, rows: 5, accuracy: 1, seed: 1).fixture])
        let result = try runProduct(
            "cml-local", ["run", "--data", ws.data, "--store", ws.store, "--jobs", "\(root)/jobs.json", "--run-timeout", "0.5"]
        )
        #expect(result.status == 1)
        let runs = try history(ws)
        #expect(runs.map(\.status) == ["ENGINE_TIMEDOUT"])
    }
}
