public import CairnCore

/// The JSON form of a report (`cairn cost report --format json`, `GET /cost/report`): amounts as
/// exact decimal strings, so a client summing the lines gets the total to the nanodollar.
extension CostReport {
    /// What the report estimates rather than counts.
    public static let notes = [
        "Counters only: events and JSON bytes ingested per store (catalog), query bytes, stored bytes per day and trail deliveries (service/usage.json); no event is read.",
        "Lake compressed bytes are Cairn's segment bytes; AWS's columnar files differ in size.",
        "S3 and CloudWatch Logs storage assume files delivered before the month are kept all month and the month's files half of it.",
        "The Lake free trial and the S3 and KMS free tiers are not deducted.",
    ]

    public var json: JSONValue {
        .object([
            ("month", .string(bill.month)),
            ("priceVersion", .string(bill.priceVersion)),
            ("currency", .string("USD")),
            ("groupedBy", .string(grouping.rawValue)),
            ("total", .string(bill.total.decimalText)),
            ("groups", .array(bill.groups(grouping).map(Self.groupJSON))),
            ("lines", .array(bill.lines.map { line in Self.lineJSON(line, source: sources[line.item]) })),
            (
                "services",
                .object(
                    [PriceItem.Service.cloudTrail, .s3, .cloudWatch, .kms].map {
                        ($0.rawValue, .string(bill.total(of: $0).decimalText))
                    }
                )
            ),
            ("cairn", cairnJSON),
            ("notes", .array(Self.notes.map(JSONValue.string))),
        ])
    }

    var cairnJSON: JSONValue {
        .object([
            ("diskBytes", .number(String(cairn.diskBytes))),
            ("monthJSONBytes", .number(String(cairn.monthJSONBytes))),
            ("monthEvents", .number(String(cairn.monthEvents))),
            ("allTimeJSONBytes", .number(String(cairn.allTimeJSONBytes))),
            ("compressionRatio", .number(String((cairn.compressionRatio * 100).rounded() / 100))),
            ("diskCostAtS3Rate", .string(cairn.diskCostAtS3Rate.decimalText)),
            ("awsMonthTotal", .string(bill.total.decimalText)),
        ])
    }

    static func groupJSON(_ group: (key: String, amount: Money, lineCount: Int)) -> JSONValue {
        .object([
            ("key", .string(group.key)), ("amount", .string(group.amount.decimalText)),
            ("lines", .number(String(group.lineCount))),
        ])
    }

    static func lineJSON(_ line: CostLine, source: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("service", .string(line.item.service.rawValue)), ("usageType", .string(line.usageType)),
            ("item", .string(line.item.rawValue)), ("description", .string(line.item.title)),
            ("region", .string(line.region)),
        ]
        if let name = line.storeName { members.append(("store", .string(name))) }
        if let id = line.storeId { members.append(("storeId", .string(id))) }
        if let name = line.trailName { members.append(("trail", .string(name))) }
        if let arn = line.trailArn { members.append(("trailArn", .string(arn))) }
        members += [
            ("quantity", .number(String(line.quantity))), ("quantityUnit", .string(line.item.unit.baseName)),
            ("rate", .string(line.rate.decimalText)), ("rateUnit", .string(line.item.unit.quoted)),
        ]
        if let tier = line.tier { members.append(("tier", .number(String(tier + 1)))) }
        members.append(("amount", .string(line.amount.decimalText)))
        if let source { members.append(("priceSource", .string(source))) }
        return .object(members)
    }
}
