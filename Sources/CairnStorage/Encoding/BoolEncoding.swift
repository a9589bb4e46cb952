/// readOnly, managementEvent: one bit per non-null value after the validity markers.
enum BoolEncoding {
    static func encode(_ values: ArraySlice<Bool?>) -> [UInt8] {
        var writer = ByteWriter(capacity: values.count / 4 + 4)
        let base = values.startIndex
        Validity.write({ values[base + $0] != nil }, count: values.count, into: &writer)
        BitPacking.pack(values.compactMap { $0.map { $0 ? 1 : 0 } }, width: 1, into: &writer)
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [Bool?] {
        let validity = try Validity.read(&reader, count: rowCount)
        let bits = try BitPacking.unpack(&reader, count: validity.lazy.filter { $0 }.count, width: 1)
        return StringEncoding.expand(bits.map { $0 == 1 }, validity)
    }
}
