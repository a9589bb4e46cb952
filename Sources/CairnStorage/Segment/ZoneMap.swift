import CairnCore

/// Min, max, null count and (for columns of few values) the exact value set of one column chunk,
/// so the planner can skip a row group, or a whole segment from the catalog, without reading it
/// (storage.md §3.6).
public struct ZoneMap: Sendable, Equatable {
    public var nullCount: Int
    /// Smallest value: epoch milliseconds for eventTime, else a string cut to 32 bytes.
    public var minimum: ZoneValue?
    /// Largest value; for strings cut to 32 bytes and then only a prefix bound (`isMaximumTruncated`).
    public var maximum: ZoneValue?
    public var isMaximumTruncated: Bool
    /// Every distinct non-null value, when there are at most `Limits.maxZoneMapValueSetCount`.
    public var valueSet: [String]?

    public init(
        nullCount: Int = 0,
        minimum: ZoneValue? = nil,
        maximum: ZoneValue? = nil,
        isMaximumTruncated: Bool = false,
        valueSet: [String]? = nil
    ) {
        self.nullCount = nullCount
        self.minimum = minimum
        self.maximum = maximum
        self.isMaximumTruncated = isMaximumTruncated
        self.valueSet = valueSet
    }

    func encode(into writer: inout ByteWriter) {
        writer.writeVarInt(nullCount)
        var flags: UInt8 = 0
        if minimum != nil { flags |= 1 }
        if maximum != nil { flags |= 2 }
        if isMaximumTruncated { flags |= 4 }
        if valueSet != nil { flags |= 8 }
        writer.writeUInt8(flags)
        minimum?.encode(into: &writer)
        maximum?.encode(into: &writer)
        if let valueSet {
            writer.writeVarInt(valueSet.count)
            for value in valueSet { writer.writeString(value) }
        }
    }

    init(decoding reader: inout ByteReader) throws(StorageError) {
        nullCount = try reader.readCount(limit: Limits.maxRowGroupRowCount, "null count")
        let flags = try reader.readUInt8()
        guard flags < 16 else { throw reader.corrupt("invalid zone map flags \(flags)") }
        minimum = flags & 1 != 0 ? try ZoneValue(decoding: &reader) : nil
        maximum = flags & 2 != 0 ? try ZoneValue(decoding: &reader) : nil
        isMaximumTruncated = flags & 4 != 0
        if flags & 8 != 0 {
            let count = try reader.readCount(limit: Limits.maxZoneMapValueSetCount, "value set size")
            var values = [String]()
            for _ in 0..<count { values.append(try reader.readString()) }
            valueSet = values
        } else {
            valueSet = nil
        }
    }
}

/// A zone-map bound.
///
/// Tags are part of the format.
public enum ZoneValue: Sendable, Equatable, Comparable {
    case integer(Int64)
    case text(String)

    func encode(into writer: inout ByteWriter) {
        switch self {
        case .integer(let value):
            writer.writeUInt8(0)
            writer.writeSignedVarInt(value)
        case .text(let value):
            writer.writeUInt8(1)
            writer.writeString(value)
        }
    }

    init(decoding reader: inout ByteReader) throws(StorageError) {
        switch try reader.readUInt8() {
        case 0: self = .integer(try reader.readSignedVarInt())
        case 1: self = .text(try reader.readString())
        case let tag: throw reader.corrupt("invalid zone value tag \(tag)")
        }
    }
}
