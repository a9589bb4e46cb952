import CairnCore
import Testing

@testable import CairnStorage

/// Stored strings: ASCII takes a fast path, anything else is validated; invalid UTF-8 is corrupt,
/// wherever its bad byte sits relative to the eight-byte steps of the ASCII check.
@Suite struct ByteReaderStringTests {
    private func read(_ value: [UInt8]) throws(StorageError) -> String {
        var writer = ByteWriter(capacity: 32)
        writer.writeVarInt(value.count)
        writer.bytes += value
        var reader = ByteReader(writer.bytes, file: "strings", baseOffset: 40)
        return try reader.readString()
    }

    @Test func asciiAndMultibyteTextReadBack() throws {
        for text in ["", "a", "us-east-1", "123456789012", "arn:aws:iam::123456789012:user/alice", "ünï ☃ 𝄞", "x☃"] {
            #expect(try read(Array(text.utf8)) == text)
        }
    }

    @Test func invalidUTF8IsCorruptAtEveryPosition() {
        for length in 1...20 {
            for position in 0..<length {
                for bad: [UInt8] in [[0x80], [0xC3, 0x28], [0xFF], [0xE2, 0x82]] where position + bad.count <= length {
                    var bytes = [UInt8](repeating: 0x61, count: length)
                    bytes.replaceSubrange(position..<(position + bad.count), with: bad)
                    do {
                        let text = try read(bytes)
                        Issue.record("\(bytes) read as \(text)")
                    } catch {
                        #expect(error.code == .corrupt && error.file == "strings")
                    }
                }
            }
        }
        let valid = Array("abcdefgh€".utf8)
        #expect(Array("abcdefghijklmnop".utf8).withUnsafeBufferPointer { ByteReader.isASCII($0) })
        #expect(!valid.withUnsafeBufferPointer { ByteReader.isASCII($0) })
    }
}
