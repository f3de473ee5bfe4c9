/// Reads one HTTP/1.x answer from the bytes a connection has delivered.
///
/// Pass the same growing buffer after every read (bytes are only ever
/// appended to it): ``parse(_:atEOF:)`` returns the answer once it is
/// complete and `nil` while it needs more bytes. The parser remembers how
/// far it got, so each call costs in proportion to the new bytes.
///
/// The body is framed by `Transfer-Encoding: chunked`, else `Content-Length`,
/// else the end of the connection; 1xx interim answers are skipped. Anything
/// else — a malformed status line or header, a negative, huge or conflicting
/// `Content-Length`, a bad chunk size, headers over 64 KiB, a body over
/// 16 MiB, a connection closed early — is a ``JobClientError`` of kind
/// `.invalidResponse`; no byte sequence makes it trap.
package struct HTTPResponseParser {
    /// Largest status line plus header section accepted (all interim answers included).
    package static let maxHeadBytes = 64 * 1024
    /// Largest body accepted, after removing the chunked framing.
    package static let maxBodyBytes = 16 * 1024 * 1024
    /// Largest chunk-size line (with extensions) accepted.
    static let maxChunkLineBytes = 4096

    private enum Framing: Equatable {
        case empty
        case length(Int)
        case chunked
        case untilClose
    }

    private enum ChunkPhase {
        case size
        case data(Int)
        case dataEnd
        case trailers(start: Int)
    }

    // Head scanning: where the current answer's head starts, the start of the
    // line being read, how far LFs have been looked for, the lines so far.
    private var headStart = 0
    private var lineStart = 0
    private var scanned = 0
    private var lines: [Range<Int>] = []

    // Once the head is read: status, headers, framing, and where the body goes on.
    private var status = 0
    private var headers: [HTTPHeader] = []
    private var framing: Framing?
    private var position = 0
    private var chunkPhase = ChunkPhase.size
    private var chunkedBody: [UInt8] = []

    package init() {}

    /// Parses a whole answer, the connection being closed after `bytes`.
    ///
    /// - Throws: ``JobClientError`` `.invalidResponse` when `bytes` are not one complete, acceptable answer.
    package static func parse(_ bytes: [UInt8]) throws(JobClientError) -> HTTPTransportResponse {
        var parser = HTTPResponseParser()
        guard let response = try parser.parse(bytes, atEOF: true) else {
            throw invalid("incomplete answer")  // not reached: at EOF the parser answers or throws
        }
        return response
    }

    /// The answer in `buffer` once complete; `nil` while more bytes are needed.
    ///
    /// - Parameters:
    ///   - buffer: every byte received so far; later calls must pass the same bytes and more.
    ///   - atEOF: the connection is closed: `buffer` is all there will be.
    /// - Throws: ``JobClientError`` `.invalidResponse`.
    package mutating func parse(_ buffer: [UInt8], atEOF: Bool) throws(JobClientError) -> HTTPTransportResponse? {
        if let response = try advance(buffer, atEOF: atEOF) { return response }
        guard atEOF else { return nil }
        // An answer cut off by the connection is a transport failure (worth retrying), not a malformed one.
        switch framing {
        case nil:
            throw Self.cutOff(
                buffer.isEmpty
                    ? "the connection closed without an answer"
                    : "the connection closed before the end of the headers (after \(buffer.count) bytes)"
            )
        case .length(let length)?:
            throw Self.cutOff("the connection closed after \(buffer.count - position) of \(length) body bytes")
        default:
            throw Self.cutOff("the connection closed in the middle of the chunked body")
        }
    }

    private mutating func advance(_ buffer: [UInt8], atEOF: Bool) throws(JobClientError) -> HTTPTransportResponse? {
        if framing == nil {
            guard try scanHead(buffer) else { return nil }
        }
        switch framing {
        case .empty?, nil:
            return HTTPTransportResponse(status: status, headers: headers)
        case .length(let length)?:
            guard buffer.count - position >= length else { return nil }
            return HTTPTransportResponse(status: status, headers: headers, body: Array(buffer[position..<position + length]))
        case .untilClose?:
            guard buffer.count - position <= Self.maxBodyBytes else {
                throw Self.invalid("body larger than the \(Self.maxBodyBytes >> 20) MiB limit")
            }
            guard atEOF else { return nil }
            return HTTPTransportResponse(status: status, headers: headers, body: Array(buffer[position...]))
        case .chunked?:
            return try advanceChunks(buffer)
        }
    }

    // MARK: Head

    /// Reads lines up to the empty line that ends a head; parses it; skips
    /// interim (1xx) answers. `true` once the final head is read.
    private mutating func scanHead(_ buffer: [UInt8]) throws(JobClientError) -> Bool {
        let end = min(buffer.count, Self.maxHeadBytes)
        while scanned < end {
            guard let lf = buffer[scanned..<end].firstIndex(of: .lf) else {
                scanned = end
                break
            }
            scanned = lf + 1
            var lineEnd = lf
            if lineEnd > lineStart, buffer[lineEnd - 1] == .cr { lineEnd -= 1 }
            let line = lineStart..<lineEnd
            lineStart = lf + 1
            guard line.isEmpty else {
                lines.append(line)
                continue
            }
            guard !lines.isEmpty else { throw Self.invalid("an empty line where the status line should be") }
            try parseHead(buffer)
            if (100..<200).contains(status) {  // interim answer (100 Continue, 103 Early Hints): the real one follows
                lines = []
                headers = []
                headStart = lineStart
                continue
            }
            framing = try Self.framing(status: status, headers: headers)
            position = lineStart
            return true
        }
        if buffer.count >= Self.maxHeadBytes {
            throw Self.invalid("headers larger than the \(Self.maxHeadBytes >> 10) KiB limit")
        }
        return false
    }

    private mutating func parseHead(_ buffer: [UInt8]) throws(JobClientError) {
        status = try Self.statusCode(buffer[lines[0]])
        if status == 101 { throw Self.invalid("unexpected 101 Switching Protocols") }
        headers = []
        for range in lines.dropFirst() {
            let line = buffer[range]
            if let bad = line.first(where: { ($0 < 0x20 && $0 != .tab) || $0 == 0x7F }) {
                throw Self.invalid("control byte 0x\(String(bad, radix: 16)) in a header line")
            }
            if line.first == .space || line.first == .tab {
                // obs-fold: a continuation of the previous value (RFC 9112 §5.2 says replace it with a space).
                guard !headers.isEmpty else { throw Self.invalid("a folded line before the first header") }
                let more = Self.text(Self.trimmed(line))
                headers[headers.count - 1].value += headers[headers.count - 1].value.isEmpty ? more : " " + more
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw Self.invalid("header line without a colon: '\(Self.excerpt(line))'")
            }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(HTTPSyntax.isTokenByte) else {
                throw Self.invalid("invalid header name '\(Self.excerpt(name))'")
            }
            headers.append(HTTPHeader(Self.text(name), Self.text(Self.trimmed(line[(colon + 1)...]))))
        }
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]`.
    private static func statusCode(_ line: ArraySlice<UInt8>) throws(JobClientError) -> Int {
        let bytes = Array(line)
        let prefix = Array("HTTP/".utf8)
        guard bytes.count >= 12, bytes.starts(with: prefix), bytes[6] == UInt8(ascii: "."),
            bytes[5].isDigit, bytes[7].isDigit, bytes[8] == .space,
            bytes[9].isDigit, bytes[10].isDigit, bytes[11].isDigit,
            bytes.count == 12 || bytes[12] == .space
        else {
            throw invalid("malformed status line '\(excerpt(line))'")
        }
        guard bytes[5] == UInt8(ascii: "1") else { throw invalid("unsupported HTTP version in '\(excerpt(line))'") }
        let code = Int(bytes[9] - 0x30) * 100 + Int(bytes[10] - 0x30) * 10 + Int(bytes[11] - 0x30)
        guard (100...599).contains(code) else { throw invalid("status code \(code) out of range") }
        return code
    }

    private static func framing(status: Int, headers: [HTTPHeader]) throws(JobClientError) -> Framing {
        if status == 204 || status == 304 { return .empty }
        let transferEncodings = headers.filter { $0.name.caseInsensitiveEquals("Transfer-Encoding") }.map(\.value)
        if !transferEncodings.isEmpty {
            // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3); only chunked is understood.
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }
                .map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
            guard codings == ["chunked"] else {
                throw invalid("unsupported Transfer-Encoding '\(excerpt(transferEncodings.joined(separator: ", ")))'")
            }
            return .chunked
        }
        let lengths = headers.filter { $0.name.caseInsensitiveEquals("Content-Length") }
            .flatMap { $0.value.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingSpaces() }
        guard !lengths.isEmpty else { return .untilClose }
        var length: Int?
        for text in lengths {
            guard !text.isEmpty, text.utf8.allSatisfy(\.isDigit) else {
                throw invalid("invalid Content-Length '\(excerpt(text))'")
            }
            let digits = text.drop { $0 == "0" }
            guard digits.count <= 9, let value = Int(digits.isEmpty ? "0" : digits), value <= maxBodyBytes else {
                throw invalid("Content-Length \(excerpt(text)) larger than the \(maxBodyBytes >> 20) MiB limit")
            }
            guard length == nil || length == value else {
                throw invalid("conflicting Content-Length values \(excerpt(lengths.joined(separator: ", ")))")
            }
            length = value
        }
        return .length(length ?? 0)
    }

    // MARK: Chunked body

    private mutating func advanceChunks(_ buffer: [UInt8]) throws(JobClientError) -> HTTPTransportResponse? {
        while true {
            switch chunkPhase {
            case .size:
                guard let (line, next) = try Self.line(in: buffer, from: position, what: "chunk size line") else { return nil }
                let size = try Self.chunkSize(buffer[line])
                position = next
                if size == 0 {
                    chunkPhase = .trailers(start: position)
                } else {
                    guard size <= Self.maxBodyBytes - chunkedBody.count else {
                        throw Self.invalid("chunked body larger than the \(Self.maxBodyBytes >> 20) MiB limit")
                    }
                    chunkPhase = .data(size)
                }
            case .data(let size):
                guard buffer.count - position >= size else { return nil }
                chunkedBody.append(contentsOf: buffer[position..<position + size])
                position += size
                chunkPhase = .dataEnd
            case .dataEnd:
                guard position < buffer.count else { return nil }
                if buffer[position] == .lf {
                    position += 1
                } else if buffer[position] == .cr {
                    guard position + 1 < buffer.count else { return nil }
                    guard buffer[position + 1] == .lf else { throw Self.invalid("chunk data not followed by CRLF") }
                    position += 2
                } else {
                    throw Self.invalid("chunk data not followed by CRLF (chunk size smaller than the data?)")
                }
                chunkPhase = .size
            case .trailers(let start):
                guard let (line, next) = try Self.line(in: buffer, from: position, what: "trailer line") else { return nil }
                position = next
                if line.isEmpty { return HTTPTransportResponse(status: status, headers: headers, body: chunkedBody) }
                guard position - start <= Self.maxHeadBytes else {
                    throw Self.invalid("trailers larger than the \(Self.maxHeadBytes >> 10) KiB limit")
                }
            }
        }
    }

    /// The line starting at `start` without its CRLF (or LF), and where the next one starts;
    /// `nil` while its end has not arrived.
    private static func line(
        in buffer: [UInt8], from start: Int, what: String
    ) throws(JobClientError) -> (Range<Int>, next: Int)? {
        let end = min(buffer.count, start + maxChunkLineBytes)
        guard let lf = buffer[start..<end].firstIndex(of: .lf) else {
            if buffer.count - start >= maxChunkLineBytes { throw invalid("\(what) longer than \(maxChunkLineBytes) bytes") }
            return nil
        }
        let lineEnd = lf > start && buffer[lf - 1] == .cr ? lf - 1 : lf
        return (start..<lineEnd, lf + 1)
    }

    /// `1*HEXDIG [BWS ";" extensions]`.
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(JobClientError) -> Int {
        var size = 0
        var digits = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = line[index].hexValue {
            size = size * 16 + digit
            guard size <= maxBodyBytes else {
                throw invalid("chunk size '\(excerpt(line))' larger than the \(maxBodyBytes >> 20) MiB limit")
            }
            digits += 1
            index += 1
        }
        while index < line.endIndex, line[index] == .space || line[index] == .tab { index += 1 }
        guard digits > 0, index == line.endIndex || line[index] == UInt8(ascii: ";") else {
            throw invalid("invalid chunk size line '\(excerpt(line))'")
        }
        return size
    }

    // MARK: Helpers

    private static func invalid(_ message: String) -> JobClientError {
        JobClientError(.invalidResponse, message)
    }

    private static func cutOff(_ message: String) -> JobClientError {
        JobClientError(.transport, message)
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == .space || first == .tab { slice.removeFirst() }
        while let last = slice.last, last == .space || last == .tab { slice.removeLast() }
        return slice
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// At most 60 characters of server-sent text, for a message.
    private static func excerpt(_ bytes: ArraySlice<UInt8>) -> String {
        excerpt(text(bytes))
    }

    private static func excerpt(_ text: String) -> String {
        let printable = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return printable.count > 60 ? String(printable.prefix(60)) + "…" : printable
    }
}

extension UInt8 {
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    var isDigit: Bool { self >= 0x30 && self <= 0x39 }

    var hexValue: Int? {
        switch self {
        case 0x30...0x39: Int(self - 0x30)
        case 0x41...0x46: Int(self - 0x41 + 10)
        case 0x61...0x66: Int(self - 0x61 + 10)
        default: nil
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" }
        var end = scalars.endIndex
        while end > scalars.startIndex, scalars[scalars.index(before: end)] == " " || scalars[scalars.index(before: end)] == "\t" {
            end = scalars.index(before: end)
        }
        return String(String.UnicodeScalarView(scalars[..<end]))
    }
}
