public import CairnCore

/// Typed access to an operation's JSON input, with the AWS errors for a wrong type.
///
/// The model validator has already checked lengths, ranges, enums and patterns; what is left here
/// is reading values out. A member of the wrong JSON type is `SerializationException`, as AWS's
/// JSON protocol answers.
public struct OperationInput: Sendable {
    public let value: JSONValue
    public let operation: String

    public init(_ value: JSONValue, operation: String) {
        self.value = value
        self.operation = operation
    }

    /// Whether the member is present (and not null).
    public func has(_ name: String) -> Bool {
        if let member = value[name], member != .null { return true }
        return false
    }

    public func string(_ name: String) throws(ServiceError) -> String? {
        switch value[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw typeError(name, "a string")
        }
    }

    public func requiredString(_ name: String) throws(ServiceError) -> String {
        guard let text = try string(name) else {
            throw ServiceError(
                .validationException,
                "1 validation error detected: Value null at '\(name)' failed to satisfy constraint: Member must not be null",
                operation: operation,
                parameter: name
            )
        }
        return text
    }

    public func bool(_ name: String) throws(ServiceError) -> Bool? {
        switch value[name] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw typeError(name, "a boolean")
        }
    }

    public func integer(_ name: String) throws(ServiceError) -> Int? {
        switch value[name] {
        case nil, .null?: return nil
        case .number(let text)?:
            guard let number = Int(text) else { throw typeError(name, "an integer") }
            return number
        default: throw typeError(name, "an integer")
        }
    }

    /// A page size member (`MaxResults`, `MaxQueryResults`): 1 to `max`, `max` when absent.
    ///
    /// The model validator checks these ranges first; this is the operation's own guard, with the
    /// exception the operation models (`code`).
    public func pageSize(
        _ name: String,
        max: Int,
        code: CloudTrailErrorCode = .invalidMaxResultsException
    ) throws(ServiceError) -> Int {
        let size = try integer(name) ?? max
        guard (1...max).contains(size) else {
            throw ServiceError(
                code,
                "1 validation error detected: Value \(size) at '\(name.prefix(1).lowercased() + name.dropFirst())' "
                    + "failed to satisfy constraint: Member must have value between 1 and \(max)",
                operation: operation,
                parameter: name
            )
        }
        return size
    }

    /// A timestamp member (epoch seconds, fractions allowed), as epoch milliseconds.
    public func timestamp(_ name: String) throws(ServiceError) -> Int64? {
        switch value[name] {
        case nil, .null?: return nil
        case .number(let text)?:
            guard let seconds = Double(text), seconds.isFinite, abs(seconds) < 1e11 else {
                throw typeError(name, "a timestamp")
            }
            return Int64((seconds * 1000).rounded())
        default: throw typeError(name, "a timestamp (epoch seconds)")
        }
    }

    public func list(_ name: String) throws(ServiceError) -> [JSONValue]? {
        switch value[name] {
        case nil, .null?: return nil
        case .array(let items)?: return items
        default: throw typeError(name, "a list")
        }
    }

    /// The members of a nested structure, as an input of its own.
    public func object(_ name: String) throws(ServiceError) -> OperationInput? {
        switch value[name] {
        case nil, .null?: return nil
        case .object?: return OperationInput(value[name]!, operation: operation)
        default: throw typeError(name, "a structure")
        }
    }

    /// A list of structures, each as an input of its own.
    public func objects(_ name: String) throws(ServiceError) -> [OperationInput]? {
        guard let items = try list(name) else { return nil }
        var objects = [OperationInput]()
        for (index, item) in items.enumerated() {
            guard case .object = item else { throw typeError("\(name)[\(index)]", "a structure") }
            objects.append(OperationInput(item, operation: operation))
        }
        return objects
    }

    /// A list of strings.
    public func strings(_ name: String) throws(ServiceError) -> [String]? {
        guard let items = try list(name) else { return nil }
        var strings = [String]()
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else { throw typeError("\(name)[\(index)]", "a string") }
            strings.append(text)
        }
        return strings
    }

    private func typeError(_ name: String, _ expected: String) -> ServiceError {
        ServiceError(
            .serializationException,
            "member \(name) must be \(expected)",
            operation: operation,
            parameter: name
        )
    }
}
