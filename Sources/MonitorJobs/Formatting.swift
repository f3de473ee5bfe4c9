/// `0.95` → `"95.00%"`; `nil` → `"n/a"`.
func percent(_ value: Double?) -> String {
    guard let value else { return "n/a" }
    return fixed(value * 100, decimals: 2) + "%"
}

/// `value` with exactly `decimals` digits after the point, rounded half away from zero.
func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return String(value) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 1e18 else { return String(value) }
    let units = UInt64(scaled)
    let integer = units / UInt64(scale)
    let fraction = String(units % UInt64(scale))
    let sign = value < 0 && units > 0 ? "-" : ""
    guard decimals > 0 else { return sign + String(integer) }
    return sign + String(integer) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
}
