import Foundation
import TestSupport
import Testing

/// One generated binary period and what the test knows about it.
struct GeneratedPeriod {
    var ids: [String] = []
    var predictions: [String] = []
    var labels: [String?] = []
    var scores: [Double] = []
    var unknownLabels = 0

    var fixture: PeriodFixture {
        var csv = "timestamp,score,id,prediction,extra\n"
        for i in ids.indices {
            csv += "2024-01-01T00:00:00Z,\(scores[i]),\(ids[i]),\(predictions[i]),\"x, y\"\n"
        }
        var labelLines: [String] = []
        for i in ids.indices {
            switch labels[i] {
            case let label?: labelLines.append("\(ids[i]),\(label)")
            case nil where i % 2 == 0: labelLines.append("\(ids[i]),")
            case nil: break
            }
        }
        for u in 0..<unknownLabels { labelLines.append("unknown-\(u),1") }
        labelLines.reverse()
        return PeriodFixture(
            predictionsCSV: csv, labelsCSV: "id,label\r\n" + labelLines.joined(separator: "\r\n") + "\r\n",
            rows: ids.count
        )
    }

    init(period: Int, rows: Int, accuracy: Double, labeledFraction: Double = 0.9, unknownLabels: Int = 2,
         seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for i in 0..<rows {
            let truth = Bool.random(using: &rng)
            let right = Double.random(in: 0..<1, using: &rng) < accuracy
            let predicted = right ? truth : !truth
            // Two decimals: many ties, which ROC AUC must count half.
            let raw = predicted ? Double.random(in: 0.5...1, using: &rng) : Double.random(in: 0..<0.5, using: &rng)
            ids.append("p\(period)-\(i)")
            predictions.append(predicted ? "1" : "0")
            scores.append((raw * 100).rounded() / 100)
            labels.append(Double.random(in: 0..<1, using: &rng) < labeledFraction ? (truth ? "1" : "0") : nil)
        }
        self.unknownLabels = unknownLabels
    }

    var expected: IndependentMetrics {
        IndependentMetrics(predictions: predictions, labels: labels, scores: scores, positive: "1")
    }
}

/// A data set and a store in a temporary folder, and the jobs run against them.
struct Workspace {
    let data: String
    let store: String

    init(_ periods: [PeriodFixture], reference: [String: Double]? = nil, positiveLabel: String? = nil) throws {
        let root = try makeTemporaryDirectory("e2e")
        data = "\(root)/data"
        store = "\(root)/store"
        try writeDataSet(periods, to: data, positiveLabel: positiveLabel, reference: reference)
    }

    func run(_ job: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try runProduct(
            job, arguments + ["--data", data, "--store", store],
            environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        )
    }

    func metrics(_ period: Int) throws -> [String: Any] {
        let path = "\(store)/periods/\(String(format: "%04d", period))/metrics.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func periodFiles(_ period: Int) -> [String: Data] {
        snapshot("\(store)/periods/\(String(format: "%04d", period))")
    }
}

func double(_ value: Any?) -> Double? { value as? Double ?? (value as? Int).map(Double.init) }

@Suite struct JobsEndToEndTests {
    @Test func wholeChainByHand() throws {
        let periods = (0..<3).map { GeneratedPeriod(period: $0, rows: 400, accuracy: 0.9, seed: UInt64($0) + 1) }
        let ws = try Workspace(periods.map(\.fixture))

        let first = try ws.run("get-predictions", [])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines.prefix(2) == ["No parameter provided: defaulting to period 0", "Parameter provided: period 0 of 3"])
        #expect(first.stdout.contains("load-ground-truth --period 0,3 --data \(ws.data) --store \(ws.store)"))

        for (index, generated) in periods.enumerated() {
            let argument = "\(index),3"
            if index > 0 {
                let get = try ws.run("get-predictions", ["--period", argument])
                #expect(get.status == 0, "\(get.stderr)")
                #expect(get.lines.first == "Parameter provided: period \(index) of 3")
            }
            let load = try ws.run("load-ground-truth", ["--period", argument])
            #expect(load.status == 0, "\(load.stderr)")
            #expect(load.lines.prefix(2) == ["Parameter provided: period \(index) of 3", "✓ Extracted period \(index) data"])
            #expect(load.stdout.contains("check-model --period \(argument)"))

            let check = try ws.run("check-model", ["--period", argument, "--on-degradation", "continue"])
            #expect(check.status == 0, "\(check.stderr)")
            let expected = generated.expected
            let accuracy = try #require(expected.accuracy)
            #expect(check.lines.contains("✓ Period \(index) Metrics: Accuracy: \(String(format: "%.2f", accuracy * 100))%"))
            #expect(check.stdout.contains("get-predictions --period \(index + 1),3"))

            let m = try ws.metrics(index)
            #expect(m["period"] as? Int == index)
            #expect(m["total_periods"] as? Int == 3)
            #expect(m["rows"] as? Int == expected.rows)
            #expect(m["labeled"] as? Int == expected.labeled)
            #expect(m["labels_without_prediction"] as? Int == 2)
            #expect(abs(double(m["accuracy"])! - accuracy) < 1e-9)
            #expect(abs(double(m["precision"])! - expected.precision!) < 1e-9)
            #expect(abs(double(m["recall"])! - expected.recall!) < 1e-9)
            #expect(abs(double(m["f1"])! - expected.f1!) < 1e-9)
            #expect(abs(double(m["roc_auc"])! - expected.auc!) < 1e-6)
            #expect(m["decision"] as? String == (index == 2 ? "last_period" : "continue"))
            let matrix = try #require(m["confusion_matrix"] as? [String: Any])
            #expect(matrix["labels"] as? [String] == ["0", "1"])
            let counts = try #require(matrix["matrix"] as? [[Int]])
            #expect(counts.flatMap { $0 }.reduce(0, +) == expected.labeled)
        }

        let done = try ws.run("get-predictions", ["--period", "3,3"])
        #expect(done.status == 0)
        #expect(done.lines.contains("All periods completed! (Period 3 = Total 3)"))
    }

    @Test(arguments: ["get-predictions", "load-ground-truth", "check-model"])
    func finishedPeriodExitsCleanlyWithoutWriting(job: String) throws {
        let ws = try Workspace([GeneratedPeriod(period: 0, rows: 10, accuracy: 1, seed: 1).fixture])
        let result = try ws.run(job, ["--period", "1,1"])
        #expect(result.status == 0)
        #expect(result.lines.prefix(2) == ["Parameter provided: period 1 of 1", "All periods completed! (Period 1 = Total 1)"])
        #expect(!FileManager.default.fileExists(atPath: ws.store))
    }

    @Test(arguments: [("get-predictions", "3,3"), ("load-ground-truth", "0,2"), ("check-model", "5,5")])
    func totalMismatchFails(job: String, period: String) throws {
        let fixtures = (0..<4).map { GeneratedPeriod(period: $0, rows: 5, accuracy: 1, seed: 1).fixture }
        let ws = try Workspace(fixtures)
        let result = try ws.run(job, ["--period", period])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("ERROR: Period total mismatch"))
        #expect(result.stderr.contains("num_periods = 4"))
        #expect(!FileManager.default.fileExists(atPath: ws.store))
    }

    @Test(arguments: ["get-predictions", "load-ground-truth", "check-model"])
    func invalidPeriodFailsBeforeAnything(job: String) throws {
        let ws = try Workspace([GeneratedPeriod(period: 0, rows: 5, accuracy: 1, seed: 1).fixture])
        for bad in ["1", "a,b", "2,1", "-1,1", "0,0", "1,1,1", ""] {
            let result = try ws.run(job, ["--period", bad])
            #expect(result.status == 1, "\(job) --period '\(bad)'")
            #expect(result.stderr.hasPrefix("ERROR: Invalid parameter format. Expected 'current_period,total_periods'"))
            #expect(result.stderr.contains("'\(bad)'"))
            #expect(result.stdout.isEmpty)
        }
        let twice = try ws.run(job, ["--period", "0,1", "--period", "1,1"])
        #expect(twice.status == 1)
        #expect(!FileManager.default.fileExists(atPath: ws.store))
    }

    @Test(arguments: ["load-ground-truth", "check-model"])
    func periodIsRequired(job: String) throws {
        let ws = try Workspace([GeneratedPeriod(period: 0, rows: 5, accuracy: 1, seed: 1).fixture])
        let result = try ws.run(job, [])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("ERROR: Missing --period"))
    }

    @Test func usageErrorsExitOne() throws {
        let result = try runProduct("check-model", ["--period", "0,1", "--no-such-flag"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("ERROR: "))
        let help = try runProduct("get-predictions", ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--period"))
    }

    @Test func missingAndCorruptInputsLeaveThePeriodUntouched() throws {
        let fixtures = (0..<2).map { GeneratedPeriod(period: $0, rows: 50, accuracy: 0.9, seed: 7).fixture }
        let ws = try Workspace(fixtures)
        #expect(try ws.run("get-predictions", ["--period", "1,2"]).status == 0)
        #expect(try ws.run("load-ground-truth", ["--period", "1,2"]).status == 0)
        let before = ws.periodFiles(1)

        let predictions = "\(ws.data)/predictions/period_0001.csv.gz"
        let original = try Data(contentsOf: URL(fileURLWithPath: predictions))
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: predictions))
        let truncated = try ws.run("get-predictions", ["--period", "1,2"])
        #expect(truncated.status == 1)
        #expect(truncated.stderr.hasPrefix("ERROR: "))
        #expect(truncated.stderr.contains(predictions))
        #expect(!truncated.stdout.contains("load-ground-truth"))
        #expect(ws.periodFiles(1) == before)

        try FileManager.default.removeItem(atPath: predictions)
        let missing = try ws.run("get-predictions", ["--period", "1,2"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains(predictions))
        #expect(ws.periodFiles(1) == before)

        try FileManager.default.removeItem(atPath: "\(ws.data)/labels/period_0001.csv.gz")
        let noLabels = try ws.run("load-ground-truth", ["--period", "1,2"])
        #expect(noLabels.status == 1)
        #expect(noLabels.stderr.contains("labels/period_0001.csv.gz"))
        #expect(ws.periodFiles(1) == before)

        let noJoin = try ws.run("check-model", ["--period", "0,2"])
        #expect(noJoin.status == 1)
        #expect(noJoin.stderr.contains("run load-ground-truth for period 0 first"))
    }

    @Test func missingStoredPredictionsComeBeforeAnyLabelError() throws {
        let ws = try Workspace([PeriodFixture(predictionsCSV: "id,prediction\na,1\n", labelsCSV: "id,label\na,1\nb,\"x\n")])
        // Labels are parsed while the stored predictions load: the missing predictions must still be the error.
        let result = try ws.run("load-ground-truth", ["--period", "0,1"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("ERROR: "))
        #expect(result.stderr.contains("run get-predictions for period 0 first"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try ws.run("get-predictions", ["--period", "0,1"]).status == 0)
        let broken = try ws.run("load-ground-truth", ["--period", "0,1"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("labels/period_0000.csv.gz:3"))
    }

    @Test func duplicateLabelBeforeACSVErrorIsReportedFirst() throws {
        // Thousands of rows: some are joined only after the predictions have loaded, mid-file.
        let ids = (0..<20_000).map { "id-\($0)" }
        let predictions = "id,prediction\n" + ids.map { "\($0),1\n" }.joined()
        let labels = "id,label\n" + ids.reversed().map { "\($0),0\n" }.joined() + "id-7,1\nid-8,\"\n"
        let ws = try Workspace([PeriodFixture(predictionsCSV: predictions, labelsCSV: labels)])
        #expect(try ws.run("get-predictions", []).status == 0)
        let result = try ws.run("load-ground-truth", ["--period", "0,1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(":20002: duplicate id 'id-7'"))
    }

    @Test func missingDataSetIsNamed() throws {
        let result = try runProduct("get-predictions", ["--data", "/nonexistent/data", "--store", "/tmp/unused"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("ERROR: "))
        #expect(result.stderr.contains("/nonexistent/data"))
    }

    @Test func duplicateIdsAreErrors() throws {
        let predictions = PeriodFixture(
            predictionsCSV: "id,prediction\na,1\nb,0\na,0\n", labelsCSV: "id,label\na,1\n"
        )
        let ws = try Workspace([predictions])
        let result = try ws.run("get-predictions", [])
        #expect(result.status == 1)
        #expect(result.stderr.contains(":4: duplicate id 'a'"))

        let labels = PeriodFixture(predictionsCSV: "id,prediction\na,1\nb,0\n", labelsCSV: "id,label\na,1\nb,0\na,0\n")
        let ws2 = try Workspace([labels])
        #expect(try ws2.run("get-predictions", []).status == 0)
        let join = try ws2.run("load-ground-truth", ["--period", "0,1"])
        #expect(join.status == 1)
        #expect(join.stderr.contains(":4: duplicate id 'a'"))
    }

    @Test func rowCountMustMatchMetadata() throws {
        var fixture = PeriodFixture(predictionsCSV: "id,prediction\na,1\nb,0\n", labelsCSV: "id,label\n")
        fixture.rows = 3
        let ws = try Workspace([fixture])
        let result = try ws.run("get-predictions", [])
        #expect(result.status == 1)
        #expect(result.stderr.contains("has 2 prediction rows but the metadata says rows = 3"))
    }

    /// Runs the three jobs for period `index` of `total`, returning check-model's result.
    func check(_ ws: Workspace, _ index: Int, of total: Int, _ extra: [String] = []) throws -> ProcessResult {
        let argument = "\(index),\(total)"
        let get = try ws.run("get-predictions", ["--period", argument])
        #expect(get.status == 0, "\(get.stderr)")
        let load = try ws.run("load-ground-truth", ["--period", argument])
        #expect(load.status == 0, "\(load.stderr)")
        return try ws.run("check-model", ["--period", argument] + extra)
    }

    @Test func periodWithoutLabelsIsReportedNotJudged() throws {
        let ws = try Workspace([PeriodFixture(predictionsCSV: "id,prediction,score\na,1,0.9\nb,0,0.1\n", labelsCSV: "id,label\n")])
        let result = try check(ws, 0, of: 1)
        #expect(result.status == 0)
        #expect(result.lines.contains("✓ Period 0 Metrics: Accuracy: n/a"))
        let m = try ws.metrics(0)
        for key in ["accuracy", "precision", "recall", "f1", "roc_auc"] { #expect(m[key] is NSNull, "\(key)") }
        #expect(m["labeled"] as? Int == 0)
        #expect(m["insufficient_ground_truth"] as? Bool == true)
        #expect(m["decision"] as? String == "last_period")
    }

    @Test func oneClassPeriodHasNullMetricsNotZeros() throws {
        let csv = "id,prediction,score\n" + (0..<40).map { "r\($0),0,0.\($0 % 5)" }.joined(separator: "\n") + "\n"
        let labels = "id,label\n" + (0..<40).map { "r\($0),0" }.joined(separator: "\n") + "\n"
        let ws = try Workspace([PeriodFixture(predictionsCSV: csv, labelsCSV: labels)])
        let result = try check(ws, 0, of: 1)
        #expect(result.status == 0, "\(result.stderr)")
        let m = try ws.metrics(0)
        #expect(double(m["accuracy"]) == 1)
        for key in ["precision", "recall", "f1", "roc_auc"] { #expect(m[key] is NSNull, "\(key)") }
        #expect(result.stdout.contains("ROC AUC: n/a ("))
    }

    @Test func emptyPeriodIsReported() throws {
        let ws = try Workspace([PeriodFixture(predictionsCSV: "id,prediction\n", labelsCSV: "id,label\n", rows: 0)])
        let result = try check(ws, 0, of: 1)
        #expect(result.status == 0, "\(result.stderr)")
        let m = try ws.metrics(0)
        #expect(m["rows"] as? Int == 0)
        #expect(m["accuracy"] is NSNull)
    }

    @Test func multiclassIsMacroAveraged() throws {
        var rng = SeededGenerator(seed: 42)
        let classes = ["cat", "dog", "emu"]
        var predictions: [String] = [], labels: [String?] = []
        var csv = "id,prediction\n", labelCSV = "id,label\n"
        for i in 0..<300 {
            let truth = classes.randomElement(using: &rng)!
            let predicted = Double.random(in: 0..<1, using: &rng) < 0.7 ? truth : classes.randomElement(using: &rng)!
            predictions.append(predicted)
            labels.append(truth)
            csv += "m\(i),\(predicted)\n"
            labelCSV += "m\(i),\(truth)\n"
        }
        let ws = try Workspace([PeriodFixture(predictionsCSV: csv, labelsCSV: labelCSV)])
        let result = try check(ws, 0, of: 1)
        #expect(result.status == 0, "\(result.stderr)")
        let m = try ws.metrics(0)
        let expected = IndependentMetrics.macro(predictions: predictions, labels: labels)
        #expect(m["averaging"] as? String == "macro")
        #expect(abs(double(m["precision"])! - expected.precision) < 1e-9)
        #expect(abs(double(m["recall"])! - expected.recall) < 1e-9)
        #expect(abs(double(m["f1"])! - expected.f1) < 1e-9)
        #expect(m["roc_auc"] is NSNull)
        let matrix = try #require(m["confusion_matrix"] as? [String: Any])
        #expect(matrix["labels"] as? [String] == classes)
    }

    @Test func rerunningAPeriodGivesIdenticalOutputs() throws {
        let ws = try Workspace([GeneratedPeriod(period: 0, rows: 300, accuracy: 0.8, seed: 3).fixture])
        #expect(try check(ws, 0, of: 1).status == 0)
        let first = ws.periodFiles(0)
        #expect(Set(first.keys) == ["predictions.bin", "summary.json", "joined.bin", "coverage.json", "metrics.json"])
        #expect(try check(ws, 0, of: 1).status == 0)
        #expect(ws.periodFiles(0) == first)
    }

    @Test func degradationStopsThePipelineWithStatus3() throws {
        let good = GeneratedPeriod(period: 0, rows: 1000, accuracy: 0.95, seed: 11)
        let bad = GeneratedPeriod(period: 1, rows: 1000, accuracy: 0.6, seed: 12)
        let ws = try Workspace([good.fixture, bad.fixture, good.fixture])
        #expect(try check(ws, 0, of: 3).status == 0)
        let result = try check(ws, 1, of: 3)
        #expect(result.status == 3)
        #expect(!result.stdout.contains("get-predictions --period 2,3 --data"))
        #expect(result.stdout.contains("✗ Model degraded in period 1"))
        let m = try ws.metrics(1)
        #expect(m["degraded"] as? Bool == true)
        #expect(m["decision"] as? String == "stop_degraded")
        #expect(m["baseline_source"] as? String == "period 0")
        #expect(abs(double(m["baseline_accuracy"])! - good.expected.accuracy!) < 1e-9)

        let goOn = try ws.run("check-model", ["--period", "1,3"], environment: ["MONITOR_ON_DEGRADATION": "continue"])
        #expect(goOn.status == 0)
        #expect(goOn.stdout.contains("⚠ Period 1 degraded"))
        #expect(try ws.metrics(1)["decision"] as? String == "continue")

        let floor = try ws.run("check-model", ["--period", "0,3", "--min-accuracy", "0.99"])
        #expect(floor.status == 3)
        let badFlag = try ws.run("check-model", ["--period", "0,3", "--max-drop", "lots"])
        #expect(badFlag.status == 1)
        #expect(badFlag.stderr.contains("Invalid --max-drop 'lots'"))
    }

    /// The jobs' own words for a setting they refuse; `cml-local run` checks the same rules before the first run.
    static let refusedSettings: [(String, String, String)] = [
        ("MONITOR_MAX_DROP", "abc", "ERROR: Invalid MONITOR_MAX_DROP 'abc': expected a number in [0, 1]"),
        ("MONITOR_SIGNIFICANCE", "2", "ERROR: Invalid MONITOR_SIGNIFICANCE '2': expected a number in (0, 1)"),
        ("MONITOR_MIN_LABELED", "-1", "ERROR: Invalid MONITOR_MIN_LABELED '-1': expected a whole number >= 0"),
        ("MONITOR_ON_DEGRADATION", "maybe", "ERROR: Invalid MONITOR_ON_DEGRADATION 'maybe': expected 'stop' or 'continue'"),
        ("MONITOR_MIN_ACCURACY", "1.5", "ERROR: Invalid MONITOR_MIN_ACCURACY '1.5': expected a number in [0, 1]"),
    ]

    @Test("check-model refuses an invalid degradation setting with one ERROR line", arguments: 0..<refusedSettings.count)
    func refusedSetting(index: Int) throws {
        let (name, value, line) = Self.refusedSettings[index]
        let ws = try Workspace([GeneratedPeriod(period: 0, rows: 50, accuracy: 0.9, seed: 3).fixture])
        #expect(try ws.run("get-predictions", ["--period", "0,1"]).status == 0)
        #expect(try ws.run("load-ground-truth", ["--period", "0,1"]).status == 0)
        let result = try ws.run("check-model", ["--period", "0,1"], environment: [name: value])
        #expect(result.status == 1)
        #expect(result.stderr == line + "\n")
    }

    @Test func referenceBaselineUsesTheMetadata() throws {
        let period = GeneratedPeriod(period: 0, rows: 500, accuracy: 0.7, seed: 5)
        let ws = try Workspace([period.fixture], reference: ["accuracy": 0.95])
        let result = try check(ws, 0, of: 1)
        #expect(result.status == 3)
        let m = try ws.metrics(0)
        #expect(m["baseline_source"] as? String == "reference")
        #expect(double(m["baseline_accuracy"]) == 0.95)
    }
}
