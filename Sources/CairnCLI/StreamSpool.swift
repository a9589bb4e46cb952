import CairnStorage

#if canImport(Glibc)
    import Glibc
#endif
// A release (whole-module) build attributes Glibc's `stat` and `timeval` to Dispatch's C module,
// which MemberImportVisibility then wants imported.
#if canImport(CDispatch)
    import CDispatch
#endif

/// Turns inputs that are streams into files the importer can read.
///
/// Streams are `-` for standard input, a pipe such as `/dev/stdin`, process substitution
/// `<(zcat x.gz)` and FIFOs: each is copied, as it arrives and never trusting a size, into `tmp/`
/// of the data directory, and the copies are removed afterwards. Regular files and directories
/// pass through.
///
/// Before, the importer took a pipe's stat size (0) and read nothing: `cat f.json | cairn ingest
/// /dev/stdin` printed "0 events ingested" and exited 0 (#13).
struct StreamSpool {
    let directory: String
    private(set) var spooled: [String] = []

    init(dataDirectory: String) { directory = Path.join(dataDirectory, "tmp") }

    /// The paths to import: streams replaced by their copies.
    mutating func resolve(_ paths: [String]) throws -> [String] {
        var resolved = [String]()
        for (index, path) in paths.enumerated() {
            guard path == "-" || Self.isStream(path) else {
                resolved.append(path)
                continue
            }
            resolved.append(try copy(path, index: index))
        }
        return resolved
    }

    /// Whether `path` names something that is neither a regular file nor a directory (a pipe,
    /// FIFO, character device), following symbolic links as `/dev/stdin` needs.
    static func isStream(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let kind = info.st_mode & S_IFMT
        return kind != S_IFREG && kind != S_IFDIR
    }

    private mutating func copy(_ path: String, index: Int) throws -> String {
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY)
        guard descriptor >= 0 else { throw SpoolError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { if path != "-" { close(descriptor) } }
        let fileSystem = LocalFileSystem()
        try fileSystem.createDirectory(directory)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var first = [UInt8]()
        var total = 0
        // The name says whether the content is gzip (magic 1f 8b), as the importer decides by name.
        var pending = [[UInt8]]()
        while first.count < 2 {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw SpoolError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            first += buffer[0..<min(count, 2 - first.count)]
            pending.append(Array(buffer[0..<count]))
        }
        let isGzip = first == [0x1F, 0x8B]
        let name = "stream-\(getpid())-\(index)" + (isGzip ? ".json.gz" : ".json")
        let target = Path.join(directory, name)
        let file = try fileSystem.openForAppending(target, truncate: true)
        spooled.append(target)
        for chunk in pending {
            try file.append(chunk)
            total += chunk.count
        }
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw SpoolError("cannot read \(path) after \(total) bytes: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try file.append(Array(buffer[0..<count]))
            total += count
        }
        try file.close()
        return target
    }

    /// Removes the copies.
    func removeCopies() {
        for path in spooled { try? LocalFileSystem().remove(path) }
    }
}

/// A stream that could not be copied.
struct SpoolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
