import Foundation
import MonitorData
import Testing
import TestSupport

/// A slow, obviously-correct reading of the CSV dialect ``CSVReader`` accepts:
/// records, or `nil` when the input is invalid.
func referenceCSV(_ input: [UInt8]) -> (header: [String], records: [[String]])? {
    var bytes = input[...]
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    var records: [[[UInt8]]] = []
    var i = bytes.startIndex
    let end = bytes.endIndex
    func isLineEnd(_ b: UInt8) -> Bool { b == 10 || b == 13 }
    func skipLineEnd(_ i: inout Int) {
        if bytes[i] == 13, i + 1 < end, bytes[i + 1] == 10 { i += 2 } else { i += 1 }
    }
    while i < end {
        if isLineEnd(bytes[i]) {  // blank line
            skipLineEnd(&i)
            continue
        }
        var record: [[UInt8]] = []
        var recordDone = false
        while !recordDone {
            var field: [UInt8] = []
            if i < end && bytes[i] == 34 {
                i += 1
                while true {
                    guard i < end else { return nil }  // unterminated
                    let b = bytes[i]
                    if b == 0 { return nil }
                    if b == 34 {
                        if i + 1 < end && bytes[i + 1] == 34 {
                            field.append(34)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    field.append(b)
                    i += 1
                }
                record.append(field)
                if i == end { recordDone = true } else if bytes[i] == 44 { i += 1 } else if isLineEnd(bytes[i]) {
                    skipLineEnd(&i)
                    recordDone = true
                } else {
                    return nil
                }
            } else {
                while i < end && bytes[i] != 44 && !isLineEnd(bytes[i]) {
                    if bytes[i] == 34 || bytes[i] == 0 { return nil }
                    field.append(bytes[i])
                    i += 1
                }
                record.append(field)
                if i == end { recordDone = true } else if bytes[i] == 44 { i += 1 } else {
                    skipLineEnd(&i)
                    recordDone = true
                }
            }
        }
        records.append(record)
    }
    guard let headerBytes = records.first else { return nil }
    var header: [String] = []
    for name in headerBytes {
        guard let text = String(validating: name, as: UTF8.self), !header.contains(text) else { return nil }
        header.append(text)
    }
    let rows = records.dropFirst()
    if rows.contains(where: { $0.count != header.count }) { return nil }
    return (header, rows.map { $0.map { String(decoding: $0, as: UTF8.self) } })
}

@Suite("CSVReader against a reference reading")
struct CSVFuzzTests {
    @Test("random inputs from a hostile alphabet")
    func random() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let alphabet: [UInt8] = Array("ab,,\"\"\n\r ".utf8) + [0, 0xC3, 0xA9]
        var rng = SeededGenerator(seed: 4242)
        var valid = 0
        for round in 0..<400 {
            var input: [UInt8]
            if round % 2 == 0 {
                let length = Int(rng.next() % 40)
                input = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            } else {
                // Mostly well-formed records, sometimes damaged by one byte.
                let pieces = ["", "a", "b c", "\"x\"", "\"a,b\"", "\"q\"\"q\"", "\"l\nm\"", "é", "\"\"", "\"\r\n\""]
                let terminators = ["\n", "\r\n", "\r", "\n\n"]
                let columns = Int(rng.next() % 3) + 1
                var text = (0..<columns).map { "h\($0)" }.joined(separator: ",") + "\n"
                for _ in 0..<Int(rng.next() % 5) {
                    text += (0..<columns).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }
                        .joined(separator: ",")
                    text += terminators[Int(rng.next() % UInt64(terminators.count))]
                }
                input = Array(text.utf8)
                if rng.next() % 3 == 0 && !input.isEmpty {
                    input[Int(rng.next() % UInt64(input.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                }
            }
            if round % 5 == 0 { input = [0xEF, 0xBB, 0xBF] + input }
            let expected = referenceCSV(input)
            do {
                let parsed = try parseCSV(dir, input)
                let got = (parsed.header, parsed.records)
                #expect(expected != nil, "accepted invalid input \(input)")
                if let expected {
                    #expect(got.0 == expected.header && got.1 == expected.records, "input \(input)")
                }
                valid += 1
            } catch {
                #expect(expected == nil, "rejected valid input \(input): \(error)")
                #expect(error.kind == .csv)
            }
        }
        #expect(valid > 100)  // a fair share of the inputs are valid
    }
}
