/// A statement: a query, or `EXPLAIN [ANALYZE]` of one.
public enum Statement: Sendable, Equatable {
    /// `SELECT ...`, `WITH ... SELECT ...`
    case query(Query)
    /// `EXPLAIN [ANALYZE] query`
    case explain(Query, analyze: Bool)
    /// `SHOW TABLES`: the event data stores.
    case showTables
    /// `DESCRIBE table`, `SHOW COLUMNS FROM table`: a store's columns and their types.
    case describe(Identifier)

    /// The query a statement runs, if it runs one.
    public var query: Query? {
        switch self {
        case .query(let query), .explain(let query, _): query
        case .showTables, .describe: nil
        }
    }
}

/// A full query: CTEs, a body of selects joined by set operations, ordering and limits.
public struct Query: Sendable, Equatable {
    /// The CTEs of `WITH name AS (query), ...`.
    public var with: [CommonTableExpression]
    public var body: QueryBody
    /// `ORDER BY ...` of the whole query (after set operations).
    public var orderBy: [OrderItem]
    /// The row count of `LIMIT n`.
    public var limit: Expression?
    /// The rows skipped by `OFFSET n`.
    public var offset: Expression?
    public var range: SourceRange

    public init(
        with: [CommonTableExpression] = [],
        body: QueryBody,
        orderBy: [OrderItem] = [],
        limit: Expression? = nil,
        offset: Expression? = nil,
        range: SourceRange = .none
    ) {
        self.with = with
        self.body = body
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
        self.range = range
    }
}

/// One common table expression: `name [(columns)] AS (query)`.
public struct CommonTableExpression: Sendable, Equatable {
    public var name: Identifier
    public var columns: [Identifier]
    public var query: Query
}

/// `UNION`, `EXCEPT`, `INTERSECT`.
public enum SetOperator: String, Sendable, Equatable {
    case union = "UNION"
    case except = "EXCEPT"
    case intersect = "INTERSECT"
}

/// The body of a query.
public indirect enum QueryBody: Sendable, Equatable {
    /// `SELECT ...`
    case select(Select)
    /// `a UNION [ALL] b`, `a EXCEPT b`, `a INTERSECT b`
    case setOperation(SetOperator, all: Bool, QueryBody, QueryBody)
    /// `(query)` with its own ORDER BY / LIMIT
    case nested(Query)
}

/// One `SELECT [DISTINCT] items [FROM ...] [WHERE ...] [GROUP BY ...] [HAVING ...]`.
public struct Select: Sendable, Equatable {
    public var isDistinct: Bool
    public var items: [SelectItem]
    /// `FROM a, b` is a list; joins nest inside one reference.
    public var from: [TableReference]
    public var filter: Expression?
    public var groupBy: [Expression]
    public var having: Expression?
    public var range: SourceRange
}

/// One item of a select list.
public enum SelectItem: Sendable, Equatable {
    /// `expr [AS alias]`
    case expression(Expression, alias: Identifier?)
    /// `*`, `t.*`
    case wildcard(qualifier: Identifier?)
}

/// Join kinds.
public enum JoinKind: String, Sendable, Equatable {
    case inner = "INNER"
    case left = "LEFT"
    case right = "RIGHT"
    case full = "FULL"
    case cross = "CROSS"
}

/// An item of `FROM`.
public indirect enum TableReference: Sendable, Equatable {
    /// `eds-id [AS alias]`: an event data store by id or name, or a CTE.
    case named(Identifier, alias: Identifier?)
    /// `(query) [AS] alias`
    case subquery(Query, alias: Identifier?)
    /// `UNNEST(expr) [WITH ORDINALITY] [AS] alias [(column, ...)]`
    case unnest(Expression, alias: Identifier?, columns: [Identifier], withOrdinality: Bool)
    /// `left [INNER|LEFT|RIGHT|FULL|CROSS] JOIN right [ON condition]`
    case join(JoinKind, TableReference, TableReference, on: Expression?)
}

/// One ORDER BY item: `expr [ASC|DESC] [NULLS FIRST|LAST]`.
public struct OrderItem: Sendable, Equatable {
    public var expression: Expression
    /// nil when not written (ascending).
    public var ascending: Bool?
    /// nil when not written (nulls last ascending, first descending: Trino's default is last).
    public var nullsFirst: Bool?

    public init(expression: Expression, ascending: Bool? = nil, nullsFirst: Bool? = nil) {
        self.expression = expression
        self.ascending = ascending
        self.nullsFirst = nullsFirst
    }
}
