import CairnCore
import CairnStorage

/// The events trails still have to deliver, in the order they arrived: a write-ahead log of its own
/// in `service/delivery/journal/`, appended (and synced) before an ingest is acknowledged, read by
/// `TrailDelivery` from each trail's position and trimmed once every trail is past a file.
///
/// Why a journal and not the stores: stores sort events into partitions and compaction rewrites
/// them, so "what arrived after position P" is not something a store can answer; and a trail must
/// deliver every event at least once even when its bucket fails for a day. Events are journaled
/// only while some trail logs, so a Cairn without trails pays nothing.
///
/// Record payload: `receivedMilliseconds u64 | (length varint | compact JSON)*`, the second part
/// exactly the WAL encoding of `IngestBatch.encodedEvents`.
final class DeliveryJournal: Sendable {
    struct Entry: Sendable {
        var lsn: UInt64
        var receivedMilliseconds: Int64
        var events: [ArraySlice<UInt8>]
    }

    private let log: WriteAheadLog

    init(dataPath: String) throws(ServiceError) {
        let directory = Path.join(dataPath, "service", "delivery", "journal")
        do throws(StorageError) {
            let fileSystem = LocalFileSystem()
            try fileSystem.createDirectory(Path.join(dataPath, "service"))
            try fileSystem.createDirectory(Path.join(dataPath, "service", "delivery"))
            log = try WriteAheadLog.openForAppending(fileSystem: fileSystem, directory: directory, syncPolicy: .always)
        } catch {
            throw ServiceError(.internalFailure, "cannot open the delivery journal: \(error.message)")
        }
    }

    var lastLSN: UInt64 { log.lastAppendedLSN }

    /// Appends the events of `batch` (which must carry their JSON) and syncs; split into several
    /// records when it is larger than one WAL record may be.
    func append(_ batch: IngestBatch, receivedMilliseconds: Int64) throws(ServiceError) {
        guard batch.eventCount > 0, batch.hasJSON else { return }
        let encoded = batch.encodedEvents
        var last: UInt64 = 0
        var start = 0
        do throws(StorageError) {
            while start < encoded.count {
                // Whole events up to the record limit (one event larger than that is its own record).
                var end = start
                while end < encoded.count {
                    let (length, headerEnd) = Self.varint(encoded, at: end)
                    let next = headerEnd + length
                    if end > start && next - start > Limits.maxWALRecordByteCount - 16 { break }
                    end = next
                }
                var payload = [UInt8]()
                payload.reserveCapacity(8 + end - start)
                withUnsafeBytes(of: UInt64(bitPattern: receivedMilliseconds).littleEndian) { payload += $0 }
                payload += encoded[start..<end]
                last = try log.append(payload)
                start = end
            }
            try log.makeDurable(upTo: last)
        } catch {
            throw ServiceError(.internalFailure, "cannot journal events for trail delivery: \(error.message)")
        }
    }

    /// Journal records after `lsn`, about `maxByteCount` bytes of them.
    func read(after lsn: UInt64, maxByteCount: Int) throws(ServiceError) -> [Entry] {
        do throws(StorageError) {
            return try log.readDurable(after: lsn, maxByteCount: maxByteCount).map { record in
                let payload = record.payload
                var received: UInt64 = 0
                for index in 0..<min(8, payload.count) { received |= UInt64(payload[index]) << (8 * UInt64(index)) }
                var events = [ArraySlice<UInt8>]()
                var offset = 8
                while offset < payload.count {
                    let (length, start) = Self.varint(payload, at: offset)
                    guard start + length <= payload.count else { break }
                    events.append(payload[start..<(start + length)])
                    offset = start + length
                }
                return Entry(lsn: record.lsn, receivedMilliseconds: Int64(bitPattern: received), events: events)
            }
        } catch {
            throw ServiceError(.internalFailure, "cannot read the delivery journal: \(error.message)")
        }
    }

    /// Drops the journal files every trail has delivered.
    func trim(through lsn: UInt64) throws(ServiceError) {
        do throws(StorageError) {
            try log.removeFiles(through: lsn)
        } catch {
            throw ServiceError(.internalFailure, "cannot trim the delivery journal: \(error.message)")
        }
    }

    func close() {
        try? log.close()
    }

    /// A LEB128 length at `offset`: its value and where the bytes after it start.
    private static func varint(_ bytes: [UInt8], at offset: Int) -> (Int, Int) {
        var value = 0
        var shift = 0
        var index = offset
        while index < bytes.count {
            let byte = bytes[index]
            value |= Int(byte & 0x7F) << shift
            index += 1
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return (value, index)
    }
}
