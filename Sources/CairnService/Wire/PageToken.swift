import CairnCore

/// The NextToken of list operations that page a list held in memory: the position, bound to the
/// operation (a token from another operation is `InvalidNextTokenException`).
enum PageToken {
    static func encode(_ position: Int, scope: String) -> String {
        let payload = "\(scope):\(position)"
        return "\(position).\(String(XXHash64.hash(payload), radix: 16))"
    }

    static func decode(_ token: String?, scope: String, _ operation: String) throws(ServiceError) -> Int {
        guard let token else { return 0 }
        let parts = token.split(separator: ".")
        guard parts.count == 2, let position = Int(parts[0]), position >= 0,
            String(XXHash64.hash("\(scope):\(position)"), radix: 16) == parts[1]
        else {
            throw ServiceError(
                .invalidNextTokenException,
                "The NextToken is not valid for this request.",
                operation: operation,
                parameter: "NextToken"
            )
        }
        return position
    }
}
