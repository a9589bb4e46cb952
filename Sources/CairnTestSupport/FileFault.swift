/// The kinds of mutating operation `FaultInjectingFileSystem` counts and can fail.
///
/// Reads (`openForReading`, `read`, `listDirectory`, `exists`, `kind(of:)`, `fileSize`) are never
/// counted nor failed: a crash-consistency test cares about what reached the disk.
public enum FileOperation: String, Sendable, CaseIterable, Hashable {
    /// `WritableFile.append` (a `write`).
    case append
    /// `WritableFile.sync` (`fdatasync`).
    case sync
    /// `FileSystem.syncDirectory` (`fsync` of a directory).
    case syncDirectory
    /// `FileSystem.syncEverything(below:)` (`syncfs`).
    case syncEverything
    case rename
    /// `FileSystem.remove`, one call however many entries it removes.
    case remove
    /// `FileSystem.createDirectory`, one call however many parents it creates.
    case createDirectory
    /// `FileSystem.openForAppending` (an `open` with `O_CREAT`, and `O_TRUNC` when asked).
    case openForWriting
    /// `FileSystem.truncate`.
    case truncate
    /// `FileSystem.lockExclusively` (an `open` with `O_CREAT`, then `flock`).
    case lock

    /// The verb in error messages, as `LocalFileSystem` words it.
    var verb: String {
        switch self {
        case .append: "write"
        case .sync: "sync"
        case .syncDirectory: "sync directory"
        case .syncEverything: "syncfs"
        case .rename: "rename"
        case .remove: "remove"
        case .createDirectory: "create directory"
        case .openForWriting: "open for writing"
        case .truncate: "truncate"
        case .lock: "lock"
        }
    }
}

/// The errno an injected fault reports.
public enum InjectedError: String, Sendable, CaseIterable {
    /// `ENOSPC`: the disk is full.
    case noSpace
    /// `EIO`: the device failed.
    case io
    /// `EACCES`: permission denied.
    case permissionDenied

    var errno: SimulatedErrno {
        switch self {
        case .noSpace: .noSpace
        case .io: .io
        case .permissionDenied: .permissionDenied
        }
    }
}

/// A planned failure: which operation fails, with what errno, and whether the process dies there.
///
/// Occurrences count from the moment the fault is injected: occurrence 1 is the next matching
/// operation. A fault fires once and is then forgotten; `powerLoss()` forgets unfired ones too.
public struct FileFault: Sendable, Equatable {
    /// Which operation the fault hits.
    public enum Trigger: Sendable, Equatable {
        /// The `occurrence`-th operation of one kind.
        case operation(FileOperation, occurrence: Int)
        /// The `occurrence`-th mutating operation of any kind.
        case anyMutation(occurrence: Int)
    }

    public var trigger: Trigger
    public var error: InjectedError
    /// Whether the process "dies" at the fault.
    ///
    /// When it does, that operation and every later mutating one fail (with the same errno) until
    /// `powerLoss()`; otherwise only the one operation fails.
    public var crashes: Bool
    /// For an append: how many of its bytes reach the file before it fails (a short write).
    public var shortWriteByteCount: Int

    public init(trigger: Trigger, error: InjectedError, crashes: Bool, shortWriteByteCount: Int = 0) {
        precondition(shortWriteByteCount >= 0, "a short write keeps zero or more bytes")
        switch trigger {
        case .operation(_, let occurrence), .anyMutation(let occurrence):
            precondition(occurrence >= 1, "occurrences count from 1")
        }
        self.trigger = trigger
        self.error = error
        self.crashes = crashes
        self.shortWriteByteCount = shortWriteByteCount
    }

    /// Fails the `occurrence`-th `operation` once; the process goes on.
    public static func fail(
        _ operation: FileOperation,
        occurrence: Int = 1,
        with error: InjectedError = .io,
        shortWriteByteCount: Int = 0
    ) -> FileFault {
        FileFault(
            trigger: .operation(operation, occurrence: occurrence),
            error: error,
            crashes: false,
            shortWriteByteCount: shortWriteByteCount
        )
    }

    /// Fails the `occurrence`-th `operation` and every mutating operation after it, until `powerLoss()`.
    public static func crash(
        _ operation: FileOperation,
        occurrence: Int = 1,
        with error: InjectedError = .io,
        shortWriteByteCount: Int = 0
    ) -> FileFault {
        FileFault(
            trigger: .operation(operation, occurrence: occurrence),
            error: error,
            crashes: true,
            shortWriteByteCount: shortWriteByteCount
        )
    }

    /// Crashes at the `occurrence`-th mutating operation of any kind (for a test that tries every
    /// crash point of a workload in turn).
    public static func crash(
        atMutation occurrence: Int,
        with error: InjectedError = .io,
        shortWriteByteCount: Int = 0
    ) -> FileFault {
        FileFault(
            trigger: .anyMutation(occurrence: occurrence),
            error: error,
            crashes: true,
            shortWriteByteCount: shortWriteByteCount
        )
    }
}

/// A fault that fired: what it hit, for a test's failure message.
public struct FiredFault: Sendable, Equatable, CustomStringConvertible {
    public var operation: FileOperation
    public var path: String
    /// The operation's position among all mutating operations (1-based).
    public var mutationIndex: Int
    public var error: InjectedError
    public var crashed: Bool

    public var description: String {
        "\(crashed ? "crash" : "failure") (\(error.errno.name)) at mutation \(mutationIndex): "
            + "\(operation.rawValue) \(path)"
    }
}
