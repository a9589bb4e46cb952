import CairnService

/// Text and CSV forms of bills for `cairn cost`.
enum CostRendering {
    /// A quantity in the unit people read: events and requests counted, bytes in GB, byte-hours
    /// in GB-months of the bill's month.
    static func quantity(_ line: CostLine, hoursInMonth: Int64) -> String {
        let gigabyte = Double(PriceUnit.bytesPerGigabyte)
        switch line.item.unit {
        case .gigabytes: return decimals(Double(line.quantity) / gigabyte, 3) + " GB"
        case .gigabyteMonths:
            return decimals(Double(line.quantity) / gigabyte / Double(max(hoursInMonth, 1)), 3) + " GB-mo"
        case .events: return grouped(line.quantity) + " events"
        case .thousandRequests, .tenThousandRequests: return grouped(line.quantity) + " requests"
        case .keyMonths: return grouped(line.quantity) + " key-mo"
        }
    }

    static func table(_ report: CostReport) -> String {
        let bill = report.bill
        let hours = CostCalculator.hoursInMonth(bill.month) ?? 720
        var text = "Cairn cost report for \(bill.month) (prices \(bill.priceVersion), USD)\n\n"
        text += lineTable(bill, hoursInMonth: hours)
        text += "\nBy \(report.grouping.rawValue):\n"
        for group in bill.groups(report.grouping) {
            text += "  " + pad(group.key, 56) + " " + leftPad(group.amount.description, 16) + "\n"
        }
        let cairn = report.cairn
        text += "\nThe same data in Cairn:\n"
        text += "  JSON ingested this month (what Lake ingestion bills): \(bytes(cairn.monthJSONBytes)), "
        text += "\(grouped(cairn.monthEvents)) events\n"
        text += "  on disk now, every store: \(bytes(cairn.diskBytes)) "
        text +=
            "(\(decimals(cairn.compressionRatio, 1))x smaller than the \(bytes(cairn.allTimeJSONBytes)) of JSON ingested)\n"
        text += "  those bytes for a month at the S3 Standard rate: \(cairn.diskCostAtS3Rate)\n"
        text += "  the month on AWS: \(bill.total) (\(bill.total.centsText))\n"
        return text
    }

    /// The lines and their total, aligned.
    static func lineTable(_ bill: CostBill, hoursInMonth: Int64) -> String {
        var rows = [["usage type", "region", "store / trail", "quantity", "rate", "amount"]]
        for line in bill.lines {
            rows.append([
                line.usageType + (line.tier.map { " (tier \($0 + 1))" } ?? ""), line.region,
                line.storeName ?? line.trailName ?? "-", quantity(line, hoursInMonth: hoursInMonth),
                line.rate.description + " " + line.item.unit.quoted, line.amount.description,
            ])
        }
        rows.append(["total", "", "", "", "", bill.total.description])
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for (index, row) in rows.enumerated() {
            if index == rows.count - 1 { text += String(repeating: "-", count: widths.reduce(10, +)) + "\n" }
            let cells = row.enumerated().map { column, cell in
                column >= 3 ? leftPad(cell, widths[column]) : pad(cell, widths[column])
            }
            text += cells.joined(separator: "  ") + "\n"
        }
        return text
    }

    static func csv(_ bill: CostBill) -> String {
        var text = "usage_type,service,item,region,store,trail,quantity,quantity_unit,rate,rate_unit,tier,amount\n"
        for line in bill.lines {
            let cells = [
                line.usageType, line.item.service.rawValue, line.item.rawValue, line.region, line.storeName ?? "",
                line.trailArn ?? "", String(line.quantity), line.item.unit.baseName, line.rate.decimalText,
                line.item.unit.quoted, line.tier.map { String($0 + 1) } ?? "", line.amount.decimalText,
            ]
            text += cells.map(field).joined(separator: ",") + "\n"
        }
        text += "total,,,,,,,,,,," + bill.total.decimalText + "\n"
        return text
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        var quoted = "\""
        for character in text {
            if character == "\"" { quoted += "\"" }
            quoted.append(character)
        }
        return quoted + "\""
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return (unit == 0 ? String(count) : decimals(value, 2)) + " " + units[unit]
    }

    static func grouped(_ value: Int64) -> String {
        let digits = Array(String(value.magnitude))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text += "," }
            text.append(digit)
        }
        return (value < 0 ? "-" : "") + text
    }

    static func decimals(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale)
        var fraction = String(scaled % Int64(scale))
        fraction = String(repeating: "0", count: places - fraction.count) + fraction
        return places == 0 ? String(whole) : "\(whole).\(fraction)"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
