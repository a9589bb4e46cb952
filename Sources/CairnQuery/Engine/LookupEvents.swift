import CairnCore
import CairnSQL
import CairnStorage

/// LookupEvents (spec §2.1, §3.3) on the query engine: the management events of a store in a
/// time window, newest first, at most 50 a page, optionally filtered by one of eight attributes
/// (or, as an opt-in extension, several combined with AND), paged with an opaque token bound to
/// the request's parameters.
public struct LookupRequest: Sendable {
    /// `EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource,
    /// AccessKeyId` (case-sensitive, as AWS).
    public var attributes: [(key: String, value: String)] = []
    /// Inclusive bounds, epoch milliseconds; defaults: 90 days before the end, and now.
    public var startTime: Int64?
    public var endTime: Int64?
    /// 1...50, default 50.
    public var maxResults: Int?
    public var nextToken: String?
    /// nil, or `insight` for Insights events.
    public var eventCategory: String?
    /// Accept more than one attribute (AND); AWS rejects that, so it is opt-in.
    public var allowMultipleAttributes = false
    /// The store to search (`default` when nil).
    public var store: String?
    /// The caller's region: only events recorded there (AWS semantics); all regions when nil.
    public var region: String?
    /// The caller's account: only events delivered to it (`recipientAccountId`); all when nil.
    public var account: String?
    /// Scan threads for this look-up (the engine's default when nil).
    public var workerCount: Int?

    public init() {}
}

/// One LookupEvents result (`Event` in the API).
public struct LookupEvent: Sendable, Equatable {
    public var eventId: String?
    public var eventName: String?
    /// `"true"` or `"false"`, a string as AWS returns it.
    public var readOnly: String?
    public var accessKeyId: String?
    /// Epoch milliseconds.
    public var eventTime: Int64
    public var eventSource: String?
    public var username: String?
    public var resources: [LookupResource]
    /// The whole record as compact JSON text.
    public var cloudTrailEvent: String
}

/// Where a result sits in LookupEvents' order: newest first, then eventid descending.
struct LookupKey: Hashable {
    var time: Int64
    var eventID: String
}

/// A resource of a LookupEvents result.
public struct LookupResource: Sendable, Equatable {
    public var resourceType: String?
    public var resourceName: String?

    public init(resourceType: String?, resourceName: String?) {
        self.resourceType = resourceType
        self.resourceName = resourceName
    }
}

/// A page of results and the token for the next one.
public struct LookupPage: Sendable {
    public var events: [LookupEvent]
    public var nextToken: String?
    public var statistics: QueryStatistics
}

extension QueryEngine {
    static let lookupAttributeKeys = [
        "EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId",
    ]

    /// Runs one LookupEvents page.
    public func lookupEvents(_ request: LookupRequest, now: Int64? = nil) throws(QueryError) -> LookupPage {
        let now = now ?? Clock.nowMilliseconds()
        guard request.attributes.count <= 1 || request.allowMultipleAttributes else {
            throw QueryError(.invalidLookupAttributes, "only one lookup attribute is allowed")
        }
        let maxResults = request.maxResults ?? Limits.maxLookupResults
        guard (1...Limits.maxLookupResults).contains(maxResults) else {
            throw QueryError(
                .invalidMaxResults,
                "MaxResults must be between 1 and \(Limits.maxLookupResults)"
            )
        }
        // The token carries the window the first page resolved, so that a default end ("now") stays
        // where it was while the caller pages (#13: paging without --end always failed).
        let fingerprint = Self.fingerprint(request, maxResults: maxResults)
        var position: LookupToken.Position?
        if let token = request.nextToken { position = try LookupToken.decode(token, fingerprint: fingerprint) }
        let end = request.endTime ?? position?.end ?? now
        let start = request.startTime ?? position?.start ?? (end - Int64(Limits.lookupHistoryDays) * 86_400_000)
        guard start <= end else {
            throw QueryError(.invalidTimeRange, "StartTime is after EndTime")
        }
        var conditions = ["eventtime >= \(Self.timestampLiteral(start))", "eventtime <= \(Self.timestampLiteral(end))"]
        if let category = request.eventCategory {
            guard category == "insight" else {
                throw QueryError(.invalidEventCategory, "EventCategory must be insight")
            }
            conditions.append("eventcategory = 'Insight'")
        } else {
            // Management events only: never data or network-activity events.
            conditions.append(
                "(eventcategory = 'Management' OR (eventcategory IS NULL AND managementevent IS NOT DISTINCT FROM true))"
            )
        }
        if let region = request.region { conditions.append("awsregion = \(Self.literal(region))") }
        if let account = request.account { conditions.append("recipientaccountid = \(Self.literal(account))") }
        // Each attribute adds conditions; Username adds one of several alternatives (see
        // `usernameAlternatives`), each run as its own query and merged.
        var alternatives: [[String]] = [[]]
        // The attribute's conditions come first in the filter: the scan evaluates equalities of
        // equal cost in order, and the attribute's is nearly always the most selective.
        var attributeConditions = [String]()
        for (key, value) in request.attributes {
            guard Self.lookupAttributeKeys.contains(key) else {
                throw QueryError(
                    .invalidLookupAttributes,
                    "unknown attribute key \(key)",
                    suggestion: Suggestion.closest(to: key, among: Self.lookupAttributeKeys)
                )
            }
            guard !value.isEmpty, Self.lookupLength(value) <= Limits.maxLookupAttributeValueLength else {
                throw QueryError(
                    .invalidLookupAttributes,
                    "attribute value must be 1 to \(Limits.maxLookupAttributeValueLength) characters"
                )
            }
            if request.eventCategory != nil, !["EventId", "EventName", "EventSource"].contains(key) {
                throw QueryError(
                    .invalidLookupAttributes,
                    "\(key) is not allowed with EventCategory insight"
                )
            }
            let v = Self.literal(value)
            switch key {
            case "EventId": attributeConditions.append("eventid = \(v)")
            case "EventName": attributeConditions.append("eventname = \(v)")
            case "EventSource": attributeConditions.append("eventsource = \(v)")
            case "AccessKeyId": attributeConditions.append("useridentity.accesskeyid = \(v)")
            case "ReadOnly":
                guard value == "true" || value == "false" else {
                    throw QueryError(.invalidLookupAttributes, "ReadOnly must be true or false")
                }
                attributeConditions.append("readonly = \(value)")
            case "Username":
                alternatives = alternatives.flatMap { base in Self.usernameAlternatives(value).map { base + $0 } }
            case "ResourceType": attributeConditions.append("any_match(resources, r -> r.type = \(v))")
            default: attributeConditions.append("any_match(resources, r -> r.arn = \(v))")
            }
        }
        if let position {
            let (time, eventID) = (position.time, position.eventID)
            conditions.append(
                "(eventtime < \(Self.timestampLiteral(time)) OR (eventtime = \(Self.timestampLiteral(time)) AND eventid < \(Self.literal(eventID))))"
            )
        }
        let storeInfo = storeDirectory().resolveStore(
            request.store ?? StoreInfo.defaultName
        )
        guard let storeInfo else {
            throw QueryError(.unknownStore, "event data store \(request.store ?? StoreInfo.defaultName) does not exist")
        }
        // Two steps, so that only the page's rows are read in full: the keys (eventtime, eventid)
        // of the page and one more, then those events' fields and whole records (eventjson is
        // rebuilt from every column of a row; doing that for every candidate of the top-N, up to
        // a page per partition and row group, was most of a look-up's cost).
        var statistics = QueryStatistics()
        var keys = [LookupKey]()
        for extra in alternatives {
            // Once a page is full, a later alternative only matters from the page's last time on.
            let floor = keys.count > maxResults ? ["eventtime >= \(Self.timestampLiteral(keys[maxResults].time))"] : []
            let result = try execute(
                """
                SELECT eventtime, eventid FROM "\(storeInfo.id)" \
                WHERE \((attributeConditions + extra + conditions + floor).joined(separator: " AND ")) \
                ORDER BY eventtime DESC, eventid DESC LIMIT \(maxResults + 1)
                """,
                now: now,
                workerCount: request.workerCount
            )
            statistics.add(result.statistics)
            for row in result.rows {
                guard case .timestamp(let time) = row[0] else { continue }
                keys.append(LookupKey(time: time, eventID: row[1].text ?? ""))
            }
            // Newest first, then eventid descending: the order each query used.
            keys.sort { $0.time != $1.time ? $0.time > $1.time : $0.eventID > $1.eventID }
            keys = Array(keys.prefix(maxResults + 1))
        }
        let pageKeys = keys.prefix(maxResults)
        let cacheKeys = pageKeys.map { LookupRowCache.Key(store: storeInfo.id, time: $0.time, eventID: $0.eventID) }
        var found = lookupRows.events(cacheKeys)
        let missing = zip(pageKeys, cacheKeys).filter { found[$0.1] == nil }.map(\.0)
        if let newest = missing.first, let oldest = missing.last {
            let attribute =
                alternatives.count == 1
                ? alternatives[0]
                : ["(" + alternatives.map { "(" + $0.joined(separator: " AND ") + ")" }.joined(separator: " OR ") + ")"]
            let window = [
                "eventtime >= \(Self.timestampLiteral(oldest.time))",
                "eventtime <= \(Self.timestampLiteral(newest.time))",
                "eventid IN (\(missing.map { Self.literal($0.eventID) }.joined(separator: ", ")))",
            ]
            let result = try execute(
                """
                SELECT eventid, eventname, readonly, useridentity.accesskeyid, eventtime, eventsource, \
                \(Self.usernameExpression) AS username, resources, eventjson \
                FROM "\(storeInfo.id)" WHERE \((window + attributeConditions + attribute + conditions).joined(separator: " AND ")) \
                ORDER BY eventtime DESC, eventid DESC
                """,
                now: now,
                workerCount: request.workerCount
            )
            statistics.add(result.statistics)
            let wanted = Set(missing)
            var read = [(LookupRowCache.Key, LookupEvent)]()
            for row in result.rows {
                guard case .timestamp(let time) = row[4] else { continue }
                let key = LookupKey(time: time, eventID: row[0].text ?? "")
                let cacheKey = LookupRowCache.Key(store: storeInfo.id, time: time, eventID: key.eventID)
                guard wanted.contains(key), found[cacheKey] == nil else { continue }
                let event = Self.lookupEvent(row, time: time)
                found[cacheKey] = event
                read.append((cacheKey, event))
            }
            lookupRows.store(read)
        }
        let events = cacheKeys.compactMap { found[$0] }
        var nextToken: String?
        if keys.count > maxResults, let last = pageKeys.last {
            nextToken = LookupToken.encode(
                LookupToken.Position(time: last.time, eventID: last.eventID, start: start, end: end),
                fingerprint: fingerprint
            )
        }
        return LookupPage(events: events, nextToken: nextToken, statistics: statistics)
    }

    /// A result row of the second step as an API event.
    static func lookupEvent(_ row: [Value], time: Int64) -> LookupEvent {
        var resources = [LookupResource]()
        if case .array(let items) = row[7] {
            for item in items {
                guard case .row(let resource) = item else { continue }
                resources.append(
                    LookupResource(
                        resourceType: resource.field("type")?.text,
                        resourceName: resource.field("arn")?.text
                    )
                )
            }
        }
        return LookupEvent(
            eventId: row[0].text,
            eventName: row[1].text,
            readOnly: row[2].lakeText,
            accessKeyId: row[3].text,
            eventTime: time,
            eventSource: row[5].text,
            username: row[6].text,
            resources: resources,
            cloudTrailEvent: row[8].text ?? "{}"
        )
    }

    /// userName when present, the session name of an assumed role, `root` for the root user.
    static let usernameExpression = """
        coalesce(useridentity.username, CASE WHEN useridentity.type = 'AssumedRole' THEN \
        split_part(useridentity.arn, '/', 3) WHEN useridentity.type = 'Root' THEN 'root' END)
        """

    /// `usernameExpression = value` as disjoint alternatives, each a list of conditions.
    ///
    /// An IAM user's userName; an assumed role's session name (the ARN's third part, when the
    /// identity has no userName); `root` for the root user. Each alternative is plain comparisons
    /// the scan prunes and evaluates on raw column vectors: the expression, evaluated row by row,
    /// made a Username look-up cost five times the others.
    static func usernameAlternatives(_ value: String) -> [[String]] {
        let v = literal(value)
        var session = [
            "useridentity.username IS NULL", "useridentity.type = 'AssumedRole'",
            "split_part(useridentity.arn, '/', 3) = \(v)",
        ]
        if !value.contains(where: { "%_\\".contains($0) }) {
            session.insert("useridentity.arn LIKE \(literal("%/" + value))", at: 2)
        }
        var alternatives = [["useridentity.username = \(v)"], session]
        if value == "root" { alternatives.append(["useridentity.username IS NULL", "useridentity.type = 'Root'"]) }
        return alternatives
    }

    static func literal(_ text: String) -> String { "'" + text.replacing("'", with: "''") + "'" }

    static func timestampLiteral(_ milliseconds: Int64) -> String {
        "TIMESTAMP '\(Value.formatTimestamp(milliseconds))'"
    }

    /// AWS counts `_`, space, `,` and newline as two characters toward the limit (spec §2.1).
    static func lookupLength(_ value: String) -> Int {
        value.reduce(0) { $0 + ("_ ,\n".contains($1) ? 2 : 1) }
    }

    /// Binds a token to the parameters the caller gave (not to defaults such as "now").
    static func fingerprint(_ request: LookupRequest, maxResults: Int) -> UInt64 {
        let start = request.startTime.map(String.init) ?? "-"
        let end = request.endTime.map(String.init) ?? "-"
        var text =
            "\(start)|\(end)|\(maxResults)|\(request.eventCategory ?? "")|\(request.store ?? "")|\(request.region ?? "")|\(request.account ?? "")"
        for (key, value) in request.attributes { text += "|\(key)=\(value)" }
        return XXHash64.hash(text)
    }
}

/// The opaque NextToken: the last event's time and id and the page window, with a checksum binding
/// them to the request's parameters (a token from another request is `InvalidNextTokenException`).
enum LookupToken {
    struct Position {
        var time: Int64
        var eventID: String
        /// The window the first page resolved (defaults included).
        var start: Int64
        var end: Int64
    }

    static func encode(_ position: Position, fingerprint: UInt64) -> String {
        let payload = "\(position.time)|\(position.start)|\(position.end)|\(position.eventID)"
        let check = XXHash64.hash(payload + "|\(fingerprint)")
        return hex(Array(payload.utf8)) + "." + String(check, radix: 16)
    }

    static func decode(_ token: String, fingerprint: UInt64) throws(QueryError) -> Position {
        let invalid = QueryError(.invalidNextToken, "the token is not valid for this request")
        let parts = token.split(separator: ".")
        guard parts.count == 2, let bytes = unhex(String(parts[0])), let check = UInt64(parts[1], radix: 16) else {
            throw invalid
        }
        let payload = String(decoding: bytes, as: UTF8.self)
        guard XXHash64.hash(payload + "|\(fingerprint)") == check else { throw invalid }
        let fields = payload.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, let time = Int64(fields[0]), let start = Int64(fields[1]), let end = Int64(fields[2])
        else { throw invalid }
        return Position(time: time, eventID: String(fields[3]), start: start, end: end)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return text
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
