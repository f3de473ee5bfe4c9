import Platform
import Testing

@Suite struct OneLineTests {
    @Test(arguments: [
        ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("bell\u{7} nul\u{0} del\u{7F} esc\u{1B}[31m", "bell\\u{7} nul\\u{0} del\\u{7f} esc\\u{1b}[31m"),
        ("nel\u{85} ls\u{2028} ps\u{2029}", "nel\\u{85} ls\\u{2028} ps\\u{2029}"),
        ("already \\n escaped", "already \\n escaped"),
    ])
    func escapesWhatBreaksALine(text: String, escaped: String) {
        #expect(oneLine(text) == escaped)
        #expect(!oneLine(text).unicodeScalars.contains { $0.properties.generalCategory == .control })
    }
}
