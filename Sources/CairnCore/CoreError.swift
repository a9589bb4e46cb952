/// An error in the event model: malformed JSON, a record that breaks a rule, a value out of range.
public struct CoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong; stable, so tests and callers can match on it.
    public enum Code: String, Sendable {
        /// The bytes are not JSON: an unexpected byte, an unterminated string, a bad escape.
        case malformedJSON
        /// Objects or arrays nest deeper than `Limits.maxJSONDepth`.
        case tooDeep
        /// The value is valid JSON but not a CloudTrail record (not an object).
        case notARecord
        /// A required field is missing.
        case missingField
        /// A field has a value the rule does not accept (an eventTime that is not a timestamp).
        case invalidField
        /// The record is larger than `Limits.maxEventByteCount`.
        case tooLarge
        /// Text is not valid UTF-8.
        case invalidUTF8
    }

    public var code: Code
    public var message: String
    /// Byte offset into the input where the problem was found, when known.
    public var byteOffset: Int?
    /// The record field involved, when there is one.
    public var field: String?

    public init(_ code: Code, _ message: String, byteOffset: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.byteOffset = byteOffset
        self.field = field
    }

    public var description: String {
        var text = message
        if let byteOffset { text += " (at byte \(byteOffset))" }
        return text
    }
}
