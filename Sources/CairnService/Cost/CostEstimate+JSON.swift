public import CairnCore

/// The JSON form of an estimate (`cairn cost estimate --format json`, `POST /cost/estimate`).
extension CostEstimate {
    public var json: JSONValue {
        .object([
            ("currency", .string("USD")),
            ("priceVersion", .string(firstMonth.priceVersion)),
            ("months", .number(String(months))),
            ("firstMonth", Self.billJSON(firstMonth)),
            ("lastMonth", Self.billJSON(lastMonth)),
            ("monthlyTotals", .array(bills.map { .string($0.total.decimalText) })),
            ("total", .string(total.decimalText)),
            ("cairnDiskBytes", .number(String(cairnDiskBytes))),
            (
                "assumptions",
                .array(
                    [
                        "30-day months; log files every 5 minutes per region; files kept in the bucket",
                        "\(workload.jsonBytesPerEvent) JSON bytes per event, compressed \(workload.compressionRatio)x "
                            + "for log files and Lake storage; \(workload.cairnBytesPerEvent) bytes per event in Cairn",
                    ].map(JSONValue.string)
                )
            ),
        ])
    }

    static func billJSON(_ bill: CostBill) -> JSONValue {
        .object([
            ("total", .string(bill.total.decimalText)),
            ("lines", .array(bill.lines.map { CostReport.lineJSON($0, source: nil) })),
        ])
    }
}
