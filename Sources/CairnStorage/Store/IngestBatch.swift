public import CairnCore

/// A batch of accepted events and the import progress they complete: the unit of a WAL record and
/// of an acknowledgement. Events and checkpoints travel together, so after a crash either both are
/// durable or neither is, and a re-import resumes exactly where the acknowledged data ends.
public struct IngestBatch: Sendable {
    public struct Event: Sendable {
        public var record: EventRecord
        /// The record as compact JSON: what the WAL stores and what ingestion is billed on.
        public var json: [UInt8]

        public init(record: EventRecord, json: [UInt8]) {
            self.record = record
            self.json = json
        }
    }

    public var events: [Event] = []
    public var checkpoints: [SourceCheckpoint] = []
    /// Sum of `json` sizes.
    public private(set) var byteCount = 0

    public init() {}

    public mutating func append(_ event: Event) {
        byteCount += event.json.count
        events.append(event)
    }

    /// Payload layout, version 1 (part of the WAL format):
    /// `version u8 | checkpoint count varint | checkpoints | event count varint | (length varint | JSON)*`
    func encode() -> [UInt8] {
        var writer = ByteWriter(capacity: byteCount + events.count * 3 + 64)
        writer.writeUInt8(1)
        writer.writeVarInt(checkpoints.count)
        for checkpoint in checkpoints { checkpoint.encode(into: &writer) }
        writer.writeVarInt(events.count)
        for event in events { writer.writeLengthPrefixed(event.json) }
        return writer.bytes
    }

    /// Decodes a WAL payload, parsing each event's JSON again.
    init(decoding payload: [UInt8], file: String, offset: Int) throws(StorageError) {
        var reader = ByteReader(payload, file: file, baseOffset: offset)
        let version = try reader.readUInt8()
        guard version == 1 else {
            throw StorageError(.unsupportedVersion, "WAL batch version \(version) is not supported", file: file, byteOffset: offset)
        }
        let checkpointCount = try reader.readCount(limit: payload.count, "checkpoint count")
        for _ in 0..<checkpointCount { checkpoints.append(try SourceCheckpoint(decoding: &reader)) }
        let eventCount = try reader.readCount(limit: payload.count, "event count")
        var decoder = EventRecordDecoder()
        for _ in 0..<eventCount {
            let start = reader.absoluteOffset
            let json = Array(try reader.readLengthPrefixed(limit: Limits.maxEventByteCount * 4))
            do {
                let record = try json.withUnsafeBytes { raw throws(CoreError) in try decoder.decode(raw) }
                append(Event(record: record, json: json))
            } catch {
                throw StorageError(.corrupt, "WAL event does not decode", file: file, byteOffset: start, underlying: error)
            }
        }
    }
}
