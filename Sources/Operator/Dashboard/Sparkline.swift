/// A one-line chart of a series in block characters: `▁▂▃▅▇█`.
enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` values drawn between `lower` and `upper`; a missing value is a space.
    ///
    /// Values outside the range are clamped; when `lower == upper` every value is drawn at the
    /// middle so that a flat series reads as flat, not as empty or full.
    static func render(_ values: [Double?], width: Int, lower: Double, upper: Double) -> String {
        guard width > 0 else { return "" }
        let shown = values.suffix(width)
        var out = ""
        for value in shown {
            guard let value, value.isFinite else {
                out.append(" ")
                continue
            }
            guard upper > lower else {
                out.append(levels[levels.count / 2])
                continue
            }
            let position = (min(max(value, lower), upper) - lower) / (upper - lower)
            let index = Int((position * Double(levels.count - 1)).rounded())
            out.append(levels[min(max(index, 0), levels.count - 1)])
        }
        return out
    }
}
