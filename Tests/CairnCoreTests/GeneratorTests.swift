import CairnCore
import Testing

@Suite struct GeneratorTests {
    static func generate(seed: UInt64) -> [EventGenerator.Event] {
        var generator = EventGenerator(.init(eventCount: 5_000, seed: seed, days: 2, accountCount: 6))
        var events = [EventGenerator.Event]()
        while let window = generator.nextWindow() { events += window.events }
        return events
    }

    @Test func sameSeedSameBytes() {
        let first = Self.generate(seed: 9)
        let second = Self.generate(seed: 9)
        #expect(first.count == 5_000)
        #expect(first.map(\.json) == second.map(\.json))
        #expect(Self.generate(seed: 10).map(\.json) != first.map(\.json))
    }

    /// The shape the benchmarks rely on: valid records, many accounts and regions, read-heavy,
    /// a few percent errors, data events with resources, skewed principals, time order.
    @Test func eventsLookLikeCloudTrail() throws {
        let events = Self.generate(seed: 1)
        var decoder = EventRecordDecoder()
        let records = try events.map { event in try event.json.withUnsafeBytes { try decoder.decode($0) } }
        #expect(records.allSatisfy { $0.eventTime != nil && $0.eventID != nil && $0.recipientAccountId != nil })
        #expect(
            zip(records, records.dropFirst()).allSatisfy { $0.eventTime!.milliseconds <= $1.eventTime!.milliseconds }
        )
        #expect(Set(records.map(\.recipientAccountId)).count == 6)
        #expect(Set(records.map(\.awsRegion)).count >= 5)
        #expect(Set(records.map(\.eventSource)).count >= 30)
        let readShare = Double(records.filter { $0.readOnly == true }.count) / Double(records.count)
        #expect(readShare > 0.55 && readShare < 0.9, "read share \(readShare)")
        let errorShare = Double(records.filter { $0.errorCode != nil }.count) / Double(records.count)
        #expect(errorShare > 0.01 && errorShare < 0.06, "error share \(errorShare)")
        let data = records.filter { $0.eventCategory == "Data" }
        #expect(!data.isEmpty && data.allSatisfy { $0.managementEvent == false })
        #expect(data.contains { !$0.resourceARNs.isEmpty })
        var perPrincipal = [String: Int]()
        for record in records {
            perPrincipal[record.userIdentity?.arn ?? record.userIdentity?.invokedBy ?? "?", default: 0] += 1
        }
        let top = perPrincipal.values.sorted(by: >)
        #expect(
            top.prefix(top.count / 10).reduce(0, +) * 3 > records.count,
            "the busiest 10% make over a third of the calls"
        )
    }
}
