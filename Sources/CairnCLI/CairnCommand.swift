import ArgumentParser
import CairnService

#if canImport(Glibc)
    import Glibc
#endif

/// `cairn`: a self-hosted CloudTrail.
///
/// One binary, one data directory.
@main
struct CairnCommand: ParsableCommand {
    /// Keeps glibc from returning every large buffer (16 MiB read chunks, WAL batches, segments) to
    /// the kernel on free and faulting in fresh zeroed pages on the next allocation: page zeroing was
    /// 9% of ingest CPU.
    ///
    /// Up to 256 MiB of freed memory stays in the heap for reuse.
    static func tuneAllocator() {
        #if canImport(Glibc)
            // M_MMAP_THRESHOLD: glibc refuses more than 32 MiB (HEAP_MAX_SIZE / 2 on 64-bit).
            _ = glibcMallopt(-3, 32 << 20)
            _ = glibcMallopt(-1, 256 << 20)  // M_TRIM_THRESHOLD
        #endif
    }

    /// For imports: one malloc arena.
    ///
    /// Parse threads build column buffers that flush threads free, and with per-thread
    /// arenas each kept its own fragmented free memory (2M-event NDJSON ingest: peak RSS 700-860 MB
    /// with glibc's default arenas, ~450 MB with one, throughput within this machine's noise; the
    /// small-file path may lose ~10%: 124k-139k events/s against 154k-159k in one series).
    /// Queries keep the default: their cold runs were slower with one arena.
    static func useOneAllocatorArena() {
        #if canImport(Glibc)
            _ = glibcMallopt(-8, 1)  // M_ARENA_MAX, before the import starts its threads
        #endif
    }

    static func main() {
        tuneAllocator()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "A self-hosted CloudTrail: store, search and verify AWS audit events.",
        version: ServiceVersion.current,
        subcommands: [
            IngestCommand.self, ExportCommand.self, InspectCommand.self, QueryCommand.self, LookupCommand.self,
            VerifyCommand.self, RepairCommand.self, CompactCommand.self, StoreCommand.self, RetentionCommand.self,
            GenerateCommand.self, DemoCommand.self, ServeCommand.self, ValidateLogsCommand.self, CostCommand.self,
            StoresCommand.self, DescribeCommand.self,
        ]
    )
}

/// `--data` and `--store`, shared by every command that opens a data directory.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Event data store name or id.")
    var store: String = "default"

    var dataDirectory: String { data ?? StoreOptions.defaultDataDirectory }

    /// `$CAIRN_DATA`, then `./cairn-data`.
    static var defaultDataDirectory: String {
        if let environment = getenv("CAIRN_DATA"), let value = String(validatingCString: environment), !value.isEmpty {
            return value
        }
        return "./cairn-data"
    }
}

#if canImport(Glibc)
    /// glibc's `mallopt(3)` from <malloc.h>, which the Glibc module does not export.
    @_silgen_name("mallopt")
    private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
