/// Byte classes of HTTP/1.1 (RFC 9110 §5.6.2).
enum HTTPSyntax {
    /// `tchar`: the bytes of a method or header name.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded up; 0 when not positive.
    var wholeMillisecondsRoundedUp: Int64 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let whole = min(seconds, Int64.max / 1000 - 1) * 1000 + attoseconds / perMillisecond
        return attoseconds % perMillisecond > 0 ? whole + 1 : whole
    }
}
