/// How the dashboard's lines are drawn.
///
/// The two styles carry the same text: ``color`` only adds ANSI SGR escape codes around it
/// (the snapshot tests check that stripping them gives the ``monochrome`` lines exactly).
public enum DashboardStyle: Sendable, Hashable {
    /// ANSI colours: green healthy, red unhealthy or rolled back, yellow paused or waiting.
    case color
    /// Plain text, for terminals without colour, `NO_COLOR`, and snapshots.
    case monochrome

    /// Colour unless the environment asks otherwise: `NO_COLOR` set (any value, per
    /// no-color.org) or `TERM=dumb` give ``monochrome``.
    public static func automatic(environment: [String: String]) -> DashboardStyle {
        if environment["NO_COLOR"] != nil { return .monochrome }
        if environment["TERM"] == "dumb" { return .monochrome }
        return .color
    }
}

/// The colours and weights the renderer uses, as SGR parameters.
enum Tone: Sendable, Hashable {
    case green, red, yellow, cyan, blue, magenta, dim, bold
    /// White on red, bold: the rollback banner.
    case alarm
    /// Reverse video: the title bar.
    case title

    var sgr: String {
        switch self {
        case .green: "32"
        case .red: "31"
        case .yellow: "33"
        case .cyan: "36"
        case .blue: "34"
        case .magenta: "35"
        case .dim: "2"
        case .bold: "1"
        case .alarm: "1;97;41"
        case .title: "1;7"
        }
    }
}

/// A run of text in one tone.
struct Span: Sendable, Hashable {
    var text: String
    var tone: Tone?

    init(_ text: String, _ tone: Tone? = nil) {
        self.text = text
        self.tone = tone
    }
}

/// One line of the screen: spans, and optionally a tone that fills the rest of the row.
struct StyledLine: Sendable, Hashable {
    var spans: [Span]
    /// A background that extends to the right edge (the banner and the title bar), drawn with
    /// erase-to-end-of-line so that the text itself stays the same in both styles.
    var fill: Tone?

    init(_ spans: [Span] = [], fill: Tone? = nil) {
        self.spans = spans
        self.fill = fill
    }

    init(_ text: String, _ tone: Tone? = nil) {
        self.init([Span(text, tone)])
    }

    static let blank = StyledLine()

    /// The line's text without styling.
    var plain: String { spans.map(\.text).joined() }

    /// The line cut to `width` columns and drawn in `style`.
    func render(width: Int, style: DashboardStyle) -> String {
        var remaining = max(0, width)
        var out = ""
        var plainOut = ""
        // A line that does not fit ends in "…", so that a cut is never taken for the whole text.
        let overflows = TerminalWidth.columns(plain) > remaining
        for span in spans where remaining > 0 {
            var cut = TerminalWidth.prefix(span.text, columns: remaining)
            if overflows, TerminalWidth.columns(cut) >= remaining, remaining > 0 {
                cut = TerminalWidth.prefix(span.text, columns: remaining - 1) + "…"
            }
            remaining -= TerminalWidth.columns(cut)
            plainOut += cut
            if style == .color, let tone = span.tone, !cut.isEmpty {
                out += "\u{1B}[\(tone.sgr)m" + cut + "\u{1B}[0m"
                if let fill { out += "\u{1B}[\(fill.sgr)m" }
            } else {
                out += cut
            }
        }
        guard style == .color, let fill else { return style == .color ? out : plainOut }
        // Erase to end of line with the fill's background set: the row is painted, not padded.
        return "\u{1B}[\(fill.sgr)m" + out + "\u{1B}[K\u{1B}[0m"
    }
}

/// Display columns of text in a terminal.
///
/// Enough of `wcwidth` for what Shepherd prints: East Asian wide and fullwidth characters and
/// most emoji take two columns, combining marks and zero-width characters none, the rest one.
enum TerminalWidth {
    static func columns(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v == 0 { return 0 }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v)
            || (0x20D0...0x20FF).contains(v)
        {
            return 0
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }

    /// The columns `text` takes.
    static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + columns(of: $1) }
    }

    /// The longest prefix of `text` that fits in `columns` (control characters dropped).
    static func prefix(_ text: String, columns limit: Int) -> String {
        var used = 0
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { continue }
            let w = columns(of: scalar)
            if used + w > limit { break }
            used += w
            out.append(scalar)
        }
        return String(out)
    }

    /// `text` cut to `limit` columns, ending in `…` when it was cut.
    static func truncate(_ text: String, _ limit: Int) -> String {
        guard limit > 0 else { return "" }
        if columns(text) <= limit { return prefix(text, columns: limit) }
        return prefix(text, columns: limit - 1) + "…"
    }

    /// `text` padded with spaces (or cut) to exactly `width` columns.
    static func pad(_ text: String, _ width: Int) -> String {
        let cut = truncate(text, width)
        return cut + String(repeating: " ", count: max(0, width - columns(cut)))
    }
}
