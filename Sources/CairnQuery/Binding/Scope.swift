import CairnSQL

/// The columns visible to an expression: the tables of FROM, each with an alias, in output order.
struct Scope {
    enum Table {
        /// A store scan; its fields are collected as they are referenced.
        case store(alias: String, collector: FieldCollector)
        /// A subquery, CTE or UNNEST with named columns.
        case derived(alias: String?, names: [String], types: [DataType])

        var width: Int {
            switch self {
            case .store(_, let collector): collector.fields.count
            case .derived(_, let names, _): names.count
            }
        }

        var alias: String? {
            switch self {
            case .store(let alias, _): alias
            case .derived(let alias, _, _): alias
            }
        }
    }

    private(set) var tables: [(table: Table, offset: Int)] = []
    /// Names of lambda parameters in scope, innermost last.
    var lambdaParameters: [String] = []

    var width: Int { tables.last.map { $0.offset + $0.table.width } ?? 0 }

    static func store(alias: String, collector: FieldCollector) -> Scope {
        var scope = Scope()
        scope.tables = [(.store(alias: alias, collector: collector), 0)]
        return scope
    }

    static func derived(alias: String?, names: [String], types: [DataType]) -> Scope {
        var scope = Scope()
        scope.tables = [(.derived(alias: alias, names: names, types: types), 0)]
        return scope
    }

    mutating func append(_ other: Scope) {
        let base = width
        for (table, offset) in other.tables { tables.append((table, base + offset)) }
    }

    /// A resolved column: its position, type and the path components it consumed.
    struct Resolved {
        var position: Int
        var type: DataType
        var consumed: Int
    }

    /// Resolves a lower-cased path; throws unknown or ambiguous column errors.
    func resolve(_ path: [String], range: SourceRange) throws(QueryError) -> Resolved {
        // A table alias first: `t.eventname`.
        if path.count > 1 {
            let matching = tables.filter { $0.table.alias == path[0] }
            if matching.count == 1 {
                let (table, offset) = matching[0]
                guard let found = try Scope.resolve(Array(path.dropFirst()), in: table) else {
                    throw unknown(Array(path.dropFirst()), range: range, in: [table])
                }
                return Resolved(position: offset + found.position, type: found.type, consumed: found.consumed + 1)
            }
        }
        var found: [Resolved] = []
        for (table, offset) in tables {
            if let resolved = try Scope.resolve(path, in: table) {
                found.append(
                    Resolved(position: offset + resolved.position, type: resolved.type, consumed: resolved.consumed)
                )
            }
        }
        guard let first = found.first else { throw unknown(path, range: range, in: tables.map(\.table)) }
        guard found.count == 1 else {
            throw QueryError(
                .ambiguousColumn,
                "column \(path.joined(separator: ".")) is ambiguous; qualify it with a table alias",
                at: range
            )
        }
        return first
    }

    private static func resolve(_ path: [String], in table: Table) throws(QueryError) -> Resolved? {
        switch table {
        case .store(_, let collector):
            guard let (source, type, consumed) = LakeSchema.resolve(path) else { return nil }
            guard let position = collector.position(of: source, type: type) else {
                throw QueryError(.invalidQuery, "internal: field \(source) was not collected")
            }
            return Resolved(position: position, type: type, consumed: consumed)
        case .derived(_, let names, let types):
            guard let index = names.firstIndex(of: path[0]) else { return nil }
            return Resolved(position: index, type: types[index], consumed: 1)
        }
    }

    private func unknown(_ path: [String], range: SourceRange, in tables: [Table]) -> QueryError {
        var candidates = [String]()
        for table in tables {
            switch table {
            case .store: candidates += LakeSchema.columnNames
            case .derived(_, let names, _): candidates += names
            }
            if let alias = table.alias { candidates.append(alias) }
        }
        candidates += lambdaParameters
        let name = path.joined(separator: ".")
        var suggestion = Suggestion.closest(to: path[0], among: candidates)
        if suggestion == nil, path.count > 1, path[0] == "useridentity" {
            suggestion = Suggestion.closest(
                to: path[1],
                among: LakeSchema.userIdentityColumns.keys.sorted() + ["sessioncontext"]
            )
            .map { "useridentity." + $0 }
        }
        return QueryError(.unknownColumn, "column \(name) does not exist", at: range, suggestion: suggestion)
    }

    /// `*` or `t.*`.
    func wildcard(_ qualifier: Identifier?) throws(QueryError) -> [(position: Int, type: DataType, name: String)] {
        var result = [(position: Int, type: DataType, name: String)]()
        var matched = false
        for (table, offset) in tables {
            if let qualifier, table.alias != qualifier.normalized { continue }
            matched = true
            switch table {
            case .store(_, let collector):
                for column in LakeSchema.columns where column.source != .eventJSON {
                    guard let position = collector.position(of: column.source, type: column.type) else {
                        throw QueryError(.invalidQuery, "internal: field \(column.name) was not collected")
                    }
                    result.append((offset + position, column.type, column.name))
                }
            case .derived(_, let names, let types):
                for (index, name) in names.enumerated() { result.append((offset + index, types[index], name)) }
            }
        }
        if let qualifier, !matched {
            throw QueryError(.unknownColumn, "table \(qualifier.name) is not in FROM", at: qualifier.range)
        }
        if qualifier == nil, tables.isEmpty {
            throw QueryError(.invalidQuery, "SELECT * needs a FROM clause")
        }
        return result
    }

    /// A readable name for an input position (error messages).
    func name(of position: Int) -> String {
        for (table, offset) in tables where position >= offset && position < offset + table.width {
            switch table {
            case .store(_, let collector): return collector.fields[position - offset].description.lowercased()
            case .derived(_, let names, _): return names[position - offset]
            }
        }
        return "#\(position)"
    }
}
