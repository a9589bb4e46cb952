import CairnCore
import CairnQuery
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// Queries running while retention commits (#11 point 4): each answers for the store before
/// retention or after it, never for a mix of the two.
@Suite struct RetentionQueryTests {
    /// 30 days of events (2024-04-16 to 2024-05-15) in two accounts, four per partition, in a
    /// store with a 7-day period; returns the data directory.
    static func makeStore(in directory: TemporaryDirectory) throws -> DataDirectory {
        let data = DataDirectory(path: directory.path)
        _ = try data.createStore(named: "audit", retentionDays: 7, terminationProtected: false)
        let store = try data.openStore("audit", create: false)
        var decoder = EventRecordDecoder()
        let firstDay = EventTimestamp.epochDay(EventTimestamp(parsing: "2024-04-16T00:00:00Z")!.milliseconds)
        for day in 0..<30 {
            var batch = IngestBatch()
            let date = EventTimestamp.dateText(epochDay: firstDay + Int64(day))
            for account in ["111122223333", "444455556666"] {
                for hour in 0..<4 {
                    let text =
                        #"{"eventID":"\#(account)-\#(date)-\#(hour)","eventTime":"\#(date)T0\#(hour):00:00Z","recipientAccountId":"\#(account)","awsRegion":"us-east-1","eventName":"E"}"#
                    try batch.append(try decoder.decode(text), json: Array(text.utf8))
                }
            }
            try store.append(batch)
            try store.flush()
        }
        try store.close()
        return data
    }

    /// Two threads run queries that read a column of every segment (each through a new engine, as
    /// separate `cairn query` processes do) while the main thread applies retention.
    ///
    /// Every answer is the count before (240) or after (64: 2024-05-08 to 2024-05-15). A query
    /// whose catalog predates the edit still reads every file it lists: the writer deletes them
    /// only once no reader holds the store open.
    @Test func queriesDuringRetentionAnswerForBeforeOrAfter() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try Self.makeStore(in: directory)
        let sql = "SELECT count(*) FROM audit WHERE eventid LIKE '%-2024-%'"
        let answers = Answers()
        let threads = (0..<2).map { _ in
            Thread {
                var extra = 0
                while extra < 10 {
                    if answers.retentionDone { extra += 1 }
                    let engine = QueryEngine(dataDirectory: data, workerCount: 1)
                    do {
                        answers.add(.success(try engine.execute(sql).rows))
                    } catch {
                        answers.add(.failure(error))
                    }
                    engine.close()
                }
                answers.finishThread()
            }
        }
        for thread in threads { thread.start() }
        Thread.sleep(forTimeInterval: 0.1)
        let now = EventTimestamp(parsing: "2024-05-15T10:00:00Z")!.milliseconds
        let plans = try data.applyRetention(store: "audit", dryRun: false, nowMilliseconds: now)
        answers.finishRetention()
        while answers.finishedThreads < threads.count { Thread.sleep(forTimeInterval: 0.01) }

        #expect(plans[0].eventCount == 240 - 64)
        var sawAfter = false
        for answer in answers.all {
            switch answer {
            case .success(let rows):
                #expect(rows == [[.integer(240)]] || rows == [[.integer(64)]], "a query answered \(rows)")
                sawAfter = sawAfter || rows == [[.integer(64)]]
            case .failure(let error):
                Issue.record("a query failed: \(error)")
            }
        }
        #expect(sawAfter)
        #expect(try QueryEngine(dataDirectory: data).execute(sql).rows == [[.integer(64)]])
    }
}

/// Answers collected from query threads.
private final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<[[Value]], any Error>] = []
    private var threadsFinished = 0
    private var retention = false

    func add(_ result: Result<[[Value]], any Error>) { lock.withLock { results.append(result) } }
    func finishThread() { lock.withLock { threadsFinished += 1 } }
    func finishRetention() { lock.withLock { retention = true } }
    var finishedThreads: Int { lock.withLock { threadsFinished } }
    var retentionDone: Bool { lock.withLock { retention } }
    var all: [Result<[[Value]], any Error>] { lock.withLock { results } }
}
