import Testing
import TestSupport

@testable import MonitorData

@Suite("FieldParsing")
struct FieldParsingTests {
    func parse(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { FieldParsing.parseDouble(UnsafeRawBufferPointer($0)) }
    }

    @Test("the fast and the strtod paths agree with Swift's Double(String)")
    func agreesWithStandardLibrary() {
        var rng = SeededGenerator(seed: 77)
        for _ in 0..<20_000 {
            let intDigits = Int(rng.next() % 4)
            let fracDigits = Int(rng.next() % 22)
            var text = String((0..<intDigits).map { _ in Character(String(rng.next() % 10)) })
            if fracDigits > 0 || intDigits == 0 {
                text += "." + String((0..<max(fracDigits, 1)).map { _ in Character(String(rng.next() % 10)) })
            }
            if rng.next() % 4 == 0 { text += "e-\(rng.next() % 30)" }
            #expect(parse(text) == Double(text), "\(text)")
        }
    }

    @Test("UTF-8 validation", arguments: [
        ([UInt8](), true), (Array("a".utf8), true), (Array("abcdefghijklmnopq".utf8), true),
        (Array("é".utf8), true), (Array("😀".utf8), true), (Array("12345678é".utf8), true),
        ([0x80], false), ([0xC3], false), ([0xC0, 0x80], false), ([0xED, 0xA0, 0x80], false),
        ([0xF4, 0x90, 0x80, 0x80], false), ([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0xFF], false),
        ([0xFF, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68], false),
        ([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xE2, 0x82], false),
    ])
    func utf8(bytes: [UInt8], valid: Bool) {
        var copy = bytes
        let result = copy.withUnsafeMutableBytes { FieldParsing.isValidUTF8(UnsafeRawBufferPointer($0)) }
        #expect(result == valid)
    }
}
