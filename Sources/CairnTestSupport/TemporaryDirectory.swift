import CairnStorage

#if canImport(Glibc)
    import Glibc
#endif

/// A directory under the system temp dir, unique per test, removed with `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "cairn-test") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(cString: created!)
    }

    public func remove() { try? LocalFileSystem().remove(path) }

    public func appending(_ component: String) -> String { path + "/" + component }
}
