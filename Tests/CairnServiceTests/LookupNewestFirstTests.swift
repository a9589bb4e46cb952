import CairnCore
import CairnQuery
import CairnService
import CairnTestSupport
import Testing

/// LookupEvents in the server: the newest events are in the memtable (acknowledged, not yet
/// flushed), so a newest-first page reads it first and skips every older segment, whatever the
/// attribute (found by the load test: an expression attribute such as Username read all 2M events).
@Suite struct LookupNewestFirstTests {
    static func records(day: Int, count: Int, user: String) -> [UInt8] {
        var lines = [String]()
        for index in 0..<count {
            lines.append(
                """
                {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"P","arn":"arn:aws:iam::123456789012:user/\(user)","accountId":"123456789012","userName":"\(user)"},"eventTime":"2026-11-\(String(format2: day))T10:00:\(String(format2: index % 60))Z","eventSource":"iam.amazonaws.com","eventName":"GetUser","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"t","requestParameters":null,"responseElements":null,"eventID":"\(UUIDBytes.randomV4())","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}
                """
            )
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    @Test func theMemtableIsReadFirstAndOlderSegmentsAreSkipped() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let context = CallContext(
            accountId: "123456789012",
            region: "us-east-1",
            requestId: "r",
            receivedMilliseconds: 1_796_000_000_000
        )
        let first = try CairnService(dataPath: directory.appending("data"), runsStorageJobs: false)
        for day in 1...5 {
            _ = try await first.ingest(Self.records(day: day, count: 100, user: "alice"), into: nil, context: context)
        }
        await first.shutdown()  // flushes: five days of segments

        let service = try CairnService(dataPath: directory.appending("data"), runsStorageJobs: false)
        _ = try await service.ingest(Self.records(day: 20, count: 10, user: "alice"), into: nil, context: context)
        var request = LookupRequest()
        request.attributes = [("Username", "alice")]
        request.maxResults = 5
        request.region = "us-east-1"
        request.startTime = 1_790_000_000_000
        let page = try service.lookup(request, context)
        #expect(page.events.count == 5)
        #expect(page.events.allSatisfy { EventTimestamp.canonicalText($0.eventTime).hasPrefix("2026-11-20") })
        #expect(page.statistics.segmentsTotal >= 5)
        // Username runs as alternatives (userName; an assumed role's session name), each a query of
        // its own over the five segments. In the first, the second worker reads one segment while
        // the first reads the memtable, and the rest are skipped by the top-N's cut-off; the page is
        // then full, so the second prunes every segment by time.
        #expect(page.statistics.segmentsPruned["top-n time bound", default: 0] >= 5 - 1)
        #expect(page.statistics.segmentsPruned.values.reduce(0, +) >= page.statistics.segmentsTotal - 1)
        // The keys' step reads the memtable and at most one segment; the page's step reads the
        // memtable again (its five events are there) and no segment.
        #expect(page.statistics.eventsScanned <= 10 + 100 + 10)
        await service.shutdown()
    }
}

extension String {
    fileprivate init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
