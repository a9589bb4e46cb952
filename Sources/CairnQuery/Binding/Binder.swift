import CairnCore
import CairnSQL

/// The result of binding a query: its plan and its output columns.
struct BoundQuery: Sendable {
    var plan: LogicalPlan
    var names: [String]
    var types: [DataType]
}

/// Resolves store names for the binder.
protocol StoreResolver {
    /// The store's display name and id, or nil when none has this name or id.
    func resolveStore(_ nameOrID: String) -> (name: String, id: String)?
    var storeNames: [String] { get }
}

/// Turns a parsed query into a typed plan: resolves stores, columns (Lake's case-insensitive
/// names, struct paths, aliases), functions and aggregates, checks types, and expands `*`.
///
/// Each SELECT is bound twice: a first pass collects the Lake fields each store scan must produce,
/// the second binds against the now fixed column positions (so joins of stores get stable
/// offsets). Uncorrelated subqueries in expressions (`IN (SELECT ...)`, scalar subqueries,
/// `EXISTS`) run while binding and become constants.
struct Binder {
    let stores: any StoreResolver
    let context: EvaluationContext
    /// Runs a bound subquery to completion (the executor).
    let runSubquery: (BoundQuery) throws(QueryError) -> [[Value]]
    private var ctes: [[String: (CommonTableExpression, Int)]] = []
    var collecting = false
    /// Whether window functions may appear in the expression being bound (the SELECT list and
    /// ORDER BY, outside aggregates and other window functions).
    var windowsAllowed = false
    /// Scopes of the queries around the expression subqueries being bound, innermost last: a
    /// column not found in a subquery's own FROM is looked up there (a correlated reference).
    var outerScopes: [Scope] = []
    /// Per expression subquery being bound, innermost last: the outer columns it reads (positions
    /// in the outer scope, and types); `.correlated(i)` is the i-th.
    var correlations: [[(position: Int, type: DataType)]] = []
    /// Subqueries already bound, by their offset in the query text: both binding passes of an
    /// outer SELECT reuse them, so nesting costs linear, not exponential, time.
    private var boundSubqueries: [Int: BoundQuery] = [:]
    /// Results of expression subqueries already run, by text offset.
    var subqueryResults: [Int: [[Value]]] = [:]

    init(
        stores: any StoreResolver,
        context: EvaluationContext,
        runSubquery: @escaping (BoundQuery) throws(QueryError) -> [[Value]]
    ) {
        self.stores = stores
        self.context = context
        self.runSubquery = runSubquery
    }

    // MARK: Queries

    mutating func bind(_ query: Query) throws(QueryError) -> BoundQuery {
        if query.range.line > 0, let cached = boundSubqueries[query.range.start] { return cached }
        let result = try bindUncached(query)
        // A correlated subquery reads positions of the outer scope, which differ between the
        // outer query's two passes: bind it each time.
        if query.range.line > 0, correlations.last?.isEmpty ?? true { boundSubqueries[query.range.start] = result }
        return result
    }

    private mutating func bindUncached(_ query: Query) throws(QueryError) -> BoundQuery {
        var frame = [String: (CommonTableExpression, Int)]()
        for cte in query.with {
            let key = cte.name.normalized
            guard frame[key] == nil else {
                throw QueryError(.invalidQuery, "WITH defines \(cte.name.name) twice", at: cte.name.range)
            }
            frame[key] = (cte, ctes.count)
            ctes.append(frame)
        }
        if query.with.isEmpty { ctes.append(frame) }
        defer { ctes.removeLast(max(query.with.count, 1)) }

        if case .select(let select) = query.body {
            return try bindSelect(select, orderBy: query.orderBy, limit: query.limit, offset: query.offset)
        }
        var body = try bindBody(query.body)
        if !query.orderBy.isEmpty {
            var keys = [SortKey]()
            for item in query.orderBy {
                let position = try outputPosition(item.expression, names: body.names)
                keys.append(sortKey(.column(position), item))
            }
            body.plan = .sort(body.plan, keys, limit: try topN(query.limit, query.offset))
        }
        body.plan = try applyLimit(body.plan, query.limit, query.offset)
        return body
    }

    private mutating func bindBody(_ body: QueryBody) throws(QueryError) -> BoundQuery {
        switch body {
        case .select(let select): return try bindSelect(select, orderBy: [], limit: nil, offset: nil)
        case .nested(let query): return try bind(query)
        case .setOperation(let op, let all, let left, let right):
            let l = try bindBody(left)
            let r = try bindBody(right)
            guard l.names.count == r.names.count else {
                throw QueryError(
                    .invalidQuery,
                    "\(op.rawValue) inputs have \(l.names.count) and \(r.names.count) columns"
                )
            }
            var types = [DataType]()
            for (index, (a, b)) in zip(l.types, r.types).enumerated() {
                guard let unified = a.unified(with: b) else {
                    throw QueryError(
                        .typeMismatch,
                        "\(op.rawValue) column \(index + 1) has types \(a) and \(b), which do not match"
                    )
                }
                types.append(unified)
            }
            return BoundQuery(plan: .setOperation(op, all: all, l.plan, r.plan), names: l.names, types: types)
        }
    }

    /// The output column an ORDER BY item of a set operation names: an ordinal or an output name.
    private func outputPosition(_ expression: Expression, names: [String]) throws(QueryError) -> Int {
        if case .literal(.integer(let ordinal)) = expression.kind {
            guard ordinal >= 1, ordinal <= names.count else {
                throw QueryError(
                    .invalidQuery,
                    "ORDER BY position \(ordinal) is not in the select list",
                    at: expression.range
                )
            }
            return Int(ordinal - 1)
        }
        if case .identifier(let path) = expression.kind, path.count == 1,
            let position = names.firstIndex(of: path[0].normalized)
        {
            return position
        }
        throw QueryError(
            .invalidQuery,
            "ORDER BY after a set operation must name an output column or position",
            at: expression.range
        )
    }

    private func constantInteger(_ expression: Expression?, _ what: String) throws(QueryError) -> Int? {
        guard let expression else { return nil }
        guard case .literal(.integer(let value)) = expression.kind, value >= 0 else {
            throw QueryError(.invalidQuery, "\(what) must be a non-negative integer", at: expression.range)
        }
        return Int(clamping: value)
    }

    private func topN(_ limit: Expression?, _ offset: Expression?) throws(QueryError) -> Int? {
        guard let limit = try constantInteger(limit, "LIMIT") else { return nil }
        let (sum, overflow) = limit.addingReportingOverflow(try constantInteger(offset, "OFFSET") ?? 0)
        return overflow ? nil : sum
    }

    private func applyLimit(_ plan: LogicalPlan, _ limit: Expression?, _ offset: Expression?) throws(QueryError)
        -> LogicalPlan
    {
        let count = try constantInteger(limit, "LIMIT")
        let skip = try constantInteger(offset, "OFFSET") ?? 0
        if count == nil && skip == 0 { return plan }
        return .limit(plan, limit: count, offset: skip)
    }

    func sortKey(_ expression: BoundExpression, _ item: OrderItem) -> SortKey {
        let ascending = item.ascending ?? true
        // Trino puts nulls last in both directions unless told otherwise.
        return SortKey(expression: expression, ascending: ascending, nullsFirst: item.nullsFirst ?? false)
    }

    // MARK: SELECT

    private mutating func bindSelect(
        _ select: Select,
        orderBy: [OrderItem],
        limit: Expression?,
        offset: Expression?
    ) throws(QueryError) -> BoundQuery {
        // Pass 1: collect the fields each store scan needs.
        let wasCollecting = collecting
        collecting = true
        var collectors = [FieldCollector]()
        do {
            let (_, scope) = try bindFrom(select.from, collectors: &collectors, frozen: false)
            _ = try bindSelectBody(select, orderBy: orderBy, scope: scope)
        }
        collecting = false
        defer { collecting = wasCollecting }
        // Pass 2: bind with fixed fields.
        for collector in collectors { collector.frozen = true }
        var frozenCollectors = collectors
        let (fromPlan, scope) = try bindFrom(select.from, collectors: &frozenCollectors, frozen: true)
        var result = try bindSelectBody(select, orderBy: orderBy, scope: scope)
        result.plan = try rebase(result.plan, onto: fromPlan)
        result.plan = try applyLimit(result.plan, limit, offset)
        return result
    }

    /// Placeholder input replaced by the FROM plan (the select body is built over a stand-in so
    /// both passes share code).
    private func rebase(_ plan: LogicalPlan, onto from: LogicalPlan) throws(QueryError) -> LogicalPlan {
        switch plan {
        case .values(let rows, let count) where rows.isEmpty && count == -1: return from
        case .scan, .values: return plan
        case .filter(let input, let e): return .filter(try rebase(input, onto: from), e)
        case .project(let input, let e): return .project(try rebase(input, onto: from), e)
        case .aggregate(let input, let keys, let aggregates):
            return .aggregate(try rebase(input, onto: from), keys: keys, aggregates: aggregates)
        case .sort(let input, let keys, let limit): return .sort(try rebase(input, onto: from), keys, limit: limit)
        case .limit(let input, let limit, let offset):
            return .limit(try rebase(input, onto: from), limit: limit, offset: offset)
        case .distinct(let input): return .distinct(try rebase(input, onto: from))
        case .window(let input, let calls): return .window(try rebase(input, onto: from), calls)
        case .apply(let input, let calls): return .apply(try rebase(input, onto: from), calls)
        default: return plan
        }
    }

    private static let fromPlaceholder = LogicalPlan.values([], columnCount: -1)

    private mutating func bindSelectBody(
        _ select: Select,
        orderBy: [OrderItem],
        scope: Scope
    ) throws(QueryError) -> BoundQuery {
        var plan = Binder.fromPlaceholder
        // Correlated subqueries become columns the apply operator appends (`width` tracks the
        // plan's width as operators are added).
        var width = scope.width
        func applying(_ expressions: inout [BoundExpression]) throws(QueryError) {
            guard expressions.contains(where: \.containsSubquery) else { return }
            var calls = [BoundExpression]()
            let base = width
            for index in expressions.indices {
                expressions[index] = try expressions[index].rewritten { node throws(QueryError) -> BoundExpression? in
                    guard case .subquery = node else { return nil }
                    if let existing = calls.firstIndex(of: node) { return .column(base + existing) }
                    calls.append(node)
                    return .column(base + calls.count - 1)
                }
            }
            plan = .apply(plan, calls)
            width += calls.count
        }
        if let filter = select.filter {
            let bound = try bindExpression(filter, scope, allowAggregates: false)
            try expectBoolean(bound.type, filter, "WHERE")
            var condition = [bound.expression]
            try applying(&condition)
            plan = .filter(plan, condition[0])
        }

        // Select items, with `*` expanded.
        var items = [(expression: BoundExpression, type: DataType, name: String, source: Expression?)]()
        for (index, item) in select.items.enumerated() {
            switch item {
            case .wildcard(let qualifier):
                let columns = try scope.wildcard(qualifier)
                for column in columns {
                    items.append((.column(column.position), column.type, column.name, nil))
                }
            case .expression(let expression, let alias):
                windowsAllowed = true
                defer { windowsAllowed = false }
                let bound = try bindExpression(expression, scope, allowAggregates: true)
                let name = alias?.normalized ?? Binder.defaultName(expression, position: items.count, itemIndex: index)
                items.append((bound.expression, bound.type, name, expression))
            }
        }

        var groupKeys = [BoundExpression]()
        var groupTypes = [DataType]()
        for expression in select.groupBy {
            if case .literal(.integer(let ordinal)) = expression.kind {
                guard ordinal >= 1, ordinal <= items.count else {
                    throw QueryError(
                        .invalidQuery,
                        "GROUP BY position \(ordinal) is not in the select list",
                        at: expression.range
                    )
                }
                guard !items[Int(ordinal - 1)].expression.containsAggregate else {
                    throw QueryError(
                        .invalidQuery,
                        "GROUP BY position \(ordinal) is an aggregate",
                        at: expression.range
                    )
                }
                groupKeys.append(items[Int(ordinal - 1)].expression)
                groupTypes.append(items[Int(ordinal - 1)].type)
            } else {
                let bound = try bindExpression(expression, scope, allowAggregates: false)
                groupKeys.append(bound.expression)
                groupTypes.append(bound.type)
            }
        }

        var having: (BoundExpression, Expression)?
        if let expression = select.having {
            let bound = try bindExpression(expression, scope, allowAggregates: true)
            try expectBoolean(bound.type, expression, "HAVING")
            having = (bound.expression, expression)
        }

        // ORDER BY: output ordinals, output names, or expressions over the input.
        var orderExpressions = [(BoundExpression, OrderItem, outputIndex: Int?)]()
        for item in orderBy {
            if case .literal(.integer(let ordinal)) = item.expression.kind {
                guard ordinal >= 1, ordinal <= items.count else {
                    throw QueryError(
                        .invalidQuery,
                        "ORDER BY position \(ordinal) is not in the select list",
                        at: item.expression.range
                    )
                }
                orderExpressions.append((items[Int(ordinal - 1)].expression, item, Int(ordinal - 1)))
                continue
            }
            if case .identifier(let path) = item.expression.kind, path.count == 1,
                let index = items.firstIndex(where: { $0.name == path[0].normalized && $0.source != nil })
            {
                orderExpressions.append((items[index].expression, item, index))
                continue
            }
            windowsAllowed = true
            defer { windowsAllowed = false }
            let bound = try bindExpression(item.expression, scope, allowAggregates: true)
            orderExpressions.append((bound.expression, item, items.firstIndex { $0.expression == bound.expression }))
        }

        let isAggregate =
            !groupKeys.isEmpty || items.contains { $0.expression.containsAggregate } || having != nil
            || orderExpressions.contains { $0.0.containsAggregate }
        var aggregates = [AggregateCall]()
        if isAggregate {
            func rewrite(_ expression: BoundExpression, _ source: Expression?) throws(QueryError) -> BoundExpression {
                try expression.rewritten { node throws(QueryError) -> BoundExpression? in
                    if let index = groupKeys.firstIndex(of: node) { return .column(index) }
                    switch node {
                    case .aggregate(let call):
                        if let index = aggregates.firstIndex(of: call) { return .column(groupKeys.count + index) }
                        aggregates.append(call)
                        return .column(groupKeys.count + aggregates.count - 1)
                    case .column(let position):
                        throw QueryError(
                            .invalidQuery,
                            "column \(scope.name(of: position)) must appear in GROUP BY or be used in an aggregate function",
                            at: source?.range
                        )
                    case .lambda: return node
                    default: return nil
                    }
                }
            }
            for index in items.indices {
                items[index].expression = try rewrite(items[index].expression, items[index].source)
            }
            if let (expression, source) = having { having = (try rewrite(expression, source), source) }
            for index in orderExpressions.indices {
                orderExpressions[index].0 = try rewrite(orderExpressions[index].0, orderExpressions[index].1.expression)
            }
            plan = .aggregate(plan, keys: groupKeys, aggregates: aggregates)
            width = groupKeys.count + aggregates.count
            if let (expression, _) = having {
                var condition = [expression]
                try applying(&condition)
                plan = .filter(plan, condition[0])
            }
        }
        var itemExpressions = items.map(\.expression) + orderExpressions.map(\.0)
        try applying(&itemExpressions)
        for index in items.indices { items[index].expression = itemExpressions[index] }
        for index in orderExpressions.indices { orderExpressions[index].0 = itemExpressions[items.count + index] }

        // Window functions run over the rows after grouping: each becomes a column the window
        // operator appends.
        var windowCalls = [WindowCall]()
        let windowBase = width
        func extractWindows(_ expression: BoundExpression) throws(QueryError) -> BoundExpression {
            guard expression.containsWindow else { return expression }
            return try expression.rewritten { node throws(QueryError) -> BoundExpression? in
                guard case .window(let call) = node else { return nil }
                if let index = windowCalls.firstIndex(of: call) { return .column(windowBase + index) }
                windowCalls.append(call)
                return .column(windowBase + windowCalls.count - 1)
            }
        }
        for index in items.indices { items[index].expression = try extractWindows(items[index].expression) }
        for index in orderExpressions.indices {
            orderExpressions[index].0 = try extractWindows(orderExpressions[index].0)
        }
        if !windowCalls.isEmpty { plan = .window(plan, windowCalls) }

        // Project select items plus hidden ORDER BY keys, then sort, then drop the hidden ones.
        var projections = items.map(\.expression)
        var keys = [SortKey]()
        for (expression, item, outputIndex) in orderExpressions {
            if let outputIndex {
                keys.append(sortKey(.column(outputIndex), item))
            } else if let existing = projections.firstIndex(of: expression) {
                keys.append(sortKey(.column(existing), item))
            } else {
                if select.isDistinct {
                    throw QueryError(
                        .invalidQuery,
                        "with SELECT DISTINCT, ORDER BY expressions must appear in the select list",
                        at: item.expression.range
                    )
                }
                projections.append(expression)
                keys.append(sortKey(.column(projections.count - 1), item))
            }
        }
        plan = .project(plan, projections)
        if select.isDistinct { plan = .distinct(plan) }
        if !keys.isEmpty { plan = .sort(plan, keys, limit: nil) }
        if projections.count > items.count {
            plan = .project(plan, (0..<items.count).map { .column($0) })
        }
        return BoundQuery(plan: plan, names: items.map(\.name), types: items.map(\.type))
    }

    /// Lake's result column names (spec §6.3): the alias, else a column's last path component,
    /// else `_col<position>`.
    static func defaultName(_ expression: Expression, position: Int, itemIndex: Int) -> String {
        switch expression.kind {
        case .identifier(let path): return path.last!.normalized
        case .dereference(_, let field): return field.normalized
        default: return "_col\(position)"
        }
    }

    private func expectBoolean(_ type: DataType, _ expression: Expression, _ clause: String) throws(QueryError) {
        guard type == .boolean || type == .unknown else {
            throw QueryError(.typeMismatch, "\(clause) condition must be boolean, not \(type)", at: expression.range)
        }
    }

    // MARK: FROM

    private mutating func bindFrom(
        _ from: [TableReference],
        collectors: inout [FieldCollector],
        frozen: Bool
    ) throws(QueryError) -> (LogicalPlan, Scope) {
        var scope = Scope()
        guard !from.isEmpty else { return (.values([[]], columnCount: 0), scope) }
        var plan: LogicalPlan?
        var collectorIndex = 0
        for reference in from {
            let (itemPlan, itemScope) = try bindTable(
                reference,
                leftScope: scope,
                leftPlan: plan,
                collectors: &collectors,
                collectorIndex: &collectorIndex,
                frozen: frozen
            )
            plan = itemPlan
            scope = itemScope
        }
        return (plan!, scope)
    }

    /// Binds one FROM item.
    ///
    /// `leftScope`/`leftPlan` are the items before it (a comma is a cross join; UNNEST reads the columns to
    /// its left).
    private mutating func bindTable(
        _ reference: TableReference,
        leftScope: Scope,
        leftPlan: LogicalPlan?,
        collectors: inout [FieldCollector],
        collectorIndex: inout Int,
        frozen: Bool
    ) throws(QueryError) -> (LogicalPlan, Scope) {
        switch reference {
        case .join(let kind, let left, let right, let on):
            let (leftPlanBound, leftScopeBound) = try bindTable(
                left,
                leftScope: leftScope,
                leftPlan: leftPlan,
                collectors: &collectors,
                collectorIndex: &collectorIndex,
                frozen: frozen
            )
            if case .unnest = right {
                let (plan, scope) = try bindTable(
                    right,
                    leftScope: leftScopeBound,
                    leftPlan: leftPlanBound,
                    collectors: &collectors,
                    collectorIndex: &collectorIndex,
                    frozen: frozen
                )
                if let on {
                    let bound = try bindExpression(on, scope, allowAggregates: false)
                    return (.filter(plan, bound.expression), scope)
                }
                return (plan, scope)
            }
            let (rightPlan, rightScope) = try bindTable(
                right,
                leftScope: Scope(),
                leftPlan: nil,
                collectors: &collectors,
                collectorIndex: &collectorIndex,
                frozen: frozen
            )
            // Left of this join already includes leftScope (the items before it), so only combine.
            var combined = leftScopeBound
            combined.append(rightScope)
            var condition: BoundExpression?
            if let on {
                let bound = try bindExpression(on, combined, allowAggregates: false)
                try expectBoolean(bound.type, on, "JOIN")
                condition = bound.expression
            }
            return (
                .join(
                    kind,
                    leftPlanBound,
                    rightPlan,
                    condition: condition,
                    leftWidth: leftScopeBound.width,
                    rightWidth: rightScope.width
                ),
                combined
            )
        case .unnest(let expression, let alias, let columns, let ordinality):
            let bound = try bindExpression(expression, leftScope, allowAggregates: false)
            guard case .array(let element) = bound.type else {
                if bound.type == .unknown, collecting { return (leftPlan ?? .values([[]], columnCount: 0), leftScope) }
                throw QueryError(.typeMismatch, "UNNEST needs an array, not \(bound.type)", at: expression.range)
            }
            var names: [String]
            var types: [DataType]
            var expand: [String]?
            // With ORDINALITY, the last column name (when names are given) is the position's.
            let named = ordinality && !columns.isEmpty ? Array(columns.dropLast()) : columns
            if case .row(let fields) = element, named.count != 1 {
                guard named.isEmpty || named.count == fields.count else {
                    throw QueryError(
                        .invalidQuery,
                        "UNNEST of \(element) gives \(fields.count) columns but \(named.count) names",
                        at: expression.range
                    )
                }
                names = named.isEmpty ? fields.map(\.name) : named.map(\.normalized)
                types = fields.map(\.type)
                expand = fields.map(\.name)
            } else {
                guard named.count <= 1 else {
                    throw QueryError(
                        .invalidQuery,
                        "UNNEST gives \(1 + (ordinality ? 1 : 0)) columns but \(columns.count) names",
                        at: expression.range
                    )
                }
                names = [named.first?.normalized ?? alias?.normalized ?? "col"]
                types = [element]
            }
            if ordinality {
                names.append(columns.isEmpty ? "ordinality" : columns.last!.normalized)
                types.append(.bigint)
            }
            var scope = leftScope
            scope.append(Scope.derived(alias: alias?.normalized, names: names, types: types))
            let input = leftPlan ?? .values([[]], columnCount: 0)
            return (
                .unnest(
                    input,
                    bound.expression,
                    expandFields: expand,
                    inputWidth: leftScope.width,
                    ordinality: ordinality
                ), scope
            )
        case .subquery(let query, let alias):
            let bound = try bind(query)
            let scope = Scope.derived(alias: alias?.normalized, names: bound.names, types: bound.types)
            return try crossJoin(leftPlan, leftScope, bound.plan, scope)
        case .named(let name, let alias):
            if let (cte, depth) = lookupCTE(name.normalized) {
                let saved = ctes
                ctes = Array(ctes.prefix(depth))
                var bound = try bind(cte.query)
                ctes = saved
                if !cte.columns.isEmpty {
                    guard cte.columns.count == bound.names.count else {
                        throw QueryError(
                            .invalidQuery,
                            "WITH \(cte.name.name) names \(cte.columns.count) columns but its query has \(bound.names.count)",
                            at: cte.name.range
                        )
                    }
                    bound.names = cte.columns.map(\.normalized)
                }
                let scope = Scope.derived(
                    alias: alias?.normalized ?? name.normalized,
                    names: bound.names,
                    types: bound.types
                )
                return try crossJoin(leftPlan, leftScope, bound.plan, scope)
            }
            guard let store = stores.resolveStore(name.name) else {
                throw QueryError(
                    .unknownStore,
                    "event data store \(name.name) does not exist",
                    at: name.range,
                    suggestion: Suggestion.closest(to: name.name, among: stores.storeNames)
                )
            }
            let collector: FieldCollector
            if collectorIndex < collectors.count {
                collector = collectors[collectorIndex]
            } else {
                collector = FieldCollector()
                collectors.append(collector)
            }
            collectorIndex += 1
            let tableAlias = alias?.normalized ?? name.name.lowercased()
            let scope = Scope.store(alias: tableAlias, collector: collector)
            let spec = ScanSpec(
                storeName: store.name,
                storeID: store.id,
                fields: collector.fields,
                types: collector.types
            )
            return try crossJoin(leftPlan, leftScope, .scan(spec), scope)
        }
    }

    private func crossJoin(_ leftPlan: LogicalPlan?, _ leftScope: Scope, _ plan: LogicalPlan, _ scope: Scope)
        throws(QueryError) -> (LogicalPlan, Scope)
    {
        guard let leftPlan else { return (plan, scope) }
        var combined = leftScope
        combined.append(scope)
        return (
            .join(.cross, leftPlan, plan, condition: nil, leftWidth: leftScope.width, rightWidth: scope.width), combined
        )
    }

    private func lookupCTE(_ name: String) -> (CommonTableExpression, Int)? {
        for frame in ctes.reversed() {
            if let found = frame[name] { return found }
        }
        return nil
    }
}

/// The fields a store scan produces, collected in the binder's first pass.
final class FieldCollector: @unchecked Sendable {
    var fields = [FieldSource]()
    var types = [DataType]()
    var frozen = false

    func position(of source: FieldSource, type: DataType) -> Int? {
        if let index = fields.firstIndex(of: source) { return index }
        guard !frozen else { return nil }
        fields.append(source)
        types.append(type)
        return fields.count - 1
    }
}
