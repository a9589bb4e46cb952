public import CairnCore

/// A batch of accepted events and the import progress they complete: the unit of a WAL record and
/// of an acknowledgement.
///
/// Events and checkpoints travel together, so after a crash either both are
/// durable or neither is, and a re-import resumes exactly where the acknowledged data ends.
///
/// Layout for speed: events arrive in column batches with each row's partition (built on the parse
/// threads, moved here, never copied one by one), and their compact JSON, when kept, is one
/// contiguous buffer of `length varint | JSON` entries, which is exactly what the WAL stores.
public struct IngestBatch: Sendable {
    /// The events as parsed, a unit per parsed chunk or file (each with its rows' partitions).
    public private(set) var units: [PartitionedEvents] = []
    /// `length varint | compact JSON` per event (empty when the events came without their JSON:
    /// see `hasJSON`).
    public private(set) var encodedEvents: [UInt8] = []
    /// Whether every event's JSON is here, as the WAL needs it.
    public private(set) var hasJSON = true
    public private(set) var eventCount = 0
    /// Sum of the events' compact JSON sizes (what ingestion is billed on).
    public private(set) var byteCount = 0
    public var checkpoints: [SourceCheckpoint] = []

    public init() {}

    /// Adds one event: the record and its compact JSON text.
    ///
    /// Throws for a record without eventTime (`RecordValidator` rejects those before they get here).
    public mutating func append(_ record: EventRecord, json: [UInt8]) throws(StorageError) {
        var events = PartitionedEvents()
        guard events.append(record, jsonByteCount: json.count) else {
            throw StorageError(.invalidArgument, "an event without eventTime cannot be stored")
        }
        var encoded = EncodedEvents()
        encoded.append(json)
        append(events, encoded: encoded)
    }

    /// Adds parsed events with their encoded JSON (from `EncodedEvents`), without copying them.
    public mutating func append(_ events: PartitionedEvents, encoded: EncodedEvents) {
        precondition(events.eventCount == encoded.count, "one encoded entry per event")
        guard events.eventCount > 0 else { return }
        units.append(events)
        hasJSON = hasJSON && encoded.keepsJSON
        if !hasJSON {
            encodedEvents = []
        } else if encodedEvents.isEmpty {
            encodedEvents = encoded.bytes  // shares the buffer: no copy
        } else {
            encodedEvents.append(contentsOf: encoded.bytes)
        }
        eventCount += events.eventCount
        byteCount += encoded.jsonByteCount
    }

    /// Payload layout, version 1 (part of the WAL format):
    /// `version u8 | checkpoint count varint | checkpoints | event count varint | (length varint | JSON)*`.
    func encode() -> [UInt8] {
        precondition(hasJSON, "a batch without its events' JSON cannot go to the WAL")
        var writer = ByteWriter(capacity: encodedEvents.count + checkpoints.count * 40 + 16)
        writer.writeUInt8(1)
        writer.writeVarInt(checkpoints.count)
        for checkpoint in checkpoints { checkpoint.encode(into: &writer) }
        writer.writeVarInt(eventCount)
        writer.writeBytes(encodedEvents)
        return writer.bytes
    }

    /// The batch as WAL payloads of at most `maxByteCount` bytes each: one when it fits, else its
    /// events cut at entry boundaries, the checkpoints in the last payload only.
    ///
    /// A crash between two of them replays the first events without their checkpoints: the source
    /// is read again and the events already kept are dropped as duplicates at the flush.
    func encodeRecords(maxByteCount: Int) -> [[UInt8]] {
        var checkpointBytes = ByteWriter(capacity: checkpoints.count * 64)
        checkpointBytes.writeVarInt(checkpoints.count)
        for checkpoint in checkpoints { checkpoint.encode(into: &checkpointBytes) }
        // version, checkpoints, event count (a varint of at most 10 bytes)
        let overhead = 1 + checkpointBytes.count + 10
        guard encodedEvents.count + overhead > maxByteCount else { return [encode()] }
        var records = [[UInt8]]()
        var reader = ByteReader(encodedEvents)
        var start = 0
        var count = 0
        func emit(_ end: Int, last: Bool) {
            var writer = ByteWriter(capacity: end - start + overhead)
            writer.writeUInt8(1)
            if last { writer.writeBytes(checkpointBytes.bytes) } else { writer.writeVarInt(0) }
            writer.writeVarInt(count)
            writer.bytes.append(contentsOf: encodedEvents[start..<end])
            records.append(writer.bytes)
        }
        while !reader.isAtEnd {
            let entryStart = reader.readerIndex
            // The entries were written by `EncodedEvents`: well formed.
            guard let length = try? reader.readCount(limit: Int.max, "event length"), (try? reader.skip(length)) != nil
            else { break }
            if count > 0, reader.readerIndex - start + overhead > maxByteCount {
                emit(entryStart, last: false)
                start = entryStart
                count = 0
            }
            count += 1
        }
        emit(encodedEvents.count, last: true)
        return records
    }

    /// Decodes a WAL payload, parsing each event's JSON again.
    init(decoding payload: [UInt8], file: String, offset: Int) throws(StorageError) {
        var reader = ByteReader(payload, file: file, baseOffset: offset)
        let version = try reader.readUInt8()
        guard version == 1 else {
            throw StorageError(
                .unsupportedVersion,
                "WAL batch version \(version) is not supported",
                file: file,
                byteOffset: offset
            )
        }
        let checkpointCount = try reader.readCount(limit: payload.count, "checkpoint count")
        for _ in 0..<checkpointCount { checkpoints.append(try SourceCheckpoint(decoding: &reader)) }
        let count = try reader.readCount(limit: payload.count, "event count")
        var decoder = EventRecordDecoder()
        var events = PartitionedEvents()
        var encoded = EncodedEvents()
        for _ in 0..<count {
            let start = reader.absoluteOffset
            let json = Array(try reader.readLengthPrefixed(limit: Limits.maxEventByteCount * 4))
            let record: EventRecord
            do {
                record = try json.withUnsafeBytes { raw throws(CoreError) in try decoder.decode(raw) }
            } catch {
                throw StorageError(
                    .corrupt,
                    "WAL event does not decode",
                    file: file,
                    byteOffset: start,
                    underlying: error
                )
            }
            guard events.append(record, jsonByteCount: json.count) else {
                throw StorageError(.corrupt, "WAL event has no eventTime", file: file, byteOffset: start)
            }
            encoded.append(json)
        }
        append(events, encoded: encoded)
    }
}

/// Compact JSON of several events in one buffer, `length varint | JSON` each.
///
/// With `keepsJSON` false only the count and total size are kept: events from re-readable files are made durable
/// by flushes, not by the WAL, so their text is never needed again (copying it was ~5% of ingest).
public struct EncodedEvents: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var count = 0
    public private(set) var jsonByteCount = 0
    public let keepsJSON: Bool

    public init(keepsJSON: Bool = true) { self.keepsJSON = keepsJSON }

    public mutating func reserveCapacity(_ byteCount: Int) {
        if keepsJSON { bytes.reserveCapacity(byteCount) }
    }

    public mutating func append(_ json: [UInt8]) {
        note(json.count)
        if keepsJSON { bytes.append(contentsOf: json) }
    }

    /// Appends one entry of `length` bytes whose JSON `write` appends to the buffer (called only
    /// when the JSON is kept).
    public mutating func append(length: Int, _ write: (inout [UInt8]) -> Void) {
        note(length)
        guard keepsJSON else { return }
        let before = bytes.count
        write(&bytes)
        precondition(bytes.count - before == length, "encoded event length mismatch")
    }

    private mutating func note(_ length: Int) {
        count += 1
        jsonByteCount += length
        guard keepsJSON else { return }
        var rest = UInt64(length)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}
