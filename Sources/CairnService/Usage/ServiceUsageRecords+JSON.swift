import CairnCore

/// The JSON form of `service/usage.json`: lists of entries, sorted, numbers as integers.
extension ServiceUsageRecords {
    /// Format version of the usage file; bump on an incompatible change.
    static let formatVersion = 1

    var json: JSONValue {
        func number(_ value: Int64) -> JSONValue { .number(String(value)) }
        func counts(_ events: CategoryCounts) -> JSONValue {
            .object([
                ("managementRead", number(events.managementRead)), ("managementWrite", number(events.managementWrite)),
                ("data", number(events.data)), ("networkActivity", number(events.networkActivity)),
                ("insight", number(events.insight)),
            ])
        }
        return .object([
            ("formatVersion", .number(String(Self.formatVersion))),
            (
                "queries",
                .array(
                    queries.keys.sorted().map { key in
                        let value = queries[key]!
                        return .object([
                            ("storeId", .string(key.storeId)), ("month", .string(key.month)),
                            ("region", .string(key.region)), ("queryCount", number(value.queryCount)),
                            ("bytesScanned", number(value.bytesScanned)),
                        ])
                    }
                )
            ),
            (
                "storage",
                .array(
                    storage.keys.sorted().map { key in
                        let value = storage[key]!
                        return .object([
                            ("storeId", .string(key.storeId)), ("day", .string(key.day)),
                            ("sampleCount", number(value.sampleCount)),
                            ("compressedByteSum", number(value.compressedByteSum)),
                            ("extendedByteSum", number(value.extendedByteSum)),
                        ])
                    }
                )
            ),
            (
                "trails",
                .array(
                    trails.keys.sorted().map { key in
                        let value = trails[key]!
                        return .object([
                            ("trail", .string(key.trail)), ("region", .string(key.region)),
                            ("month", .string(key.month)), ("events", counts(value.events)),
                            ("files", number(value.files)), ("bytes", number(value.bytes)),
                            ("uncompressedBytes", number(value.uncompressedBytes)),
                        ])
                    }
                )
            ),
        ])
    }

    init(json: JSONValue) throws(ServiceError) {
        let file = StateDecoding(json, what: "usage file")
        guard try file.int64("formatVersion") == Int64(Self.formatVersion) else {
            throw ServiceError(
                .internalFailure,
                "the usage file has format version \(json["formatVersion"]?.description ?? "?"); this Cairn reads \(Self.formatVersion)"
            )
        }
        for item in json["queries"]?.elements ?? [] {
            let entry = StateDecoding(item, what: "query usage")
            let key = QueryKey(
                storeId: try entry.string("storeId"),
                month: try entry.string("month"),
                region: try entry.string("region")
            )
            queries[key] = QueryCounts(
                queryCount: try entry.int64("queryCount"),
                bytesScanned: try entry.int64("bytesScanned")
            )
        }
        for item in json["storage"]?.elements ?? [] {
            let entry = StateDecoding(item, what: "storage usage")
            storage[StorageKey(storeId: try entry.string("storeId"), day: try entry.string("day"))] = StorageSample(
                sampleCount: try entry.int64("sampleCount"),
                compressedByteSum: try entry.int64("compressedByteSum"),
                extendedByteSum: try entry.int64("extendedByteSum")
            )
        }
        for item in json["trails"]?.elements ?? [] {
            let entry = StateDecoding(item, what: "trail usage")
            let key = TrailKey(
                trail: try entry.string("trail"),
                region: try entry.string("region"),
                month: try entry.string("month")
            )
            let events = StateDecoding(item["events"] ?? .null, what: "trail usage events")
            trails[key] = TrailCounts(
                events: CategoryCounts(
                    managementRead: try events.int64("managementRead"),
                    managementWrite: try events.int64("managementWrite"),
                    data: try events.int64("data"),
                    networkActivity: try events.int64("networkActivity"),
                    insight: try events.int64("insight")
                ),
                files: try entry.int64("files"),
                bytes: try entry.int64("bytes"),
                uncompressedBytes: try entry.int64("uncompressedBytes")
            )
        }
    }
}

extension JSONValue {
    /// The elements of an array, or nil.
    fileprivate var elements: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
