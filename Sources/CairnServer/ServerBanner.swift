import CairnService

/// The `Server` header value.
enum ServerBanner {
    static let value = "Cairn/\(ServiceVersion.current)"
}
