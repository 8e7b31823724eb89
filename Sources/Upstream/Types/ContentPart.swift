/// One typed part of a message's content (`text`, `image_url`, or any other type, kept as is).
public struct ContentPart: Sendable, Hashable, Codable {
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, text
        case imageURL = "image_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        imageURL = try container.decodeIfPresent(ImageURL.self, forKey: .imageURL)
        extras = try decoder.decodeExtras(known: CodingKeys.wireNames)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(text, forKey: .text)
        try container.encodeIfPresent(imageURL, forKey: .imageURL)
        try encoder.encodeExtras(extras, known: CodingKeys.wireNames)
    }
}
