import MonitorJobs
import PeriodArgs
import Testing

@Suite("Plain job command lines read without ArgumentParser")
struct CommonArgumentsTests {
    @Test func plainLines() throws {
        let common = try #require(
            CommonArguments(["--period", "3,10", "--data", "d", "--store", "s", "--period", " 3 , 10 "], names: CommonArguments.locationNames)
        )
        #expect(common.period.period == ["3,10", " 3 , 10 "])
        #expect(common.location.data == "d")
        #expect(common.location.store == "s")
        let none = try #require(CommonArguments([], names: CommonArguments.locationNames))
        #expect(none.period.period == [])
        #expect(none.location.data == nil)
        let check = try #require(
            CommonArguments(["--max-drop", "0.1", "--on-degradation", "continue"], names: CommonArguments.degradationNames)
        )
        #expect(check.degradation.maxDrop == "0.1")
        #expect(check.degradation.onDegradation == "continue")
        #expect(check.degradation.minAccuracy == nil)
    }

    /// Everything else is left to ArgumentParser.
    @Test(arguments: [
        ["--help"], ["-h"], ["--period"], ["--period=3,10"], ["--period", "-1,3"], ["--period", ""],
        ["--data", "a", "--data", "b"], ["--unknown", "x"], ["--period", "1,2", "extra"], ["--max-drop", "0.1"],
        ["--period", "--help"],
    ])
    func otherLines(arguments: [String]) {
        #expect(CommonArguments(arguments, names: CommonArguments.locationNames) == nil)
    }
}
