import CairnCompression
public import CairnCore
import CairnStorage

/// Reads CloudTrail files (plain or gzip) into records and their original JSON, for round-trip tests.
public enum RecordFixtures {
    public struct Loaded {
        public var records: [EventRecord] = []
        /// The original text of each record, parallel to `records`.
        public var originals: [String] = []
        public var failures: [CoreError] = []
    }

    /// Every real record with an eventTime (`SharedData.checkedRecordFiles`), in file order;
    /// throws unless there are exactly `SharedData.timedRecordCount`.
    public static func checkedTimedRecords() throws -> [EventRecord] {
        var records = [EventRecord]()
        for path in try SharedData.checkedRecordFiles() {
            records += try load(path).records.filter { $0.eventTime != nil }
        }
        guard records.count == SharedData.timedRecordCount else {
            throw SharedData.MissingData(
                "\(records.count) real records with an eventTime, expected \(SharedData.timedRecordCount)"
            )
        }
        return records
    }

    public static func load(_ path: String) throws -> Loaded {
        var bytes = try LocalFileSystem().readFile(path)
        if bytes.withUnsafeBytes({ Gzip.hasMagic($0) }) {
            bytes = try bytes.withUnsafeBytes { try Gzip.decompress($0) }
        }
        var loaded = Loaded()
        var framer = RecordFramer()
        bytes.withUnsafeBytes { raw in
            _ = framer.scan(raw) { item in
                switch item.result {
                case .success(let record):
                    loaded.records.append(record)
                    loaded.originals.append(String(decoding: raw[item.range], as: UTF8.self))
                case .failure(let error):
                    loaded.failures.append(error)
                }
            }
        }
        return loaded
    }
}
