import MonitorPolicy
import Testing

/// The job-level settings as `check-model` and `cml-local run` read them.
@Suite struct SettingsTests {
    @Test("flags win over the environment; empty variables and absent ones leave the defaults")
    func sources() throws {
        #expect(try DegradationPolicy(environment: [:]) == DegradationPolicy())
        #expect(try DegradationPolicy(environment: ["MONITOR_MAX_DROP": "", "MONITOR_MIN_LABELED": ""]) == DegradationPolicy())
        let policy = try DegradationPolicy(
            environment: [
                "MONITOR_MIN_ACCURACY": " 0.8 ", "MONITOR_MAX_DROP": "0.1", "MONITOR_SIGNIFICANCE": "0.01",
                "MONITOR_MIN_LABELED": "5", "MONITOR_ON_DEGRADATION": "Continue",
            ],
            flags: [.maxDrop: "0.2"]
        )
        #expect(policy == DegradationPolicy(minAccuracy: 0.8, maxDrop: 0.2, significance: 0.01, minLabeled: 5, action: .continue))
        // A flag's bad value is named by the flag, even when the variable is fine.
        #expect(throws: SettingError(source: "--max-drop", value: "lots", expected: "a number in [0, 1]")) {
            try DegradationPolicy(environment: ["MONITOR_MAX_DROP": "0.1"], flags: [.maxDrop: "lots"])
        }
    }

    static let refused: [(String, String, String)] = [
        ("MONITOR_MAX_DROP", "abc", "Invalid MONITOR_MAX_DROP 'abc': expected a number in [0, 1]"),
        ("MONITOR_MAX_DROP", "inf", "Invalid MONITOR_MAX_DROP 'inf': expected a number in [0, 1]"),
        ("MONITOR_SIGNIFICANCE", "2", "Invalid MONITOR_SIGNIFICANCE '2': expected a number in (0, 1)"),
        ("MONITOR_SIGNIFICANCE", "0", "Invalid MONITOR_SIGNIFICANCE '0': expected a number in (0, 1)"),
        ("MONITOR_MIN_LABELED", "-1", "Invalid MONITOR_MIN_LABELED '-1': expected a whole number >= 0"),
        ("MONITOR_MIN_LABELED", "2.5", "Invalid MONITOR_MIN_LABELED '2.5': expected a whole number >= 0"),
        ("MONITOR_ON_DEGRADATION", "maybe", "Invalid MONITOR_ON_DEGRADATION 'maybe': expected 'stop' or 'continue'"),
        ("MONITOR_MIN_ACCURACY", "nan", "Invalid MONITOR_MIN_ACCURACY 'nan': expected a number in [0, 1]"),
    ]

    @Test("a value the jobs refuse: the jobs' own message", arguments: 0..<refused.count)
    func refusedDegradationSetting(index: Int) {
        let (name, value, message) = Self.refused[index]
        let error = #expect(throws: SettingError.self) { try DegradationPolicy(environment: [name: value]) }
        #expect(error?.description == message)
    }

    @Test("MONITOR_API_TIMEOUT: seconds in (0, 3600], rounded up to the millisecond")
    func apiTimeout() throws {
        #expect(try APITimeout.parse(environment: [:]) == nil)
        #expect(try APITimeout.parse(environment: ["MONITOR_API_TIMEOUT": ""]) == nil)
        #expect(try APITimeout.parse(environment: ["MONITOR_API_TIMEOUT": "0.0005"]) == .milliseconds(1))
        #expect(try APITimeout.parse(environment: ["MONITOR_API_TIMEOUT": "3600"]) == .seconds(3600))
        for text in ["soon", "0", "3601", "inf", "-1"] {
            let error = #expect(throws: SettingError.self) { try APITimeout.parse(environment: ["MONITOR_API_TIMEOUT": text]) }
            #expect(error?.description == "Invalid MONITOR_API_TIMEOUT '\(text)': expected a number of seconds in (0, 3600]")
        }
    }
}
