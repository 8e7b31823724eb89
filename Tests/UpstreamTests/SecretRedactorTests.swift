import Testing
import Upstream

struct SecretRedactorTests {
    static let key = "sk-test-SECRET-0123456789"

    @Test(arguments: [
        ("Incorrect API key provided: sk-test-SECRET-0123456789.", "Incorrect API key provided: [REDACTED]."),
        // Echoed without its prefix, or only in part: still the key.
        ("key test-SECRET-0123456789 is invalid", "key [REDACTED] is invalid"),
        ("ends in SECRET-01234", "ends in [REDACTED]"),
        ("Bearer sk-test-SECRET-0123456789xyz", "Bearer [REDACTED]"),
        // Ordinary words inside the key are left alone: a message never becomes a riddle.
        ("test failed: a SECRET was invalid", "test failed: a SECRET was invalid"),
        ("nothing here", "nothing here"),
    ])
    func tokensThatCarryTheKeyAreRedactedAndOrdinaryWordsAreNot(text: String, expected: String) {
        #expect(SecretRedactor([Self.key]).redact(text) == expected)
    }

    @Test func aShortSecretDoesNotScrambleMessages() {
        // The example: a one-letter token redacted every "e" of the 401 message.
        let message = "Incorrect or missing API key"
        #expect(SecretRedactor(["e"]).redact(message) == message)
        #expect(SecretRedactor(["e"]).redact("token e is wrong") == "token [REDACTED] is wrong")
        #expect(SecretRedactor([]).redact(message) == message)
    }
}
