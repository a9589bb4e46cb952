import ArgumentParser
import CairnCore
import CairnStorage

/// `cairn retention`: apply event data stores' retention periods.
struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Apply event data stores' retention periods.",
        subcommands: [Apply.self]
    )
}

extension RetentionCommand {
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop the days of events past each store's retention period.",
            discussion: """
                A store with a retention period of N days keeps every event whose eventTime is within \
                the last N days; whole UTC days are dropped once all of the day is older than that \
                (at 2024-05-15T10:00Z with 7 days, 2024-05-08 is kept and 2024-05-07 dropped). Each \
                store's expired days go in one catalog edit, under its writer lock: a query sees the \
                store before or after, never half. Stores with unlimited retention (the default store \
                until a period is set) are left alone. --dry-run reports what would be dropped and \
                changes nothing.
                """
        )

        @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
        var data: String?

        @Option(name: .long, help: "Only this event data store (name or id).")
        var store: String?

        @Flag(name: .long, help: "Report what would be dropped; change nothing.")
        var dryRun = false

        @Flag(name: .long, help: "Print one JSON object.")
        var json = false

        @OptionGroup var writerOptions: WriterOptions

        /// The time to judge expiry at, instead of the clock (for tests and for rehearsing).
        @Option(name: .long, help: .hidden)
        var now: String?

        func run() throws {
            let nowMilliseconds = try now.map { try parseTime($0, option: "--now") } ?? Clock.nowMilliseconds()
            var options = EventStore.Options()
            options.waitForWriterLock = !writerOptions.noWait
            options.writerLockWaitHandler = { message in Terminal.error("cairn retention apply: \(message)") }
            let plans: [RetentionPlan]
            do {
                plans = try DataDirectory(path: data ?? StoreOptions.defaultDataDirectory)
                    .applyRetention(store: store, dryRun: dryRun, nowMilliseconds: nowMilliseconds, options: options)
            } catch {
                Terminal.error("cairn retention apply: \(error)")
                throw ExitCode.failure
            }
            if json {
                var object = JSONObjectBuilder()
                object.add("dryRun", raw: dryRun ? "true" : "false")
                object.add("now", CairnTime.text(nowMilliseconds))
                object.add("stores", raw: "[" + plans.map(jsonObject).joined(separator: ",") + "]")
                Terminal.write(object.text + "\n")
            } else {
                for plan in plans { Terminal.write(lines(plan).joined(separator: "\n") + "\n") }
                if plans.isEmpty { Terminal.write("no event data stores\n") }
            }
        }

        private func jsonObject(_ plan: RetentionPlan) -> String {
            var object = JSONObjectBuilder()
            object.add("name", plan.store.name)
            object.add("id", plan.store.id)
            object.add("retentionDays", raw: plan.store.retentionDays.map(String.init) ?? "null")
            if let first = plan.firstRetainedDay {
                object.add("firstRetainedDate", EventTimestamp.dateText(epochDay: first))
            } else {
                object.add("firstRetainedDate", raw: "null")
            }
            let partitions = Self.partitionTotals(plan).map { total in
                var item = JSONObjectBuilder()
                item.add("partition", total.partition.description)
                item.add("segments", total.segments)
                item.add("events", total.events)
                item.add("bytes", total.bytes)
                return item.text
            }
            object.add("partitions", raw: "[" + partitions.joined(separator: ",") + "]")
            object.add("segments", plan.segments.count)
            object.add("events", plan.eventCount)
            object.add("bytes", plan.compressedByteCount)
            object.add("uncompressedBytes", plan.uncompressedByteCount)
            object.add("applied", raw: plan.applied ? "true" : "false")
            return object.text
        }

        private func lines(_ plan: RetentionPlan) -> [String] {
            let store = "store \(plan.store.name) (\(plan.store.id))"
            guard let first = plan.firstRetainedDay else { return ["\(store): unlimited retention, nothing to drop"] }
            let keeping =
                "retention \(plan.store.retentionText), keeping \(EventTimestamp.dateText(epochDay: first)) on"
            guard !plan.segments.isEmpty else { return ["\(store): \(keeping): nothing to drop"] }
            let verb = plan.applied ? "dropped" : "would drop"
            var lines = [
                "\(store): \(keeping): \(verb) \(plan.partitions.count) partitions, \(plan.segments.count) segments, "
                    + "\(plan.eventCount) events, \(plan.compressedByteCount) bytes"
            ]
            for total in Self.partitionTotals(plan) {
                lines.append(
                    "  \(total.partition): \(total.segments) segments, \(total.events) events, \(total.bytes) bytes"
                )
            }
            return lines
        }

        /// Segments, events and bytes per expired partition, in partition order (a packed file's
        /// bytes shared by its partitions' rows).
        static func partitionTotals(
            _ plan: RetentionPlan
        ) -> [(partition: PartitionKey, segments: Int, events: Int, bytes: Int)] {
            var totals = [PartitionKey: (segments: Int, events: Int, bytes: Int)]()
            for meta in plan.segments {
                // A packed file counts for each partition it holds, with its share of the bytes.
                let rows = meta.members?.map(\.rowCount) ?? [meta.rowCount]
                for (key, events) in zip(meta.partitions, rows) {
                    let old = totals[key] ?? (0, 0, 0)
                    totals[key] = (
                        old.segments + 1, old.events + events,
                        old.bytes + meta.compressedByteCount * events / max(meta.rowCount, 1)
                    )
                }
            }
            return totals.sorted { $0.key < $1.key }.map {
                ($0.key, $0.value.segments, $0.value.events, $0.value.bytes)
            }
        }
    }
}
