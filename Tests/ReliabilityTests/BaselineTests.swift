import Foundation
import TestSupport
import Testing

/// Reads period `period`'s metrics.json of a sandbox's store.
private func metrics(_ sandbox: Sandbox, _ period: Int) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(sandbox.periodDirectory(period))/metrics.json"))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

/// Runs the three jobs of `period` of `total`; returns check-model's result.
private func checkPeriod(_ sandbox: Sandbox, _ period: Int, of total: Int, environment: [String: String] = [:]) throws -> ProcessResult {
    for job in ["get-predictions", "load-ground-truth"] {
        let result = try sandbox.runSync(job, ["--period", "\(period),\(total)"])
        guard result.status == 0 else { throw FixtureError("\(job) failed: \(result.stderr)") }
    }
    return try sandbox.runSync("check-model", ["--period", "\(period),\(total)"], environment: environment)
}

/// A period with no labels at all.
private func unlabeledPeriod(period: Int, rows: Int) -> PeriodFixture {
    var fixture = generatedPeriod(period: period, rows: rows, seed: 11, unknownLabels: 0)
    fixture.labelsCSV = "id,label\n"
    return fixture
}

@Suite("The baseline and the verdict", .serialized)
struct BaselineTests {
    @Test("period 0 without labels is no baseline: the first labeled period is, and a fall from 95% to 44% stops the pipeline")
    func unlabeledFirstPeriod() async throws {
        let sandbox = try Sandbox.make([
            unlabeledPeriod(period: 0, rows: 200),
            generatedPeriod(period: 1, rows: 500, accuracy: 0.95, seed: 21),
            generatedPeriod(period: 2, rows: 500, accuracy: 0.44, seed: 22),
        ], label: "base")
        defer { sandbox.remove() }
        let first = try checkPeriod(sandbox, 0, of: 3)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try metrics(sandbox, 0)["insufficient_ground_truth"] as? Bool == true)
        #expect(!(try metrics(sandbox, 0)["reason"] as? String ?? "").contains("not checked"))
        let second = try checkPeriod(sandbox, 1, of: 3)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try metrics(sandbox, 1)["baseline_source"] as? String == "period 1, this one")
        let third = try checkPeriod(sandbox, 2, of: 3)
        #expect(third.status == 3, "\(third.stdout)")
        #expect(try metrics(sandbox, 2)["baseline_source"] as? String == "period 1")
        #expect(try metrics(sandbox, 2)["degraded"] as? Bool == true)
    }

    @Test("a period judged on too few labels is not the baseline")
    func tooFewLabelsIsNoBaseline() async throws {
        var few = generatedPeriod(period: 0, rows: 12, accuracy: 0.5, seed: 31, unknownLabels: 0, unlabeledEvery: 1000)
        few.rows = 12
        let sandbox = try Sandbox.make([
            few, generatedPeriod(period: 1, rows: 500, accuracy: 0.95, seed: 32), generatedPeriod(period: 2, rows: 500, accuracy: 0.5, seed: 33),
        ], label: "base")
        defer { sandbox.remove() }
        #expect(try checkPeriod(sandbox, 0, of: 3).status == 0)
        #expect(try checkPeriod(sandbox, 1, of: 3).status == 0)
        let third = try checkPeriod(sandbox, 2, of: 3)
        #expect(try metrics(sandbox, 2)["baseline_source"] as? String == "period 1")
        #expect(third.status == 3)
    }

    @Test("resuming on a store without the earlier periods is refused with the command to run, not a silent pass")
    func resumeOnFreshStore() async throws {
        let sandbox = try Sandbox.make(
            (0..<4).map { generatedPeriod(period: $0, rows: 300, accuracy: $0 < 2 ? 0.95 : 0.5, seed: 40 + UInt64($0)) }, label: "base")
        defer { sandbox.remove() }
        let result = try checkPeriod(sandbox, 3, of: 4)
        expectOneError(result, ["No baseline for period 3", "period 0 was not checked in store \(sandbox.store)",
                                "get-predictions --period 0,4", "reference.accuracy"])
        #expect(!FileManager.default.fileExists(atPath: "\(sandbox.periodDirectory(3))/metrics.json"))
    }

    @Test("a store filled from one data set is refused to another, naming both")
    func oneStoreOneDataSet() async throws {
        let sandbox = try Sandbox.make([generatedPeriod(period: 0, rows: 100, seed: 51)], label: "base")
        defer { sandbox.remove() }
        #expect(try sandbox.runSync("get-predictions", ["--period", "0,1"]).status == 0)
        let other = sandbox.root + "/other"
        try writeDataSet(
            [generatedPeriod(period: 0, rows: 100, seed: 52), generatedPeriod(period: 1, rows: 100, seed: 53)], to: other, name: "other-set")
        let result = try sandbox.runSync("get-predictions", ["--period", "0,2"], data: other)
        expectOneError(result, ["holds data set 'fixture'", "not data set 'other-set'", "One store holds one data set"])
        let same = try sandbox.runSync("load-ground-truth", ["--period", "0,1"])
        #expect(same.status == 0, "\(same.stderr)")
    }

    @Test("the same data set with a reference added or periods appended keeps its store")
    func legalEditsKeepTheStore() async throws {
        let periods = (0..<3).map { generatedPeriod(period: $0, rows: 60, seed: 70 + UInt64($0)) }
        let sandbox = try Sandbox.make(Array(periods.prefix(2)), label: "base")
        defer { sandbox.remove() }
        try sandbox.runPeriod(0, of: 2)
        try writeDataSet(Array(periods.prefix(2)), to: sandbox.data, reference: ["accuracy": 0.9])
        let withReference = try sandbox.runSync("get-predictions", ["--period", "1,2"])
        #expect(withReference.status == 0, "\(withReference.stderr)")
        try writeDataSet(periods, to: sandbox.data, reference: ["accuracy": 0.9])
        let appended = try sandbox.runSync("get-predictions", ["--period", "2,3"])
        #expect(appended.status == 0, "\(appended.stderr)")
    }

    @Test("a reference accuracy outside 0…1 is refused", arguments: [1.5, -0.1])
    func referenceOutOfRange(value: Double) async throws {
        let root = try makeTemporaryDirectory("base")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeDataSet([generatedPeriod(period: 0, rows: 50, seed: 61)], to: root + "/data", reference: ["accuracy": value])
        let sandbox = Sandbox(root: root)
        let result = try sandbox.runSync("get-predictions", ["--period", "0,1"])
        expectOneError(result, ["reference.accuracy is \(value)", "from 0 to 1"])
    }
}
