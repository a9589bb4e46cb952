import Benchmark
import CairnCore
import CairnStorage
import Glibc

/// The storage workloads by name: parse and ingest NDJSON, write and read a segment, probe a bloom
/// filter. Each checks its own result (a wrong answer stops the run). Wall clock is for people;
/// thresholds, when committed, are on allocations and instructions.
let benchmarks: @Sendable () -> Void = {
    let events = SampleData.events

    Benchmark(
        "Parse 10k CloudTrail records",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .instructions], scalingFactor: .kilo)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var decoder = EventRecordDecoder()
            var parsed = 0
            for event in events.prefix(10) {
                let record = try event.json.withUnsafeBytes { try decoder.decode($0) }
                if record.eventTime != nil { parsed += 1 }
            }
            precondition(parsed == 10, "every sample record parses")
            blackHole(parsed)
        }
    }

    Benchmark(
        "Ingest 20k events (WAL + flush to segments)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident], maxIterations: 5)
    ) { benchmark in
        let directory = TemporaryPath()
        defer { directory.remove() }
        let store = try DataDirectory(path: directory.path).openStore(create: true)
        var batch = IngestBatch()
        var decoder = EventRecordDecoder()
        for event in events {
            try batch.append(try event.json.withUnsafeBytes { try decoder.decode($0) }, json: event.json)
        }
        benchmark.startMeasurement()
        try store.append(batch)
        try store.close()
        benchmark.stopMeasurement()
        precondition(store.segments.reduce(0) { $0 + $1.rowCount } == events.count, "every event stored")
    }

    Benchmark(
        "Write one segment of 20k events",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .instructions], maxIterations: 10)
    ) { benchmark in
        let records = SampleData.records
        for _ in benchmark.scaledIterations {
            let encoded = try SampleData.encodeSegment(records)
            precondition(encoded.footer.rowCount == records.count)
            blackHole(encoded.bytes.count)
        }
    }

    Benchmark(
        "Write one sealed segment of 20k events (typed JSON streams, binary fuse filters)",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .instructions], maxIterations: 5)
    ) { benchmark in
        let records = SampleData.records
        for _ in benchmark.scaledIterations {
            let encoded = try SampleData.encodeSegment(records, writer: SampleData.sealWriter)
            precondition(encoded.footer.rowCount == records.count)
            blackHole(encoded.bytes.count)
        }
    }

    Benchmark(
        "Read every record of a 20k-event segment",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxIterations: 10)
    ) { benchmark in
        let (directory, path) = try SampleData.segmentFile()
        defer { directory.remove() }
        for _ in benchmark.scaledIterations {
            let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
            let records = try reader.readAllRecords()
            precondition(records.count == SampleData.records.count)
            blackHole(records)
        }
    }

    Benchmark(
        "Probe an eventID binary fuse filter 100k times",
        configuration: .init(metrics: [.wallClock, .instructions, .mallocCountTotal], scalingFactor: .kilo)
    ) { benchmark in
        let keys = SampleData.records.map { XXHash64.hash($0.eventID!) }
        guard let filter = BinaryFuseFilter(keys: keys, fingerprintBits: 7) else {
            preconditionFailure("20k distinct keys peel")
        }
        let hashes = Array(keys.prefix(100))
        for _ in benchmark.scaledIterations {
            var hits = 0
            for hash in hashes where filter.mightContain(hash: hash) { hits += 1 }
            precondition(hits == hashes.count, "no false negatives")
            blackHole(hits)
        }
    }

    Benchmark(
        "Probe an eventID bloom filter 100k times",
        configuration: .init(metrics: [.wallClock, .instructions, .mallocCountTotal], scalingFactor: .kilo)
    ) { benchmark in
        var filter = SplitBlockBloomFilter(distinctCount: 65_536, falsePositiveRate: 0.001)
        for record in SampleData.records { filter.insert(record.eventID!) }
        let hashes = SampleData.records.prefix(100).map { XXHash64.hash($0.eventID!) }
        for _ in benchmark.scaledIterations {
            var hits = 0
            for hash in hashes where filter.mightContain(hash: hash) { hits += 1 }
            precondition(hits == hashes.count, "no false negatives")
            blackHole(hits)
        }
    }
}

/// Generated events shared by the benchmarks (deterministic).
enum SampleData {
    static let events: [EventGenerator.Event] = {
        var generator = EventGenerator(.init(eventCount: 20_000, seed: 1, days: 1, accountCount: 1))
        var all = [EventGenerator.Event]()
        while let window = generator.nextWindow() { all += window.events }
        return all
    }()

    static let records: [EventRecord] = {
        var decoder = EventRecordDecoder()
        return events.map { event in try! event.json.withUnsafeBytes { try decoder.decode($0) } }
            .map { record in
                var copy = record
                copy.recipientAccountId = "123456789012"
                return copy
            }
    }()

    /// The writer `cairn compact` seals a closed day with.
    static let sealWriter = SegmentWriter(
        compressionLevel: Limits.sealCompressionLevel,
        jsonCompressionLevel: Limits.sealJSONCompressionLevel,
        stringCompressionLevel: Limits.sealStringCompressionLevel,
        level: 2,
        pointLookupFalsePositiveRate: Limits.sealedPointLookupFalsePositiveRate,
        shredsJSON: true,
        clustersByName: true,
        buildsBinaryFuseFilters: true
    )

    static func encodeSegment(
        _ records: [EventRecord],
        writer: SegmentWriter = SegmentWriter()
    ) throws -> (bytes: [UInt8], footer: SegmentFooter) {
        try writer.encode(
            records,
            partition: PartitionKey(account: "123456789012", region: "us-east-1", epochDay: 20_000),
            id: SegmentID(high: 1, low: 2),
            createdMilliseconds: 0,
            uncompressedByteCount: 0
        )
    }

    static func segmentFile() throws -> (TemporaryPath, String) {
        let directory = TemporaryPath()
        let encoded = try encodeSegment(records)
        let path = directory.path + "/bench.cts"
        let file = try LocalFileSystem().openForAppending(path, truncate: true)
        try file.append(encoded.bytes)
        try file.close()
        return (directory, path)
    }
}

struct TemporaryPath {
    let path: String

    init() {
        var template = Array("/tmp/cairn-bench-XXXXXX".utf8CString)
        path = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!)! })
    }

    func remove() { try? LocalFileSystem().remove(path) }
}
