import Foundation
import MonitorStore
import Testing

@testable import MonitorReport

/// A store of `periods` checked periods (every 100th degraded), each with a score distribution;
/// written without fsync (quick).
private func largeStore(periods: Int) throws -> Store {
    let store = try temporaryStore()
    let encoder = JSONEncoder()
    for period in 0..<periods {
        try FileManager.default.createDirectory(atPath: store.periodDirectory(period), withIntermediateDirectories: true)
        let degraded = period % 100 == 42
        let metrics = record(period, total: periods, accuracy: degraded ? 0.6 : 0.9 + Double(period % 7) / 100, degraded: degraded)
        try encoder.encode(metrics).write(to: URL(fileURLWithPath: store.metricsPath(period)))
        let summary = PredictionSummary(
            period: period, totalPeriods: periods, rows: 100, positiveLabel: "1", predictedPositiveRate: 0.4,
            predictedClasses: ["0": 60, "1": 40],
            scores: ScoreDistribution(bins: [10, 5, 5, 5, 5, 5, 5, 5, 5, 50], mean: 0.6, min: 0, max: 1))
        try encoder.encode(summary).write(to: URL(fileURLWithPath: store.summaryPath(period)))
    }
    return store
}

@Suite struct ReportScaleTests {
    @Test("periods are grouped into at most maxColumns bands, each covering consecutive periods")
    func columns() {
        #expect(Columns(periods: Charts.maxColumns).size == 1)
        #expect(Columns(periods: 5).count == 5)
        let thinned = Columns(periods: 1000)
        #expect(thinned.isThinned && thinned.count <= Charts.maxColumns)
        #expect(thinned.range(0) == 0..<thinned.size)
        #expect(thinned.range(thinned.count - 1).upperBound == 1000)
        #expect(thinned.all.map { thinned.range($0).count }.reduce(0, +) == 1000)
        #expect(thinned.name(1) == "Periods \(thinned.size)–\(2 * thinned.size - 1)")
    }

    @Test("at 1,000 periods the charts draw one mark per band, the table the latest periods, all under 1 MB")
    func thousandPeriods() throws {
        let store = try largeStore(periods: 1000)
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let html = Report(data: reportData(store, name: "big")).html()
        let columns = Columns(periods: 1000)
        #expect(html.utf8.count < 1_000_000, "\(html.utf8.count) bytes")
        #expect(count("class=\"point\" data-period", in: html) + count("class=\"point degraded\" data-period", in: html) == columns.count)
        #expect(count("data-metric=\"precision\"", in: html) == columns.count)
        #expect(count("class=\"cell\" data-period", in: html) == columns.count * 10)
        #expect(count("data-coverage=", in: html) == columns.count)
        // Every band holding a degraded period (42, 142, …) is marked, and only those.
        let degradedBands = Set((0..<10).map { ($0 * 100 + 42) / columns.size }).count
        #expect(count("class=\"marker\"", in: html) == degradedBands)
        #expect(html.contains("data-period=\"0-\(columns.size - 1)\""))
        // The table: the latest 50 periods in full, every period in the compact list.
        #expect(count("<tr data-period=", in: html) == Report.tablePeriods)
        #expect(html.contains("<tr data-period=\"999\""))
        #expect(html.contains("<tr data-period=\"950\""))
        #expect(!html.contains("<tr data-period=\"949\""))
        #expect(html.contains("All 1000 periods (compact)"))
        #expect(html.contains("Periods 0–949: 950 checked, 10 degraded (42, 142, 242"))
        let report = Report(data: reportData(store, name: "big"))
        let compact = report.compactLines()
        #expect(compact.count == 1001)
        #expect(compact[43].hasPrefix("    42") && compact[43].hasSuffix("stop_degraded (degraded)"))
    }

    @Test("the run history is summarised: the latest session's runs per job, first failures, last runs")
    func manyRuns() throws {
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        var lines = [#"{"sequence":1,"session":"old","job":"Get Predictions","arguments":"","status":"ENGINE_FAILED","duration_seconds":1}"#]
        for sequence in 1...1000 {
            let failed = sequence % 33 == 0
            let job = ["Get Predictions", "Load Ground Truth", "Check Model"][sequence % 3]
            lines.append(
                #"{"sequence":\#(sequence),"session":"new","job":"\#(job)","arguments":"--period \#(sequence),1000","#
                    + #""status":"\#(failed ? "ENGINE_FAILED" : "ENGINE_SUCCEEDED")","duration_seconds":0.5}"#)
        }
        lines.insert("not json", at: 10)
        try FileSystem.writeAtomically(lines.joined(separator: "\n") + "\n", to: runHistory(store))
        let history = RunHistory(path: runHistory(store))
        #expect(history.sessions == 2)
        #expect(history.latestSession == "new")
        #expect(history.runs == 1000)
        #expect(history.failedRuns == 30)
        #expect(history.failures.map(\.sequence) == (1...20).map { $0 * 33 })
        #expect(history.recent.map(\.sequence) == Array(981...1000))
        #expect(history.jobs.map(\.job) == ["Load Ground Truth", "Check Model", "Get Predictions"])
        #expect(history.jobs.map(\.runs).reduce(0, +) == 1000)
        #expect(history.jobs.map(\.failed).reduce(0, +) == 30)
        let html = Report(data: reportData(store)).html()
        #expect(html.contains("The first 20 of 30."))
        #expect(html.contains("The last 20 of 1000."))
        #expect(count("<tr class=\"failed\"><td>", in: html) == 20 + 1)  // the failures and run 990 among the last
        #expect(html.contains("1 earlier session"))
    }
}
