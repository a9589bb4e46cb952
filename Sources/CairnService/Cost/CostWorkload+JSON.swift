public import CairnCore

/// The workload file of `cairn cost estimate --file` (and the body of `POST /cost/estimate`):
///
/// ```json
/// {"region": "us-east-1",
///  "eventsPerDay": {"managementRead": 900000, "managementWrite": 100000, "data": 5000000, "networkActivity": 0},
///  "jsonBytesPerEvent": 1166, "compressionRatio": 10, "cairnBytesPerEvent": 100, "months": 24,
///  "trails": [{"name": "org", "management": "all", "dataFraction": 1, "networkActivity": false,
///              "insights": [{"InsightType": "ApiCallRateInsight"}], "regions": 1,
///              "logFileValidation": true, "kms": false, "cloudWatchLogs": false}],
///  "eventDataStores": [{"name": "lake", "billingMode": "EXTENDABLE_RETENTION_PRICING", "retentionDays": 730,
///                       "management": "all", "dataFraction": 0, "otherSource": false,
///                       "insights": [], "queryGBPerMonth": 50}]}
/// ```
///
/// Every member is optional; `management` is `all`, `readOnly`, `writeOnly` or `none`; `insights`
/// is a list of InsightSelector as PutInsightSelectors takes it.
extension CostWorkload {
    public init(json: JSONValue) throws(ServiceError) {
        self.init()
        let top = WorkloadReader(json, "workload")
        try top.check(
            allowed: [
                "region", "eventsPerDay", "jsonBytesPerEvent", "compressionRatio", "cairnBytesPerEvent", "months",
                "trails", "eventDataStores", "queryGBPerMonth",
            ]
        )
        region = try top.string("region") ?? region
        if let perDay = json["eventsPerDay"] {
            let counts = WorkloadReader(perDay, "eventsPerDay")
            try counts.check(allowed: ["managementRead", "managementWrite", "data", "networkActivity"])
            eventsPerDay = CategoryCounts(
                managementRead: try counts.integer("managementRead") ?? 0,
                managementWrite: try counts.integer("managementWrite") ?? 0,
                data: try counts.integer("data") ?? 0,
                networkActivity: try counts.integer("networkActivity") ?? 0
            )
        }
        jsonBytesPerEvent = try top.integer("jsonBytesPerEvent", minimum: 1) ?? jsonBytesPerEvent
        compressionRatio = try top.number("compressionRatio", minimum: 1) ?? compressionRatio
        cairnBytesPerEvent = try top.integer("cairnBytesPerEvent", minimum: 1) ?? cairnBytesPerEvent
        months = try top.integer("months", minimum: 1).map { Int(min($0, Int64(CostEstimate.maxMonths))) }
        for (index, item) in try top.list("trails").enumerated() {
            let reader = WorkloadReader(item, "trails[\(index)]")
            try reader.check(allowed: Self.selectionKeys + ["regions", "logFileValidation", "kms", "cloudWatchLogs"])
            var trail = Trail(name: try reader.string("name") ?? "trail-\(index + 1)")
            trail.selection = try Self.selection(reader)
            trail.insights = InsightsSettings(selectors: item["insights"])
            trail.regionCount = Int(try reader.integer("regions", minimum: 1) ?? 1)
            trail.logFileValidation = try reader.bool("logFileValidation") ?? false
            trail.kms = try reader.bool("kms") ?? false
            trail.cloudWatchLogs = try reader.bool("cloudWatchLogs") ?? false
            trails.append(trail)
        }
        for (index, item) in try top.list("eventDataStores").enumerated() {
            let reader = WorkloadReader(item, "eventDataStores[\(index)]")
            try reader.check(
                allowed: Self.selectionKeys + ["billingMode", "retentionDays", "otherSource", "queryGBPerMonth"]
            )
            var store = Store(name: try reader.string("name") ?? "store-\(index + 1)")
            if let mode = try reader.string("billingMode") {
                guard let parsed = EventDataStoreRecord.BillingMode(rawValue: mode) else {
                    throw reader.fail("billingMode must be EXTENDABLE_RETENTION_PRICING or FIXED_RETENTION_PRICING")
                }
                store.billingMode = parsed
            }
            store.retentionDays = try reader.integer("retentionDays", minimum: 7).map {
                Int(min($0, Int64(store.billingMode.maxRetentionDays)))
            }
            store.selection = try Self.selection(reader)
            store.otherSource = try reader.bool("otherSource") ?? false
            store.insights = InsightsSettings(selectors: item["insights"])
            store.queryGigabytesPerMonth = try reader.number("queryGBPerMonth", minimum: 0) ?? 0
            stores.append(store)
        }
        if let gigabytes = try top.number("queryGBPerMonth", minimum: 0) {
            guard !stores.isEmpty else { throw top.fail("queryGBPerMonth needs an event data store to query") }
            stores[0].queryGigabytesPerMonth += gigabytes
        }
    }

    static let selectionKeys = ["name", "management", "dataFraction", "networkActivity", "insights"]

    static func selection(_ reader: WorkloadReader) throws(ServiceError) -> Selection {
        var selection = Selection()
        if let text = try reader.string("management") {
            guard let management = ManagementSelection(rawValue: text) else {
                throw reader.fail("management must be all, readOnly, writeOnly or none")
            }
            selection.management = management
        }
        selection.dataFraction = try reader.number("dataFraction", minimum: 0) ?? 0
        guard selection.dataFraction <= 1 else { throw reader.fail("dataFraction must be between 0 and 1") }
        selection.networkActivity = try reader.bool("networkActivity") ?? false
        return selection
    }
}

/// Reads members of one object of a workload; errors name the member's path.
struct WorkloadReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, _ path: String) {
        self.value = value
        self.path = path
    }

    func fail(_ message: String) -> ServiceError {
        ServiceError(.validationException, "workload: \(path): \(message)")
    }

    func check(allowed: [String]) throws(ServiceError) {
        guard case .object(let members) = value else { throw fail("must be a JSON object") }
        for (key, _) in members where !allowed.contains(key) {
            throw fail("unknown member \(key) (expected \(allowed.joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws(ServiceError) -> String? {
        switch value[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw fail("\(key) must be a string")
        }
    }

    func bool(_ key: String) throws(ServiceError) -> Bool? {
        switch value[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw fail("\(key) must be true or false")
        }
    }

    func number(_ key: String, minimum: Double) throws(ServiceError) -> Double? {
        switch value[key] {
        case nil, .null?: return nil
        case .number(let text)?:
            guard let number = Double(text), number >= minimum, number.isFinite else {
                throw fail("\(key) must be a number of at least \(minimum)")
            }
            return number
        default: throw fail("\(key) must be a number")
        }
    }

    func integer(_ key: String, minimum: Int64 = 0) throws(ServiceError) -> Int64? {
        switch value[key] {
        case nil, .null?: return nil
        case .number(let text)?:
            guard let number = Int64(text), number >= minimum, number <= 1 << 50 else {
                throw fail("\(key) must be a whole number of at least \(minimum)")
            }
            return number
        default: throw fail("\(key) must be a whole number")
        }
    }

    func list(_ key: String) throws(ServiceError) -> [JSONValue] {
        switch value[key] {
        case nil, .null?: return []
        case .array(let items)?: return items
        default: throw fail("\(key) must be a list")
        }
    }
}
