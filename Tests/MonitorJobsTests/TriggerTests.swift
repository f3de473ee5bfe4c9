import ArgumentParser
import Foundation
import JobClient
import MonitorJobs
import PeriodArgs
import Synchronization
import TestSupport
import Testing

/// Collects a job's log lines.
final class RecordingOutput: JobOutput {
    private let recorded = Mutex<[String]>([])
    func line(_ text: String) { recorded.withLock { $0.append(text) } }
    func error(_ text: String) { recorded.withLock { $0.append(text) } }
    var lines: [String] { recorded.withLock { $0 } }
}

/// Records triggers; fails them when asked, and notes whether the outputs
/// were already written when the trigger came.
final class RecordingTrigger: JobTrigger {
    struct Call: Equatable {
        var job: String
        var arguments: String
        var outputsWritten: Bool
    }
    private let calls = Mutex<[Call]>([])
    let failure: JobClientError?
    let expectedFile: @Sendable (String) -> String

    init(failure: JobClientError? = nil, expectedFile: @escaping @Sendable (String) -> String) {
        self.failure = failure
        self.expectedFile = expectedFile
    }

    func trigger(jobName: String, arguments: String) async throws(JobClientError) -> String {
        let written = FileManager.default.fileExists(atPath: expectedFile(jobName))
        calls.withLock { $0.append(Call(job: jobName, arguments: arguments, outputsWritten: written)) }
        if let failure { throw failure }
        return "run-\(calls.withLock { $0.count })"
    }

    var recorded: [Call] { calls.withLock { $0 } }
}

func period(_ text: String) throws -> PeriodOption {
    try PeriodOption.parse(["--period", text])
}

@Suite struct TriggerTests {
    func workspace() throws -> (data: String, store: String) {
        let root = try makeTemporaryDirectory("jobs")
        let csv = "id,prediction,score\n" + (0..<50).map { "r\($0),\($0 % 2),0.\($0 % 10)" }.joined(separator: "\n")
        let labels = "id,label\n" + (0..<50).map { "r\($0),\($0 % 3 == 0 ? 1 : 0)" }.joined(separator: "\n")
        try writeDataSet(
            [PeriodFixture(predictionsCSV: csv, labelsCSV: labels), PeriodFixture(predictionsCSV: csv, labelsCSV: labels)],
            to: "\(root)/data"
        )
        return ("\(root)/data", "\(root)/store")
    }

    @Test func eachJobTriggersTheNextAfterItsOutputsAreDurable() async throws {
        let (data, store) = try workspace()
        let trigger = RecordingTrigger { next in
            switch next {
            case "Load Ground Truth": "\(store)/periods/0000/predictions.bin"
            case "Check Model": "\(store)/periods/0000/joined.bin"
            default: "\(store)/periods/0000/metrics.json"
            }
        }
        let output = RecordingOutput()
        // One chain: a real trigger passes the chain id on in the run's environment, this fake does not.
        let context = JobContext(
            dataDirectory: data, storeDirectory: store, environment: ["MONITOR_CHAIN_ID": "chain-test"], output: output,
            trigger: trigger
        )

        #expect(await GetPredictionsStep.run(period: try PeriodOption.parse([]), context: context) == .success)
        #expect(await LoadGroundTruthStep.run(period: try period("0,2"), context: context) == .success)
        #expect(await CheckModelStep.run(period: try period("0,2"), degradation: try DegradationOptions.parse([]), context: context) == .success)

        #expect(trigger.recorded == [
            .init(job: "Load Ground Truth", arguments: "--period 0,2", outputsWritten: true),
            .init(job: "Check Model", arguments: "--period 0,2", outputsWritten: true),
            .init(job: "Get Predictions", arguments: "--period 1,2", outputsWritten: true),
        ])
        let lines = output.lines
        #expect(lines.contains("✓ Triggered job: Load Ground Truth (Period 0/2)"))
        #expect(lines.contains("✓ Triggered next job: Check Model (Period 0/2)"))
        #expect(lines.contains("✓ Triggered next period: Get Predictions (Period 1/2)"))
        #expect(lines.filter { $0.hasPrefix("  Job run ID: run-") }.count == 3)
    }

    @Test func aRefusedTriggerFailsWithTheResumeCommand() async throws {
        let (data, store) = try workspace()
        let trigger = RecordingTrigger(failure: JobClientError(.http(status: 503), "HTTP 503: unavailable")) { _ in "" }
        let output = RecordingOutput()
        let context = JobContext(dataDirectory: data, storeDirectory: store, environment: [:], output: output, trigger: trigger)
        #expect(await GetPredictionsStep.run(period: try period("1,2"), context: context) == .failure)
        let error = try #require(output.lines.last)
        #expect(error.hasPrefix("ERROR: Could not trigger Load Ground Truth (Period 1/2): HTTP 503: unavailable"))
        #expect(error.contains("arguments '--period 1,2'"))
        #expect(error.contains("load-ground-truth --period 1,2 --data \(data) --store \(store)"))
    }

    @Test func aDegradedStopTriggersNothing() async throws {
        let (data, store) = try workspace()
        let trigger = RecordingTrigger { _ in "" }
        let context = JobContext(dataDirectory: data, storeDirectory: store, environment: ["MONITOR_MIN_ACCURACY": "0.99", "MONITOR_CHAIN_ID": "chain-test"],
                                 output: RecordingOutput(), trigger: trigger)
        #expect(await GetPredictionsStep.run(period: try period("0,2"), context: context) == .success)
        #expect(await LoadGroundTruthStep.run(period: try period("0,2"), context: context) == .success)
        #expect(await CheckModelStep.run(period: try period("0,2"), degradation: try DegradationOptions.parse([]), context: context) == .degraded)
        #expect(trigger.recorded.map(\.job) == ["Load Ground Truth", "Check Model"])
    }

    @Test func partialPlatformConfigurationFailsBeforeAnyWork() async throws {
        let (data, store) = try workspace()
        let output = RecordingOutput()
        let context = JobContext(dataDirectory: data, storeDirectory: store,
                                 environment: ["CDSW_API_URL": "http://127.0.0.1:1/api/v1"], output: output)
        #expect(await GetPredictionsStep.run(period: try period("0,2"), context: context) == .failure)
        #expect(output.lines.last?.hasPrefix("ERROR: CML API configuration") == true)
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func dataAndStoreComeFromTheJobEnvironment() async throws {
        let (data, store) = try workspace()
        let output = RecordingOutput()
        let context = JobContext(environment: ["MONITOR_DATA_DIR": data, "MONITOR_STORE_DIR": store], output: output)
        #expect(await GetPredictionsStep.run(period: try period("0,2"), context: context) == .success)
        #expect(FileManager.default.fileExists(atPath: "\(store)/periods/0000/predictions.bin"))
        #expect(output.lines.last == "  load-ground-truth --period 0,2")
    }
}
