import Foundation
import PeriodArgs
import Testing
import TestSupport

@testable import MonitorJobs

@Suite("check-model's report refresh: at most once a minute, always at the chain's end")
struct ReportRefreshTests {
    @Test("due when the report is missing or older than the interval, not when it is fresh")
    func due() throws {
        let store = try makeTemporaryDirectory("refresh")
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(ReportRefresh.isDue(store: store))
        let report = store + "/report.html"
        #expect(FileManager.default.createFile(atPath: report, contents: Data("<html>".utf8)))
        let written = try #require(
            (try FileManager.default.attributesOfItem(atPath: report)[.modificationDate] as? Date))
        let at = time_t(written.timeIntervalSince1970)
        #expect(!ReportRefresh.isDue(store: store, now: at))
        #expect(!ReportRefresh.isDue(store: store, now: at + ReportRefresh.interval - 1))
        #expect(ReportRefresh.isDue(store: store, now: at + ReportRefresh.interval))
    }

    @Test("a stop or the trigger of the final C == T run ends the chain; any other trigger does not")
    func chainEnds() throws {
        #expect(StepResult.stop(.success).endsChain)
        #expect(StepResult.stop(.degraded).endsChain)
        #expect(StepResult.trigger(.getPredictions, try Period(current: 10, total: 10)).endsChain)
        #expect(!StepResult.trigger(.getPredictions, try Period(current: 9, total: 10)).endsChain)
        #expect(!StepResult.trigger(.loadGroundTruth, try Period(current: 3, total: 10)).endsChain)
    }
}
