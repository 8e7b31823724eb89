import Canary
import Shepherd

/// Axis arithmetic for the report's charts: round tick values and calendar-aligned time ticks.
enum ChartScale {
    /// A range widened to round numbers, with its tick step: `nice(0.913, 1.0)` is `(0.9, 1.0, 0.02)`.
    static func nice(_ low: Double, _ high: Double, ticks: Int = 5) -> (low: Double, high: Double, step: Double) {
        var low = low
        var high = high
        if !(high > low) {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        let raw = (high - low) / Double(max(1, ticks))
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step, step)
    }

    /// The values from `low` to `high` in steps of `step` (inclusive, tolerant of rounding).
    static func values(from low: Double, to high: Double, step: Double) -> [Double] {
        guard step > 0, high >= low else { return [low] }
        var result: [Double] = []
        var index = 0.0
        while true {
            let value = low + index * step
            if value > high + step * 1e-6 { break }
            result.append(abs(value) < step * 1e-9 ? 0 : value)
            index += 1
            if result.count > 1000 { break }
        }
        return result
    }

    /// Steps for a time axis, in seconds.
    private static let timeSteps: [Double] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800,
        604_800, 1_209_600, 2_592_000,
    ]

    /// Ticks on a time axis (Unix seconds, aligned to multiples of the step in UTC) with their labels.
    static func timeTicks(from start: Double, to end: Double, maxTicks: Int = 8) -> [(value: Double, label: String)] {
        let span = max(end - start, 1)
        let step = timeSteps.first { span / $0 <= Double(maxTicks) } ?? timeSteps.last!
        var ticks: [(Double, String)] = []
        var value = (start / step).rounded(.up) * step
        while value <= end + 1e-6, ticks.count <= maxTicks * 2 {
            let text = ReportFormat.time(WallClock.Instant(unixSeconds: value))  // 2027-01-15 08:02:30Z
            let characters = Array(text)
            let label: String =
                if span >= 86_400 * 2 || step >= 86_400 {
                    String(characters[5..<16])  // 01-15 08:02
                } else if step < 60 {
                    String(characters[11..<19])  // 08:02:30
                } else {
                    String(characters[11..<16])  // 08:02
                }
            ticks.append((value, label))
            value += step
        }
        return ticks
    }
}
