import Foundation
import MonitorPolicy
import MonitorStore
import Testing

@testable import MonitorReport

/// Where the tests put a launcher's run history: the launcher's own place.
func runHistory(_ store: Store) -> String { "\(store.root)/launcher/runs.jsonl" }

/// The report's data of `store` with its run history.
func reportData(_ store: Store, name: String? = nil) -> ReportData {
    ReportData(store: store, runHistory: runHistory(store), name: name)
}

func temporaryStore() throws -> Store {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return Store(root: path)
}

func record(
    _ period: Int, total: Int, accuracy: Double?, degraded: Bool = false, reason: String = "ok",
    minAccuracy: Double? = 0.8
) -> MetricsRecord {
    MetricsRecord(
        period: period, totalPeriods: total, rows: 100, labeled: accuracy == nil ? 0 : 90, unlabeled: accuracy == nil ? 100 : 10,
        correct: accuracy.map { Int($0 * 90) } ?? 0, labelsWithoutPrediction: 0, accuracy: accuracy,
        precision: accuracy.map { $0 - 0.01 }, recall: accuracy == nil ? nil : 0.8125, f1: accuracy.map { $0 - 0.02 },
        rocAUC: nil, averaging: .binary, positiveLabel: "1", confusionMatrix: .init(labels: [], matrix: []),
        undefined: accuracy == nil ? ["accuracy": "no labeled rows"] : ["roc_auc": "no score column"],
        baselineAccuracy: 0.95, baselineSource: "reference", drop: accuracy.map { 0.95 - $0 }, pValue: nil,
        degraded: degraded, insufficientGroundTruth: accuracy == nil, reason: reason,
        decision: degraded ? .stopDegraded : .continue, minAccuracy: minAccuracy, maxDrop: 0.05)
}

func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// Five periods: 0, 1 fine, 2 degraded (with HTML in its reason), 3 null metrics, 4 never run.
private func sampleStore() throws -> Store {
    let store = try temporaryStore()
    try store.writeMetrics(record(0, total: 5, accuracy: 0.95))
    try store.writeMetrics(record(1, total: 5, accuracy: 0.9))
    try store.writeMetrics(
        record(2, total: 5, accuracy: 0.7, degraded: true, reason: "accuracy 70.00% < minimum <80%> & \"drop\""))
    try store.writeMetrics(record(3, total: 5, accuracy: nil, reason: "insufficient ground truth"))
    let summary = PredictionSummary(
        period: 1, totalPeriods: 5, rows: 100, positiveLabel: "1", predictedPositiveRate: 0.42,
        predictedClasses: ["0": 58, "1": 42],
        scores: ScoreDistribution(bins: [10, 5, 5, 5, 5, 5, 5, 5, 5, 50], mean: 0.6, min: 0, max: 1))
    let data = try JSONEncoder().encode(summary)
    try FileSystem.writeAtomically(Array(data), to: store.summaryPath(1))
    let coverage = Coverage(period: 1, totalPeriods: 5, rows: 100, labeled: 90, unlabeled: 10, labelsWithoutPrediction: 0)
    try FileSystem.writeAtomically(Array(try JSONEncoder().encode(coverage)), to: store.coveragePath(1))
    let runs = """
        {"id":"r1","sequence":1,"session":"s1","job":"Get Predictions","job_id":"j","arguments":"","status":"ENGINE_SUCCEEDED","exit_code":0,"created_at":"x","finished_at":"y","duration_seconds":0.25,"log":"l"}
        {"id":"r2","sequence":2,"session":"s1","job":"Check <Model>","job_id":"j","arguments":"--period 2,5","status":"ENGINE_FAILED","exit_code":3,"created_at":"x","finished_at":"y","duration_seconds":1.5,"reason":"exited 3","log":"l"}

        """
    try FileSystem.writeAtomically(runs, to: runHistory(store))
    return store
}

@Suite struct ReportTests {
    @Test func onePointPerPeriodWithAccuracyAndDegradedMarked() throws {
        let store = try sampleStore()
        let html = Report(data: reportData(store, name: "demo")).html()
        #expect(count("class=\"point\" data-period", in: html) + count("class=\"point degraded\" data-period", in: html) == 3)
        #expect(html.contains("class=\"point degraded\" data-period=\"2\""))
        #expect(count("class=\"marker\"", in: html) == 1)
        #expect(html.contains("data-period=\"3\">n/a</text>"))  // null accuracy: a label, not a point
        #expect(!html.contains("data-period=\"4\" data-accuracy"))
        #expect(html.contains("class=\"minimum\""))
        #expect(html.contains("class=\"baseline\""))
        #expect(html.contains("minimum 80.00%"))
    }

    @Test("the report says how precision, recall and F1 were averaged")
    func averagingShown() throws {
        let html = Report(data: reportData(try sampleStore(), name: "demo")).html()
        #expect(html.contains("Binary: for the positive label &quot;1&quot;, one class against the rest."))
        let store = try temporaryStore()
        var multiclass = record(0, total: 1, accuracy: 0.9)
        multiclass.averaging = .macro
        multiclass.averagingSource = "period 0"
        try store.writeMetrics(multiclass)
        #expect(Report(data: reportData(store, name: "demo")).html().contains("Multiclass: macro averages over the classes, decided from period 0."))
    }

    @Test func tableHasEveryPeriodValuesAndNA() throws {
        let html = Report(data: reportData(try sampleStore(), name: "demo")).html()
        for period in 0..<5 { #expect(html.contains("<tr data-period=\"\(period)\"")) }
        #expect(html.contains("<tr data-period=\"2\" class=\"degraded\">"))
        #expect(html.contains("<tr data-period=\"4\" class=\"missing\">"))
        #expect(html.contains("<td>95.00%</td>"))
        #expect(html.contains("<td>70.00%</td>"))
        #expect(html.contains("<td>n/a</td>"))
        #expect(html.contains("stop_degraded"))
        #expect(html.contains("<td>42.00%</td>"))  // predicted-positive rate of period 1
        #expect(html.contains("not run"))
        // The reason sits in a full-width row under its period.
        #expect(html.contains("<tr class=\"reason degraded\"><td></td><td colspan=\"16\" class=\"text\">accuracy 70.00%"))
        #expect(Format.pValue(0.00001) == "< 0.0001")
        #expect(Format.pValue(0.0312) == "0.0312")
    }

    @Test("the estimate's band beside the realized accuracy, a drift chart with its threshold, both in the table")
    func estimatesAndDrift() throws {
        let store = try temporaryStore()
        var labeled = record(0, total: 2, accuracy: 0.9)
        labeled.estimated = EstimatedMetrics(
            accuracy: 0.93, accuracyLower: 0.91, accuracyUpper: 0.95, precision: nil, recall: nil, f1: nil, rocAUC: nil)
        labeled.scoreDrift = ScoreDriftRecord(psi: 0.04, ksStatistic: 0.05, ksPValue: 0.2, drifted: false)
        labeled.maxPSI = 0.2
        var unlabeled = record(1, total: 2, accuracy: nil, reason: "insufficient ground truth")
        unlabeled.estimated = EstimatedMetrics(
            accuracy: 0.8, accuracyLower: 0.75, accuracyUpper: 0.85, precision: nil, recall: nil, f1: nil, rocAUC: nil)
        unlabeled.scoreDrift = ScoreDriftRecord(psi: 0.3, ksStatistic: 0.2, ksPValue: 0.001, drifted: true)
        unlabeled.maxPSI = 0.2
        try store.writeMetrics(labeled)
        try store.writeMetrics(unlabeled)
        let html = Report(data: reportData(store, name: "demo")).html()
        #expect(count("class=\"estimate-band\" data-period=", in: html) == 2)
        #expect(count("class=\"estimate-point\" data-period=", in: html) == 2)
        #expect(html.contains("data-psi=\"0.3\""))
        #expect(html.contains("class=\"bar drifted\" data-period=\"1\""))
        #expect(html.contains("max PSI 0.2"))
        #expect(html.contains("<td>80.00% (75.00%–85.00%)</td>"))
        #expect(html.contains("<td>0.300 ⚠</td>"))
    }

    @Test func escapesTextAndStaysOffline() throws {
        let html = Report(data: reportData(try sampleStore(), name: "<b>demo</b> & co")).html()
        #expect(html.contains("&lt;b&gt;demo&lt;/b&gt; &amp; co"))
        #expect(!html.contains("<b>demo</b>"))
        #expect(html.contains("minimum &lt;80%&gt; &amp; &quot;drop&quot;"))
        #expect(html.contains("Check &lt;Model&gt;"))
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
    }

    @Test func metricSeriesHaveGapsForNulls() throws {
        let html = Report(data: reportData(try sampleStore(), name: "demo")).html()
        #expect(count("data-metric=\"precision\"", in: html) == 3)
        #expect(count("data-metric=\"recall\"", in: html) == 3)
        #expect(count("data-metric=\"roc_auc\"", in: html) == 0)
    }

    @Test func coverageScoresAndRuns() throws {
        let html = Report(data: reportData(try sampleStore(), name: "demo")).html()
        #expect(html.contains("data-coverage=\"0.9\""))
        #expect(count("class=\"cell\" data-period=\"1\"", in: html) == 10)
        #expect(html.contains("<code>--period 2,5</code>"))
        #expect(html.contains("ENGINE_FAILED"))
        #expect(html.contains("1.50 s"))
    }

    @Test func emptyStoreStillRenders() throws {
        let store = try temporaryStore()
        let html = Report(data: reportData(store)).html()
        #expect(html.contains("No period in this store yet"))
        #expect(html.contains("No run history"))
        let path = try Report.write(store: store, runHistory: runHistory(store))
        #expect(path == store.root + "/report.html")
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func oldMetricsWithoutPolicyFieldsDecode() throws {
        let store = try temporaryStore()
        var object = try #require(
            try JSONSerialization.jsonObject(with: try JSONEncoder().encode(record(0, total: 1, accuracy: 0.9)))
                as? [String: Any]
        )
        object["min_accuracy"] = nil
        object["max_drop"] = nil
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(!json.contains("max_drop") && !json.contains("min_accuracy"))
        try FileSystem.writeAtomically(json, to: store.metricsPath(0))
        let metrics = try #require(try store.readMetrics(0))
        #expect(metrics.minAccuracy == nil && metrics.maxDrop == nil)
        let html = Report(data: reportData(store)).html()
        #expect(!html.contains("class=\"minimum\""))
    }

    @Test func htmlEscape() {
        #expect(HTML.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
    }
}
