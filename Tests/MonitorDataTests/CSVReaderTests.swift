import Foundation
import MonitorData
import Testing
import TestSupport

/// A parsed CSV file: header, records and the line each record starts on.
struct ParsedCSV: Equatable {
    var header: [String]
    var records: [[String]]
    var lines: [Int]
}

func parseCSV(_ dir: TempDir, _ bytes: [UInt8], maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) throws(DataError)
    -> ParsedCSV
{
    let path: String
    do {
        path = try dir.writeGzip("file-\(UUID().uuidString).csv.gz", bytes)
    } catch {
        fatalError("cannot write fixture: \(error)")
    }
    let reader = try CSVReader(path: path, maxRecordBytes: maxRecordBytes)
    var parsed = ParsedCSV(header: reader.header, records: [], lines: [])
    while try reader.next() {
        parsed.records.append((0..<reader.fieldCount).map { reader.field($0).string })
        parsed.lines.append(reader.line)
    }
    return parsed
}

func parseCSV(_ dir: TempDir, _ text: String, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) throws(DataError)
    -> ParsedCSV
{
    try parseCSV(dir, Array(text.utf8), maxRecordBytes: maxRecordBytes)
}

@Suite("CSVReader")
struct CSVReaderTests {
    struct Valid: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        var header: [String]
        var records: [[String]]
        var lines: [Int]
        var testDescription: String { name }
    }

    static let valid: [Valid] = [
        Valid(name: "plain LF", text: "a,b\n1,2\n3,4\n", header: ["a", "b"], records: [["1", "2"], ["3", "4"]], lines: [2, 3]),
        Valid(name: "CRLF", text: "a,b\r\n1,2\r\n3,4\r\n", header: ["a", "b"], records: [["1", "2"], ["3", "4"]], lines: [2, 3]),
        Valid(name: "bare CR", text: "a,b\r1,2\r3,4", header: ["a", "b"], records: [["1", "2"], ["3", "4"]], lines: [2, 3]),
        Valid(name: "no trailing newline", text: "a,b\n1,2\n3,4", header: ["a", "b"], records: [["1", "2"], ["3", "4"]], lines: [2, 3]),
        Valid(name: "header only", text: "a,b\n", header: ["a", "b"], records: [], lines: []),
        Valid(name: "header only, no newline", text: "a,b", header: ["a", "b"], records: [], lines: []),
        Valid(name: "BOM stripped", text: "\u{FEFF}id,label\nx,1\n", header: ["id", "label"], records: [["x", "1"]], lines: [2]),
        Valid(name: "empty fields", text: "a,b,c\n,,\n1,,3\n,2,\n", header: ["a", "b", "c"],
              records: [["", "", ""], ["1", "", "3"], ["", "2", ""]], lines: [2, 3, 4]),
        Valid(name: "quoted fields", text: "a,b\n\"x\",\"\"\n\"1,2\",\"say \"\"hi\"\"\"\n", header: ["a", "b"],
              records: [["x", ""], ["1,2", "say \"hi\""]], lines: [2, 3]),
        Valid(name: "embedded newlines count lines", text: "a,b\n\"line1\nline2\",x\n\"p\r\nq\",y\nlast,z\n",
              header: ["a", "b"], records: [["line1\nline2", "x"], ["p\r\nq", "y"], ["last", "z"]], lines: [2, 4, 6]),
        Valid(name: "quoted at end of file without newline", text: "a,b\n1,\"2\"", header: ["a", "b"], records: [["1", "2"]], lines: [2]),
        Valid(name: "only quotes", text: "a\n\"\"\"\"\n", header: ["a"], records: [["\""]], lines: [2]),
        Valid(name: "blank lines skipped", text: "a,b\n\n1,2\n\r\n\n3,4\n\n\n", header: ["a", "b"],
              records: [["1", "2"], ["3", "4"]], lines: [3, 6]),
        Valid(name: "blank lines before the header", text: "\n\na,b\n1,2\n", header: ["a", "b"], records: [["1", "2"]], lines: [4]),
        Valid(name: "UTF-8 content", text: "名前,b\nçé,\"ü\"\n", header: ["名前", "b"], records: [["çé", "ü"]], lines: [2]),
        Valid(name: "quoted header", text: "\"a,1\",\"b\"\"\"\n1,2\n", header: ["a,1", "b\""], records: [["1", "2"]], lines: [2]),
        Valid(name: "spaces kept", text: "a,b\n 1 , 2\n", header: ["a", "b"], records: [[" 1 ", " 2"]], lines: [2]),
        Valid(name: "punctuation below the comma", text: "a,b\n !#$%&'()*+ -./ x-y,\t- -\u{1}\n", header: ["a", "b"],
              records: [[" !#$%&'()*+ -./ x-y", "\t- -\u{1}"]], lines: [2]),
    ]

    @Test("valid CSV", arguments: valid)
    func validCSV(_ example: Valid) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let parsed = try parseCSV(dir, example.text)
        #expect(parsed == ParsedCSV(header: example.header, records: example.records, lines: example.lines))
    }

    struct Invalid: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var line: Int
        var message: String
        var maxRecordBytes = CSVReader.defaultMaxRecordBytes
        var testDescription: String { name }

        init(_ name: String, _ text: String, line: Int, _ message: String, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) {
            self.init(name, Array(text.utf8), line: line, message, maxRecordBytes: maxRecordBytes)
        }

        init(_ name: String, _ bytes: [UInt8], line: Int, _ message: String, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) {
            self.name = name
            self.bytes = bytes
            self.line = line
            self.message = message
            self.maxRecordBytes = maxRecordBytes
        }
    }

    static let invalid: [Invalid] = [
        Invalid("too few fields", "a,b,c\n1,2,3\n1,2\n", line: 3, "expected 3"),
        Invalid("too many fields", "a,b\n1,2\n\n1,2,3\n", line: 4, "expected 2 (as in the header), found 3"),
        Invalid("far too many fields", "a,b\n1,2\n\(String(repeating: "x,", count: 100))\n", line: 3, "expected 2"),
        Invalid("unterminated quote", "a,b\n1,2\n\"open,3\n4,5\n", line: 3, "unterminated"),
        Invalid("unterminated quote in header", "\"a,b\n", line: 1, "unterminated"),
        Invalid("quote inside unquoted field", "a,b\n1,2\nab\"c,3\n", line: 3, "quote"),
        Invalid("garbage after closing quote", "a,b\n\"x\"y,2\n", line: 2, "after the closing quote"),
        Invalid("NUL byte", [UInt8]("a,b\n1,2\n3,".utf8) + [0] + [UInt8]("4\n".utf8), line: 3, "NUL"),
        Invalid("NUL byte in a quoted field", [UInt8]("a,b\n1,\"2".utf8) + [0] + [UInt8]("\"\n".utf8), line: 2, "NUL"),
        Invalid("field larger than the limit", "a,b\n1,\(String(repeating: "x", count: 100))\n", line: 2, "limit", maxRecordBytes: 64),
        Invalid("quoted field larger than the limit", "a,b\n1,\"\(String(repeating: "x\"\"", count: 50))\"\n", line: 2, "limit", maxRecordBytes: 64),
        Invalid("invalid UTF-8 header", [UInt8]("id,".utf8) + [0xff, 0xfe] + [UInt8]("\n1,2\n".utf8), line: 1, "UTF-8"),
        Invalid("duplicate header names", "id,label,id\n1,2,3\n", line: 1, "duplicate column name \"id\""),
        Invalid("empty file", "", line: 1, "no header"),
        Invalid("only blank lines", "\n\r\n\n", line: 1, "no header"),
    ]

    @Test("invalid CSV", arguments: invalid)
    func invalidCSV(_ example: Invalid) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let error = dataError { _ = try parseCSV(dir, example.bytes, maxRecordBytes: example.maxRecordBytes) }
        #expect(error?.kind == .csv)
        #expect(error?.line == example.line)
        #expect(error?.message.contains(example.message) == true, "\(String(describing: error))")
        #expect(error?.file.hasSuffix(".csv.gz") == true)
        #expect(error?.description.contains(".csv.gz:\(example.line): ") == true)
    }

    @Test("an unquoted field over the default 1 MiB limit is an error, not unbounded memory")
    func defaultLimit() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let big = "a,b\n1,\(String(repeating: "y", count: 1_100_000))\n"
        let error = dataError { _ = try parseCSV(dir, big) }
        #expect(error?.kind == .csv)
        #expect(error?.line == 2)
        // Just under the limit is fine.
        let fine = "a,b\n1,\(String(repeating: "y", count: 1_000_000))\n"
        #expect(try parseCSV(dir, fine).records[0][1].count == 1_000_000)
    }

    @Test("header lookup by name")
    func headerLookup() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("h.csv.gz", "\u{FEFF}score,id,extra,prediction\n0.5,a,,1\n")
        let reader = try CSVReader(path: path)
        #expect(reader.header == ["score", "id", "extra", "prediction"])
        #expect(reader.column(named: "id") == 1)
        #expect(reader.column(named: "prediction") == 3)
        #expect(reader.column(named: "score") == 0)
        #expect(reader.column(named: "label") == nil)
        #expect(reader.column(named: "ID") == nil)
        #expect(reader.line == 1)
        #expect(try reader.next())
        #expect(reader.field(1).string == "a")
        #expect(reader.field(2).count == 0)
        #expect(try !reader.next())
        #expect(try !reader.next())
    }

    /// Encodes `fields` as an RFC 4180 record, quoting when needed (and sometimes when not).
    static func encode(_ fields: [String], crlf: Bool, rng: inout SeededGenerator) -> String {
        let quoted = fields.map { field -> String in
            let needs = field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || field.isEmpty
            if needs || rng.next() % 7 == 0 {
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return field
        }
        return quoted.joined(separator: ",") + (crlf ? "\r\n" : "\n")
    }

    @Test("records across many buffer refills round-trip", arguments: [false, true])
    func roundTripAcrossRefills(crlf: Bool) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededGenerator(seed: crlf ? 11 : 12)
        let pieces = [
            "a", "bc", "x,y", "say \"hi\"", "two\nlines", "", "1234567890", "é", "\"", ",", "long-" + String(repeating: "z", count: 300),
            " - + ( ) ! # -- ", "2024-01-01T00:00:00Z", "0.1234", "p0003-000123",
        ]
        var text = "c0,c1,c2,c3\n"
        var expected: [[String]] = []
        var lines: [Int] = []
        var line = 2
        for _ in 0..<40_000 {
            let record = (0..<4).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }
            expected.append(record)
            lines.append(line)
            line += 1 + record.reduce(0) { $0 + $1.filter { $0 == "\n" }.count }
            text += Self.encode(record, crlf: crlf, rng: &rng)
        }
        let parsed = try parseCSV(dir, text)
        #expect(parsed.records.count == expected.count)
        #expect(parsed.records == expected)
        #expect(parsed.lines == lines)
    }
}
