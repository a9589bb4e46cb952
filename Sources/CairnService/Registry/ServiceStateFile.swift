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
        guard fileSystem.kind(of: path) == .file else { return ServiceState() }
        let bytes: [UInt8]
        do throws(StorageError) {
            bytes = try fileSystem.readFile(path)
        } catch {
            throw ServiceError(.internalFailure, "cannot read \(path): \(error.message)")
        }
        let json: JSONValue
        do throws(CoreError) {
            json = try JSONValue(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ServiceError(.internalFailure, "the service state file \(path) is corrupt: \(error.message)")
        }
        return try ServiceState(json: json)
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
