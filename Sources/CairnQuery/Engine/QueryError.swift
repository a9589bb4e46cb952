public import CairnSQL
public import CairnStorage

/// An error binding, planning or running a query.
///
/// Carries the source range of the offending expression when there is one, so the CLI and the
/// server can show a caret; wraps storage errors (a corrupt segment names its file and offset).
public struct QueryError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; stable, for tests and the server's error mapping.
    public enum Code: String, Sendable {
        /// The query text does not parse (wraps `SQLError`).
        case syntax
        /// A column, table alias or struct field that does not exist.
        case unknownColumn
        /// A function that does not exist.
        case unknownFunction
        /// No event data store has this name or id (`EventDataStoreNotFoundException`).
        case unknownStore
        /// A column name that matches more than one table of the FROM clause.
        case ambiguousColumn
        /// Operands whose types do not fit the operator or function.
        case typeMismatch
        /// Wrong number of function arguments, aggregate misuse, non-constant LIMIT.
        case invalidQuery
        /// A value that cannot be converted (`CAST('x' AS BIGINT)`), division by zero, a bad regex.
        case invalidValue
        /// The query needs more operator memory than `Limits.queryMemoryByteCount`.
        case memoryLimit
        /// A limit of `Limits` other than memory.
        case limitExceeded
        /// Reading the store failed (corruption, I/O).
        case storage
        /// The query ran past its time limit (`Limits.queryTimeoutSeconds`, `cairn query --timeout`).
        case timeout
        /// The query was cancelled by its caller (Lake's CancelQuery).
        case cancelled
        /// Bad LookupEvents attributes: more than one, an unknown key, an empty or too long value.
        case invalidLookupAttributes
        /// LookupEvents StartTime after EndTime.
        case invalidTimeRange
        /// LookupEvents MaxResults outside 1...50.
        case invalidMaxResults
        /// A LookupEvents NextToken that is malformed or belongs to other parameters.
        case invalidNextToken
        /// A LookupEvents EventCategory other than `insight`.
        case invalidEventCategory
    }

    public var code: Code
    public var message: String
    public var range: SourceRange?
    public var suggestion: String?
    public var underlying: StorageError?

    public init(
        _ code: Code,
        _ message: String,
        at range: SourceRange? = nil,
        suggestion: String? = nil,
        underlying: StorageError? = nil
    ) {
        self.code = code
        self.message = message
        self.range = range.flatMap { $0.line > 0 ? $0 : nil }
        self.suggestion = suggestion
        self.underlying = underlying
    }

    init(_ error: SQLError) {
        self.init(.syntax, error.message, at: error.range, suggestion: error.suggestion)
        if error.code == .limitExceeded { code = .limitExceeded }
    }

    init(_ error: StorageError) {
        self.init(.storage, "cannot read the store: \(error)", underlying: error)
    }

    public var description: String {
        var text = message
        if let range { text += " at \(range)" }
        if let suggestion { text += "; did you mean \(suggestion)?" }
        return text
    }

    /// The description, then the query line with a caret under the error when it has a position.
    public func rendered(in sql: String) -> String {
        guard let range else { return description }
        return SourceContext.render(message: description, range: range, in: sql)
    }
}
