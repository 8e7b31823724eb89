/// The content of a chat message: a plain string or a list of typed parts.
///
/// ```swift
/// let content: MessageContent = .parts([.text("What is this?"), .imageURL("https://example.com/cat.png")])
/// content.text  // "What is this?"
/// ```
public enum MessageContent: Sendable, Hashable, Codable, ExpressibleByStringLiteral {
    /// `"content": "Hello"`.
    case text(String)
    /// `"content": [{"type": "text", "text": "Hello"}, …]`.
    case parts([ContentPart])

    public init(stringLiteral value: String) { self = .text(value) }

    /// The text of the content: the string, or the text parts joined without separator.
    public var text: String {
        switch self {
        case .text(let text): text
        case .parts(let parts): parts.compactMap(\.text).joined()
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .parts(try container.decode([ContentPart].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .parts(let parts): try container.encode(parts)
        }
    }
}
