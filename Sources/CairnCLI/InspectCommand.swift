import ArgumentParser
import CairnCore
import CairnStorage

/// `cairn inspect`: what a data directory holds, or one segment's footer.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show stores, partitions, segments and sizes; or one segment's footer, verified."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Argument(help: "A segment file (.cts) to describe and verify.")
    var segment: String?

    func run() throws {
        do {
            if let segment {
                try inspectSegment(segment)
            } else {
                try inspectDirectory()
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            Terminal.error("cairn inspect: \(error)")
            throw ExitCode.failure
        }
    }

    private func inspectDirectory() throws {
        let directory = DataDirectory(path: storeOptions.dataDirectory)
        var storeObjects = [String]()
        for info in try directory.stores() {
            var readOnly = EventStore.Options()
            readOnly.readOnly = true
            let store = try directory.openStore(info.id, create: false, options: readOnly)
            let segments = store.segments
            let events = segments.reduce(0) { $0 + $1.rowCount }
            let compressed = segments.reduce(0) { $0 + $1.compressedByteCount }
            let uncompressed = segments.reduce(0) { $0 + $1.uncompressedByteCount }
            let partitions = Set(segments.map(\.partition))
            var columnBytes = [SegmentColumn: Int]()
            for meta in segments {
                let reader = try store.openSegment(meta)
                for group in reader.footer.rowGroups {
                    for (index, column) in reader.footer.columns.enumerated() {
                        columnBytes[column, default: 0] += group.chunks[index].byteRange.count
                    }
                }
            }
            let bloomAndFooter = compressed - columnBytes.values.reduce(0, +)
            if json {
                var object = JSONObjectBuilder()
                object.add("id", info.id)
                object.add("name", info.name)
                object.add("partitions", partitions.count)
                object.add("segments", segments.count)
                object.add("events", events)
                object.add("unflushedEvents", store.unflushedEventCount)
                object.add("compressedBytes", compressed)
                object.add("uncompressedBytes", uncompressed)
                object.add("bytesPerEvent", events > 0 ? Double(compressed) / Double(events) : 0)
                object.add("compressionRatio", compressed > 0 ? Double(uncompressed) / Double(compressed) : 0)
                if let first = segments.map(\.minTime).min(), let last = segments.map(\.maxTime).max() {
                    object.add("minEventTime", CairnTime.text(first))
                    object.add("maxEventTime", CairnTime.text(last))
                }
                var columns = JSONObjectBuilder()
                for (column, bytes) in columnBytes.sorted(by: { $0.value > $1.value }) {
                    columns.add(column.name, bytes)
                }
                columns.add("(blooms, footers, headers)", bloomAndFooter)
                object.add("columnBytes", raw: columns.text)
                storeObjects.append(object.text)
            } else {
                Terminal.write("store \(info.name) (\(info.id))\n")
                Terminal.write("  \(partitions.count) partitions, \(segments.count) segments, \(events) events")
                Terminal.write(store.unflushedEventCount > 0 ? " (+\(store.unflushedEventCount) unflushed)\n" : "\n")
                let perEvent = events > 0 ? Double(compressed) / Double(events) : 0
                Terminal.write(
                    "  \(compressed) bytes on disk (\(format1(perEvent)) bytes/event), \(uncompressed) bytes of JSON"
                )
                Terminal.write(compressed > 0 ? " (\(format1(Double(uncompressed) / Double(compressed)))x)\n" : "\n")
                for (column, bytes) in columnBytes.sorted(by: { $0.value > $1.value }).prefix(12) where events > 0 {
                    Terminal.write(
                        "    \(column.name.padding(28)) \(format1(Double(bytes) / Double(events))) bytes/event\n"
                    )
                }
                if events > 0 {
                    Terminal.write(
                        "    \("(blooms, footers, headers)".padding(28)) \(format1(Double(bloomAndFooter) / Double(events))) bytes/event\n"
                    )
                }
            }
            try store.close()
        }
        if json { Terminal.write("{\"stores\":[" + storeObjects.joined(separator: ",") + "]}\n") }
        Terminal.flush()
    }

    private func inspectSegment(_ path: String) throws {
        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        var verification = "ok"
        do { try reader.verify() } catch { verification = "\(error)" }
        let footer = reader.footer
        if json {
            var object = JSONObjectBuilder()
            object.add("id", footer.id.description)
            object.add("partition", footer.partition.description)
            object.add("rows", footer.rowCount)
            object.add("rowGroups", footer.rowGroups.count)
            object.add("minEventTime", CairnTime.text(footer.minTime))
            object.add("maxEventTime", CairnTime.text(footer.maxTime))
            object.add("uncompressedBytes", footer.uncompressedByteCount)
            object.add("level", Int(footer.level))
            object.add("blooms", footer.blooms.count)
            object.add("verification", verification)
            var columns = [String]()
            for (index, column) in footer.columns.enumerated() {
                var entry = JSONObjectBuilder()
                entry.add("name", column.name)
                entry.add("bytes", footer.rowGroups.reduce(0) { $0 + $1.chunks[index].byteRange.count })
                entry.add("nulls", footer.rowGroups.reduce(0) { $0 + $1.chunks[index].zoneMap.nullCount })
                entry.add("bloomBytes", footer.blooms.filter { $0.column == column }.reduce(0) { $0 + $1.byteCount })
                entry.add("pages", footer.rowGroups.reduce(0) { $0 + $1.chunks[index].pages.count })
                entry.add("dictionary", footer.rowGroups.contains { $0.chunks[index].dictionaryPage != nil } ? 1 : 0)
                columns.append(entry.text)
            }
            object.add("columns", raw: "[" + columns.joined(separator: ",") + "]")
            Terminal.write(object.text + "\n")
        } else {
            Terminal.write("segment \(footer.id) partition \(footer.partition)\n")
            Terminal.write(
                "  \(footer.rowCount) rows in \(footer.rowGroups.count) row groups, \(CairnTime.text(footer.minTime)) .. \(CairnTime.text(footer.maxTime))\n"
            )
            Terminal.write(
                "  \(footer.blooms.count) bloom filters, level \(footer.level), verification: \(verification)\n"
            )
            for (index, column) in footer.columns.enumerated() {
                let bytes = footer.rowGroups.reduce(0) { $0 + $1.chunks[index].byteRange.count }
                let nulls = footer.rowGroups.reduce(0) { $0 + $1.chunks[index].zoneMap.nullCount }
                let bloomBytes = footer.blooms.filter { $0.column == column }.reduce(0) { $0 + $1.byteCount }
                Terminal.write(
                    "  \(column.name.padding(36)) \(String(bytes).leftPadded(10, with: " ")) bytes  \(nulls) nulls"
                        + (bloomBytes > 0 ? "  bloom \(bloomBytes) bytes\n" : "\n")
                )
            }
        }
        Terminal.flush()
        if verification != "ok" { throw ExitCode.failure }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

enum CairnTime {
    static func text(_ milliseconds: Int64) -> String { EventTimestamp.canonicalText(milliseconds) }
}
