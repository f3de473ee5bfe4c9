import Foundation
import Testing

@testable import Launcher

/// The launcher keeps a tally of its runs, not the runs: the verdict and the summary come from it and the store.
@Suite struct RunTallyTests {
    func entry(_ sequence: Int, status: String = "ENGINE_SUCCEEDED", exit: Int32? = 0, session: String = "s") -> RunHistoryEntry {
        let period = "--period \((sequence - 1) / 3),1000"
        return RunHistoryEntry(
            id: "r\(sequence)", sequence: sequence, session: session, job: ["Get Predictions", "Load Ground Truth", "Check Model"][(sequence - 1) % 3],
            jobID: "j", arguments: period, status: status, exitCode: exit, signal: nil, createdAt: "c", runningAt: nil,
            finishedAt: "f", durationSeconds: 0.01, reason: status == "ENGINE_SUCCEEDED" ? nil : "why", log: "log\(sequence)")
    }

    @Test("after 3,000 runs finishing out of order, the verdict names the earliest failure, count and total")
    func manyRuns() {
        var tally = RunTally()
        // The odd runs finish first, in order, then the even ones backwards: the last and earliest are not the last recorded.
        let order = Array(stride(from: 1, through: 2999, by: 2)) + Array(stride(from: 3000, through: 2, by: -2))
        for sequence in order {
            switch sequence {
            case 2000, 1501: tally.add(entry(sequence, status: "ENGINE_FAILED", exit: 3))
            case 2501, 2600: tally.add(entry(sequence, status: "ENGINE_FAILED", exit: 1))
            case 2700: tally.add(entry(sequence, status: "ENGINE_STOPPED", exit: nil))
            default: tally.add(entry(sequence))
            }
        }
        #expect(tally.count == 3000)
        #expect(tally.stopped == 1)
        #expect(tally.last?.sequence == 3000)
        #expect(tally.firstDegradation?.sequence == 1501)
        #expect(tally.firstFailure?.sequence == 2501)
        #expect(tally.periodTotal == 1000)
        let result = PipelineResult.judge(
            runs: tally, session: "s", guardTrip: nil, startFailure: nil, interrupted: false, storeDirectory: "/nowhere")
        #expect(result.exitStatus == 1)
        #expect(result.explanation.hasPrefix("Pipeline FAILED after 3000 runs: run #2501 Load Ground Truth --period 833,1000 ENGINE_FAILED"))
        #expect(result.runCount == 3000 && result.lastRun?.sequence == 3000)
    }

    @Test("a degradation stop alone is exit 3; all succeeded is exit 0")
    func verdicts() {
        var tally = RunTally()
        for sequence in 1...10 { tally.add(entry(sequence)) }
        func judge() -> PipelineResult {
            PipelineResult.judge(runs: tally, session: "s", guardTrip: nil, startFailure: nil, interrupted: false, storeDirectory: "")
        }
        #expect(judge().exitStatus == 0)
        #expect(judge().explanation == "Pipeline completed: 10 runs, all succeeded.")
        tally.add(entry(11, status: "ENGINE_FAILED", exit: 3))
        #expect(judge().exitStatus == 3)
        #expect(judge().explanation.contains("run #11 Load Ground Truth --period 3,1000 exited 3"))
    }

    @Test("the runs of a result are read back from the store's history, this session's only, in order")
    func runsFromTheStore() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tally-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = LauncherStore(root: root)
        try store.prepare()
        try store.appendHistory(entry(1, session: "old"))
        var tally = RunTally()
        for sequence in [3, 1, 2] {
            let run = entry(sequence)
            try store.appendHistory(run)
            tally.add(run)
        }
        let result = PipelineResult.judge(
            runs: tally, session: "s", guardTrip: nil, startFailure: nil, interrupted: false, storeDirectory: root)
        #expect(result.runs().map(\.sequence) == [1, 2, 3])
        #expect(result.runs().allSatisfy { $0.session == "s" })
    }
}
