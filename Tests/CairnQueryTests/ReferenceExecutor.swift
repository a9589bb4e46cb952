import CairnCore
import CairnStorage

@testable import CairnQuery

/// A deliberately simple executor for differential tests: runs the bound, unoptimized plan one
/// row at a time over every record of the store (no pruning, no pushdown, no kernels, no late
/// materialization, no threads, no top-N), building field values straight from `EventRecord`s.
struct ReferenceExecutor {
    let records: [EventRecord]
    let evaluator: Evaluator

    func rows(_ plan: LogicalPlan) throws(QueryError) -> [[Value]] {
        switch plan {
        case .scan(let spec):
            var rows = [[Value]]()
            for record in records {
                let row = zip(spec.fields, spec.types).map { ReferenceExecutor.value($0, $1, record) }
                if let filter = spec.filter {
                    guard case .boolean(true) = try evaluator.evaluate(filter, row: row, lambdas: []) else { continue }
                }
                rows.append(row)
            }
            return rows
        case .values(let rows, _): return rows
        case .filter(let input, let predicate):
            var result = [[Value]]()
            for row in try rows(input) {
                if case .boolean(true) = try evaluator.evaluate(predicate, row: row, lambdas: []) { result.append(row) }
            }
            return result
        case .project(let input, let expressions):
            var result = [[Value]]()
            for row in try rows(input) {
                var projected = [Value]()
                for expression in expressions {
                    projected.append(try evaluator.evaluate(expression, row: row, lambdas: []))
                }
                result.append(projected)
            }
            return result
        case .aggregate(let input, let keys, let aggregates):
            var order = [[Value]]()
            var groups = [[Value]: [[Value]]]()
            for row in try rows(input) {
                var key = [Value]()
                for expression in keys {
                    key.append(try evaluator.evaluate(expression, row: row, lambdas: []).groupKey)
                }
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(row)
            }
            if keys.isEmpty && order.isEmpty { order = [[]] }
            var result = [[Value]]()
            for key in order {
                var row = key
                for call in aggregates { row.append(try aggregate(call, groups[key] ?? [])) }
                result.append(row)
            }
            return result
        case .sort(let input, let keys, let limit):
            let ordering = RowOrdering(keys: keys)
            var keyed = [([Value], [Value])]()
            for row in try rows(input) {
                var values = [Value]()
                for key in keys { values.append(try evaluator.evaluate(key.expression, row: row, lambdas: [])) }
                keyed.append((values, row))
            }
            // Stable: equal keys keep input order.
            let sorted = keyed.enumerated().sorted { a, b in
                let order = ordering.compare(a.element.0, b.element.0)
                return order != 0 ? order < 0 : a.offset < b.offset
            }.map(\.element.1)
            return limit.map { Array(sorted.prefix($0)) } ?? sorted
        case .limit(let input, let limit, let offset):
            let all = try rows(input)
            return Array(all.dropFirst(offset).prefix(limit ?? Int.max))
        case .distinct(let input):
            var seen = Set<[Value]>()
            return try rows(input).filter { seen.insert($0.map(\.groupKey)).inserted }
        default:
            throw QueryError(.invalidQuery, "the reference executor runs single-store queries only")
        }
    }

    private func aggregate(_ call: AggregateCall, _ rows: [[Value]]) throws(QueryError) -> Value {
        if call.function == .countStar { return .integer(Int64(rows.count)) }
        var values = [Value]()
        for row in rows {
            let value = try evaluator.evaluate(call.arguments[0], row: row, lambdas: [])
            if !value.isNull { values.append(value) }
        }
        if call.isDistinct || call.function == .approxDistinct {
            var seen = Set<Value>()
            values = values.filter { seen.insert($0.groupKey).inserted }
        }
        switch call.function {
        case .count, .approxDistinct: return .integer(Int64(values.count))
        case .countIf: return .integer(Int64(values.filter { $0 == .boolean(true) }.count))
        case .min: return values.min { Value.sortOrder($0, $1) < 0 } ?? .null
        case .max: return values.max { Value.sortOrder($0, $1) < 0 } ?? .null
        case .sum:
            if values.isEmpty { return .null }
            if values.allSatisfy({ if case .integer = $0 { true } else { false } }) {
                return .integer(values.reduce(0) { $0 + ($1.integerValue ?? 0) })
            }
            return .double(values.reduce(0) { $0 + ($1.doubleValue ?? 0) })
        case .avg:
            return values.isEmpty
                ? .null : .double(values.reduce(0) { $0 + ($1.doubleValue ?? 0) } / Double(values.count))
        default: return values.first ?? .null
        }
    }

    /// A field's value from a record, without segments.
    static func value(_ field: FieldSource, _ type: DataType, _ record: EventRecord) -> Value {
        switch field {
        case .column(.eventTime): return record.eventTime.map { .timestamp($0.milliseconds) } ?? .null
        case .column(.readOnly): return record.readOnly.map(Value.boolean) ?? .null
        case .column(.managementEvent): return record.managementEvent.map(Value.boolean) ?? .null
        case .column(let column): return column.stringValue(record).map(Value.string) ?? .null
        case .map(let column): return FieldMaterializer.mapValue(column.stringValue(record))
        case .jsonPath(let column, let path):
            guard let text = column.stringValue(record) else { return .null }
            return JSONSupport.value(atPath: path, in: text, type: type)
        case .resources:
            guard let text = record.resources, case .array(let items)? = try? JSONValue(parsing: text) else {
                return .null
            }
            return .array(items.map { JSONSupport.typed($0, LakeSchema.resourceType) })
        case .object(let name):
            let columns = field.segmentColumns
            guard let other = columns.last!.stringValue(record), case .row(let fields) = type else { return .null }
            let json = try? JSONValue(parsing: other)
            let direct = LakeSchema.memberColumns[name] ?? [:]
            return .row(
                RowValue(
                    names: fields.map(\.name),
                    values: fields.map { f in
                        if let column = direct[f.name] { return column.stringValue(record).map(Value.string) ?? .null }
                        if case .object(let members)? = json,
                            let member = members.last(where: { $0.0.lowercased() == f.name })
                        {
                            return JSONSupport.typed(member.1, f.type)
                        }
                        return .null
                    }
                )
            )
        case .eventJSON: return .string(EventRecordWriter().string(record))
        }
    }
}
