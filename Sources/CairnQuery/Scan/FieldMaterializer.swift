import CairnCore
import CairnStorage

/// Builds a Lake field's values from decoded segment columns, for the rows a scan keeps.
enum FieldMaterializer {
    /// A map column's value: null when the field is absent or JSON `null` (records keep an explicit
    /// `"requestParameters": null` verbatim, and Lake shows it as NULL, not as a map).
    static func mapValue(_ text: String?) -> Value {
        guard let text, text != "null" else { return .null }
        return .map(text)
    }

    static func values(
        _ field: FieldSource,
        type: DataType,
        rows: [Int],
        source: inout some ColumnSource,
        statistics: inout QueryStatistics
    ) throws(QueryError) -> [Value] {
        switch field {
        case .column(let column):
            switch try source.vector(column, statistics: &statistics) {
            case .times(let times): return rows.map { .timestamp(times[$0]) }
            case .bools(let flags): return rows.map { flags[$0].map(Value.boolean) ?? .null }
            case .strings(let strings): return rows.map { strings[$0].map(Value.string) ?? .null }
            case .dictionary(let values, let codes):
                let entries = values.map(Value.string)
                return rows.map { codes[$0] < 0 ? .null : entries[Int(codes[$0])] }
            case .text(let text): return rows.map { text[$0].map(Value.string) ?? .null }
            }
        case .map(let column):
            let strings = try strings(column, &source, &statistics)
            return rows.map { mapValue(strings[$0]) }
        case .jsonPath(let column, let path):
            let strings = try strings(column, &source, &statistics)
            return rows.map { row in
                guard let text = strings[row] else { return .null }
                return JSONSupport.value(atPath: path, in: text, type: type)
            }
        case .resources:
            let strings = try strings(.resources, &source, &statistics)
            return rows.map { row in
                guard let text = strings[row], let json = try? JSONValue(parsing: text) else { return .null }
                guard case .array(let items) = json else { return .null }
                return .array(items.map { JSONSupport.typed($0, LakeSchema.resourceType) })
            }
        case .object(let name):
            let columns = field.segmentColumns
            var vectors = [StringColumn]()
            for column in columns { vectors.append(try strings(column, &source, &statistics)) }
            guard case .row(let fields) = type else { return rows.map { _ in .null } }
            let direct = LakeSchema.memberColumns[name] ?? [:]
            let otherIndex = columns.count - 1
            return rows.map { row in
                guard let otherText = vectors[otherIndex][row] else { return .null }
                let other = try? JSONValue(parsing: otherText)
                var values = [Value]()
                for field in fields {
                    if let column = direct[field.name], let position = columns.firstIndex(of: column) {
                        values.append(vectors[position][row].map(Value.string) ?? .null)
                    } else if case .object(let members)? = other,
                        let member = members.last(where: { $0.0.lowercased() == field.name })
                    {
                        values.append(JSONSupport.typed(member.1, field.type))
                    } else {
                        values.append(.null)
                    }
                }
                return .row(RowValue(names: fields.map(\.name), values: values))
            }
        case .eventJSON:
            let writer = EventRecordWriter()
            if let records = source.records(rows) { return records.map { .string(writer.string($0)) } }
            var records = [EventRecord](repeating: EventRecord(), count: rows.count)
            for column in SegmentColumn.reconstructionOrder {
                column.setValues(try source.vector(column, statistics: &statistics), rows: rows, on: &records)
            }
            return records.map { .string(writer.string($0)) }
        }
    }

    /// Row access to a string column without expanding a dictionary chunk for every row.
    private static func strings(
        _ column: SegmentColumn,
        _ source: inout some ColumnSource,
        _ statistics: inout QueryStatistics
    ) throws(QueryError) -> StringColumn {
        StringColumn(try source.vector(column, statistics: &statistics))
    }
}

/// A string column's values by row, dictionary-coded or not.
struct StringColumn {
    private let vector: ColumnVector

    init(_ vector: ColumnVector) { self.vector = vector }

    subscript(row: Int) -> String? {
        switch vector {
        case .strings(let values): return values[row]
        case .dictionary(let values, let codes): return codes[row] < 0 ? nil : values[Int(codes[row])]
        case .text(let text): return text[row]
        default: return nil
        }
    }
}
