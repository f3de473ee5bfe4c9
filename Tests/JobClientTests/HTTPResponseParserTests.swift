import JobClient
import Testing
import TestSupport

/// A named input for the parser tables.
struct RawAnswer: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]

    init(_ name: String, _ text: String) {
        self.name = name
        bytes = Array(text.utf8)
    }

    init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    var testDescription: String { name }
}

@Suite("HTTP response parser")
struct HTTPResponseParserTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("Content-Length frames the body; bytes after it are ignored; headers keep their order")
    func contentLength() throws {
        let response = try HTTPResponseParser.parse(
            Self.bytes("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: 7\r\nRetry-After:  3 \r\n\r\n{\"a\":1}junk")
        )
        #expect(response.status == 429)
        #expect(response.body == Self.bytes(#"{"a":1}"#))
        #expect(response.value(forHeader: "retry-after") == "3")
        #expect(response.headers.map(\.name) == ["Content-Type", "Content-Length", "Retry-After"])
    }

    @Test("a chunked body is joined; extensions and trailers are skipped; Transfer-Encoding beats Content-Length")
    func chunked() throws {
        let text =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nContent-Length: 3\r\n\r\n"
            + "4;name=value\r\nWiki\r\n5 \r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n000\r\nX-Trailer: 1\r\n\r\n"
        let response = try HTTPResponseParser.parse(Self.bytes(text))
        #expect(response.status == 200)
        #expect(response.body == Self.bytes("Wikipedia in\r\n\r\nchunks."))
        #expect(response.value(forHeader: "X-Trailer") == nil)
    }

    @Test("without Content-Length or Transfer-Encoding the body runs to the end of the connection")
    func readToClose() throws {
        let response = try HTTPResponseParser.parse(Self.bytes("HTTP/1.0 503 Service Unavailable\r\nServer: x\r\n\r\nbusy, come back"))
        #expect(response.status == 503)
        #expect(response.body == Self.bytes("busy, come back"))
        var parser = HTTPResponseParser()
        #expect(try parser.parse(Self.bytes("HTTP/1.1 200 OK\r\n\r\nbody"), atEOF: false) == nil)  // more may come
    }

    @Test("interim 1xx answers, bare LF line ends, folded values, 204, repeated equal lengths")
    func tolerated() throws {
        let interim = try HTTPResponseParser.parse(
            Self.bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        )
        #expect(interim.status == 201)
        #expect(interim.body == Self.bytes("ok"))
        #expect(interim.value(forHeader: "Link") == nil)

        let bareLF = try HTTPResponseParser.parse(Self.bytes("HTTP/1.1 200 OK\nContent-Length: 2\n\nok"))
        #expect(bareLF.body == Self.bytes("ok"))

        let folded = try HTTPResponseParser.parse(Self.bytes("HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: 0\r\n\r\n"))
        #expect(folded.value(forHeader: "x-long") == "one two")

        let noContent = try HTTPResponseParser.parse(Self.bytes("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"))
        #expect(noContent.status == 204)
        #expect(noContent.body.isEmpty)

        let repeated = try HTTPResponseParser.parse(
            Self.bytes("HTTP/1.1 200\r\nContent-Length: 5, 05\r\nContent-Length: 5\r\n\r\nhello")
        )
        #expect(repeated.status == 200)
        #expect(repeated.body == Self.bytes("hello"))
    }

    static let wellFramed: [RawAnswer] = [
        RawAnswer("length", "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world"),
        RawAnswer("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
        RawAnswer("interim then length", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom"),
        RawAnswer("empty body", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ]

    @Test("byte by byte gives the same answer as all at once, before the connection closes", arguments: wellFramed)
    func incremental(answer: RawAnswer) throws {
        let whole = try HTTPResponseParser.parse(answer.bytes)
        var parser = HTTPResponseParser()
        var buffer: [UInt8] = []
        var result: HTTPTransportResponse?
        for byte in answer.bytes {
            #expect(result == nil, "answered before its last byte")
            buffer.append(byte)
            result = try parser.parse(buffer, atEOF: false)
        }
        #expect(result == whole)
    }

    /// Answers the connection cut off: transport failures, retried like a reset connection.
    static let cutShort: [RawAnswer] = [
        RawAnswer("empty", ""),
        RawAnswer("closed in the status line", "HTTP/1.1 200"),
        RawAnswer("closed in the headers", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"),
        RawAnswer("body shorter than Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
        RawAnswer("closed inside a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"),
        RawAnswer("no last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
        RawAnswer("closed in the trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n"),
    ]

    static let malformed: [RawAnswer] = [
        RawAnswer("negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
        RawAnswer("signed Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"),
        RawAnswer("hex Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n"),
        RawAnswer("empty Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n"),
        RawAnswer("empty item in Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\nhello"),
        RawAnswer("huge Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999999\r\n\r\n"),
        RawAnswer("Content-Length over 16 MiB", "HTTP/1.1 200 OK\r\nContent-Length: 16777217\r\n\r\n"),
        RawAnswer("conflicting Content-Length headers", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        RawAnswer("conflicting Content-Length list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!"),
        RawAnswer("unsupported transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx"),
        RawAnswer("gzip then chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
        RawAnswer("chunked twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        RawAnswer("chunk size not hex", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n"),
        RawAnswer("negative chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n"),
        RawAnswer("empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n"),
        RawAnswer("huge chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n"),
        RawAnswer("chunk size with junk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n"),
        RawAnswer("chunk data longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello world\r\n0\r\n\r\n"),
        RawAnswer("chunk data without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n"),
        RawAnswer("chunk size line over 4 KiB", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "x", count: 5000) + "\r\nx\r\n0\r\n\r\n"),
        RawAnswer("HTTP/2 status line", "HTTP/2 200\r\n\r\n"),
        RawAnswer("HTTP/3.0", "HTTP/3.0 200 OK\r\n\r\n"),
        RawAnswer("lower-case protocol", "http/1.1 200 OK\r\n\r\n"),
        RawAnswer("two-digit status", "HTTP/1.1 20 OK\r\n\r\n"),
        RawAnswer("four-digit status", "HTTP/1.1 2000 OK\r\n\r\n"),
        RawAnswer("status 099", "HTTP/1.1 099 Low\r\n\r\n"),
        RawAnswer("status 600", "HTTP/1.1 600 High\r\n\r\n"),
        RawAnswer("two spaces before the status", "HTTP/1.1  200 OK\r\n\r\n"),
        RawAnswer("no space after the status", "HTTP/1.1 200OK\r\n\r\n"),
        RawAnswer("not HTTP at all", "SSH-2.0-OpenSSH_9.2\r\n\r\n"),
        RawAnswer("empty line first", "\r\nHTTP/1.1 200 OK\r\n\r\n"),
        RawAnswer("header without colon", "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n"),
        RawAnswer("space in a header name", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"),
        RawAnswer("space before the colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok"),
        RawAnswer("empty header name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n"),
        RawAnswer("folded first header", "HTTP/1.1 200 OK\r\n X: y\r\n\r\n"),
        RawAnswer("bare CR in a value", "HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n"),
        RawAnswer("NUL in a value", "HTTP/1.1 200 OK\r\nX: a\u{0}b\r\nContent-Length: 0\r\n\r\n"),
        RawAnswer("101 Switching Protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
        RawAnswer("headers over 64 KiB", "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 70_000) + "\r\n\r\n"),
        RawAnswer("endless interim answers", String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 3000)),
        RawAnswer("trailers over 64 KiB", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + String(repeating: "X-T: 0123456789\r\n", count: 5000) + "\r\n"),
        RawAnswer("body over 16 MiB to the close", bytes: Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: (16 << 20) + 1)),
        RawAnswer(
            "chunked body over 16 MiB",
            bytes: Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800000\r\n".utf8) + [UInt8](repeating: 0x61, count: 8 << 20)
                + Array("\r\n800001\r\n".utf8) + [UInt8](repeating: 0x61, count: (8 << 20) + 1) + Array("\r\n0\r\n\r\n".utf8)
        ),
    ]

    @Test("answers cut short by the connection are transport failures (worth retrying)", arguments: cutShort)
    func cutShortAnswers(answer: RawAnswer) {
        let error = #expect(throws: JobClientError.self) { try HTTPResponseParser.parse(answer.bytes) }
        #expect(error?.kind == .transport)
        #expect(error?.message.contains("closed") == true)
    }

    @Test("malformed or oversized answers are invalid responses", arguments: malformed)
    func invalid(answer: RawAnswer) {
        let error = #expect(throws: JobClientError.self) { try HTTPResponseParser.parse(answer.bytes) }
        #expect(error?.kind == .invalidResponse)
        #expect(error?.message.isEmpty == false)
    }

    @Test("the limits are reported as limits")
    func limitMessages() {
        let large = #expect(throws: JobClientError.self) {
            try HTTPResponseParser.parse(Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: 16777217\r\n\r\n"))
        }
        #expect(large?.message.contains("16 MiB") == true)
        let head = #expect(throws: JobClientError.self) {
            try HTTPResponseParser.parse(Self.bytes("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 70_000) + "\r\n\r\n"))
        }
        #expect(head?.message.contains("64 KiB") == true)
        let short = #expect(throws: JobClientError.self) {
            try HTTPResponseParser.parse(Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
        }
        #expect(short?.message.contains("after 5 of 10 body bytes") == true)
    }

    @Test("random bytes and mutated answers never trap, in one piece or in random pieces")
    func noTrap() {
        var random = SeededGenerator(seed: 0x5EED)
        let seeds = (Self.wellFramed + Self.malformed.filter { $0.bytes.count < 10_000 }).map(\.bytes)
        for round in 0..<4000 {
            var input: [UInt8]
            if round % 4 == 0 {
                input = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                input = seeds[Int(random.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(random.next() % 4)) where !input.isEmpty {
                    let at = Int(random.next() % UInt64(input.count))
                    switch random.next() % 4 {
                    case 0: input[at] = UInt8(truncatingIfNeeded: random.next())
                    case 1: input.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
                    case 2: input.remove(at: at)
                    default: input.removeLast(input.count - at)
                    }
                }
            }
            _ = try? HTTPResponseParser.parse(input)
            var parser = HTTPResponseParser()
            var end = 0
            while end < input.count {
                end = min(input.count, end + 1 + Int(random.next() % 16))
                do {
                    if try parser.parse(Array(input[..<end]), atEOF: end == input.count) != nil { break }
                } catch {
                    break
                }
            }
        }
    }
}

