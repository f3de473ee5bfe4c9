import Foundation
import TestSupport
import Testing

/// Monitoring every day: new periods appended, late labels, one chain per store.
@Suite struct DailyEndToEndTests {
    static let repository = repositoryRoot
    static let jobs = "\(repositoryRoot)/jobs/jobs.json"

    func launch(_ ws: Workspace, _ extra: [String] = []) throws -> ProcessResult {
        try runProduct(
            "cml-local",
            ["run", "--data", ws.data, "--store", ws.store, "--jobs", Self.jobs, "--job-env", "MONITOR_ON_DEGRADATION=continue"]
                + extra,
            directory: Self.repository
        )
    }

    /// The runs of the latest `cml-local run` (the session of the history's last line).
    func session(_ ws: Workspace) throws -> [LauncherRun] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(ws.store)/launcher/runs.jsonl"))
        let last = try data.split(separator: UInt8(ascii: "\n")).last.map { try JSONDecoder().decode(LauncherRun.self, from: $0) }
        return try launcherHistory(ws.store).filter { $0.session == last?.session }
    }

    func periods(_ count: Int, from first: Int = 0, labeled: Double = 0.9) -> [GeneratedPeriod] {
        (first..<first + count).map {
            GeneratedPeriod(period: $0, rows: 120, accuracy: 0.9, labeledFraction: labeled, seed: UInt64(500 + $0))
        }
    }

    @Test func appendedPeriodsRunNextAndASecondCallDoesNothing() throws {
        let ws = try Workspace(periods(10).map(\.fixture))
        let first = try launch(ws)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let before = (0..<10).map { ws.periodFiles($0) }

        // Three new days, as one combined CSV, appended through the importer.
        var csv = "id,prediction,score,label\n"
        for period in periods(3, from: 10) {
            for i in period.ids.indices {
                csv += "\(period.ids[i]),\(period.predictions[i]),\(period.scores[i]),\(period.labels[i] ?? "")\n"
            }
        }
        let input = "\(ws.data)/../new.csv"
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        let imported = try runProduct("cml-local", ["import", "--append", "--input", input, "--periods", "3", "--out", ws.data])
        #expect(imported.status == 0, "\(imported.stdout)\n\(imported.stderr)")
        #expect(imported.stdout.contains("Appended as periods 10-12; num_periods is now 13"))

        let next = try launch(ws, ["--period", "next"])
        #expect(next.status == 0, "\(next.stdout)\n\(next.stderr)")
        let runs = try session(ws)
        var expected: [(String, String)] = [("Get Predictions", "--period next")]
        for c in 10..<13 {
            if c > 10 { expected.append(("Get Predictions", "--period \(c),13")) }
            expected += [("Load Ground Truth", "--period \(c),13"), ("Check Model", "--period \(c),13")]
        }
        expected.append(("Get Predictions", "--period 13,13"))
        #expect(runs.map(\.job) == expected.map(\.0))
        #expect(runs.map(\.arguments) == expected.map(\.1))
        #expect(next.stdout.contains("Parameter provided: period 10 of 13 (next after the store's last completed period 9)"))
        for period in 10..<13 { #expect(try ws.metrics(period)["total_periods"] as? Int == 13) }
        #expect((0..<10).map { ws.periodFiles($0) } == before)  // earlier periods untouched

        let again = try launch(ws, ["--period", "next"])
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(try session(ws).map(\.arguments) == ["--period next"])
        #expect(again.stdout.contains("All periods completed! (Period 13 = Total 13)"))
    }

    @Test func recheckAfterLateLabelsChangesOnlyThatPeriodAndTriggersNothing() throws {
        let ws = try Workspace(periods(6, labeled: 0.5).map(\.fixture))
        let first = try launch(ws)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let runsBefore = try launcherHistory(ws.store).count
        let before = (0..<6).map { ws.periodFiles($0) }
        let labeledBefore = try ws.metrics(4)["labeled"] as? Int

        // Period 4's labels, complete now (same rows: the same seed draws the same truth).
        let late = GeneratedPeriod(period: 4, rows: 120, accuracy: 0.9, labeledFraction: 1.0, seed: 504)
        try writeGzip(late.fixture.labelsCSV, to: "\(ws.data)/labels/period_0004.csv.gz")

        try FileManager.default.removeItem(atPath: "\(ws.store)/report.html")
        let recheck = try runProduct(
            "cml-local", ["recheck", "--period", "4", "--data", ws.data, "--store", ws.store, "--jobs", Self.jobs],
            directory: Self.repository
        )
        #expect(recheck.status == 0, "\(recheck.stdout)\n\(recheck.stderr)")
        let metrics = try ws.metrics(4)
        #expect(metrics["labeled"] as? Int == 120)
        #expect(labeledBefore != 120)
        #expect(abs(double(metrics["accuracy"])! - late.expected.accuracy!) < 1e-9)
        #expect(recheck.stdout.contains("labeled 120 (recorded \(labeledBefore!))"))
        #expect(!recheck.stdout.contains("Triggered"))
        #expect(recheck.stdout.contains("No job triggered (--no-trigger)."))
        for period in [0, 1, 2, 3, 5] { #expect(ws.periodFiles(period) == before[period], "period \(period)") }
        #expect(ws.periodFiles(4) != before[4])
        #expect(try launcherHistory(ws.store).count == runsBefore)
        #expect(FileManager.default.fileExists(atPath: "\(ws.store)/report.html"))  // check-model refreshes it
    }

    @Test func aRefusedRecheckLeavesThePeriodAsRecorded() throws {
        let ws = try Workspace(periods(6, labeled: 0.5).map(\.fixture))
        let first = try launch(ws)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let late = GeneratedPeriod(period: 4, rows: 120, accuracy: 0.9, labeledFraction: 1.0, seed: 504)
        try writeGzip(late.fixture.labelsCSV, to: "\(ws.data)/labels/period_0004.csv.gz")
        // Without period 0's record there is no baseline: the recheck must be refused.
        try FileManager.default.removeItem(atPath: "\(ws.store)/periods/0000/metrics.json")
        let before = ws.periodFiles(4)

        let recheck = try runProduct(
            "cml-local", ["recheck", "--period", "4", "--data", ws.data, "--store", ws.store, "--jobs", Self.jobs],
            directory: Self.repository
        )
        #expect(recheck.status != 0)
        let printed = recheck.stdout + recheck.stderr
        #expect(printed.contains("ERROR: No baseline for period 4"), "\(printed)")
        #expect(ws.periodFiles(4) == before)
    }

    @Test func leaseTimesOutOfRangeAreRefusedOrShownNotTrapped() throws {
        let ws = try Workspace(periods(3).map(\.fixture))
        let huge = try ws.run("get-predictions", ["--period", "0,3"], environment: ["MONITOR_LEASE_SECONDS": "1e20"])
        #expect(huge.status == 1)
        #expect(huge.stderr.contains("ERROR: Invalid MONITOR_LEASE_SECONDS '1e20'"), "\(huge.stderr)")
        // Another chain's lease file with an expiry past year 9999 is named, not a crash.
        try writeLease(ws, expiresIn: 1e300)
        let refused = try ws.run("get-predictions", ["--period", "0,3"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("leased by another chain: chain chain-other"), "\(refused.stderr)")
        #expect(refused.stderr.contains("expires at 9999-12-31T23:59:59Z"), "\(refused.stderr)")
    }

    func writeLease(_ ws: Workspace, expiresIn seconds: Double) throws {
        try FileManager.default.createDirectory(atPath: ws.store, withIntermediateDirectories: true)
        let now = Date().timeIntervalSince1970
        let lease = #"{"owner": "chain-other", "holder": "Check Model, period 1,3, pid 42 on cml-host", "#
            + #""acquired_at": \#(now - 60), "expires_at": \#(now + seconds)}"#
        try lease.write(toFile: "\(ws.store)/lease.json", atomically: true, encoding: .utf8)
    }

    @Test func aSecondChainIsRefusedAndAStaleLeaseIsTakenOver() throws {
        let ws = try Workspace(periods(3).map(\.fixture))
        try writeLease(ws, expiresIn: 600)
        let job = try ws.run("get-predictions", ["--period", "0,3"])
        #expect(job.status == 1)
        #expect(job.stderr.contains("leased by another chain: chain chain-other (Check Model, period 1,3, pid 42 on cml-host)"))
        #expect(!FileManager.default.fileExists(atPath: "\(ws.store)/periods/0000"))
        let refused = try launch(ws)
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("leased by another chain: chain chain-other"), "\(refused.stdout)")
        #expect(!FileManager.default.fileExists(atPath: "\(ws.store)/launcher/runs.jsonl"))

        try writeLease(ws, expiresIn: -1)
        let taken = try launch(ws)
        #expect(taken.status == 0, "\(taken.stdout)\n\(taken.stderr)")
        #expect(taken.stdout.contains("WARNING: taking over the stale lease of store \(ws.store): chain chain-other"))
        #expect(try session(ws).count == 10)
        #expect(!FileManager.default.fileExists(atPath: "\(ws.store)/lease.json"))  // released at the chain's end
    }
}
