import CairnCore
import Testing

/// The organisation shape (`cairn generate --shape organization`): many small partitions, every
/// enabled region, some large events; the default shape is untouched by the new settings.
@Suite struct GeneratorSpreadTests {
    static func records(_ configuration: EventGenerator.Configuration) throws -> [(EventRecord, Int)] {
        var generator = EventGenerator(configuration)
        var decoder = EventRecordDecoder()
        var result = [(EventRecord, Int)]()
        while let window = generator.nextWindow() {
            for event in window.events {
                let record = try event.json.withUnsafeBytes { try decoder.decode($0) }
                #expect(record.recipientAccountId == event.account && record.awsRegion == event.region)
                result.append((record, event.json.count))
            }
        }
        return result
    }

    @Test func theOrganizationShapeHasALongTailOfSmallPartitions() throws {
        let records = try Self.records(.organization(eventCount: 60_000, seed: 5, days: 10))
        #expect(records.count == 60_000)
        var partitions = [String: Int]()
        for (record, _) in records {
            let day = record.eventTime!.milliseconds / 86_400_000
            partitions["\(record.recipientAccountId!)/\(record.awsRegion!)/\(day)", default: 0] += 1
        }
        let sizes = partitions.values.sorted()
        // 24 accounts x 17 regions x 10 days = 4,080 possible partitions: most exist, most are small.
        #expect(partitions.count > 3_000, "\(partitions.count) partitions")
        #expect(sizes[sizes.count / 2] <= 10, "median partition \(sizes[sizes.count / 2]) events")
        #expect(sizes.last! > 200, "the busy partitions stay busy")
        #expect(Set(records.map { $0.0.awsRegion }).count == 17)
        #expect(Set(records.map { $0.0.recipientAccountId }).count == 24)
        // Large events are 2-24 KB; the others about 1.2 KB.
        let large = records.filter { $0.1 > 4_000 }
        let share = Double(large.count) / Double(records.count)
        #expect(share > 0.015 && share < 0.06, "large-event share \(share)")
    }

    @Test func theSameSeedGivesTheSameBytesInEveryShape() {
        func bytes(_ configuration: EventGenerator.Configuration) -> [[UInt8]] {
            var generator = EventGenerator(configuration)
            var result = [[UInt8]]()
            while let window = generator.nextWindow() { result += window.events.map(\.json) }
            return result
        }
        let organization = EventGenerator.Configuration.organization(eventCount: 3_000, seed: 2, days: 2)
        #expect(bytes(organization) == bytes(organization))
        // Settings left at their defaults draw nothing extra: the benchmarks' default data is as before.
        var explicit = EventGenerator.Configuration(eventCount: 3_000, seed: 2, days: 2)
        explicit.regionCount = 8
        explicit.longTailFraction = 0
        #expect(bytes(explicit) == bytes(EventGenerator.Configuration(eventCount: 3_000, seed: 2, days: 2)))
        #expect(bytes(organization) != bytes(EventGenerator.Configuration(eventCount: 3_000, seed: 2, days: 2)))
    }
}
