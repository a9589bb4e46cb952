/// Looks up a JSON key's bytes in a fixed set of names without creating a `String`.
package struct KeyTable<Value>: @unchecked Sendable {
    private var entries: [UInt64: (bytes: [UInt8], value: Value)] = [:]

    package init(_ pairs: [(String, Value)]) {
        for (name, value) in pairs {
            let bytes = Array(name.utf8)
            let hash = bytes.withUnsafeBytes { KeyTable.hash($0) }
            precondition(entries[hash] == nil, "key table hash collision on \(name)")
            entries[hash] = (bytes, value)
        }
    }

    /// FNV-1a, 64 bit.
    @inline(__always)
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    @inline(__always)
    package func lookup(_ bytes: UnsafeRawBufferPointer) -> Value? {
        guard let entry = entries[KeyTable.hash(bytes)], entry.bytes.count == bytes.count else { return nil }
        for index in 0..<bytes.count where entry.bytes[index] != bytes[index] { return nil }
        return entry.value
    }
}
