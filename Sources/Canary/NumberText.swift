/// `value` with exactly `digits` decimals, rounded half away from zero: `formatFixed(0.99134, 2)`
/// is `0.99`, `formatFixed(5, 1)` is `5.0`.
///
/// Written out rather than taken from Foundation's `String(format:)`, so that the output does not
/// depend on the locale (runbooks quote these strings, and a decimal comma would break a `grep`)
/// and Canary needs no Foundation.
public func formatFixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let negative = value < 0 && scaled > 0
    guard scaled < 9e15 else { return "\(value)" }
    let whole = Int64(scaled)
    let divisor = Int64(scale)
    var text = String(whole / divisor)
    if digits > 0 {
        let fraction = String(whole % divisor)
        text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
    return negative ? "-" + text : text
}
