import CairnTestSupport
import Foundation
import Testing

/// `cairn store` and `cairn retention apply` as a user runs them.
@Suite struct RetentionCLITests {
    /// One event per date, at 10:00 UTC, with distinct ids.
    static func write(dates: [String], to path: String) throws {
        let lines = dates.enumerated().map { index, date in
            CLITests.record.replacingOccurrences(of: "2024-05-01T10", with: "\(date)T10")
                .replacingOccurrences(of: "555555555555", with: String(555_555_555_500 + index))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func stores(_ data: String) throws -> [[String: Any]] {
        let list = try CairnProcess.run(["store", "list", "--data", data, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        return try CLITests.json(list.stdout)["stores"] as! [[String: Any]]
    }

    @Test func storesAreCreatedListedUpdatedAndDeletedWithLakesRules() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let created = try CairnProcess.run(["store", "create", "--data", data, "--json", "audit"])
        #expect(created.status == 0, "\(created.stderr)")
        let info = try CLITests.json(created.stdout)
        #expect(info["name"] as? String == "audit")
        #expect(info["retentionDays"] as? Int == 366)
        #expect(info["terminationProtection"] as? Bool == true)

        let taken = try CairnProcess.run(["store", "create", "--data", data, "audit"])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("an event data store named audit already exists"))
        for bad in ["6", "3654", "forever"] {
            let result = try CairnProcess.run(["store", "create", "--data", data, "--retention-days", bad, "other"])
            #expect(result.status == 64)
            #expect(result.stderr.contains("--retention-days takes 7 to 3653 days, or unlimited, not \(bad)"))
        }
        let badName = try CairnProcess.run(["store", "create", "--data", data, "a b"])
        #expect(badName.status == 64)
        #expect(badName.stderr.contains("invalid store name \"a b\""))

        let updated = try CairnProcess.run([
            "store", "update", "--data", data, "--json", "--retention-days", "unlimited", "audit",
        ])
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(try CLITests.json(updated.stdout)["retentionDays"] is NSNull)
        let nothing = try CairnProcess.run(["store", "update", "--data", data, "audit"])
        #expect(nothing.status == 64)

        let text = try CairnProcess.run(["store", "list", "--data", data])
        #expect(text.stdout.hasPrefix("NAME   ID"), "\(text.stdout)")
        #expect(text.stdout.contains("unlimited"))

        let protected = try CairnProcess.run(["store", "delete", "--data", data, "audit"])
        #expect(protected.status == 1)
        #expect(protected.stderr.contains("has termination protection"))
        let deleted = try CairnProcess.run(["store", "delete", "--data", data, "--force", "audit"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stdout.hasPrefix("deleted store audit ("))
        #expect(try Self.stores(data).isEmpty)
        let missing = try CairnProcess.run(["store", "delete", "--data", data, "audit"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no event data store named audit"))
    }

    /// The default store keeps what `cairn ingest` brought until a period is set; then a dry run
    /// names the expired days and changes nothing, and apply drops exactly those.
    @Test func retentionApplyDropsExpiredDaysOnlyOnceAPeriodIsSet() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let input = directory.appending("in.ndjson")
        try Self.write(dates: ["2024-04-01", "2024-05-07", "2024-05-08", "2024-05-15"], to: input)
        #expect(try CairnProcess.run(["ingest", "--data", data, input]).status == 0)
        let now = "2024-05-15T10:00:00Z"

        let untouched = try CairnProcess.run(["retention", "apply", "--data", data, "--now", now])
        #expect(untouched.status == 0)
        #expect(untouched.stdout.contains(": unlimited retention, nothing to drop"))
        #expect(try Self.stores(data)[0]["events"] as? Int == 4)

        #expect(
            try CairnProcess.run(["store", "update", "--data", data, "--retention-days", "7", "default"]).status == 0
        )
        let before = ReadOnlyListing.files(data)
        let dryRun = try CairnProcess.run(["retention", "apply", "--data", data, "--now", now, "--dry-run", "--json"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(ReadOnlyListing.files(data) == before)
        let planned = try CLITests.json(dryRun.stdout)
        #expect(planned["dryRun"] as? Bool == true)
        let store = (planned["stores"] as! [[String: Any]])[0]
        #expect(store["firstRetainedDate"] as? String == "2024-05-08")
        #expect(store["events"] as? Int == 2)
        #expect(store["segments"] as? Int == 2)
        #expect(store["applied"] as? Bool == false)
        let partitions = (store["partitions"] as! [[String: Any]]).map { $0["partition"] as! String }
        #expect(partitions == ["111122223333/us-east-1/2024-04-01", "111122223333/us-east-1/2024-05-07"])

        let applied = try CairnProcess.run(["retention", "apply", "--data", data, "--now", now])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("keeping 2024-05-08 on: dropped 2 partitions, 2 segments, 2 events"))
        #expect(applied.stdout.contains("  111122223333/us-east-1/2024-04-01: 1 segments, 1 events"))
        let after = try Self.stores(data)[0]
        #expect(after["events"] as? Int == 2)
        #expect(after["retentionDays"] as? Int == 7)
        #expect(try CairnProcess.run(["verify", "--data", data]).status == 0)
        let again = try CairnProcess.run(["retention", "apply", "--data", data, "--now", now])
        #expect(again.stdout.contains("nothing to drop"))
    }
}

/// Regular files under a directory with their sizes (what a dry run must leave alone).
enum ReadOnlyListing {
    static func files(_ path: String) -> [String: Int] {
        var files = [String: Int]()
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            if attributes?[.type] as? FileAttributeType == .typeRegular { files[name] = attributes?[.size] as? Int }
        }
        return files
    }
}
