/// Builds well-formed XML text (the report's polyglot XHTML and its inline SVG).
///
/// Every element opened by ``element(_:_:_:)`` is closed by it, every text and attribute
/// value is escaped, and characters XML 1.0 forbids (most C0 controls, lone surrogates,
/// U+FFFE/U+FFFF) are replaced by U+FFFD, so a stored message can never break the
/// document. Attribute order is the order given, so the output is deterministic.
///
/// ```swift
/// var markup = Markup()
/// markup.element("p", ["class": "note"]) { $0.text("5% < 7.5% & rising") }
/// markup.output   // <p class="note">5% &lt; 7.5% &amp; rising</p>
/// ```
struct Markup {
    /// The text so far.
    private(set) var output = ""

    /// An element with content.
    mutating func element(
        _ name: String, _ attributes: KeyValuePairs<String, String> = [:], _ content: (inout Markup) -> Void
    ) {
        open(name, attributes)
        content(&self)
        output += "</\(name)>"
    }

    /// An element whose content is one text.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text: String) {
        element(name, attributes) { $0.text(text) }
    }

    /// An element without content, written self-closed (`<line …/>`, `<meta …/>`).
    mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        output += "<\(name)"
        appendAttributes(attributes)
        output += "/>"
    }

    /// Escaped character data.
    mutating func text(_ text: String) {
        output += Self.escape(text, quotes: false)
    }

    /// A line break in the source, for people who read the file.
    mutating func newline() {
        output += "\n"
    }

    /// Markup already built (a chart), appended as is.
    mutating func append(_ other: Markup) {
        output += other.output
    }

    /// Text the caller guarantees is well-formed and safe (the doctype, a fixed stylesheet).
    mutating func raw(_ text: StaticString) {
        output += text.description
    }

    private mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String>) {
        output += "<\(name)"
        appendAttributes(attributes)
        output += ">"
    }

    private mutating func appendAttributes(_ attributes: KeyValuePairs<String, String>) {
        for (key, value) in attributes {
            output += " \(key)=\"\(Self.escape(value, quotes: true))\""
        }
    }

    /// Escapes `&`, `<`, `>` (and quotes in attributes) and replaces characters XML cannot hold.
    static func escape(_ text: String, quotes: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where quotes: result += "&quot;"
            case "'" where quotes: result += "&#39;"
            case "\n" where quotes: result += "&#10;"
            default:
                result.unicodeScalars.append(isAllowedInXML(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return result
    }

    /// XML 1.0's `Char` production.
    private static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
