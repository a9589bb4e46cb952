import CairnCore

/// A scalar function or operator: its names, arity, null rule, type rule and implementation in
/// one value, so a new function is one entry in its family's file.
///
/// Families (`StringFunctions`, `MathFunctions`, ...) list their functions in `all`; the registry
/// joins them. Identity is the canonical name, so bound expressions holding a function hash and
/// compare cheaply. Null in gives null out unless the function handles nulls itself (`coalesce`,
/// `if`, `concat`, ...).
struct ScalarFunction: Hashable, Sendable, CustomStringConvertible {
    /// The result type for the argument types (a lambda argument's type is its body's), or nil
    /// when they do not fit.
    typealias TypeRule = @Sendable ([DataType]) -> DataType?
    /// One row's result from its argument values.
    typealias Implementation = @Sendable ([Value], EvaluationContext) throws(QueryError) -> Value
    /// One row's result from its argument values (`.null` at lambda positions) and a way to call
    /// the lambda at a position with parameter values.
    typealias LambdaImplementation =
        @Sendable ([Value], (Int, [Value]) throws(QueryError) -> Value) throws(QueryError) -> Value

    /// How a function computes its result.
    enum Body: Sendable {
        /// From the argument values, row by row.
        case values(Implementation)
        /// From the argument values and the lambdas among the arguments.
        case lambdas([LambdaSignature], LambdaImplementation)
        /// From the argument types alone, once at bind time (`typeof`).
        case types(@Sendable ([DataType]) -> Value)
    }

    /// The canonical name (an operator's symbol for operators).
    let name: String
    /// Other names users call the function by (`substring` for `substr`).
    let aliases: [String]
    let arity: ClosedRange<Int>
    /// Sees null arguments itself instead of returning null for them.
    let handlesNulls: Bool
    /// False for functions whose result changes between calls (`random`, `now`).
    let isDeterministic: Bool
    /// Operators and internal forms (`ARRAY[...]`) are not callable by name.
    let isOperator: Bool
    /// Map arguments are passed as their JSON text (`strpos(requestParameters, ...)`).
    let readsMapText: Bool
    let typeRule: TypeRule
    let body: Body

    init(
        _ name: String,
        aliases: [String] = [],
        arity: ClosedRange<Int>,
        handlesNulls: Bool = false,
        isDeterministic: Bool = true,
        isOperator: Bool = false,
        readsMapText: Bool = false,
        type: @escaping TypeRule,
        _ implementation: @escaping Implementation
    ) {
        self.init(
            name,
            aliases,
            arity,
            handlesNulls,
            isDeterministic,
            isOperator,
            readsMapText,
            type,
            .values(implementation)
        )
    }

    /// A function taking lambdas at the signatures' positions.
    init(
        _ name: String,
        arity: ClosedRange<Int>,
        lambdas: [LambdaSignature],
        handlesNulls: Bool = false,
        type: @escaping TypeRule,
        _ implementation: @escaping LambdaImplementation
    ) {
        self.init(name, [], arity, handlesNulls, true, false, false, type, .lambdas(lambdas, implementation))
    }

    /// A function whose result depends only on its arguments' types.
    init(
        _ name: String,
        arity: ClosedRange<Int>,
        type: @escaping TypeRule,
        fromTypes: @escaping @Sendable ([DataType]) -> Value
    ) {
        self.init(name, [], arity, true, true, false, false, type, .types(fromTypes))
    }

    private init(
        _ name: String,
        _ aliases: [String],
        _ arity: ClosedRange<Int>,
        _ handlesNulls: Bool,
        _ isDeterministic: Bool,
        _ isOperator: Bool,
        _ readsMapText: Bool,
        _ typeRule: @escaping TypeRule,
        _ body: Body
    ) {
        self.name = name
        self.aliases = aliases
        self.arity = arity
        self.handlesNulls = handlesNulls
        self.isDeterministic = isDeterministic
        self.isOperator = isOperator
        self.readsMapText = readsMapText
        self.typeRule = typeRule
        self.body = body
    }

    static func == (left: ScalarFunction, right: ScalarFunction) -> Bool { left.name == right.name }

    func hash(into hasher: inout Hasher) { hasher.combine(name) }

    var description: String { name }

    /// The result type for these argument types, or nil when they do not fit.
    func resultType(_ types: [DataType]) -> DataType? { typeRule(types) }

    /// The lambdas the function takes, by argument position.
    var lambdaSignatures: [LambdaSignature] {
        if case .lambdas(let signatures, _) = body { return signatures }
        return []
    }

    /// The first argument position that takes a lambda.
    var lambdaArgument: Int? { lambdaSignatures.first?.position }

    /// Applies the function to one row's arguments (lambda functions are applied by the
    /// evaluator, which owns the lambda bodies).
    func apply(_ arguments: [Value], _ context: EvaluationContext) throws(QueryError) -> Value {
        if !handlesNulls, arguments.contains(where: \.isNull) { return .null }
        switch body {
        case .values(let implementation): return try implementation(arguments, context)
        case .lambdas, .types: throw QueryError(.invalidQuery, "internal: \(name) applied without its lambdas")
        }
    }
}

/// A lambda argument: its position and its parameters' types, from the types of the arguments
/// before it (lambdas there as their bodies' types).
struct LambdaSignature: Sendable {
    let position: Int
    let parameterCount: Int
    /// The body must be boolean (`filter`, `any_match`).
    let isPredicate: Bool
    let parameterTypes: @Sendable ([DataType]) -> [DataType]

    init(
        _ position: Int,
        parameters: Int,
        isPredicate: Bool = false,
        types: @escaping @Sendable ([DataType]) -> [DataType]
    ) {
        self.position = position
        self.parameterCount = parameters
        self.isPredicate = isPredicate
        self.parameterTypes = types
    }
}

extension ScalarFunction {
    /// Every function and operator, family by family.
    static let all: [ScalarFunction] =
        OperatorFunctions.all + StringFunctions.all + RegexpFunctions.all + JSONFunctions.all + ArrayFunctions.all
        + MapFunctions.all + MathFunctions.all + URLFunctions.all + ConditionalFunctions.all + DateTimeFunctions.all

    private static let byName: [String: ScalarFunction] = {
        var names = [String: ScalarFunction]()
        for function in all where !function.isOperator {
            for name in [function.name] + function.aliases {
                precondition(names[name] == nil, "function \(name) is defined twice")
                names[name] = function
            }
        }
        return names
    }()

    /// The function users call by this name (or alias), if any.
    static func named(_ name: String) -> ScalarFunction? { byName[name] }

    /// Every name and alias a query may call.
    static var callableNames: [String] { byName.keys.sorted() }
}

extension DataType {
    var isJSONLike: Bool { self == .json || self == .varchar || self == .map || self == .unknown || isArrayOrRow }
    var isTimeLike: Bool {
        self == .timestamp || self == .date || self == .timestampWithZone || self == .varchar || self == .unknown
    }
    var isArrayOrRow: Bool {
        switch self {
        case .array, .row: true
        default: false
        }
    }
    /// Accepted where a string is: varchar, json text, or null.
    var isStringy: Bool { isStringLike || self == .json }
    /// The element type of an array (unknown for null), or nil for other types.
    var arrayElement: DataType? {
        if case .array(let element) = self { return element }
        return self == .unknown ? .unknown : nil
    }
}

extension Collection<DataType> {
    func all(_ rule: (DataType) -> Bool) -> Bool { allSatisfy(rule) }
}
