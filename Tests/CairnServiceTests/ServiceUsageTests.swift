import CairnCore
import CairnService
import CairnStorage
import CairnTestSupport
import Testing

/// The service's own usage counters: query bytes (also of cancelled and failed queries), stored
/// bytes per day, trail deliveries; kept in `service/usage.json` across restarts.
@Suite(.serialized) struct ServiceUsageTests {
    static let month = UsageKey.month(ofMilliseconds: CairnStorage.Clock.nowMilliseconds())

    /// `count` generated events over three days, as NDJSON.
    static func events(_ count: Int) -> [UInt8] {
        var generator = EventGenerator(.init(eventCount: count, seed: 7, days: 3, accountCount: 2))
        var body = [UInt8]()
        while let window = generator.nextWindow() {
            for event in window.events {
                body += event.json
                body.append(UInt8(ascii: "\n"))
            }
        }
        return body
    }

    /// A harness whose default store holds `count` events in segments (the restart flushes them).
    static func harness(events count: Int) async throws -> ServiceHarness {
        var harness = try ServiceHarness()
        _ = try await harness.service.ingest(Self.events(count), into: nil, context: harness.context())
        try await harness.restart()
        return harness
    }

    static func storeId(_ harness: ServiceHarness) async throws -> String {
        let stores = try await harness.call("ListEventDataStores", "{}")["EventDataStores"]?.arrayValue ?? []
        let arn = try #require(stores.first?["EventDataStoreArn"]?.stringValue)
        return String(arn.split(separator: "/").last!)
    }

    /// Runs `sql` (optionally cancelling it at once) and waits until the service has counted it;
    /// returns its final status and BytesScanned.
    static func run(
        _ sql: String,
        cancel: Bool,
        after delay: Duration = .zero,
        _ harness: ServiceHarness,
        storeId: String
    ) async throws
        -> (status: String, bytes: Int64, milliseconds: Int)
    {
        let before = harness.service.usageRecords.queries.filter { $0.key.storeId == storeId }
            .reduce(Int64(0)) { $0 + $1.value.queryCount }
        let id = try #require(
            try await harness.call("StartQuery", #"{"QueryStatement":"\#(sql)"}"#)["QueryId"]?.stringValue
        )
        if cancel {
            // Once it runs, so that it stops in the middle of its scan.
            for _ in 0..<200 {
                let status = try await harness.call("DescribeQuery", #"{"QueryId":"\#(id)"}"#)["QueryStatus"]
                if status?.stringValue != "QUEUED" { break }
                try await Task.sleep(for: .milliseconds(1))
            }
            try await Task.sleep(for: delay)
            _ = try? await harness.call("CancelQuery", #"{"QueryId":"\#(id)"}"#)
        }
        for _ in 0..<600 {
            let counted = harness.service.usageRecords.queries.filter { $0.key.storeId == storeId }
                .reduce(Int64(0)) { $0 + $1.value.queryCount }
            if counted > before {
                let described = try await harness.call("DescribeQuery", #"{"QueryId":"\#(id)"}"#)
                let statistics = described["QueryStatistics"]
                guard case .number(let text)? = statistics?["BytesScanned"], let value = Int64(text),
                    case .number(let time)? = statistics?["ExecutionTimeInMillis"], let milliseconds = Int(time)
                else { break }
                return (described["QueryStatus"]?.stringValue ?? "", value, milliseconds)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("query \(id) was never counted")
        return ("", -1, 0)
    }

    static func scanned(_ harness: ServiceHarness, _ storeId: String) -> Int64 {
        harness.service.usageRecords.queries.filter { $0.key.storeId == storeId && $0.key.month == month }
            .reduce(Int64(0)) { $0 + $1.value.bytesScanned }
    }

    /// A cancelled query is counted with the bytes it scanned before it stopped: what the usage
    /// file holds is its BytesScanned, more than nothing and less than the whole store.
    ///
    /// The query joins the store with itself on eventSource (millions of pairs): its scans end
    /// early and its join runs for seconds, so a cancel 300 ms after it starts running finds it
    /// past its first row groups; it is tried again later if it was not.
    @Test func cancelledQueryIsCountedWithTheBytesItScanned() async throws {
        var harness = try await Self.harness(events: 30_000)
        let id = try await Self.storeId(harness)
        let sql = "SELECT count(*) FROM \(id) a JOIN \(id) b ON a.eventsource = b.eventsource"
        var total: Int64 = 0
        var cancelledWithBytes = false
        var seen = [String]()
        for attempt in 1...4 where !cancelledWithBytes {
            let delay = 300 * attempt
            let (status, bytes, _) = try await Self.run(
                sql,
                cancel: true,
                after: .milliseconds(delay),
                harness,
                storeId: id
            )
            seen.append("\(status) after \(delay) ms: \(bytes) bytes")
            total += bytes
            cancelledWithBytes = status == "CANCELLED" && bytes > 0
        }
        #expect(cancelledWithBytes, "no query was cancelled while it ran: \(seen)")
        #expect(Self.scanned(harness, id) == total)
        try await harness.restart()
        #expect(Self.scanned(harness, id) == total)
        await harness.close()
    }

    /// A query that fails while it runs (a cast error after its columns were read) pays for them.
    @Test func failedQueryIsCountedWithTheBytesItScanned() async throws {
        let harness = try await Self.harness(events: 2_000)
        let id = try await Self.storeId(harness)
        let (status, bytes, _) = try await Self.run(
            "SELECT CAST(eventname AS BIGINT) FROM \(id)",
            cancel: false,
            harness,
            storeId: id
        )
        #expect(status == "FAILED")
        #expect(bytes > 0)
        #expect(Self.scanned(harness, id) == bytes)
        await harness.close()
    }

    /// Deliveries, trail copies, query bytes and the day's storage sample are all in the usage file,
    /// and a restarted service reads them back and reports the same bill.
    @Test func usageSurvivesARestart() async throws {
        var harness = try await Self.harness(events: 1_000)
        let id = try await Self.storeId(harness)
        let trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/audit"
        try harness.service.recordTrailCopy(
            trail: trail,
            region: "us-east-1",
            month: Self.month,
            events: CategoryCounts(managementRead: 700, managementWrite: 300, data: 50)
        )
        try harness.service.recordDelivery(
            trail: trail,
            region: "us-east-1",
            month: Self.month,
            files: 12,
            bytes: 40_000
        )
        _ = try await Self.run("SELECT count(*) FROM \(id) WHERE eventname <> 'x'", cancel: false, harness, storeId: id)
        let before = harness.service.usageRecords
        #expect(before.trails.count == 1)
        #expect(before.storage.keys.contains { $0.storeId == id })  // sampled by the maintenance pass at start
        let bill = try harness.service.costReport(month: Self.month).bill
        #expect(bill.lines.contains { $0.item == .dataEvents && $0.quantity == 50 && $0.trailArn == trail })
        #expect(bill.lines.contains { $0.item == .s3PutRequests && $0.quantity == 12 })
        #expect(bill.lines.contains { $0.item == .lakeIngestionOneYearLive && $0.storeId == id })
        #expect(bill.lines.contains { $0.item == .lakeQueryScanned && $0.storeId == id && $0.quantity > 0 })

        try await harness.restart()
        let after = harness.service.usageRecords
        #expect(after.trails == before.trails)
        #expect(after.queries == before.queries)
        #expect(Set(after.storage.keys).isSuperset(of: before.storage.keys))
        let again = try harness.service.costReport(month: Self.month).bill
        // Ingestion grew by the self-audit events of the calls above; trails and queries did not.
        let kept: Set<PriceItem> = [.lakeIngestionOneYearLive, .lakeExtendedRetention]
        #expect(again.lines.filter { !kept.contains($0.item) } == bill.lines.filter { !kept.contains($0.item) })
        await harness.close()
    }
}
