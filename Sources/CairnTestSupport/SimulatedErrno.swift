import CairnStorage

/// A POSIX error the in-memory file system reports, with the number and text `strerror` gives on
/// Linux, so its errors read like `LocalFileSystem`'s.
struct SimulatedErrno: Sendable, Equatable {
    let name: String
    let number: Int32
    let reason: String

    static let noEntry = SimulatedErrno(name: "ENOENT", number: 2, reason: "No such file or directory")
    static let io = SimulatedErrno(name: "EIO", number: 5, reason: "Input/output error")
    static let badDescriptor = SimulatedErrno(name: "EBADF", number: 9, reason: "Bad file descriptor")
    static let permissionDenied = SimulatedErrno(name: "EACCES", number: 13, reason: "Permission denied")
    static let busy = SimulatedErrno(name: "EBUSY", number: 16, reason: "Device or resource busy")
    static let notDirectory = SimulatedErrno(name: "ENOTDIR", number: 20, reason: "Not a directory")
    static let isDirectory = SimulatedErrno(name: "EISDIR", number: 21, reason: "Is a directory")
    static let invalid = SimulatedErrno(name: "EINVAL", number: 22, reason: "Invalid argument")
    static let noSpace = SimulatedErrno(name: "ENOSPC", number: 28, reason: "No space left on device")
    static let notEmpty = SimulatedErrno(name: "ENOTEMPTY", number: 39, reason: "Directory not empty")
    static let loop = SimulatedErrno(name: "ELOOP", number: 40, reason: "Too many levels of symbolic links")

    /// The error `LocalFileSystem` would throw for this errno: `.notFound` for ENOENT, else `.io`,
    /// naming the operation, the errno and the file.
    func error(_ operation: String, _ path: String, byteOffset: Int? = nil, note: String? = nil) -> StorageError {
        var message = "cannot \(operation): \(reason) (errno \(number), \(name))"
        if let note { message += "; \(note)" }
        return StorageError(self == .noEntry ? .notFound : .io, message, file: path, byteOffset: byteOffset)
    }
}
