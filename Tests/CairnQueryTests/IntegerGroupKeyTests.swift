import CairnCore
import CairnQuery
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// GROUP BY a timestamp or integer expression (`date_trunc`, hour and minute arithmetic) over
/// thousands of groups, rows in any order: before and after compaction (sealed rows come by
/// eventName, not time), the counts equal those taken from the NDJSON text by Foundation's parser.
@Suite struct IntegerGroupKeyTests {
    @Test func timestampAndIntegerKeysCountEveryRowInItsGroup() throws {
        var generator = EventGenerator(.organization(eventCount: 6_000, seed: 21, days: 3))
        var lines = [String]()
        while let window = generator.nextWindow() {
            lines += window.events.map { String(decoding: $0.json, as: UTF8.self) }
        }
        var byMinute = [String: Int64]()
        var byHourMinute = [Int64: Int64]()
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let time = object["eventTime"] as! String  // 2026-10-02T07:41:09Z
            byMinute[String(time.prefix(16)).replacingOccurrences(of: "T", with: " ") + ":00.000", default: 0] += 1
            let hour = Int64(time.dropFirst(11).prefix(2))!
            let minute = Int64(time.dropFirst(14).prefix(2))!
            byHourMinute[hour * 100 + minute, default: 0] += 1
        }
        // More groups than the key cache has entries, so its slots are shared.
        #expect(byMinute.count > 2_048 && byHourMinute.count > 1_024)

        let imported = try ImportedStore(lines: lines)
        defer { imported.close() }
        /// The groups `sql` answers (key, count), against `expected`.
        func expectGroups<Key: Hashable>(
            _ engine: QueryEngine,
            _ sql: String,
            _ expected: [Key: Int64],
            _ label: String,
            key: (Value) -> Key?
        ) throws {
            var actual = [Key: Int64]()
            for row in try engine.execute(sql).rows {
                if let group = key(row[0]), case .integer(let count) = row[1] { actual[group] = count }
            }
            let wrong = expected.filter { actual[$0.key] != $0.value }.count
            #expect(
                actual.count == expected.count && wrong == 0,
                "\(label): \(wrong) of \(expected.count) groups differ, \(actual.count) answered"
            )
        }
        func check(_ engine: QueryEngine, _ stage: String) throws {
            try expectGroups(
                engine,
                "SELECT CAST(date_trunc('minute', eventtime) AS varchar), count(*) FROM default GROUP BY 1",
                byMinute,
                "\(stage), date_trunc('minute')"
            ) { if case .string(let text) = $0 { text } else { nil } }
            try expectGroups(
                engine,
                "SELECT hour(eventtime) * 100 + minute(eventtime), count(*) FROM default GROUP BY 1",
                byHourMinute,
                "\(stage), hour * 100 + minute"
            ) { if case .integer(let number) = $0 { number } else { nil } }
        }
        try check(imported.engine, "flushed")

        let data = DataDirectory(path: imported.directory.appending("data"))
        let store = try data.openStore(create: false)
        _ = try Compactor(store: store).runAll(now: Clock.nowMilliseconds() + 400 * 86_400_000, quietMilliseconds: 0)
        try store.close()
        let engine = QueryEngine(dataDirectory: data)
        defer { engine.close() }
        try check(engine, "sealed")
    }
}
