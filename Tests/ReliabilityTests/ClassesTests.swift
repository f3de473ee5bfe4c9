import Foundation
import TestSupport
import Testing

private func metrics(_ sandbox: Sandbox, _ period: Int) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(sandbox.periodDirectory(period))/metrics.json"))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

/// `rows` predictions `p<period>-<i>` predicted `prediction(i)` with score, labeled `label(i)`.
private func period(_ index: Int, rows: Int, prediction: (Int) -> String, label: (Int) -> String) -> PeriodFixture {
    PeriodFixture(
        predictions: (0..<rows).map { i in ("p\(index)-\(i)", prediction(i), prediction(i) == "1" ? 0.8 : 0.2 - Double(i % 7) / 100) },
        labels: (0..<rows).map { i in ("p\(index)-\(i)", label(i)) }
    )
}

@Suite("Classes and labels: the task is declared or decided once, never guessed per period", .serialized)
struct ClassesTests {
    @Test("one stray label in a binary data set is counted and reported; metrics stay binary for the positive label")
    func strayClassStaysBinary() async throws {
        let binary = period(0, rows: 100, prediction: { $0 % 2 == 0 ? "1" : "0" }, label: { $0 % 2 == 0 ? "1" : "0" })
        let stray = period(1, rows: 100, prediction: { $0 % 2 == 0 ? "1" : "0" }, label: { $0 == 3 ? "2" : ($0 % 5 == 0 ? "0" : ($0 % 2 == 0 ? "1" : "0")) })
        let sandbox = try Sandbox.make([binary, stray], label: "cls")
        defer { sandbox.remove() }
        try sandbox.runPeriod(0, of: 2)
        for job in ["get-predictions", "load-ground-truth"] { #expect(try sandbox.runSync(job, ["--period", "1,2"]).status == 0) }
        let result = try sandbox.runSync("check-model", ["--period", "1,2"])
        #expect(result.status == 0 || result.status == 3, "\(result.stderr)")
        let m = try metrics(sandbox, 1)
        #expect(m["averaging"] as? String == "binary")
        #expect(m["averaging_source"] as? String == "period 0")
        #expect(m["unexpected_classes"] as? [String: Int] == ["2": 1])
        #expect(m["roc_auc"] is Double)
        // One-vs-rest for "1": 50 predicted positive; labels "1" on the even rows not divisible by 5 (40), all predicted 1.
        #expect(m["precision"] as? Double == 40.0 / 50.0)
        #expect(result.stdout.contains("⚠ Classes outside this binary data set: \"2\" (1×)"))
    }

    @Test("a positive label found nowhere in the data is an error naming it, not a silent switch to multiclass")
    func positiveLabelNowhere() async throws {
        let yesNo = period(0, rows: 60, prediction: { $0 % 2 == 0 ? "yes" : "no" }, label: { $0 % 3 == 0 ? "yes" : "no" })
        let sandbox = try Sandbox.make([yesNo], label: "cls")
        defer { sandbox.remove() }
        for job in ["get-predictions", "load-ground-truth"] { #expect(try sandbox.runSync(job, ["--period", "0,1"]).status == 0) }
        let result = try sandbox.runSync("check-model", ["--period", "0,1"])
        expectOneError(result, ["positive_label \"1\" occurs nowhere in period 0", "\"no\", \"yes\"", "task"])
    }

    @Test("task: multiclass in the metadata is macro from the first period on, and the report says so")
    func declaredMulticlass() async throws {
        let root = try makeTemporaryDirectory("cls")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let two = period(0, rows: 60, prediction: { $0 % 2 == 0 ? "1" : "0" }, label: { $0 % 3 == 0 ? "1" : "0" })
        try writeDataSet([two], to: root + "/data", task: "multiclass")
        let sandbox = Sandbox(root: root)
        try sandbox.runPeriod(0, of: 1)
        let m = try metrics(sandbox, 0)
        #expect(m["averaging"] as? String == "macro")
        #expect(m["averaging_source"] as? String == "metadata task")
    }

    @Test("labels spelled unlike the predictions are named by load-ground-truth", arguments: [
        (["1.0", "0.0"], "share no value"), (["True", "False"], "share no value"), (["1", "yes"], "never predicted"),
    ])
    func spelledDifferently(spelling: [String], finding: String) async throws {
        let fixture = period(0, rows: 40, prediction: { $0 % 2 == 0 ? "1" : "0" }, label: { spelling[$0 % 2] })
        let sandbox = try Sandbox.make([fixture], label: "cls")
        defer { sandbox.remove() }
        #expect(try sandbox.runSync("get-predictions", ["--period", "0,1"]).status == 0)
        let result = try sandbox.runSync("load-ground-truth", ["--period", "0,1"])
        #expect(result.status == 0)
        let warning = result.lines.first { $0.hasPrefix("  ⚠ ") } ?? ""
        #expect(warning.contains(finding), "\(result.stdout)")
        for value in spelling where !["1", "0"].contains(value) { #expect(warning.contains("\"\(value)\"")) }
        #expect(warning.contains("--label-map"))
    }
}
