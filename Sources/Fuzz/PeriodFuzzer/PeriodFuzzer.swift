import FuzzSupport
import PeriodArgs

/// Fuzzes the `--period` parser against a plain reference implementation of
/// the period contract (docs/period-contract.md): both must agree on every input, an accepted value must satisfy
/// the contract and round-trip, and a rejection must be one line.
@main
enum PeriodFuzzer {
    static func main() {
        FuzzHarness.run { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            check(text)
        }
    }

    static func check(_ text: String) {
        let expected = reference(text)
        do {
            let period = try Period(parsing: text)
            guard let expected, expected == (period.current, period.total) else {
                fatalError("accepted \(text.debugDescription) as \(period), reference says \(String(describing: expected))")
            }
            precondition(period.total >= 1 && period.current >= 0 && period.current <= period.total)
            precondition(try! Period(parsing: period.argument) == period, "round trip")
            precondition(period.commandLineArguments == "--period \(period.current),\(period.total)")
            if let next = period.next { precondition(next.current == period.current + 1 && next.total == period.total) }
            precondition(period.isFinished == (period.next == nil))
        } catch {
            if let expected { fatalError("rejected \(text.debugDescription), reference accepts \(expected)") }
            let message = error.description
            precondition(message.hasPrefix("ERROR: Invalid parameter format. Expected 'current_period,total_periods'"))
            precondition(!message.contains("\n") && !message.contains("\r"), "the ERROR message must be one line")
        }
    }

    /// Two comma-separated parts, each ASCII digits with optional spaces or tabs around, fitting an Int.
    static func reference(_ text: String) -> (Int, Int)? {
        let parts = Array(text.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            var bytes = Array(part)
            while let first = bytes.first, first == 32 || first == 9 { bytes.removeFirst() }
            while let last = bytes.last, last == 32 || last == 9 { bytes.removeLast() }
            guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = Int(String(decoding: bytes, as: UTF8.self))
            else { return nil }
            numbers.append(value)
        }
        let (current, total) = (numbers[0], numbers[1])
        guard total >= 1, current >= 0, current <= total else { return nil }
        return (current, total)
    }
}
