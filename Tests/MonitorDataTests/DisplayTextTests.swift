import MonitorData
import Testing

@Suite struct DisplayTextTests {
    @Test("values in messages stay on one line: control characters escaped, invalid UTF-8 repaired, long values cut")
    func displayText() {
        #expect(DataError.displayText("a\nb\r\tc\u{0}d\u{7F}e\u{2028}") == #"a\nb\r\tc\u{0}d\u{7f}e\u{2028}"#)
        #expect(DataError.displayText("plain, \"quoted\" é") == "plain, \"quoted\" é")
        let bytes: [UInt8] = [0x61, 0xFF, 0x0A] + Array(repeating: 0x78, count: 100)
        let text = bytes.withUnsafeBytes { DataError.displayText($0, limit: 10) }
        #expect(text == "a\u{FFFD}\\nxxxxxxx…")
        #expect(!text.contains("\n"))
    }
}
