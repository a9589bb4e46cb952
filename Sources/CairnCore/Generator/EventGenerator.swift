/// Synthetic CloudTrail events for demos, tests and benchmarks (`cairn generate`): many accounts and
/// regions, principals with Zipf-skewed activity, ~40 services with real event sources and names,
/// read-heavy, a few percent errors, data events with resources, nested request and response objects
/// of varied shape.
///
/// Deterministic for a seed: the same configuration gives the same bytes.
///
/// Events come in five-minute windows in time order (CloudTrail delivers about every five minutes
/// per account and region), so writers can emit delivery files without holding the whole set.
public struct EventGenerator {
    public struct Configuration: Sendable {
        public var eventCount: Int
        public var seed: UInt64
        public var days: Int
        public var accountCount: Int
        /// The end of the generated period (exclusive), epoch milliseconds.
        public var endMilliseconds: Int64
        /// Regions with activity, 1 to `GeneratorWorld.allRegions.count`; the first 8 carry most of it.
        public var regionCount: Int
        /// The share of events from the long tail: background calls by AWS services and automation,
        /// spread evenly over every account and active region, so most account/region/day partitions
        /// hold a few events (as in an organisation with every region enabled).
        public var longTailFraction: Double
        /// The share of events with a large `responseElements` (2-24 KB, as Describe* and List* calls
        /// of real data events return).
        public var largeEventFraction: Double

        public init(
            eventCount: Int,
            seed: UInt64 = 1,
            days: Int = 30,
            accountCount: Int = 12,
            endMilliseconds: Int64 = 1_793_491_200_000,
            regionCount: Int = 8,
            longTailFraction: Double = 0,
            largeEventFraction: Double = 0
        ) {
            self.eventCount = eventCount
            self.seed = seed
            self.days = max(1, days)
            self.accountCount = max(1, accountCount)
            self.endMilliseconds = endMilliseconds
            self.regionCount = min(max(1, regionCount), GeneratorWorld.allRegions.count)
            self.longTailFraction = min(max(0, longTailFraction), 1)
            self.largeEventFraction = min(max(0, largeEventFraction), 1)
        }

        /// An organisation's shape, with many small partitions.
        ///
        /// 24 accounts with 17 regions enabled, 15% of events in a long tail of small partitions, 3%
        /// large events. At 1M events over 30 days: about 12,000 account/region/day partitions, most
        /// of them a few events, and ~1.4 KB per event.
        public static func organization(eventCount: Int, seed: UInt64 = 1, days: Int = 30) -> Configuration {
            Configuration(
                eventCount: eventCount,
                seed: seed,
                days: days,
                accountCount: 24,
                regionCount: 17,
                longTailFraction: 0.15,
                largeEventFraction: 0.03
            )
        }
    }

    /// One generated record with its routing keys.
    public struct Event: Sendable {
        public var account: String
        public var region: String
        public var milliseconds: Int64
        /// The record as compact CloudTrail JSON.
        public var json: [UInt8]
    }

    static let windowMilliseconds: Int64 = 5 * 60 * 1000
    /// Relative activity per UTC hour: automation all day, people in working hours.
    static let hourlyWeights: [Double] = [
        0.5, 0.45, 0.4, 0.4, 0.4, 0.45, 0.6, 0.8, 1.1, 1.4, 1.6, 1.7,
        1.6, 1.7, 1.8, 1.8, 1.7, 1.5, 1.2, 1.0, 0.85, 0.7, 0.6, 0.55,
    ]

    public let configuration: Configuration
    private var random: SplitMix64
    private let world: GeneratorWorld
    private let windowCount: Int
    private var windowIndex = 0
    private var emitted = 0
    private let cumulativeWeights: [Double]

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        random = SplitMix64(seed: configuration.seed)
        var worldRandom = SplitMix64(seed: configuration.seed ^ 0x5EED_0F_C0FFEE)
        world = GeneratorWorld(accountCount: configuration.accountCount, random: &worldRandom)
        windowCount = configuration.days * 288
        // Diurnal and weekly shape: busy working hours, quiet nights and weekends.
        var cumulative = [Double]()
        cumulative.reserveCapacity(windowCount)
        var total = 0.0
        let start = configuration.endMilliseconds - Int64(windowCount) * EventGenerator.windowMilliseconds
        for index in 0..<windowCount {
            let time = start + Int64(index) * EventGenerator.windowMilliseconds
            let hour = Int((time / 3_600_000) % 24)
            let weekday = ((time / 86_400_000) + 4) % 7  // 1970-01-01 was a Thursday
            let daily = EventGenerator.hourlyWeights[hour]
            total += daily * (weekday >= 5 ? 0.45 : 1.0)
            cumulative.append(total)
        }
        cumulativeWeights = cumulative
    }

    public var startMilliseconds: Int64 {
        configuration.endMilliseconds - Int64(windowCount) * EventGenerator.windowMilliseconds
    }

    /// The next five-minute window's events in time order, or nil when all were generated.
    public mutating func nextWindow() -> (start: Int64, events: [Event])? {
        guard windowIndex < windowCount else { return nil }
        let target = Int(
            (Double(configuration.eventCount) * cumulativeWeights[windowIndex] / cumulativeWeights.last!).rounded()
        )
        let count = windowIndex == windowCount - 1 ? configuration.eventCount - emitted : max(0, target - emitted)
        let windowStart = startMilliseconds + Int64(windowIndex) * EventGenerator.windowMilliseconds
        var offsets = (0..<count).map { _ in
            Int64(random.next() % UInt64(EventGenerator.windowMilliseconds / 1000)) * 1000
        }
        offsets.sort()
        var events = [Event]()
        events.reserveCapacity(count)
        let spread = configuration.longTailFraction > 0 || configuration.largeEventFraction > 0
        for offset in offsets {
            guard spread else {
                // The default shape draws exactly what it always drew: same seed, same bytes.
                events.append(world.makeEvent(at: windowStart + offset, random: &random))
                continue
            }
            var route: (account: String, region: String)?
            if Double(random.next() % 1_000_000) / 1_000_000 < configuration.longTailFraction {
                route = (
                    world.accounts[Int(random.next() % UInt64(world.accounts.count))],
                    GeneratorWorld.allRegions[Int(random.next() % UInt64(configuration.regionCount))]
                )
            }
            let large = Double(random.next() % 1_000_000) / 1_000_000 < configuration.largeEventFraction
            events.append(world.makeEvent(at: windowStart + offset, route: route, large: large, random: &random))
        }
        emitted += count
        windowIndex += 1
        return (windowStart, events)
    }
}
