import ArgumentParser
import CairnCore
import CairnStorage

/// `cairn store`: Lake's Create/Update/List/DeleteEventDataStore for a data directory.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Create, change, list and delete event data stores.",
        discussion: """
            A store keeps events while their eventTime is within its retention period (7 to 3653 days, \
            or unlimited); `cairn retention apply` drops the days past it. The store `default`, which \
            `cairn ingest` creates, keeps everything until a period is set.
            """,
        subcommands: [Create.self, Update.self, List.self, Delete.self]
    )
}

/// `--data`, `--json` and `--no-wait`, shared by the `store` subcommands.
struct StoreManagementOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var writerOptions: WriterOptions

    var directory: DataDirectory { DataDirectory(path: data ?? StoreOptions.defaultDataDirectory) }

    func storeOptions(command: String) -> EventStore.Options {
        var options = EventStore.Options()
        options.waitForWriterLock = !writerOptions.noWait
        options.writerLockWaitHandler = { message in Terminal.error("cairn \(command): \(message)") }
        return options
    }
}

/// `--retention-days N` or `--retention-days unlimited`, checked against Lake's range.
func parseRetentionDays(_ text: String) throws -> Int? {
    if text == "unlimited" { return nil }
    guard let days = Int(text), StoreInfo.retentionDayRange.contains(days) else {
        throw ValidationError(
            "--retention-days takes \(Limits.minRetentionDays) to \(Limits.maxRetentionDays) days, or unlimited, "
                + "not \(text)"
        )
    }
    return days
}

extension StoreInfo {
    /// The JSON object `cairn store` prints for a store.
    func jsonObject(_ extra: (inout JSONObjectBuilder) -> Void = { _ in }) -> String {
        var object = JSONObjectBuilder()
        object.add("name", name)
        object.add("id", id)
        object.add("retentionDays", raw: retentionDays.map(String.init) ?? "null")
        object.add("terminationProtection", raw: terminationProtected ? "true" : "false")
        object.add("created", CairnTime.text(createdMilliseconds))
        extra(&object)
        return object.text
    }

    /// `name (id): retention 366 days, termination protection on`.
    var settingsLine: String {
        "\(name) (\(id)): retention \(retentionText), termination protection \(terminationProtected ? "on" : "off")"
    }
}

extension StoreCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an event data store.",
            discussion: """
                Names are 3-128 letters, digits, '.', '_' or '-'. As in Lake, a new store keeps events \
                for \(Limits.defaultRetentionDays) days and has termination protection unless told otherwise.
                """
        )

        @OptionGroup var options: StoreManagementOptions

        @Option(name: .long, help: "Days to keep events by eventTime (7-3653), or unlimited.")
        var retentionDays: String = String(Limits.defaultRetentionDays)

        @Flag(inversion: .prefixedNo, help: "Refuse `cairn store delete` without --force.")
        var terminationProtection = true

        @Argument(help: "The new store's name.")
        var name: String

        func validate() throws {
            _ = try parseRetentionDays(retentionDays)
            guard DataDirectory.isValidStoreName(name) else {
                throw ValidationError("invalid store name \"\(name)\": use 3-128 letters, digits, '.', '_' or '-'")
            }
        }

        func run() throws {
            do {
                let info = try options.directory.createStore(
                    named: name,
                    retentionDays: try parseRetentionDays(retentionDays),
                    terminationProtected: terminationProtection,
                    options: options.storeOptions(command: "store create")
                )
                Terminal.write(options.json ? info.jsonObject() + "\n" : "created store \(info.settingsLine)\n")
            } catch let error as StorageError {
                Terminal.error("cairn store create: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an event data store's name, retention period or termination protection.",
            discussion: """
                Takes the store's writer lock. A shorter retention period drops nothing by itself: \
                `cairn retention apply` does.
                """
        )

        @OptionGroup var options: StoreManagementOptions

        @Option(name: .long, help: "A new name.")
        var name: String?

        @Option(name: .long, help: "Days to keep events by eventTime (7-3653), or unlimited.")
        var retentionDays: String?

        @Flag(inversion: .prefixedNo, help: "Refuse `cairn store delete` without --force.")
        var terminationProtection: Bool?

        @Argument(help: "The store's name or id.")
        var store: String

        func validate() throws {
            if let retentionDays { _ = try parseRetentionDays(retentionDays) }
            if let name, !DataDirectory.isValidStoreName(name) {
                throw ValidationError("invalid store name \"\(name)\": use 3-128 letters, digits, '.', '_' or '-'")
            }
            guard name != nil || retentionDays != nil || terminationProtection != nil else {
                throw ValidationError("say what to change: --name, --retention-days or --[no-]termination-protection")
            }
        }

        func run() throws {
            var changes = DataDirectory.StoreChanges(name: name, terminationProtected: terminationProtection)
            if let retentionDays { changes.retentionDays = .some(try parseRetentionDays(retentionDays)) }
            do {
                let info = try options.directory.updateStore(
                    store,
                    changes: changes,
                    options: options.storeOptions(command: "store update")
                )
                Terminal.write(options.json ? info.jsonObject() + "\n" : "updated store \(info.settingsLine)\n")
            } catch {
                Terminal.error("cairn store update: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List event data stores: name, id, retention, created, events, segments, bytes.",
            discussion: "Reads each store's catalog; takes no lock and changes nothing."
        )

        @OptionGroup var options: StoreManagementOptions

        func run() throws {
            let summaries: [DataDirectory.StoreSummary]
            do {
                summaries = try options.directory.storeSummaries()
            } catch {
                Terminal.error("cairn store list: \(error)")
                throw ExitCode.failure
            }
            if options.json {
                let stores = summaries.map { summary in
                    summary.info.jsonObject { object in
                        object.add("partitions", summary.partitionCount)
                        object.add("segments", summary.segmentCount)
                        object.add("events", summary.eventCount)
                        object.add("unflushedEvents", summary.unflushedEventCount)
                        object.add("bytes", summary.compressedByteCount)
                        object.add("uncompressedBytes", summary.uncompressedByteCount)
                    }
                }
                Terminal.write("{\"stores\":[" + stores.joined(separator: ",") + "]}\n")
                return
            }
            guard !summaries.isEmpty else {
                Terminal.write("no event data stores\n")
                return
            }
            let header = ["NAME", "ID", "RETENTION", "CREATED", "EVENTS", "SEGMENTS", "BYTES"]
            let rows = summaries.map { summary in
                [
                    summary.info.name, summary.info.id, summary.info.retentionText,
                    CairnTime.text(summary.info.createdMilliseconds),
                    String(summary.eventCount + summary.unflushedEventCount), String(summary.segmentCount),
                    String(summary.compressedByteCount),
                ]
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
            for row in [header] + rows {
                let cells = row.indices.map { column in
                    column >= 4
                        ? row[column].leftPadded(widths[column], with: " ") : row[column].padding(widths[column])
                }
                Terminal.write(cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n")
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an event data store and every event in it.",
            discussion: """
                Takes the store's writer lock, so a running import finishes (or, with --no-wait, the \
                deletion fails) first. A store with termination protection is refused unless --force. \
                Unlike Lake, the deletion is immediate: there is no 7-day restore window.
                """
        )

        @OptionGroup var options: StoreManagementOptions

        @Flag(name: .long, help: "Delete even when termination protection is on.")
        var force = false

        @Argument(help: "The store's name or id.")
        var store: String

        func run() throws {
            do {
                let info = try options.directory.deleteStore(
                    store,
                    force: force,
                    options: options.storeOptions(command: "store delete")
                )
                Terminal.write(options.json ? info.jsonObject() + "\n" : "deleted store \(info.name) (\(info.id))\n")
            } catch {
                Terminal.error("cairn store delete: \(error)")
                throw ExitCode.failure
            }
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
