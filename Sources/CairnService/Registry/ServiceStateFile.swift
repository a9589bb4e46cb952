import CairnCore
import CairnStorage

/// Where the service state lives: `service/state.json` in the data directory.
struct ServiceStateFile: Sendable {
    let directory: String
    let fileSystem: any FileSystem

    init(dataPath: String, fileSystem: any FileSystem = LocalFileSystem()) {
        directory = Path.join(dataPath, "service")
        self.fileSystem = fileSystem
    }

    var path: String { Path.join(directory, "state.json") }

    /// The saved state, or an empty one when there is none yet.
    func load() throws(ServiceError) -> ServiceState {
        guard let json = try Self.readJSON(path, fileSystem, what: "service state file") else { return ServiceState() }
        return try ServiceState(json: json)
    }

    /// The JSON value of the file at `path`, or nil when there is none; `what` names it in errors.
    static func readJSON(_ path: String, _ fileSystem: any FileSystem, what: String) throws(ServiceError) -> JSONValue?
    {
        guard fileSystem.kind(of: path) == .file else { return nil }
        let bytes: [UInt8]
        do throws(StorageError) {
            bytes = try fileSystem.readFile(path)
        } catch {
            throw ServiceError(.internalFailure, "cannot read \(path): \(error.message)")
        }
        do throws(CoreError) {
            return try JSONValue(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ServiceError(.internalFailure, "the \(what) \(path) is corrupt: \(error.message)")
        }
    }

    /// Writes `state` durably (atomic replace).
    func save(_ state: ServiceState) throws(ServiceError) {
        do throws(StorageError) {
            try fileSystem.createDirectory(directory)
            try fileSystem.writeFileAtomically(path, Array(state.json.description.utf8))
        } catch {
            throw ServiceError(.internalFailure, "cannot write \(path): \(error.message)")
        }
    }
}
