import CairnCore

#if canImport(Glibc)
    import Glibc
#endif

/// Credentials for calls Cairn makes to S3-compatible endpoints, found as the AWS CLI finds them.
///
/// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, then the profile
/// `AWS_PROFILE` (or `default`) of `AWS_SHARED_CREDENTIALS_FILE` (or `~/.aws/credentials`).
/// Instance roles and SSO are not read.
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The first credentials of the chain, or nil with where it looked.
    public static func resolve() -> Result<AWSCredentials, CredentialsNotFound> {
        if let key = environment("AWS_ACCESS_KEY_ID"), let secret = environment("AWS_SECRET_ACCESS_KEY") {
            return .success(
                AWSCredentials(
                    accessKeyId: key,
                    secretAccessKey: secret,
                    sessionToken: environment("AWS_SESSION_TOKEN")
                )
            )
        }
        let profile = environment("AWS_PROFILE") ?? "default"
        let path =
            environment("AWS_SHARED_CREDENTIALS_FILE") ?? ((environment("HOME") ?? "") + "/.aws/credentials")
        if let text = readFile(path), let found = parse(text, profile: profile) { return .success(found) }
        return .failure(
            CredentialsNotFound(
                description:
                    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile "
                    + "[\(profile)] in \(path)"
            )
        )
    }

    /// The `[profile]` section of a shared credentials file (INI: `key = value` lines).
    static func parse(_ text: String, profile: String) -> AWSCredentials? {
        var section = ""
        var values = [String: String]()
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: " \t")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: " \t")
                continue
            }
            guard section == profile, let equals = line.firstIndex(of: "=") else { continue }
            values[line[..<equals].trimmingCharacters(in: " \t")] = line[line.index(after: equals)...]
                .trimmingCharacters(in: " \t")
        }
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else { return nil }
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: values["aws_session_token"])
    }

    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name), let text = String(validatingCString: value), !text.isEmpty else { return nil }
        return text
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// No credentials were found; the description says where the chain looked.
public struct CredentialsNotFound: Error, CustomStringConvertible {
    public var description: String
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
