import Platform
import Testing

@Suite struct NumberFormatTests {
    /// Every expected text is what Python 3 prints for `'%.*f' % (decimals, value)`.
    @Test(arguments: [
        (0.125, 2, "0.12"), (0.135, 2, "0.14"), (2.675, 2, "2.67"), (1.005, 2, "1.00"), (0.5, 2, "0.50"),
        (0.5, 0, "0"), (1.5, 0, "2"), (2.5, 0, "2"), (-0.0049, 2, "-0.00"), (-0.0, 2, "-0.00"),
        (1e-7, 2, "0.00"), (1e-7, 4, "0.0000"), (0.00005, 4, "0.0001"), (99.995, 2, "100.00"),
        (12.345, 2, "12.35"), (123.456, 1, "123.5"), (-1.2, 2, "-1.20"), (0.61234, 2, "0.61"),
        (0.612, 2, "0.61"), (12.4, 2, "12.40"), (100, 2, "100.00"), (-0.001, 2, "-0.00"),
        (0.95185 * 100, 2, "95.19"), (.leastNonzeroMagnitude, 2, "0.00"), (1e22, 2, "10000000000000000000000.00"),
        (.infinity, 2, "inf"), (-.infinity, 2, "-inf"), (.nan, 2, "nan"), (-.nan, 2, "nan"),
    ] as [(Double, Int, String)])
    func printsAsPython(value: Double, decimals: Int, text: String) {
        #expect(fixed(value, decimals: decimals) == text)
    }

    @Test func theLargestDoublePrintsAllItsDigits() {
        let text = fixed(.greatestFiniteMagnitude, decimals: 2)
        #expect(text.count == 309 + 3)
        #expect(text.hasPrefix("17976931348623157081452742373170435679807056752584499659891747680315726078"))
        #expect(text.hasSuffix("4026184124858368.00"))
    }

    @Test(.enabled(if: newlocale(LC_NUMERIC_MASK, "de_DE.UTF-8", nil) != nil, "needs the de_DE.UTF-8 locale"))
    func aCommaLocaleStillPrintsAPoint() {
        let german = newlocale(LC_NUMERIC_MASK, "de_DE.UTF-8", nil)
        let previous = uselocale(german)
        defer { uselocale(previous) }
        #expect(fixed(0.5, decimals: 2) == "0.50")
    }
}
