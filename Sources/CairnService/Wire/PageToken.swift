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

    /// The page of `items` the input's `NextToken` points at, at most `size` long, and the token of
    /// the page after it (nil on the last page): the paging every list operation shares.
    static func page<T>(
        _ items: [T],
        size: Int,
        input: OperationInput
    ) throws(ServiceError) -> (items: ArraySlice<T>, nextToken: String?) {
        let scope = input.operation
        let start = try decode(try input.string("NextToken"), scope: scope, input.operation)
        let page = items.dropFirst(start).prefix(size)
        let end = start + page.count
        return (page, end < items.count ? encode(end, scope: scope) : nil)
    }
}
