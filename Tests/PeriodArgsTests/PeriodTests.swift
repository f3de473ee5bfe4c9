import ArgumentParser
import PeriodArgs
import Testing

@Suite struct PeriodParsingTests {
    @Test(arguments: [
        ("0,10", 0, 10), ("5,19", 5, 19), ("19,19", 19, 19), ("20,20", 20, 20), ("0,1", 0, 1), ("1,1", 1, 1),
        (" 3 , 10 ", 3, 10), ("3 ,10", 3, 10), ("\t3,\t10", 3, 10), ("007,010", 7, 10),
        ("9223372036854775806,9223372036854775807", 9_223_372_036_854_775_806, 9_223_372_036_854_775_807),
    ])
    func valid(text: String, current: Int, total: Int) throws {
        let period = try Period(parsing: text)
        #expect(period.current == current)
        #expect(period.total == total)
    }

    @Test(arguments: [
        "", " ", ",", "3", "3,", ",10", "3,10,12", "3,,10", "-1,10", "+1,10", "1,-10", "1,+10", "a,10", "1,b",
        "1.0,10", "1,10.0", "0x1,10", "11,10", "0,0", "1,0", "3;10", "3 10", "3،10", "１,10", "1 1,10",
        "9223372036854775808,9223372036854775809", "0,99999999999999999999", "1e3,10", "3,10\n",
    ])
    func invalid(text: String) {
        let error = #expect(throws: PeriodError.self) { try Period(parsing: text) }
        #expect(error?.received == text)
        #expect(error?.description.hasPrefix(
            "ERROR: Invalid parameter format. Expected 'current_period,total_periods'") == true)
        #expect(error?.description.contains("Example: --period 0,10") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func formatRoundTrips() throws {
        let period = try Period(current: 3, total: 10)
        #expect(period.argument == "3,10")
        #expect(period.commandLineArguments == "--period 3,10")
        #expect(try Period(parsing: period.argument) == period)
        #expect(period.description == "3,10")
    }

    @Test func nextAndFinished() throws {
        let last = try Period(current: 9, total: 10)
        #expect(last.isLast)
        #expect(!last.isFinished)
        let done = try #require(last.next)
        #expect(done == (try Period(current: 10, total: 10)))
        #expect(done.isFinished)
        #expect(done.next == nil)
        #expect(try Period.first(of: 4) == (try Period(current: 0, total: 4)))
    }

    @Test(arguments: [(-1, 10), (11, 10), (0, 0), (0, -1)])
    func outOfRange(current: Int, total: Int) {
        #expect(throws: PeriodError.self) { try Period(current: current, total: total) }
    }

    @Test func walksAllPeriodsInOrder() throws {
        var period = try Period.first(of: 5)
        var seen: [Int] = []
        while !period.isFinished {
            seen.append(period.current)
            period = try #require(period.next)
        }
        #expect(seen == [0, 1, 2, 3, 4])
    }
}

@Suite struct PeriodOptionTests {
    @Test func absent() throws {
        let option = try PeriodOption.parse([])
        #expect(try option.resolve() == nil)
    }

    @Test func given() throws {
        let option = try PeriodOption.parse(["--period", "2,5"])
        #expect(try option.resolve() == (try Period(current: 2, total: 5)))
        let equals = try PeriodOption.parse(["--period=2,5"])
        #expect(try equals.resolve() == (try Period(current: 2, total: 5)))
    }

    @Test func repeatedSameValueIsAccepted() throws {
        let option = try PeriodOption.parse(["--period", "2,5", "--period", " 2 , 5"])
        #expect(try option.resolve() == (try Period(current: 2, total: 5)))
    }

    @Test func repeatedDifferentValuesAreRejected() throws {
        let option = try PeriodOption.parse(["--period", "2,5", "--period", "3,5"])
        let error = #expect(throws: PeriodError.self) { try option.resolve() }
        #expect(error?.description.contains("more than once") == true)
    }

    @Test func invalidValueIsRejectedAtResolve() throws {
        let option = try PeriodOption.parse(["--period", "5,3"])
        #expect(throws: PeriodError.self) { try option.resolve() }
    }

    @Test func messages() throws {
        let period = try Period(current: 0, total: 10)
        #expect(PeriodMessages.parameterProvided(period) == "Parameter provided: period 0 of 10")
        #expect(PeriodMessages.noParameter == "No parameter provided: defaulting to period 0")
        let done = try Period(current: 10, total: 10)
        #expect(PeriodMessages.allCompleted(done) == "All periods completed! (Period 10 = Total 10)")
    }

    @Test func theChainOfJobsAndItsRunCount() {
        #expect(PipelineJob.allCases.map(\.name) == ["Get Predictions", "Load Ground Truth", "Check Model"])
        #expect(PipelineJob.allCases.map(\.next) == [.loadGroundTruth, .checkModel, .getPredictions])
        #expect(PipelineJob.runCount(from: 0, total: 10) == 31)
        #expect(PipelineJob.runCount(from: 3, total: 10) == 22)
        #expect(PipelineJob.runCount(from: 10, total: 10) == 1)
    }
}
