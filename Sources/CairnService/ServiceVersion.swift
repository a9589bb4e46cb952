/// The version Cairn reports (`cairn --version`, the server's `Server` header).
public enum ServiceVersion {
    public static let current = "0.4.0"
}
