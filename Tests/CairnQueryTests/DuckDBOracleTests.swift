import CairnCore
import CairnSQL
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

@testable import CairnQuery

/// Cairn against DuckDB, an engine that shares no code with it (issue #10).
///
/// Thousands of seeded random Lake queries run in Cairn and, translated by `DuckDBDialect`, in
/// DuckDB over the same events (`Oracle/duckdb_oracle.py` loads them into a table shaped like
/// Lake's view); the golden files' expected rows are checked against DuckDB too. A divergence
/// fails the test unless `OracleDifferences` documents it as a Trino-vs-DuckDB difference. The
/// test fails, not skips, when `.venv` with DuckDB is missing: `Tools/setup.sh` creates it.
@Suite(.serialized) struct DuckDBOracleTests {
    /// `now()` of every query: 2026-11-04T00:00:00Z, as in the golden files.
    static let now: Int64 = 1_793_750_400_000

    /// Counts printed at the end of a run.
    struct Figures: CustomStringConvertible {
        var dataSet: String
        var queries = 0
        var agreed = 0
        var bothFailed = 0
        var documented = 0
        var diverged = 0
        var description: String {
            "oracle[\(dataSet)]: \(queries) queries, \(agreed) agreed (\(bothFailed) of them errors in both), "
                + "\(documented) documented differences skipped, \(diverged) divergences"
        }
    }

    @Test func cairnAgreesWithDuckDBOnGeneratedEvents() throws {
        let directory = TemporaryDirectory(prefix: "cairn-oracle")
        defer { directory.remove() }
        let generator = EventGenerator(.init(eventCount: 1_500, seed: 7, days: 3, accountCount: 3))
        var lines = [UInt8]()
        var copy = generator
        while let window = copy.nextWindow() {
            for event in window.events { lines += event.json + [0x0A] }
        }
        let events = directory.appending("events.ndjson")
        try LocalFileSystem().writeFileAtomically(events, lines)
        let figures = try compare(dataSet: "generated", paths: [events], directory: directory, seed: 1, count: 1_600)
        print(figures)
    }

    @Test func cairnAgreesWithDuckDBOnRealEvents() throws {
        let directory = TemporaryDirectory(prefix: "cairn-oracle-real")
        defer { directory.remove() }
        let testData = DuckDBOracle.repositoryRoot + "/TestData/cloudtrail"
        let figures = try compare(dataSet: "TestData", paths: [testData], directory: directory, seed: 2, count: 900)
        print(figures)
    }

    /// Imports `paths` into a store, exports what it holds as the oracle's NDJSON, and compares
    /// `count` generated queries.
    func compare(dataSet: String, paths: [String], directory: TemporaryDirectory, seed: UInt64, count: Int) throws
        -> Figures
    {
        let data = DataDirectory(path: directory.appending("data"))
        let store = try data.openStore("default", create: true)
        _ = try ArchiveImporter(store: store).importPaths(paths)
        try store.flush()
        var records = [EventRecord]()
        var exported = [UInt8]()
        let writer = EventRecordWriter()
        try store.forEachRecord { record in
            records.append(record)
            writer.encode(record, into: &exported)
            exported.append(0x0A)
        }
        let eventsPath = directory.appending("oracle-events.ndjson")
        try LocalFileSystem().writeFileAtomically(eventsPath, exported)
        let engine = QueryEngine(dataDirectory: data)
        engine.register(store)
        defer { try? store.close() }

        var generator = OracleQueryGenerator(seed: seed, sample: Sample(records: records))
        var queries = [(sql: String, duck: String, ordered: Bool)]()
        for _ in 0..<count {
            let query = generator.next()
            do {
                var dialect = DuckDBDialect(now: Self.now)
                queries.append((query.sql, try dialect.sql(try Parser.parseQuery(query.sql)), query.ordered))
            } catch {
                Issue.record("cannot translate \(query.sql): \(error)")
            }
        }
        let clock = ContinuousClock()
        let oracleStart = clock.now
        let answers = try DuckDBOracle.run(eventsPath: eventsPath, queries: queries.map(\.duck))
        let oracleTime = clock.now - oracleStart
        defer { print("oracle[\(dataSet)]: DuckDB took \(oracleTime), Cairn \(clock.now - oracleStart - oracleTime)") }
        var figures = Figures(dataSet: dataSet)
        var reports = [String]()
        for (query, answer) in zip(queries, answers) {
            figures.queries += 1
            let cairn = Result { try engine.execute(query.sql, now: Self.now).rows }
            let difference: String?
            switch (cairn, answer) {
            case (.success(let rows), .rows(let oracle)):
                difference = OracleComparison.difference(
                    OracleComparison.cells(rows),
                    oracle,
                    ordered: query.ordered
                )
            case (.failure, .error):
                figures.bothFailed += 1
                difference = nil
            case (.failure(let error), .rows(let oracle)):
                difference = "Cairn failed (\(error)), DuckDB gave \(oracle.count) rows"
            case (.success(let rows), .error(let message)):
                difference = "DuckDB failed (\(message)), Cairn gave \(rows.count) rows"
            }
            guard let difference else {
                figures.agreed += 1
                continue
            }
            if OracleDifferences.documented(query.sql) != nil {
                figures.documented += 1
                continue
            }
            figures.diverged += 1
            reports.append("\(query.sql)\n  DuckDB: \(query.duck)\n  \(difference)")
        }
        if let path = ProcessInfo.processInfo.environment["CAIRN_ORACLE_REPORT"] {
            try reports.joined(separator: "\n\n").write(toFile: path + "-" + dataSet, atomically: true, encoding: .utf8)
        }
        #expect(reports.isEmpty, "\(reports.count) divergence(s):\n\(reports.prefix(20).joined(separator: "\n\n"))")
        #expect(figures.agreed > count * 9 / 10, "\(figures)")
        return figures
    }

    /// Every golden `query` record's expected rows, recomputed by DuckDB.
    @Test func goldenRowsAgreeWithDuckDB() throws {
        var records = [(location: String, sql: String, duck: String, columns: String, sorted: Bool, rows: [String])]()
        var untranslatable = [String]()
        for name in GoldenFile.names {
            let file = try GoldenFile(path: GoldenFile.directory + "/" + name)
            for record in file.records {
                guard case .rows(let columns, let sorted, let rows) = record.expectation else { continue }
                let location = "\(name):\(record.line)"
                if let reason = OracleDifferences.goldenExceptions[location] {
                    untranslatable.append("\(location): \(reason)")
                    continue
                }
                do {
                    var dialect = DuckDBDialect(now: GoldenFixture.now)
                    let duck = try dialect.sql(try Parser.parseQuery(record.sql))
                    records.append((location, record.sql, duck, columns, sorted, rows))
                } catch {
                    untranslatable.append("\(location): \(error)")
                }
            }
        }
        let answers = try DuckDBOracle.run(
            eventsPath: GoldenFile.directory + "/events.ndjson",
            queries: records.map(\.duck)
        )
        var failures = [String]()
        for (record, answer) in zip(records, answers) {
            let expected = OracleComparison.cells(goldenLines: record.rows, columns: record.columns)
            switch answer {
            case .error(let message):
                failures.append("\(record.location): DuckDB failed: \(message)\n  \(record.duck)")
            case .rows(let oracle):
                let oracle = oracle.map { row in
                    row.map { (cell: DuckDBOracle.Cell) -> DuckDBOracle.Cell in
                        guard case .text(let text) = cell else { return cell }
                        return .text(OracleComparison.escaped(text))
                    }
                }
                if let difference = OracleComparison.difference(expected, oracle, ordered: !record.sorted) {
                    failures.append("\(record.location): \(difference)\n  \(record.sql)\n  DuckDB: \(record.duck)")
                }
            }
        }
        print(
            "oracle[golden]: \(records.count) golden queries checked by DuckDB, \(records.count - failures.count) agreed, "
                + "\(untranslatable.count) not translatable:\n  " + untranslatable.joined(separator: "\n  ")
        )
        #expect(
            failures.isEmpty,
            "\(failures.count) golden record(s) differ from DuckDB:\n\(failures.joined(separator: "\n"))"
        )
    }
}
