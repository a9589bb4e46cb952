import CairnCore
import CairnQuery
import CairnService
import CairnStorage
import CairnTestSupport
import Testing

/// The selector what-if (issue #15) against a Lake query counting the same events directly: a data
/// directory with every real record of TestData (store `default`, about 3,700 events over some 60 months), 10,000
/// generated events in 8 regions (store `generated`) and a second copy of the Invictus events
/// (store `copy`); for each selector and month, the what-if's counts by region and category equal
/// those of a `SELECT ... GROUP BY` written on Lake's columns, which shares no code with the
/// matchers or `SelectableEvent`.
@Suite struct SelectorWhatIfTests {
    /// The data directory, a read-only service and a query engine over it.
    final class Fixture {
        let directory = TemporaryDirectory(prefix: "cairn-whatif")
        let service: CairnService
        let engine: QueryEngine

        init() throws {
            let data = DataDirectory(path: directory.path)
            var files = try SharedData.checkedRecordFiles()
            files.append(SharedData.cloudTrailDirectory + "/panther-analysis-rule-tests/records.json")
            try Self.ingest(files, into: "default", data)
            let generated = directory.appending("generated.ndjson")
            var generator = EventGenerator(.init(eventCount: 10_000, seed: 7, days: 5))
            var bytes = [UInt8]()
            while let window = generator.nextWindow() {
                for event in window.events { bytes += event.json + [0x0A] }
            }
            let file = try LocalFileSystem().openForAppending(generated, truncate: true)
            try file.append(bytes)
            try file.close()
            try Self.ingest([generated], into: "generated", data)
            let invictus = try SharedData.files(in: SharedData.cloudTrailDirectory + "/invictus-ir-aws-dataset")
            try Self.ingest(invictus.filter { $0.hasSuffix(".json") }, into: "copy", data)
            service = try CairnService(dataPath: directory.path, readOnly: true, runsStorageJobs: false)
            engine = QueryEngine(dataDirectory: data)
        }

        static func ingest(_ files: [String], into name: String, _ data: DataDirectory) throws {
            let store = try data.openStore(name, create: true)
            let summary = try ArchiveImporter(store: store).importPaths(files)
            #expect(summary.events > 0, "\(name): nothing ingested from \(files.count) files")
            try store.close()
        }

        deinit {
            engine.close()
            directory.remove()
        }

        /// Counts by `month|region|category` from a Lake query over `store` with `condition`.
        func lakeCounts(_ store: String, _ condition: String) throws -> [String: Int64] {
            let category = """
                CASE WHEN coalesce(eventcategory, CASE WHEN managementevent = false THEN 'Data' ELSE 'Management' END) = 'Data' THEN 'data'
                     WHEN eventcategory = 'NetworkActivity' THEN 'networkActivity'
                     WHEN eventcategory = 'Insight' THEN 'insight'
                     WHEN readonly = true THEN 'managementRead' ELSE 'managementWrite' END
                """
            let sql = """
                SELECT date_format(eventtime, '%Y-%m'), coalesce(awsregion, 'us-east-1'), \(category), count(*)
                FROM \(store)
                WHERE coalesce(recipientaccountid, useridentity.accountid) IS NOT NULL AND (\(condition))
                GROUP BY 1, 2, 3
                """
            var counts = [String: Int64]()
            for row in try engine.execute(sql).rows {
                guard case .string(let month) = row[0], case .string(let region) = row[1],
                    case .string(let category) = row[2], case .integer(let count) = row[3]
                else {
                    Issue.record("unexpected row \(row)")
                    continue
                }
                counts["\(month)|\(region)|\(category)"] = count
            }
            return counts
        }

        /// The months a store holds events of.
        func months(_ store: String) throws -> [String] {
            try engine.execute("SELECT DISTINCT date_format(eventtime, '%Y-%m') FROM \(store)").rows.compactMap {
                if case .string(let month) = $0[0] { return month }
                return nil
            }.sorted()
        }

        func whatIf(_ members: [(String, JSONValue)]) async throws -> SelectorWhatIfReport {
            try await service.selectorWhatIf(.object(members))
        }

        /// The what-if's counts by `month|region|category` for each month of `store`.
        func whatIfCounts(_ store: String, _ selectors: (String, JSONValue)) async throws -> [String: Int64] {
            var counts = [String: Int64]()
            for month in try months(store) {
                let report = try await whatIf([
                    selectors, ("month", .string(month)), ("eventDataStore", .string(store)),
                ])
                #expect(report.stores == [store])
                for (region, value) in report.regions {
                    let categories: [(String, Int64)] = [
                        ("managementRead", value.managementRead), ("managementWrite", value.managementWrite),
                        ("data", value.data), ("networkActivity", value.networkActivity), ("insight", value.insight),
                    ]
                    for (category, count) in categories where count > 0 {
                        counts["\(month)|\(region)|\(category)"] = count
                    }
                }
            }
            return counts
        }
    }

    static let category =
        "coalesce(eventcategory, CASE WHEN managementevent = false THEN 'Data' ELSE 'Management' END)"

    /// A selector, its member name, and the Lake condition that selects the same events.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var member: String
        var selectors: String
        var condition: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "management reads (readOnly Equals)",
            member: "advancedEventSelectors",
            selectors: #"""
                [{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["true"]}]}]
                """#,
            condition: "\(category) = 'Management' AND readonly = true"
        ),
        Case(
            name: "management without KMS (eventSource NotEquals)",
            member: "advancedEventSelectors",
            selectors: #"""
                [{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},
                  {"Field":"eventSource","NotEquals":["kms.amazonaws.com"]}]}]
                """#,
            condition: "\(category) = 'Management' AND (eventsource IS NULL OR eventsource <> 'kms.amazonaws.com')"
        ),
        Case(
            name: "S3 object reads and writes (eventName Equals, resources.type, resources.ARN StartsWith)",
            member: "advancedEventSelectors",
            selectors: #"""
                [{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},
                  {"Field":"resources.type","Equals":["AWS::S3::Object"]},
                  {"Field":"eventName","Equals":["GetObject","PutObject"]},
                  {"Field":"resources.ARN","StartsWith":["arn:aws:s3:::"]}]}]
                """#,
            condition: """
                \(category) = 'Data' AND eventname IN ('GetObject', 'PutObject')
                AND any_match(resources, r -> r.type = 'AWS::S3::Object' AND coalesce(r.arn, r.arnprefix) LIKE 'arn:aws:s3:::%')
                """
        ),
        Case(
            name: "S3 data events but GetObject (eventSource StartsWith, eventName NotEquals)",
            member: "advancedEventSelectors",
            selectors: #"""
                [{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},
                  {"Field":"resources.type","Equals":["AWS::S3::Object"]},
                  {"Field":"eventSource","StartsWith":["s3."]},
                  {"Field":"eventName","NotEquals":["GetObject"]}]}]
                """#,
            condition: """
                \(category) = 'Data' AND eventsource LIKE 's3.%' AND (eventname IS NULL OR eventname <> 'GetObject')
                AND any_match(resources, r -> r.type = 'AWS::S3::Object')
                """
        ),
        Case(
            name: "management writes or any S3 object event (two selectors)",
            member: "advancedEventSelectors",
            selectors: #"""
                [{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["false"]}]},
                 {"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]
                """#,
            condition: """
                (\(category) = 'Management' AND readonly = false)
                OR (\(category) = 'Data' AND any_match(resources, r -> r.type = 'AWS::S3::Object'))
                """
        ),
        Case(
            name: "S3 network activity (eventSource Equals)",
            member: "advancedEventSelectors",
            selectors: #"""
                [{"FieldSelectors":[{"Field":"eventCategory","Equals":["NetworkActivity"]},
                  {"Field":"eventSource","Equals":["s3.amazonaws.com"]}]}]
                """#,
            condition: "eventcategory = 'NetworkActivity' AND eventsource = 's3.amazonaws.com'"
        ),
        Case(
            name: "basic: write-only management and every S3 object",
            member: "eventSelectors",
            selectors: #"""
                [{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true,
                  "DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]
                """#,
            condition: """
                (readonly IS NULL OR readonly = false) AND (\(category) = 'Management'
                OR (\(category) = 'Data' AND any_match(resources, r -> r.type = 'AWS::S3::Object')))
                """
        ),
    ]

    /// Every case over every month of both stores: the same counts by month, region and category.
    @Test func countsEqualALakeQueryOverTheSameStore() async throws {
        let fixture = try Fixture()
        for test in Self.cases {
            var matched: Int64 = 0
            for store in ["default", "generated"] {
                let selectors = (test.member, try JSONValue(parsing: test.selectors))
                let expected = try fixture.lakeCounts(store, test.condition)
                let counted = try await fixture.whatIfCounts(store, selectors)
                #expect(counted == expected, "\(test.name) over \(store)")
                matched += counted.values.reduce(0, +)
            }
            #expect(matched > 0, "\(test.name) matches nothing: the check would be vacuous")
        }
        #expect(try fixture.months("default").count > 40)
        #expect(try fixture.months("generated") == ["2026-10"])
    }

    /// Records rebuilt from the projected columns give every selector field as whole records do.
    @Test func projectedRecordsSelectAsWholeRecords() throws {
        let fixture = try Fixture()
        var options = EventStore.Options()
        options.readOnly = true
        let columns = SegmentColumn.rebuilding(SelectableEvent.recordFields)
        for name in ["default", "generated"] {
            let store = try DataDirectory(path: fixture.directory.path).openStore(name, create: false, options: options)
            defer { try? store.close() }
            var whole = [SelectableEvent]()
            try store.forEachRecord { whole.append(SelectableEvent($0)) }
            var projected = [SelectableEvent]()
            try store.forEachRecord(columns: columns) { projected.append(SelectableEvent($0)) }
            #expect(whole.count > 3_000)
            #expect(projected == whole, "\(name)")
        }
    }

    /// All stores together count an event two stores hold once: the `copy` store repeats the
    /// Invictus events of `default`, so the sum of the two single-store answers equals the answer over all
    /// three stores and the duplicates the `copy` store's matches.
    @Test func storesHoldingTheSameEventsCountItOnce() async throws {
        let fixture = try Fixture()
        let selectors = ("advancedEventSelectors", try JSONValue(parsing: Self.cases[0].selectors))
        let month = ("month", JSONValue.string("2023-07"))
        let all = try await fixture.whatIf([selectors, month])
        let single = try await fixture.whatIf([selectors, month, ("eventDataStore", .string("default"))])
        let copy = try await fixture.whatIf([selectors, month, ("eventDataStore", .string("copy"))])
        #expect(all.stores == ["copy", "default", "generated"])
        #expect(copy.events.total > 2_000)
        #expect(all.events == single.events)
        #expect(all.duplicates == copy.events.total)
        #expect(all.eventsRead == single.eventsRead + copy.eventsRead)
    }

    /// The cost, computed by hand from the spec's prices.
    ///
    /// With no trail delivering yet, the proposed trail's management writes are the free first copy, its S3 data events cost $0.10 per 100,000
    /// (1,000 nanodollars each) and ApiCallRateInsight on management events $0.35 per 100,000 write
    /// events analysed (3,500 nanodollars each). The generated events span 120 hours (five days),
    /// so the month of October (744 hours) is projected at 744/120 of each count.
    @Test func costOfTheBasicCaseByHand() async throws {
        let fixture = try Fixture()
        let test = Self.cases[6]
        let expected = try fixture.lakeCounts("generated", test.condition)
        var writes: Int64 = 0
        var data: Int64 = 0
        var projected: [String: (writes: Int64, data: Int64)] = [:]
        for (key, count) in expected {
            let parts = key.split(separator: "|").map(String.init)
            let scaled = (count * 744 + 60) / 120
            if parts[2] == "managementWrite" {
                writes += count
                projected[parts[1], default: (0, 0)].writes += scaled
            }
            if parts[2] == "data" {
                data += count
                projected[parts[1], default: (0, 0)].data += scaled
            }
        }
        #expect(writes > 100 && data > 0)
        let report = try await fixture.whatIf([
            (test.member, try JSONValue(parsing: test.selectors)), ("month", .string("2026-10")),
            ("eventDataStore", .string("generated")),
            ("insightSelectors", .array([.object([("InsightType", .string("ApiCallRateInsight"))])])),
        ])
        #expect(report.events.managementWrite == writes && report.events.data == data)
        #expect(report.cost == Money(nanodollars: data * 1_000 + writes * 3_500))
        #expect(report.lines.reduce(Money.zero) { $0 + $1.amount } == report.cost)
        #expect(report.lines.allSatisfy { $0.item != .managementEventsAdditionalCopy })
        #expect(report.observedHours == 120)
        let projectedWrites = projected.values.reduce(0) { $0 + $1.writes }
        let projectedData = projected.values.reduce(0) { $0 + $1.data }
        #expect(report.projectedCost == Money(nanodollars: projectedData * 1_000 + projectedWrites * 3_500))
        let json = report.json
        #expect(json["cost"] == .string(report.cost.decimalText))
        #expect(json["eventsMatched"]?["data"] == .number(String(data)))
    }

    /// Selectors a trail could not have are refused with the trail rules' errors.
    @Test func invalidRequestsAreRefused() async throws {
        let fixture = try Fixture()
        func failure(_ json: String) async -> ServiceError? {
            do {
                _ = try await fixture.service.selectorWhatIf(try JSONValue(parsing: json))
                return nil
            } catch let error as ServiceError {
                return error
            } catch {
                return nil
            }
        }
        let storeOnly =
            #"{"advancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Insight"]}]}]}"#
        #expect(await failure(storeOnly)?.code == .invalidEventSelectorsException)
        let managementByName = #"""
            {"advancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},
              {"Field":"eventName","Equals":["ConsoleLogin"]}]}]}
            """#
        #expect(await failure(managementByName)?.code == .invalidEventSelectorsException)
        #expect(
            await failure(#"{"eventSelectors":[],"advancedEventSelectors":[]}"#)?.code
                == .invalidEventSelectorsException
        )
        #expect(await failure(#"{"advancedEventSelectors":[],"month":"2026-13"}"#)?.code == .invalidParameterException)
        #expect(
            await failure(#"{"advancedEventSelectors":[],"eventDataStore":"nope"}"#)?.code
                == .eventDataStoreNotFoundException
        )
        #expect(await failure(#"{"advancedEventSelectors":[],"colour":"red"}"#)?.code == .validationException)
        let insights = #"{"advancedEventSelectors":[],"insightSelectors":[{"InsightType":"ApiLatencyInsight"}]}"#
        #expect(await failure(insights)?.code == .invalidInsightSelectorsException)
    }

    /// Without a month the what-if looks at the previous UTC month, across a year's start too.
    @Test func theDefaultMonthIsThePreviousOne() throws {
        func previous(_ time: String) throws -> String {
            let milliseconds = try #require(EventTimestamp(parsing: time)).milliseconds
            return SelectorWhatIfRequest.previousMonth(beforeMilliseconds: milliseconds)
        }
        #expect(try previous("2026-01-01T00:00:00Z") == "2025-12")
        #expect(try previous("2026-03-31T23:59:59Z") == "2026-02")
        #expect(try previous("2024-12-04T07:41:18Z") == "2024-11")
    }
}
