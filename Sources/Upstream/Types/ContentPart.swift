/// One typed part of a message's content (`text`, `image_url`, or any other type, kept as is).
public struct ContentPart: Sendable, Hashable, Codable, WireObject {
    /// An image reference: an `https:` URL or a `data:` URL.
    public struct ImageURL: Sendable, Hashable, Codable {
        /// The URL.
        public var url: String
        /// `low`, `high` or `auto`.
        public var detail: String?

        /// Creates a value; each parameter sets the property of the same name.
        public init(url: String, detail: String? = nil) {
            self.url = url
            self.detail = detail
        }
    }

    /// The part's type: `text`, `image_url`, `input_audio`, `file`, `refusal`, …
    public var type: String
    /// The text, for `text` (and `refusal`) parts.
    public var text: String?
    /// The image, for `image_url` parts.
    public var imageURL: ImageURL?
    /// Keys this type does not model, passed through unchanged.
    public var extras: [String: JSONValue]

    /// Creates a value; each parameter sets the property of the same name.
    public init(type: String, text: String? = nil, imageURL: ImageURL? = nil, extras: [String: JSONValue] = [:]) {
        self.type = type
        self.text = text
        self.imageURL = imageURL
        self.extras = extras
    }

    /// A text part.
    public static func text(_ text: String) -> ContentPart { ContentPart(type: "text", text: text) }

    /// An image part.
    public static func imageURL(_ url: String, detail: String? = nil) -> ContentPart {
        ContentPart(type: "image_url", imageURL: ImageURL(url: url, detail: detail))
    }

    static let wire = WireKeys<ContentPart>([
        .required("type", \.type), .optional("text", \.text), .optional("image_url", \.imageURL),
    ])

    public init(from decoder: any Decoder) throws {
        self.init(type: "")
        try Self.wire.decode(decoder, into: &self)
    }

    public func encode(to encoder: any Encoder) throws { try Self.wire.encode(self, to: encoder) }
}
