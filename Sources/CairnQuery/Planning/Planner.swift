import CairnSQL
import CairnStorage

/// Rewrites a bound plan before execution (storage.md §3.11's order): pushes WHERE conjuncts
/// into scans (and through inner and cross joins, turning cross joins with an equality into hash
/// joins), derives each scan's pruning predicates, turns `ORDER BY ... LIMIT n` into top-N
/// (and, when ordered by eventTime, lets the scan visit segments in time order and stop early),
/// pushes plain LIMITs into scans, and marks the fields each scan must materialize.
enum Planner {
    static func optimize(_ plan: LogicalPlan, _ evaluator: Evaluator) -> LogicalPlan {
        var plan = pushFilters(ConstantFolding.fold(plan, evaluator))
        plan = limits(plan)
        plan = annotateScans(plan, required: Set(0..<plan.width))
        return plan
    }

    // MARK: Filters

    static func pushFilters(_ plan: LogicalPlan) -> LogicalPlan {
        switch plan {
        case .filter(let input, let predicate):
            return pushFilter(pushFilters(input), PruningPredicates.conjuncts(predicate))
        case .scan, .values: return plan
        case .project(let input, let e): return .project(pushFilters(input), e)
        case .aggregate(let input, let keys, let aggregates):
            return .aggregate(pushFilters(input), keys: keys, aggregates: aggregates)
        case .sort(let input, let keys, let limit): return .sort(pushFilters(input), keys, limit: limit)
        case .limit(let input, let limit, let offset): return .limit(pushFilters(input), limit: limit, offset: offset)
        case .distinct(let input): return .distinct(pushFilters(input))
        case .join(let kind, let left, let right, let condition, let lw, let rw):
            var plan = LogicalPlan.join(
                kind,
                pushFilters(left),
                pushFilters(right),
                condition: condition,
                leftWidth: lw,
                rightWidth: rw
            )
            if kind == .inner, let condition {
                // Single-side conjuncts of an inner join's ON go down like WHERE conjuncts.
                plan = pushFilter(
                    .join(.inner, pushFilters(left), pushFilters(right), condition: nil, leftWidth: lw, rightWidth: rw),
                    PruningPredicates.conjuncts(condition)
                )
            }
            return plan
        case .setOperation(let op, let all, let left, let right):
            return .setOperation(op, all: all, pushFilters(left), pushFilters(right))
        case .unnest(let input, let e, let fields, let width, let ordinality):
            return .unnest(pushFilters(input), e, expandFields: fields, inputWidth: width, ordinality: ordinality)
        case .window(let input, let calls): return .window(pushFilters(input), calls)
        case .apply(let input, let calls): return .apply(pushFilters(input), calls)
        }
    }

    private static func conjoin(_ conjuncts: [BoundExpression]) -> BoundExpression? {
        guard var result = conjuncts.first else { return nil }
        for conjunct in conjuncts.dropFirst() { result = .and(result, conjunct) }
        return result
    }

    private static func pushFilter(_ plan: LogicalPlan, _ conjuncts: [BoundExpression]) -> LogicalPlan {
        guard !conjuncts.isEmpty else { return plan }
        switch plan {
        case .scan(var spec):
            spec.filter = conjoin((spec.filter.map { PruningPredicates.conjuncts($0) } ?? []) + conjuncts)
            return .scan(spec)
        case .filter(let input, let predicate):
            return pushFilter(input, PruningPredicates.conjuncts(predicate) + conjuncts)
        case .join(let kind, let left, let right, let condition, let lw, let rw) where kind == .inner || kind == .cross:
            var leftConjuncts = [BoundExpression]()
            var rightConjuncts = [BoundExpression]()
            var joinConjuncts = condition.map { PruningPredicates.conjuncts($0) } ?? []
            for conjunct in conjuncts {
                let columns = conjunct.columns
                if conjunct.containsNondeterminism {
                    joinConjuncts.append(conjunct)
                } else if columns.allSatisfy({ $0 < lw }) {
                    leftConjuncts.append(conjunct)
                } else if columns.allSatisfy({ $0 >= lw }) {
                    rightConjuncts.append(
                        (try? conjunct.rewritten { node throws(QueryError) -> BoundExpression? in
                            if case .column(let index) = node { return .column(index - lw) }
                            return nil
                        }) ?? conjunct
                    )
                } else {
                    joinConjuncts.append(conjunct)
                }
            }
            let newKind: JoinKindValue = joinConjuncts.isEmpty ? kind : .inner
            return .join(
                newKind,
                pushFilter(left, leftConjuncts),
                pushFilter(right, rightConjuncts),
                condition: conjoin(joinConjuncts),
                leftWidth: lw,
                rightWidth: rw
            )
        case .apply(let input, let calls):
            // Conjuncts that do not read a subquery's result go below it: fewer rows to run it for.
            let below = conjuncts.filter { $0.columns.allSatisfy { $0 < input.width } }
            let above = conjuncts.filter { !$0.columns.allSatisfy { $0 < input.width } }
            let applied = LogicalPlan.apply(pushFilter(input, below), calls)
            return above.isEmpty ? applied : .filter(applied, conjoin(above)!)
        default:
            return .filter(plan, conjoin(conjuncts)!)
        }
    }

    // MARK: Limits

    static func limits(_ plan: LogicalPlan) -> LogicalPlan {
        switch plan {
        case .limit(let input, let limit, let offset):
            let inner = limits(input)
            guard let limit else { return .limit(inner, limit: nil, offset: offset) }
            let n = limit.addingReportingOverflow(offset).overflow ? Int.max : limit + offset
            return .limit(withTopN(inner, n), limit: limit, offset: offset)
        case .scan, .values: return plan
        case .filter(let input, let e): return .filter(limits(input), e)
        case .project(let input, let e): return .project(limits(input), e)
        case .aggregate(let input, let keys, let aggregates):
            return .aggregate(limits(input), keys: keys, aggregates: aggregates)
        case .sort(let input, let keys, let limit): return .sort(limits(input), keys, limit: limit)
        case .distinct(let input): return .distinct(limits(input))
        case .join(let kind, let left, let right, let condition, let lw, let rw):
            return .join(kind, limits(left), limits(right), condition: condition, leftWidth: lw, rightWidth: rw)
        case .setOperation(let op, let all, let left, let right):
            return .setOperation(op, all: all, limits(left), limits(right))
        case .unnest(let input, let e, let fields, let width, let ordinality):
            return .unnest(limits(input), e, expandFields: fields, inputWidth: width, ordinality: ordinality)
        case .window(let input, let calls): return .window(limits(input), calls)
        case .apply(let input, let calls): return .apply(limits(input), calls)
        }
    }

    /// Under a LIMIT of `n` rows: a sort becomes top-N; a scan reached through projections and
    /// filters only needs `n` rows.
    private static func withTopN(_ plan: LogicalPlan, _ n: Int) -> LogicalPlan {
        switch plan {
        case .project(let input, let e): return .project(withTopN(input, n), e)
        case .apply(let input, let calls): return .apply(withTopN(input, n), calls)
        case .sort(let input, let keys, _):
            var input = input
            if n > 0, let first = keys.first, case .column(let position) = first.expression,
                let time = timeColumn(input, position)
            {
                _ = time
                var tie: (column: SegmentColumn, descending: Bool)?
                if keys.count > 1, case .column(let second) = keys[1].expression,
                    case .column(let column)? = scanField(input, second),
                    [.string, .uuid].contains(column.physicalType)
                {
                    tie = (column, !keys[1].ascending)
                }
                input = markTimeOrdered(input, position, descending: !first.ascending, n, tie: tie)
            }
            return .sort(input, keys, limit: n)
        case .scan(var spec):
            spec.rowLimit = n
            return .scan(spec)
        case .filter(let input, let e):
            if case .scan = input { return .filter(withTopN(input, n), e) }
            return plan
        default: return plan
        }
    }

    /// Whether output column `position` of `plan` is the scan's eventTime, through projections.
    private static func timeColumn(_ plan: LogicalPlan, _ position: Int) -> Bool? {
        switch plan {
        case .scan(let spec): return spec.fields[position] == .column(.eventTime) ? true : nil
        case .project(let input, let expressions):
            guard case .column(let inner) = expressions[position] else { return nil }
            return timeColumn(input, inner)
        // Not through filters: the scan may pick the best rows by time only when every row it
        // produces reaches the sort.
        default: return nil
        }
    }

    /// The scan field output column `position` of `plan` is, through projections.
    private static func scanField(_ plan: LogicalPlan, _ position: Int) -> FieldSource? {
        switch plan {
        case .scan(let spec): return spec.fields[position]
        case .project(let input, let expressions):
            guard case .column(let inner) = expressions[position] else { return nil }
            return scanField(input, inner)
        default: return nil
        }
    }

    private static func markTimeOrdered(
        _ plan: LogicalPlan,
        _ position: Int,
        descending: Bool,
        _ n: Int,
        tie: (column: SegmentColumn, descending: Bool)?
    ) -> LogicalPlan {
        switch plan {
        case .scan(var spec):
            spec.timeOrderedLimit = (descending, n)
            spec.timeOrderedTieBreaker = tie
            return .scan(spec)
        case .project(let input, let expressions):
            guard case .column(let inner) = expressions[position] else { return plan }
            return .project(markTimeOrdered(input, inner, descending: descending, n, tie: tie), expressions)
        default: return plan
        }
    }

    // MARK: Needed fields

    /// Records on each scan which of its fields the plan reads (the rest are never decoded), and
    /// derives its pruning predicates.
    static func annotateScans(_ plan: LogicalPlan, required: Set<Int>) -> LogicalPlan {
        func columns(_ expressions: [BoundExpression]) -> Set<Int> {
            var result = Set<Int>()
            for e in expressions { result.formUnion(e.columns) }
            return result
        }
        switch plan {
        case .scan(var spec):
            spec.needed = required
            spec.pruning = PruningPredicates(filter: spec.filter, fields: spec.fields)
            return .scan(spec)
        case .values: return plan
        case .filter(let input, let e): return .filter(annotateScans(input, required: required.union(e.columns)), e)
        case .project(let input, let e): return .project(annotateScans(input, required: columns(e)), e)
        case .aggregate(let input, let keys, let aggregates):
            return .aggregate(
                annotateScans(input, required: columns(keys + aggregates.flatMap(\.inputs))),
                keys: keys,
                aggregates: aggregates
            )
        case .sort(let input, let keys, let limit):
            return .sort(
                annotateScans(input, required: required.union(columns(keys.map(\.expression)))),
                keys,
                limit: limit
            )
        case .limit(let input, let limit, let offset):
            return .limit(annotateScans(input, required: required), limit: limit, offset: offset)
        case .distinct(let input): return .distinct(annotateScans(input, required: Set(0..<input.width)))
        case .join(let kind, let left, let right, let condition, let lw, let rw):
            let all = required.union(condition?.columns ?? [])
            let leftRequired = Set(all.filter { $0 < lw })
            let rightRequired = Set(all.filter { $0 >= lw }.map { $0 - lw })
            return .join(
                kind,
                annotateScans(left, required: leftRequired),
                annotateScans(right, required: rightRequired),
                condition: condition,
                leftWidth: lw,
                rightWidth: rw
            )
        case .setOperation(let op, let all, let left, let right):
            return .setOperation(
                op,
                all: all,
                annotateScans(left, required: Set(0..<left.width)),
                annotateScans(right, required: Set(0..<right.width))
            )
        case .unnest(let input, let e, let fields, let width, let ordinality):
            let inputRequired = Set(required.filter { $0 < width }).union(e.columns)
            return .unnest(
                annotateScans(input, required: inputRequired),
                e,
                expandFields: fields,
                inputWidth: width,
                ordinality: ordinality
            )
        case .window(let input, let calls):
            let inputRequired = Set(required.filter { $0 < input.width }).union(columns(calls.flatMap(\.children)))
            return .window(annotateScans(input, required: inputRequired), calls)
        case .apply(let input, let calls):
            let inputRequired = Set(required.filter { $0 < input.width }).union(columns(calls))
            return .apply(annotateScans(input, required: inputRequired), calls)
        }
    }
}

typealias JoinKindValue = CairnSQL.JoinKind

extension BoundExpression {
    var containsNondeterminism: Bool {
        var found = false
        visit { if case .call(let function, _) = $0, !function.isDeterministic { found = true } }
        return found
    }
}
