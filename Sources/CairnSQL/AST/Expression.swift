/// A name as written in the query: bare words compare case-insensitively, quoted ones keep case
/// for display but Lake's columns are all lower-case (spec §3.2), so binding lower-cases both.
public struct Identifier: Sendable, Equatable, Hashable {
    public var name: String
    public var isQuoted: Bool
    public var range: SourceRange

    public init(_ name: String, isQuoted: Bool = false, range: SourceRange = .none) {
        self.name = name
        self.isQuoted = isQuoted
        self.range = range
    }

    /// The lower-cased name used for binding.
    public var normalized: String { name.lowercased() }
}

/// A literal value.
public enum Literal: Sendable, Equatable {
    /// `NULL`
    case null
    /// `TRUE`, `FALSE`
    case boolean(Bool)
    /// `42`
    case integer(Int64)
    /// `3.5`, `1e6`, kept as written so printing loses nothing.
    case decimal(String)
    /// `'text'`
    case string(String)
    /// `TIMESTAMP '2026-11-01 00:00:00'` (also `DATE '...'`, kept as its keyword).
    case typed(type: String, text: String)
    /// `INTERVAL '7' DAY`, `INTERVAL '-2' HOUR`
    case interval(text: String, unit: IntervalUnit)
}

/// The units `INTERVAL` literals and `date_add`/`date_diff`/`date_trunc` take.
public enum IntervalUnit: String, Sendable, Equatable, CaseIterable {
    case millisecond = "MILLISECOND"
    case second = "SECOND"
    case minute = "MINUTE"
    case hour = "HOUR"
    case day = "DAY"
    case week = "WEEK"
    case month = "MONTH"
    case quarter = "QUARTER"
    case year = "YEAR"

    /// Parses a unit word, singular or plural, any case.
    public init?(word: String) {
        var upper = word.uppercased()
        if upper.hasSuffix("S"), upper.count > 3 { upper.removeLast() }
        self.init(rawValue: upper)
    }
}

/// Prefix operators.
public enum UnaryOperator: String, Sendable, Equatable {
    /// `NOT x`
    case not = "NOT"
    /// `-x`
    case negate = "-"
    /// `+x`
    case plus = "+"
}

/// Infix operators, lowest precedence first in the grammar (`OR` < `AND` < comparisons <
/// `||` < `+ -` < `* / %`).
public enum BinaryOperator: String, Sendable, Equatable {
    case or = "OR"
    case and = "AND"
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    /// `a IS DISTINCT FROM b`
    case isDistinctFrom = "IS DISTINCT FROM"
    /// `a IS NOT DISTINCT FROM b`
    case isNotDistinctFrom = "IS NOT DISTINCT FROM"
    case concat = "||"
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .isDistinctFrom, .isNotDistinctFrom:
            true
        default: false
        }
    }
}

/// One `WHEN condition THEN result` arm of a `CASE`.
public struct WhenClause: Sendable, Equatable {
    public var condition: Expression
    public var result: Expression

    public init(condition: Expression, result: Expression) {
        self.condition = condition
        self.result = result
    }
}

/// A function call: `name([DISTINCT] args)` or `count(*)`.
public struct FunctionCall: Sendable, Equatable {
    public var name: Identifier
    public var arguments: [Expression]
    /// Whether DISTINCT was written: `count(DISTINCT x)`.
    public var isDistinct: Bool
    /// Whether the argument is `*`: `count(*)`.
    public var isStar: Bool
    /// `FILTER (WHERE condition)` after an aggregate: only rows where it holds are aggregated.
    public var filter: Expression? = nil
    /// `ORDER BY` inside the parentheses of an aggregate: `array_agg(x ORDER BY y)`.
    public var orderBy: [OrderItem] = []
    /// `IGNORE NULLS` after a value window function (`lag`, `lead`, `first_value`, ...).
    public var ignoreNulls = false
    /// `OVER (...)`: the call is a window function.
    public var over: WindowSpecification? = nil
}

/// `OVER ([PARTITION BY ...] [ORDER BY ...] [frame])`.
public struct WindowSpecification: Sendable, Equatable {
    public var partitionBy: [Expression]
    public var orderBy: [OrderItem]
    public var frame: WindowFrame?

    public init(partitionBy: [Expression], orderBy: [OrderItem], frame: WindowFrame?) {
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        self.frame = frame
    }
}

/// `ROWS|RANGE|GROUPS BETWEEN start AND end` (or just `start`, ending at the current row).
public struct WindowFrame: Sendable, Equatable {
    public enum Unit: String, Sendable, Equatable {
        case rows = "ROWS"
        case range = "RANGE"
        case groups = "GROUPS"
    }

    /// One end of a frame.
    public enum Bound: Sendable, Equatable {
        case unboundedPreceding
        case preceding(Expression)
        case currentRow
        case following(Expression)
        case unboundedFollowing
    }

    public var unit: Unit
    public var start: Bound
    public var end: Bound

    public init(unit: Unit, start: Bound, end: Bound) {
        self.unit = unit
        self.start = start
        self.end = end
    }
}

/// An expression with its place in the query text.
public struct Expression: Sendable, Equatable {
    /// The syntax forms.
    public indirect enum Kind: Sendable, Equatable {
        /// `NULL`, `'x'`, `42`, `TIMESTAMP '...'`, `INTERVAL '1' DAY`
        case literal(Literal)
        /// `eventName`, `userIdentity.sessionContext.sessionIssuer.arn`, `t.eventName`
        case identifier([Identifier])
        /// `NOT x`, `-x`
        case unary(UnaryOperator, Expression)
        /// `a = b`, `a AND b`, `a || b`, `a IS DISTINCT FROM b`
        case binary(BinaryOperator, Expression, Expression)
        /// `lower(x)`, `count(*)`, `count(DISTINCT x)`
        case function(FunctionCall)
        /// `requestParameters['bucketName']`, `resources[1]`
        case subscriptAccess(Expression, Expression)
        /// `(expr).field`, `element_at(resources, 1).arn`
        case dereference(Expression, Identifier)
        /// `x IS NULL`, `x IS NOT NULL`
        case isNull(Expression, negated: Bool)
        /// `x [NOT] LIKE pattern [ESCAPE e]`
        case like(Expression, pattern: Expression, escape: Expression?, negated: Bool)
        /// `x [NOT] IN (a, b, c)`
        case inList(Expression, [Expression], negated: Bool)
        /// `x [NOT] IN (SELECT ...)`
        case inQuery(Expression, Query, negated: Bool)
        /// `x [NOT] BETWEEN low AND high`
        case between(Expression, low: Expression, high: Expression, negated: Bool)
        /// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`
        case caseWhen(operand: Expression?, whens: [WhenClause], otherwise: Expression?)
        /// `CAST(x AS type)`, `TRY_CAST(x AS type)`
        case cast(Expression, type: String, isTry: Bool)
        /// `EXISTS (SELECT ...)`
        case exists(Query)
        /// `(SELECT ...)` used as a value
        case scalarQuery(Query)
        /// `ARRAY[a, b, c]`
        case arrayConstructor([Expression])
        /// `x -> x.type = 'AWS::S3::Object'` (argument of `any_match`, `filter`, `transform`)
        case lambda([Identifier], Expression)
    }

    public var kind: Kind
    public var range: SourceRange

    public init(_ kind: Kind, range: SourceRange = .none) {
        self.kind = kind
        self.range = range
    }
}
