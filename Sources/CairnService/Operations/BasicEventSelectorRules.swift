import CairnCore

/// The rules of a trail's basic event selectors (spec §5.1).
///
/// At most `Limits.maxBasicEventSelectorsPerTrail` selectors; data resources of the types
/// `AWS::S3::Object`, `AWS::Lambda::Function` and `AWS::DynamoDB::Table` only, each value the
/// type's "all" prefix (`arn:aws:s3`) or an ARN of that type; at most
/// `Limits.maxDataResourceValuesPerTrail` values across all selectors, "all" values not counted;
/// only `kms.amazonaws.com` and `rdsdata.amazonaws.com` may be excluded. Errors are
/// `InvalidEventSelectorsException` naming the member.
enum BasicEventSelectorRules {
    static let readWriteTypes: Set<String> = ["ReadOnly", "WriteOnly", "All"]
    static let excludableSources: Set<String> = ["kms.amazonaws.com", "rdsdata.amazonaws.com"]

    /// Checks the selectors and returns them with every member filled (AWS answers all four).
    static func validate(_ selectors: [OperationInput], member: String, operation: String) throws(ServiceError)
        -> JSONValue
    {
        func failure(_ message: String, _ path: String) -> ServiceError {
            ServiceError(.invalidEventSelectorsException, message, operation: operation, parameter: path)
        }
        guard selectors.count <= Limits.maxBasicEventSelectorsPerTrail else {
            throw failure(
                "A trail can have at most \(Limits.maxBasicEventSelectorsPerTrail) event selectors; "
                    + "\(selectors.count) were given.",
                member
            )
        }
        var valueCount = 0
        var normalized = [JSONValue]()
        for (index, selector) in selectors.enumerated() {
            let path = "\(member)[\(index)]"
            let readWrite = try selector.string("ReadWriteType") ?? "All"
            guard readWriteTypes.contains(readWrite) else {
                throw failure("\(path).ReadWriteType must be ReadOnly, WriteOnly or All, not \(readWrite).", path)
            }
            var resources = [JSONValue]()
            for (resourceIndex, resource) in (try selector.objects("DataResources") ?? []).enumerated() {
                let resourcePath = "\(path).DataResources[\(resourceIndex)]"
                guard let type = try resource.string("Type") else {
                    throw failure("\(resourcePath).Type is required.", resourcePath)
                }
                guard isBasicType(type) else {
                    throw failure(
                        "\(resourcePath).Type \(type) is not supported by basic event selectors; use "
                            + "AWS::S3::Object, AWS::Lambda::Function or AWS::DynamoDB::Table, or advanced event selectors.",
                        resourcePath
                    )
                }
                let values = try resource.strings("Values") ?? []
                for value in values {
                    guard let isAll = classify(value, type: type) else {
                        throw failure(
                            "\(resourcePath).Values has \(value), which is not an ARN of \(type).",
                            resourcePath
                        )
                    }
                    if !isAll { valueCount += 1 }
                }
                resources.append(.object([("Type", .string(type)), ("Values", .array(values.map(JSONValue.string)))]))
            }
            let excluded = try selector.strings("ExcludeManagementEventSources") ?? []
            for source in excluded where !excludableSources.contains(source) {
                throw failure(
                    "\(path).ExcludeManagementEventSources may list only kms.amazonaws.com and "
                        + "rdsdata.amazonaws.com, not \(source).",
                    path
                )
            }
            normalized.append(
                .object([
                    ("ReadWriteType", .string(readWrite)),
                    ("IncludeManagementEvents", .bool(try selector.bool("IncludeManagementEvents") ?? true)),
                    ("DataResources", .array(resources)),
                    ("ExcludeManagementEventSources", .array(excluded.map(JSONValue.string))),
                ])
            )
        }
        guard valueCount <= Limits.maxDataResourceValuesPerTrail else {
            throw failure(
                "The event selectors list \(valueCount) data resource values; the limit is "
                    + "\(Limits.maxDataResourceValuesPerTrail).",
                member
            )
        }
        return .array(normalized)
    }

    static func isBasicType(_ type: String) -> Bool {
        type == "AWS::S3::Object" || type == "AWS::Lambda::Function" || type == "AWS::DynamoDB::Table"
    }

    /// Whether `value` selects every resource of `type` (true), one resource or prefix (false), or
    /// is not valid for the type (nil).
    static func classify(_ value: String, type: String) -> Bool? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "arn", ARNRules.isPartition(parts[1]) else { return nil }
        switch type {
        case "AWS::S3::Object":
            guard parts[2] == "s3" else { return nil }
            // `arn:aws:s3` and `arn:aws:s3:::` select every bucket; `arn:aws:s3:::bucket/prefix` one.
            if parts.count == 3 || (parts.count == 6 && parts[3...].allSatisfy(\.isEmpty)) { return true }
            guard parts.count == 6, parts[3].isEmpty, parts[4].isEmpty,
                let bucket = parts[5].split(separator: "/").first,
                TrailSettingRules.isBucketName(String(bucket))
            else { return nil }
            return false
        case "AWS::Lambda::Function":
            guard parts[2] == "lambda" else { return nil }
            if parts.count == 3 { return true }
            guard parts.count == 7 || parts.count == 8, ARNRules.isRegion(parts[3]), ARNRules.isAccountId(parts[4]),
                parts[5] == "function", !parts[6].isEmpty
            else { return nil }
            return false
        case "AWS::DynamoDB::Table":
            guard parts[2] == "dynamodb" else { return nil }
            if parts.count == 3 { return true }
            guard parts.count == 6, ARNRules.isRegion(parts[3]), ARNRules.isAccountId(parts[4]),
                parts[5].hasPrefix("table/"), parts[5].count > "table/".count
            else { return nil }
            return false
        default:
            return nil
        }
    }
}
