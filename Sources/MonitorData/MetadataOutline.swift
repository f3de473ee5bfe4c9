import Platform

/// Where the top-level `periods` array of a metadata document and one of its
/// entries are, found in one pass without building any value: a job decodes
/// only its own entry. The JSON syntax is checked everywhere except inside
/// the other entries, which are only skimmed for their strings and brackets
/// (a damaged entry is reported by the job of its period, or by the full check).
struct MetadataOutline {
    /// Byte range of the `periods` value; `nil` when the document has no such field.
    var periods: Range<Int>?
    /// How many entries `periods` has.
    var count = 0
    /// Byte range of the wanted entry, when `periods` has it.
    var entry: Range<Int>?

    /// Outlines `json`, a top-level object; `nil` when it is not valid JSON,
    /// `periods` is not an array or appears twice, or a top-level key holds an
    /// escape sequence: the caller then decodes the whole document, whose
    /// errors say what is wrong.
    static func scan(_ json: [UInt8], entry wanted: Int?) -> MetadataOutline? {
        json.withUnsafeBufferPointer { bytes in
            var scanner = Scanner(bytes: bytes)
            return scanner.outline(wanted: wanted)
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0

        /// Deep enough for any metadata; deeper input is left to the full decoder.
        static let maxDepth = 128

        mutating func outline(wanted: Int?) -> MetadataOutline? {
            var result = MetadataOutline()
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            skipSpace()
            if take(UInt8(ascii: "}")) { return atEnd() ? result : nil }
            while true {
                skipSpace()
                let keyStart = index + 1
                guard peek() == UInt8(ascii: "\""), string() else { return nil }
                let key = UnsafeBufferPointer(rebasing: bytes[keyStart..<(index - 1)])
                if key.contains(UInt8(ascii: "\\")) { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                if key.elementsEqual("periods".utf8) {
                    guard result.periods == nil, peek() == UInt8(ascii: "[") else { return nil }
                    let start = index
                    guard periods(wanted: wanted, into: &result) else { return nil }
                    result.periods = start..<index
                } else {
                    guard value() else { return nil }
                }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return atEnd() ? result : nil
            }
        }

        private mutating func periods(wanted: Int?, into result: inout MetadataOutline) -> Bool {
            index += 1
            skipSpace()
            if take(UInt8(ascii: "]")) { return true }
            while true {
                skipSpace()
                let start = index
                if result.count == wanted {
                    guard value() else { return false }
                    result.entry = start..<index
                } else {
                    guard skim() else { return false }
                }
                result.count += 1
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "]"))
            }
        }

        /// Moves past a value whose syntax is not checked: to the `,` or `]` after
        /// it, outside strings and brackets. `false` at the end of the input.
        private mutating func skim() -> Bool {
            guard let base = bytes.baseAddress else { return false }
            let count = bytes.count
            var position = index
            var depth = 0
            while position < count {
                switch base[position] {
                case UInt8(ascii: "\""):
                    guard let end = Self.closingQuote(base, from: position, count: count) else { return false }
                    position = end
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 {
                        index = position
                        return true
                    }
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 {
                        index = position
                        return true
                    }
                default:
                    break
                }
                position += 1
            }
            return false
        }

        /// The index of the quote closing the string opened at `start` (one not
        /// escaped by an odd number of backslashes), found with `memchr`.
        private static func closingQuote(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int? {
            var from = start + 1
            while from < count {
                guard let found = memchr(base + from, Int32(UInt8(ascii: "\"")), count - from) else { return nil }
                let quote = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                var backslashes = 0
                while quote - backslashes - 1 > start && base[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
                if backslashes % 2 == 0 { return quote }
                from = quote + 1
            }
            return nil
        }

        private func atEnd() -> Bool {
            var rest = index
            while rest < bytes.count, Self.isSpace(bytes[rest]) { rest += 1 }
            return rest == bytes.count
        }

        private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
        }

        private mutating func skipSpace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        private mutating func value() -> Bool {
            guard let byte = peek() else { return false }
            switch byte {
            case UInt8(ascii: "{"): return container(close: UInt8(ascii: "}"), keyed: true)
            case UInt8(ascii: "["): return container(close: UInt8(ascii: "]"), keyed: false)
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        private mutating func container(close: UInt8, keyed: Bool) -> Bool {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { return false }
            index += 1
            skipSpace()
            if take(close) { return true }
            while true {
                skipSpace()
                if keyed {
                    guard peek() == UInt8(ascii: "\""), string() else { return false }
                    skipSpace()
                    guard take(UInt8(ascii: ":")) else { return false }
                    skipSpace()
                }
                guard value() else { return false }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                return take(close)
            }
        }

        private mutating func string() -> Bool {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") { return true }
                if byte < 0x20 { return false }
                if byte == UInt8(ascii: "\\") {
                    guard let escaped = peek() else { return false }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let hex = peek(), Self.isHex(hex) else { return false }
                            index += 1
                        }
                    default:
                        return false
                    }
                }
            }
            return false
        }

        private static func isHex(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let text = UnsafeBufferPointer(start: word.utf8Start, count: count)
            guard bytes[index..<(index + count)].elementsEqual(text) else { return false }
            index += count
            return true
        }

        private mutating func digits() -> Bool {
            let start = index
            while let byte = peek(), (0x30...0x39).contains(byte) { index += 1 }
            return index > start
        }

        private mutating func number() -> Bool {
            _ = take(UInt8(ascii: "-"))
            if take(UInt8(ascii: "0")) {
                if let byte = peek(), (0x30...0x39).contains(byte) { return false }
            } else if !digits() {
                return false
            }
            if take(UInt8(ascii: ".")) && !digits() { return false }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                if !digits() { return false }
            }
            return true
        }
    }
}
