import Synchronization

/// Counters and latency histograms for `/metrics`, in Prometheus' text format.
///
/// Cheap enough for every request: atomics for counters, one lock per histogram observation.
final class ServerMetrics: Sendable {
    private let counters = Mutex<[String: Int]>([:])
    private let latency = Mutex<[String: Histogram]>([:])
    let queriesRunning = Atomic<Int>(0)

    /// Upper bounds of the latency buckets, in seconds.
    static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.bucketBounds.count)
        var sum = 0.0
        var count = 0
    }

    func add(_ name: String, labels: String = "", _ value: Int = 1) {
        counters.withLock { $0[labels.isEmpty ? name : "\(name){\(labels)}", default: 0] += value }
    }

    func observe(operation: String, seconds: Double) {
        latency.withLock { all in
            var histogram = all[operation] ?? Histogram()
            for (index, bound) in Self.bucketBounds.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            all[operation] = histogram
        }
    }

    /// The exposition text.
    func render(extra: [(name: String, help: String, value: Int)]) -> String {
        var text = ""
        let snapshot = counters.withLock { $0 }
        var described = Set<String>()
        for key in snapshot.keys.sorted() {
            let name = String(key.prefix { $0 != "{" })
            if described.insert(name).inserted { text += "# TYPE \(name) counter\n" }
            text += "\(key) \(snapshot[key]!)\n"
        }
        for item in extra {
            text += "# HELP \(item.name) \(item.help)\n# TYPE \(item.name) gauge\n\(item.name) \(item.value)\n"
        }
        text += "# HELP cairn_request_duration_seconds Time to answer an API request, by operation.\n"
        text += "# TYPE cairn_request_duration_seconds histogram\n"
        let histograms = latency.withLock { $0 }
        for operation in histograms.keys.sorted() {
            let histogram = histograms[operation]!
            for (index, bound) in Self.bucketBounds.enumerated() {
                text += "cairn_request_duration_seconds_bucket{operation=\"\(operation)\",le=\"\(bound)\"} "
                text += "\(histogram.counts[index])\n"
            }
            text += "cairn_request_duration_seconds_bucket{operation=\"\(operation)\",le=\"+Inf\"} \(histogram.count)\n"
            text += "cairn_request_duration_seconds_sum{operation=\"\(operation)\"} \(histogram.sum)\n"
            text += "cairn_request_duration_seconds_count{operation=\"\(operation)\"} \(histogram.count)\n"
        }
        return text
    }
}
