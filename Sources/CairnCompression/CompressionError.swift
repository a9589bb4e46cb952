/// An error from a codec: the C library's code and name, and which operation failed.
public struct CompressionError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong; stable, so callers can match on it.
    public enum Code: String, Sendable {
        /// The input is not valid for the codec (corrupt, truncated, or another format).
        case corruptInput
        /// The output would exceed the size the caller allowed.
        case outputTooLarge
        /// The library failed for another reason (out of memory, bad parameter).
        case libraryFailure
    }

    public var code: Code
    public var message: String
    /// The codec and operation, e.g.
    ///
    /// `zstd decompress`.
    public var operation: String

    public init(_ code: Code, _ message: String, operation: String) {
        self.code = code
        self.message = message
        self.operation = operation
    }

    public var description: String { "cannot \(operation): \(message)" }
}
