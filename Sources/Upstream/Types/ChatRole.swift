/// The author of a chat message (`system`, `developer`, `user`, `assistant`, `tool`, or any newer role).
///
/// A string-backed struct rather than an enum, so that a role this version of
/// Shepherd does not know still passes through.
public struct ChatRole: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// Instructions from the application.
    public static let system: ChatRole = "system"
    /// Instructions from the application (OpenAI's newer name for `system`).
    public static let developer: ChatRole = "developer"
    /// The end user.
    public static let user: ChatRole = "user"
    /// The model.
    public static let assistant: ChatRole = "assistant"
    /// The result of a tool call.
    public static let tool: ChatRole = "tool"
    /// The result of a legacy function call.
    public static let function: ChatRole = "function"
}
