public import CairnCore

/// A trail's basic event selectors compiled for matching (spec §5.1).
///
/// The trail logs an event when any selector matches. A management event matches a selector that
/// includes management events, whose ReadWriteType fits the event's `readOnly` (a record without
/// it is a write) and which does not exclude its source. A data event matches a selector with a
/// data resource of the event's resource type whose value selects the resource's ARN, and whose
/// ReadWriteType fits. Values: the type's "all" prefix (`arn:aws:s3`, `arn:aws:lambda`,
/// `arn:aws:dynamodb`); for S3 an object ARN prefix (`arn:aws:s3:::bucket/` or
/// `arn:aws:s3:::bucket/prefix`, a bare bucket meaning all its objects); for Lambda and DynamoDB an
/// exact ARN. Network activity and Insights events are never selected by basic selectors.
public struct BasicSelectorMatcher: Sendable {
    struct Resource: Sendable {
        var type: String
        var selectsAll: Bool
        var values: [String]
    }

    struct Selector: Sendable {
        var reads: Bool
        var writes: Bool
        var includesManagement: Bool
        var excludedSources: Set<String>
        var resources: [Resource]
    }

    let selectors: [Selector]

    /// Compiles selectors as stored (normalised by `BasicEventSelectorRules`).
    public init(_ selectors: JSONValue) {
        guard case .array(let items) = selectors else {
            self.selectors = []
            return
        }
        self.selectors = items.map { item in
            let readWrite = Self.text(item["ReadWriteType"]) ?? "All"
            var resources = [Resource]()
            if case .array(let list)? = item["DataResources"] {
                for resource in list {
                    guard let type = Self.text(resource["Type"]) else { continue }
                    let values = Self.texts(resource["Values"])
                    let all = values.contains { BasicEventSelectorRules.classify($0, type: type) == true }
                    let specific = values.filter { BasicEventSelectorRules.classify($0, type: type) == false }
                        .map { type == "AWS::S3::Object" ? Self.objectPrefix($0) : $0 }
                    resources.append(Resource(type: type, selectsAll: all, values: specific))
                }
            }
            return Selector(
                reads: readWrite != "WriteOnly",
                writes: readWrite != "ReadOnly",
                includesManagement: item["IncludeManagementEvents"] != .bool(false),
                excludedSources: Set(Self.texts(item["ExcludeManagementEventSources"])),
                resources: resources
            )
        }
    }

    public func matches(_ event: SelectableEvent) -> Bool {
        let isRead = event.readOnly == true
        return selectors.contains { selector in
            guard isRead ? selector.reads : selector.writes else { return false }
            switch event.eventCategory {
            case "Management":
                guard selector.includesManagement else { return false }
                return event.eventSource.map { !selector.excludedSources.contains($0) } ?? true
            case "Data":
                return selector.resources.contains { resource in
                    event.resources.contains { item in
                        guard item.type == resource.type else { return false }
                        if resource.selectsAll { return true }
                        guard let arn = item.arn else { return false }
                        return resource.type == "AWS::S3::Object"
                            ? resource.values.contains { arn.hasPrefix($0) } : resource.values.contains(arn)
                    }
                }
            default:
                return false
            }
        }
    }

    /// An S3 value as the object-ARN prefix it selects: a bare bucket ARN selects all its objects.
    static func objectPrefix(_ value: String) -> String {
        // `arn:PARTITION:s3:::bucket[/prefix]`: the resource part follows the fifth colon.
        let resource = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last ?? ""
        return resource.contains("/") ? value : value + "/"
    }

    private static func text(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    private static func texts(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(text)
    }
}
