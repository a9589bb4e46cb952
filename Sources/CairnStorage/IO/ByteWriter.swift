/// Appends little-endian integers, ULEB128 varints and length-prefixed bytes to a growing buffer.
///
/// Names follow NIO's `ByteBuffer`: `write*` appends, `set*(at:)` overwrites.
package struct ByteWriter {
    package var bytes: [UInt8]

    package init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    package var count: Int { bytes.count }

    @inline(__always)
    package mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    package mutating func writeUInt16(_ value: UInt16) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func writeUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func writeUInt64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func writeInt64(_ value: Int64) { writeUInt64(UInt64(bitPattern: value)) }

    @inline(__always)
    package mutating func writeVarInt(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    package mutating func writeVarInt(_ value: Int) {
        precondition(value >= 0, "varint of a negative value \(value)")
        writeVarInt(UInt64(value))
    }

    /// Zigzag-encodes a signed value, then writes it as a varint.
    package mutating func writeSignedVarInt(_ value: Int64) {
        writeVarInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    package mutating func writeBytes(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    package mutating func writeBytes(_ other: UnsafeRawBufferPointer) { bytes.append(contentsOf: other) }

    /// Writes a varint length, then the bytes.
    package mutating func writeLengthPrefixed(_ other: [UInt8]) {
        writeVarInt(other.count)
        bytes.append(contentsOf: other)
    }

    /// Writes a string as a varint length and its UTF-8 bytes.
    package mutating func writeString(_ value: String) {
        writeVarInt(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    /// Writes an optional string: a presence byte, then the string.
    package mutating func writeOptionalString(_ value: String?) {
        if let value {
            writeUInt8(1)
            writeString(value)
        } else {
            writeUInt8(0)
        }
    }

    package mutating func setUInt32(_ value: UInt32, at index: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for offset in 0..<4 { bytes[index + offset] = raw[offset] }
        }
    }
}
