/// `text` with line breaks and other control characters escaped (`\n`,
/// `\r`, `\t`, `\u{1b}` …, and the Unicode line separators U+0085, U+2028,
/// U+2029), so a message stays one line whatever a file, a value or an
/// argument holds. Everything else, backslashes included, is kept.
public func oneLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: breaksLine) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where breaksLine(scalar): out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

private func breaksLine(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029
}
