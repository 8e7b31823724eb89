/// One server-sent event of a streamed Anthropic answer.
///
/// `message_start`, `content_block_start`, `content_block_delta`,
/// `content_block_stop`, `message_delta`, `message_stop`, `ping` and `error`;
/// one struct with the fields each type uses.
public struct AnthropicStreamEvent: Sendable, Hashable, Codable {
    /// The `delta` of a `content_block_delta` or `message_delta` event.
    public struct Delta: Sendable, Hashable, Codable {
        /// `text_delta`, `input_json_delta`, `thinking_delta`, … (absent on `message_delta`).
        public var type: String?
        /// `text_delta`.
        public var text: String?
        /// `input_json_delta`: a fragment of the tool input's JSON.
        public var partialJSON: String?
        /// `message_delta`: why the answer ended.
        public var stopReason: String?
        /// `message_delta`: the stop sequence that matched.
        public var stopSequence: String?

        /// Creates a value; each parameter sets the property of the same name.
        public init(
            type: String? = nil, text: String? = nil, partialJSON: String? = nil, stopReason: String? = nil,
            stopSequence: String? = nil
        ) {
            self.type = type
            self.text = text
            self.partialJSON = partialJSON
            self.stopReason = stopReason
            self.stopSequence = stopSequence
        }

        enum CodingKeys: String, CodingKey {
            case type, text
            case partialJSON = "partial_json"
            case stopReason = "stop_reason"
            case stopSequence = "stop_sequence"
        }
    }

    /// The error of an `error` event (and of Anthropic's error envelope).
    public struct ErrorBody: Sendable, Hashable, Codable {
        /// `overloaded_error`, `rate_limit_error`, `api_error`, …
        public var type: String
        /// A human-readable message.
        public var message: String

        /// Creates a value; each parameter sets the property of the same name.
        public init(type: String, message: String) {
            self.type = type
            self.message = message
        }
    }

    /// The event's type.
    public var type: String
    /// `message_start`: the message so far (no content yet, input usage).
    public var message: AnthropicMessagesResponse?
    /// Block events: the block's position.
    public var index: Int?
    /// `content_block_start`: the block (for `tool_use`, its id and name).
    public var contentBlock: AnthropicContentBlock?
    /// `content_block_delta` and `message_delta`.
    public var delta: Delta?
    /// `message_delta`: cumulative usage (output tokens).
    public var usage: AnthropicUsage?
    /// `error`.
    public var error: ErrorBody?

    /// Creates a value; each parameter sets the property of the same name.
    public init(
        type: String, message: AnthropicMessagesResponse? = nil, index: Int? = nil,
        contentBlock: AnthropicContentBlock? = nil, delta: Delta? = nil, usage: AnthropicUsage? = nil,
        error: ErrorBody? = nil
    ) {
        self.type = type
        self.message = message
        self.index = index
        self.contentBlock = contentBlock
        self.delta = delta
        self.usage = usage
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case type, message, index, delta, usage, error
        case contentBlock = "content_block"
    }
}
