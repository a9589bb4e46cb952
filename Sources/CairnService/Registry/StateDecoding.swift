import CairnCore

/// Reads members of a record in the service state file; a missing or mistyped member is a corrupt
/// state file, reported with the record kind and member name.
struct StateDecoding {
    let value: JSONValue
    let what: String

    init(_ value: JSONValue, what: String) {
        self.value = value
        self.what = what
    }

    func corrupt(_ member: String) -> ServiceError {
        ServiceError(
            .internalFailure,
            "the service state file is corrupt: \(what) member \(member) is missing or invalid"
        )
    }

    func string(_ member: String) throws(ServiceError) -> String {
        guard case .string(let text)? = value[member] else { throw corrupt(member) }
        return text
    }

    func optionalString(_ member: String) throws(ServiceError) -> String? {
        guard let found = value[member], found != .null else { return nil }
        guard case .string(let text) = found else { throw corrupt(member) }
        return text
    }

    /// A JSON list kept as it is (selectors), or nil when absent.
    func optionalList(_ member: String) throws(ServiceError) -> JSONValue? {
        guard let found = value[member], found != .null else { return nil }
        guard case .array = found else { throw corrupt(member) }
        return found
    }

    func bool(_ member: String) throws(ServiceError) -> Bool {
        guard case .bool(let flag)? = value[member] else { throw corrupt(member) }
        return flag
    }

    func int64(_ member: String) throws(ServiceError) -> Int64 {
        guard case .number(let text)? = value[member], let number = Int64(text) else { throw corrupt(member) }
        return number
    }

    func optionalInt64(_ member: String) throws(ServiceError) -> Int64? {
        guard value[member] != nil, value[member] != .null else { return nil }
        return try int64(member)
    }

    func enumeration<T: RawRepresentable>(_ member: String) throws(ServiceError) -> T where T.RawValue == String {
        guard let found = T(rawValue: try string(member)) else { throw corrupt(member) }
        return found
    }

    func optionalEnumeration<T: RawRepresentable>(_ member: String) throws(ServiceError) -> T?
    where T.RawValue == String {
        guard let text = try optionalString(member) else { return nil }
        guard let found = T(rawValue: text) else { throw corrupt(member) }
        return found
    }
}
