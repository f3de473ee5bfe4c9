import Platform

/// `0.95` → `"95.00%"`; `nil` → `"n/a"`.
func percent(_ value: Double?) -> String {
    guard let value else { return "n/a" }
    return fixed(value * 100, decimals: 2) + "%"
}
