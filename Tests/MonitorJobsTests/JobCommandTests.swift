import ArgumentParser
import MonitorPolicy
import PeriodArgs
import Testing

@testable import MonitorJobs

@Suite("The jobs' command lines: ArgumentParser alone")
struct JobCommandTests {
    @Test("the word after --period is its value, even when it starts with '-'")
    func periodValues() throws {
        let command = try GetPredictionsCommand.parse(["--period", "-1,2", "--data", "d", "--period=3,10"])
        #expect(command.period.period == ["-1,2", "3,10"])
        #expect(command.location.data == "d" && command.location.store == nil)
        #expect(throws: PeriodError.self) { try command.period.resolve() }
    }

    @Test(
        "a refused command line: a bad --period in the contract's words first, else ArgumentParser's message",
        arguments: [
            (["--period"], "received ''"), (["--period", "--data", "d"], "received '--data'"),
            (["--bogus", "--period", "x,1"], "received 'x,1'"), (["--period", "1,2", "--period"], "received ''"),
        ]
    )
    func periodFirst(arguments: [String], received: String) {
        let error = #expect(throws: (any Error).self) { try CheckModelCommand.parse(arguments) }
        let line = error.map { CheckModelCommand.usageError($0, arguments: arguments) } ?? ""
        #expect(line.hasPrefix("ERROR: Invalid parameter format. Expected 'current_period,total_periods'"), "\(line)")
        #expect(line.contains(received), "\(line)")
    }

    @Test("a refused command line with a good --period: ArgumentParser's message")
    func otherUsageErrors() {
        for arguments in [["--period", "1,2", "--bogus"], ["--max-drop"], ["--period", "1,2", "stray"]] {
            let error = #expect(throws: (any Error).self) { try CheckModelCommand.parse(arguments) }
            let line = error.map { CheckModelCommand.usageError($0, arguments: arguments) } ?? ""
            #expect(line.hasPrefix("ERROR: ") && line.hasSuffix(" (see --help)"), "\(arguments): \(line)")
            #expect(!line.contains("Invalid parameter format"), "\(arguments): \(line)")
        }
        // `next` is a good --period for get-predictions: the typo is what is named.
        let arguments = ["--period", "next", "--stor", "/tmp/s"]
        let error = #expect(throws: (any Error).self) { try GetPredictionsCommand.parse(arguments) }
        let line = error.map { GetPredictionsCommand.usageError($0, arguments: arguments) } ?? ""
        #expect(line.contains("--stor") && line.hasSuffix(" (see --help)"), "\(line)")
    }

    @Test("every degradation setting is a check-model flag whose value reaches the policy, named by the flag")
    func degradationFlags() throws {
        for setting in DegradationPolicy.Setting.allCases {
            let command = try CheckModelCommand.parse(["--period", "0,1", setting.flag, "bad"])
            let error = #expect(throws: JobFailure.self) { try command.degradation.resolve(environment: [:]) }
            #expect(error?.message.hasPrefix("Invalid \(setting.flag) 'bad'") == true, "\(setting.flag)")
            #expect(CheckModelCommand.helpMessage(columns: 1000).contains("env: \(setting.variable)"), "\(setting.variable)")
        }
    }

    @Test("a job-level setting: the flag, else a non-empty variable, else nil")
    func jobSetting() {
        let environment = ["MONITOR_DATA_DIR": "from-env", "EMPTY": ""]
        #expect(JobSetting(flag: "--data", "flag", variable: "MONITOR_DATA_DIR", environment: environment)?.source == "--data")
        #expect(JobSetting(flag: "--data", nil, variable: "MONITOR_DATA_DIR", environment: environment)?.text == "from-env")
        #expect(JobSetting(flag: "--data", nil, variable: "EMPTY", environment: environment) == nil)
        #expect(JobContext(environment: environment).resolvedDataDirectory == "from-env")
        #expect(JobContext(dataDirectory: "d", environment: environment).resolvedDataDirectory == "d")
        #expect(JobContext(environment: [:]).resolvedDataDirectory == "data/sample")
        #expect(JobContext(environment: ["MONITOR_STORE_DIR": ""]).resolvedStoreDirectory == nil)
    }
}
