/// One partition's share of a packed segment (the small partitions of a sealed day in one file):
/// what pruning by account and region and per-partition accounting need without opening it.
public struct PartitionMember: Sendable, Hashable {
    public var account: String
    public var region: String
    public var rowCount: Int

    public init(account: String, region: String, rowCount: Int) {
        self.account = account
        self.region = region
        self.rowCount = rowCount
    }

    static func encode(_ members: [PartitionMember], into writer: inout ByteWriter) {
        writer.writeVarInt(members.count)
        for member in members {
            writer.writeString(member.account)
            writer.writeString(member.region)
            writer.writeVarInt(member.rowCount)
        }
    }

    static func decode(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [PartitionMember] {
        let count = try reader.readCount(limit: max(rowCount, 1), "packed partition count")
        var members = [PartitionMember]()
        members.reserveCapacity(count)
        var total = 0
        for _ in 0..<count {
            let account = try reader.readString(limit: 256)
            let region = try reader.readString(limit: 256)
            let rows = try reader.readCount(limit: rowCount, "packed partition rows")
            total += rows
            members.append(PartitionMember(account: account, region: region, rowCount: rows))
        }
        guard total == rowCount else {
            throw reader.corrupt("packed partitions hold \(total) rows, the segment \(rowCount)")
        }
        return members
    }
}
