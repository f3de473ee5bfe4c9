import Testing

@testable import Launcher

@Suite struct SparklineTests {
    @Test func scalesFromLowestToHighest() {
        #expect(PeriodSummary.sparkline([0.5, 0.75, 1.0]) == "▁▅█")
    }

    @Test func naAndUncheckedPeriods() {
        #expect(PeriodSummary.sparkline([0.9, .some(nil), nil, 0.8]) == "█· ▁")
        #expect(PeriodSummary.sparkline([0.9, 0.9]) == "▄▄")
        #expect(PeriodSummary.sparkline([]) == "")
    }

    @Test func coloursOnlyWhenAsked() {
        let plain = PeriodSummary.sparkline([0.9, 0.5], degraded: [false, true])
        #expect(!plain.contains("\u{1B}"))
        let coloured = PeriodSummary.sparkline([0.9, 0.5], degraded: [false, true], color: true)
        #expect(coloured == "\u{1B}[32m█\u{1B}[0m\u{1B}[31m▁\u{1B}[0m")
    }
}
