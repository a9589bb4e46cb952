import CairnStorage

/// Locates `../shared/data` (the team's real CloudTrail datasets) from this source file's path.
public enum SharedData {
    /// `<repo>/../shared/data/cloudtrail`.
    public static var cloudTrailDirectory: String {
        let repository = Path.parent(of: Path.parent(of: Path.parent(of: #filePath)))
        return Path.parent(of: repository) + "/shared/data/cloudtrail"
    }

    public static var isAvailable: Bool { LocalFileSystem().isDirectory(cloudTrailDirectory) }

    /// Every `.json` and `.json.gz` file below `directory`, recursively, sorted.
    public static func files(in directory: String) -> [String] {
        let fileSystem = LocalFileSystem()
        var result = [String]()
        for name in (try? fileSystem.listDirectory(directory)) ?? [] {
            let path = directory + "/" + name
            if fileSystem.isDirectory(path) {
                result += files(in: path)
            } else if name.hasSuffix(".json") || name.hasSuffix(".json.gz") || name.hasSuffix(".jsonl") {
                result.append(path)
            }
        }
        return result.sorted()
    }
}
