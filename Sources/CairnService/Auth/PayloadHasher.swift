private import Crypto

/// The SHA-256 of a request body in the lower-case hex form SigV4 signs, fed as the body streams in.
///
/// `CairnServer` cannot import Crypto, so it hashes bodies through this type:
/// `var hasher = PayloadHasher(); hasher.update(chunk) ...; request.payloadSHA256Hex = hasher.finalize()`.
public struct PayloadHasher {
    /// The hash of an empty body, which GET requests sign.
    public static let emptyPayloadSHA256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private var hash = SHA256()

    public init() {}

    /// Adds the next bytes of the body.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hash.update(bufferPointer: bytes)
    }

    /// Adds the next bytes of the body.
    public mutating func update(_ bytes: [UInt8]) {
        hash.update(data: bytes)
    }

    /// The lower-case hex SHA-256 of every byte added so far.
    public func finalize() -> String {
        SigV4Encoding.lowerHex(hash.finalize())
    }

    /// The lower-case hex SHA-256 of a whole body.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SigV4Encoding.lowerHex(SHA256.hash(data: bytes))
    }
}
