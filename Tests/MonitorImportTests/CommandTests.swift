import Foundation
import MonitorImport
import TestSupport
import Testing

/// `cml-local import` as a user runs it.
@Suite struct CommandTests {
    /// Issue 15 items 8 and 9: the value → period mapping is printed, merged spellings together.
    @Test func printsTheValueToPeriodMapping() throws {
        let dir = try temporaryDirectory()
        _ = try write("prediction,label,period\n1,1,10.0\n1,1,0.0\n1,1,2.0\n1,1,2\n1,1,02\n", dir, "in.csv")
        let result = try runImport(["--input", "in.csv", "--period-column", "period", "--out", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.first?.hasPrefix("Imported 5 prediction rows (5 labeled) into 11 periods") == true, "\(result.stdout)")
        #expect(result.lines.contains("Period values → periods: 0.0 → 0, 2.0 = 2 = 02 → 2, 10.0 → 10"), "\(result.stdout)")
        try expectJobsAccept("\(dir)/out")
    }
}
