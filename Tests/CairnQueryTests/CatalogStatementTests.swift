import CairnQuery
import CairnSQL
import CairnTestSupport
import Testing

/// `SHOW TABLES` and `DESCRIBE` (issue #10), as Trino answers them.
@Suite struct CatalogStatementTests {
    @Test func showTablesListsTheStores() throws {
        let engine = try GoldenFixture.shared().engine
        let result = try engine.execute("SHOW TABLES")
        #expect(result.columns == ["Table"])
        #expect(result.rows == [[.string("default")], [.string("eds-0b5f-4e8f-8bd1")]])
    }

    @Test(arguments: [
        "DESCRIBE default", "DESC default", "SHOW COLUMNS FROM default", "describe \"eds-0b5f-4e8f-8bd1\"",
    ])
    func describeListsTheLakeColumns(sql: String) throws {
        let engine = try GoldenFixture.shared().engine
        let result = try engine.execute(sql)
        #expect(result.columns == ["Column", "Type", "Extra", "Comment"])
        let types = Dictionary(uniqueKeysWithValues: result.rows.map { ("\($0[0].lakeText!)", $0[1].lakeText!) })
        #expect(types["eventtime"] == "timestamp(3)")
        #expect(types["eventname"] == "varchar")
        #expect(types["useridentity"]?.hasPrefix("row(type varchar") == true)
        #expect(result.rows.count > 20)
        // Every column DESCRIBE names can be selected.
        let names = result.rows.map { $0[0].lakeText! }.joined(separator: ", ")
        _ = try engine.execute("SELECT \(names) FROM default LIMIT 1", now: GoldenFixture.now)
    }

    @Test func describeOfAnUnknownTableIsAnError() throws {
        let engine = try GoldenFixture.shared().engine
        #expect {
            try engine.execute("DESCRIBE nosuch")
        } throws: { error in
            "\(error)".contains("table nosuch does not exist")
        }
        #expect(throws: SQLError.self) { try Parser.parse("SHOW TABLE") }
        #expect(try Parser.parse("show tables") == .showTables)
    }
}
