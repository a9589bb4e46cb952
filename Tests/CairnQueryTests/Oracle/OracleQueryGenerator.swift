import CairnCore

@testable import CairnQuery

/// Seeded random Lake queries for the DuckDB oracle: the shapes investigations write, over the
/// functions and aggregates Cairn supports.
///
/// Every compound operand is parenthesized, so the parsed tree does not depend on operator
/// precedence (the golden files test that). A query is `ordered` only when its ORDER BY names
/// every output column, which makes its row order, and the rows a LIMIT keeps, total up to rows
/// that print the same.
struct OracleQueryGenerator {
    /// The query shapes.
    enum Shape: CaseIterable {
        case projection, aggregate, groupBy, distinct, join, subquery, commonTable, window
    }

    /// A generated query.
    struct Generated {
        var sql: String
        var ordered: Bool
    }

    var random: SplitMix64
    let sample: Sample
    /// The shapes generated.
    var shapes: [Shape] = [.projection, .aggregate, .groupBy, .distinct, .join, .subquery, .commonTable, .window]

    init(seed: UInt64, sample: Sample) {
        random = SplitMix64(seed: seed)
        self.sample = sample
    }

    mutating func next() -> Generated {
        switch pick(shapes) {
        case .projection: return projection()
        case .aggregate:
            return Generated(sql: "SELECT \(aggregates(1 + int(4))) FROM default\(whereClause())", ordered: true)
        case .groupBy: return groupBy()
        case .distinct:
            let items = (0...int(2)).map { _ in scalar() }
            return Generated(
                sql: "SELECT DISTINCT \(items.joined(separator: ", ")) FROM default\(whereClause())",
                ordered: false
            )
        case .join: return join()
        case .subquery: return subquery()
        case .commonTable: return commonTable()
        case .window: return window()
        }
    }

    // MARK: Random choices

    /// A per-event key that real data (which repeats eventids) does not repeat either.
    static let uniqueKey =
        "concat(coalesce(eventid, ''), '|', coalesce(requestid, ''), '|', eventname, '|', coalesce(errorcode, ''), "
        + "'|', coalesce(sourceipaddress, ''))"

    mutating func int(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    mutating func pick<T>(_ values: [T]) -> T { values[int(values.count)] }
    mutating func pick(_ values: [String], or fallback: String) -> String { values.isEmpty ? fallback : pick(values) }
    func quote(_ text: String) -> String { "'" + text.replacing("'", with: "''") + "'" }

    mutating func timeLiteral() -> String {
        guard !sample.times.isEmpty else { return "TIMESTAMP '2026-11-01 00:00:00'" }
        let ms = pick(sample.times)
        return "TIMESTAMP '\(Value.formatTimestamp(chance(50) ? ms - ms % 3_600_000 : ms))'"
    }

    // MARK: Expressions

    static let stringColumns = [
        "eventname", "eventsource", "awsregion", "recipientaccountid", "errorcode", "errormessage", "sourceipaddress",
        "useragent", "eventtype", "eventcategory", "eventversion", "useridentity.type", "useridentity.arn",
        "useridentity.accountid", "useridentity.username", "useridentity.principalid", "useridentity.accesskeyid",
        "useridentity.invokedby", "useridentity.sessioncontext.sessionissuer.arn",
        "useridentity.sessioncontext.attributes.mfaauthenticated", "tlsdetails.tlsversion", "vpcendpointid",
        "sharedeventid", "requestparameters['bucketName']", "element_at(additionaleventdata, 'MFAUsed')",
        "requestparameters['roleArn']", "resources[1].arn",
    ]

    /// A string-valued expression, often null.
    mutating func stringValue(depth: Int = 0) -> String {
        let column = pick(Self.stringColumns)
        guard depth < 2, chance(45) else { return column }
        let inner = stringValue(depth: depth + 1)
        switch int(20) {
        case 0: return "lower(\(inner))"
        case 1: return "upper(\(inner))"
        case 2: return "substr(\(inner), \(1 + int(6)))"
        case 3: return "substr(\(inner), \(pick(["1", "2", "5", "-3"])), \(int(8)))"
        case 4: return "concat(\(inner), '-', \(stringValue(depth: depth + 1)))"
        case 5: return "(\(inner) || ':' || \(stringValue(depth: depth + 1)))"
        case 6: return "split_part(\(inner), \(pick(["':'", "'.'", "'/'", "'-'"])), \(1 + int(4)))"
        case 7: return "replace(\(inner), \(pick(["'a'", "'-'", "':'", "'Get'"])), \(pick(["'_'", "''", "'XY'"])))"
        case 8: return "coalesce(\(inner), 'none')"
        case 9:
            return "regexp_extract(\(inner), \(pick(["'[0-9]+'", "'^[a-z]+'", "'([A-Z][a-z]+)'", "'[.]([a-z]+)$'"])))"
        case 10: return "regexp_replace(\(inner), \(pick(["'[0-9]'", "'[aeiou]'", "'^.'"])), '#')"
        case 11: return "trim(\(inner))"
        case 12: return "reverse(\(inner))"
        case 13:
            return
                "json_extract_scalar(requestparameters, \(pick(["'$.bucketName'", "'$.roleArn'", "'$.key'", "'$.instancesSet'", "'$.userName'"])))"
        case 14: return "date_format(eventtime, \(pick(["'%Y-%m-%d'", "'%H:%i:%s'", "'%Y%m%d%H'", "'%d/%m/%y %H'"])))"
        case 15: return "CAST(\(pick(["eventtime", "date_trunc('hour', eventtime)"])) AS VARCHAR)"
        case 16: return "if(\(predicate(depth: 2)), \(inner), \(quote("other")))"
        case 17: return "CASE WHEN \(predicate(depth: 2)) THEN \(inner) WHEN \(predicate(depth: 2)) THEN 'b' END"
        case 18: return "nullif(\(inner), \(quote(pick(sample.eventNames, or: "x"))))"
        default: return "CAST(\(integerValue(depth: depth + 1)) AS VARCHAR)"
        }
    }

    /// An integer-valued expression.
    mutating func integerValue(depth: Int = 0) -> String {
        switch int(24) {
        case 0: return "hour(eventtime)"
        case 1: return "day(eventtime)"
        case 2: return "minute(eventtime)"
        case 3: return "length(\(stringValue(depth: depth + 1)))"
        case 4: return "strpos(\(stringValue(depth: depth + 1)), \(pick(["'a'", "':'", "'Get'", "'.'"])))"
        case 5: return "cardinality(resources)"
        case 6: return "cardinality(requestparameters)"
        case 7: return "date_diff(\(pick(["'hour'", "'minute'", "'day'", "'second'"])), \(timeLiteral()), eventtime)"
        case 8: return "day_of_week(eventtime)"
        case 9: return "day_of_year(eventtime)"
        case 10: return "month(eventtime)"
        case 11: return "second(eventtime)"
        case 12: return "millisecond(eventtime)"
        case 13: return "week(eventtime)"
        case 14: return "quarter(eventtime)"
        case 15 where depth < 2: return "(\(integerValue(depth: depth + 1)) / \(pick(["2", "3", "7", "-4"])))"
        case 16 where depth < 2: return "(\(integerValue(depth: depth + 1)) % \(pick(["2", "3", "5", "-4"])))"
        case 17 where depth < 2: return "(\(integerValue(depth: depth + 1)) * \(integerValue(depth: depth + 1)))"
        case 18 where depth < 2: return "(\(integerValue(depth: depth + 1)) - \(integerValue(depth: depth + 1)))"
        case 19: return "abs((hour(eventtime) - 12))"
        case 20: return "year(eventtime)"
        case 21 where depth < 2: return "greatest(\(integerValue(depth: depth + 1)), \(integerValue(depth: depth + 1)))"
        case 22: return "coalesce(length(errorcode), -1)"
        default: return "json_array_length(json_extract(requestparameters, '$.instancesSet.items'))"
        }
    }

    /// A double-valued expression.
    mutating func doubleValue() -> String {
        switch int(6) {
        case 0: return "to_unixtime(eventtime)"
        case 1: return "(\(integerValue()) * 1.5)"
        case 2: return "(\(integerValue()) / 4.0)"
        case 3: return "round((\(integerValue()) / 3.0), \(int(3)))"
        case 4: return "floor((\(integerValue()) / 2.5))"
        default: return "(hour(eventtime) + 0.25)"
        }
    }

    /// A timestamp-valued expression.
    mutating func timeValue() -> String {
        switch int(8) {
        case 0: return "date_trunc(\(pick(["'hour'", "'day'", "'minute'", "'month'", "'week'", "'year'"])), eventtime)"
        case 1:
            return
                "date_add(\(pick(["'hour'", "'day'", "'minute'", "'month'"])), \(pick(["1", "-2", "30"])), eventtime)"
        case 2: return "(eventtime + INTERVAL \(pick(["'1'", "'7'", "'-2'"])) \(pick(["HOUR", "DAY", "MINUTE"])))"
        case 3: return "(eventtime - INTERVAL '90' MINUTE)"
        case 4:
            return
                "from_iso8601_timestamp(\(quote(pick(["2026-11-02T10:00:00Z", "2026-11-01T00:00:00.123Z", "2026-11-03T05:00:00+02:00"]))))"
        default: return "eventtime"
        }
    }

    /// Any scalar for a select list.
    mutating func scalar() -> String {
        switch int(10) {
        case 0, 1, 2, 3: return stringValue()
        case 4, 5: return integerValue()
        case 6: return doubleValue()
        case 7: return timeValue()
        case 8: return pick(["readonly", "managementevent", "CAST(eventtime AS DATE)", "date(eventtime)"])
        default: return "(\(predicate(depth: 2)))"
        }
    }

    /// One comparison or test.
    mutating func atom() -> String {
        let s = sample
        switch int(26) {
        case 0: return "eventname = \(quote(pick(s.eventNames, or: "x")))"
        case 1:
            return "eventname IN (\(quote(pick(s.eventNames, or: "x"))), \(quote(pick(s.eventNames, or: "y"))), NULL)"
        case 2: return "recipientaccountid <> \(quote(pick(s.accounts, or: "x")))"
        case 3: return "awsregion NOT IN (\(quote(pick(s.regions, or: "x"))))"
        case 4: return "eventtime >= \(timeLiteral())"
        case 5: return "eventtime < \(timeLiteral())"
        case 6:
            return
                "\(pick(["errorcode", "useridentity.username", "useridentity.invokedby", "requestparameters", "resources", "vpcendpointid"])) IS NULL"
        case 7:
            return "\(pick(["errorcode", "useridentity.arn", "tlsdetails.tlsversion", "responseelements"])) IS NOT NULL"
        case 8: return "useridentity.accesskeyid = \(quote(pick(s.accessKeys, or: "x")))"
        case 9: return "useridentity.arn LIKE \(quote("%" + pick(["user", "role", "root", "Admin", "_"]) + "%"))"
        case 10: return "sourceipaddress = \(quote(pick(s.ips, or: "x")))"
        case 11: return "requestparameters['bucketName'] = \(quote(pick(s.buckets, or: "x")))"
        case 12: return "readonly = \(chance(50))"
        case 13: return "any_match(resources, r -> r.arn = \(quote(pick(s.resourceARNs, or: "x"))))"
        case 14: return "eventname LIKE \(quote(String(pick(s.eventNames, or: "Get").prefix(1 + int(4))) + "%"))"
        case 15: return "eventtime BETWEEN \(timeLiteral()) AND \(timeLiteral())"
        case 16: return "\(integerValue()) \(pick(["=", "<", ">=", "<>"])) \(int(24))"
        case 17:
            return "regexp_like(\(stringValue()), \(pick(["'^Get'", "'[0-9]{3}'", "'(?i)admin'", "'Error$'", "'s3'"])))"
        case 18: return "starts_with(\(stringValue()), \(pick(["'arn:aws:iam'", "'Describe'", "'1'"])))"
        case 19:
            return
                "CAST(eventtime AS DATE) = DATE \(quote(String(Value.formatTimestamp(s.times.isEmpty ? 0 : pick(s.times)).prefix(10))))"
        case 20: return "eventtime > '\(String(Value.formatTimestamp(s.times.isEmpty ? 0 : pick(s.times)).prefix(19)))'"
        case 21: return "\(stringValue()) IS DISTINCT FROM \(quote(pick(s.eventNames, or: "x")))"
        case 22: return "errorcode NOT LIKE '%Denied%'"
        case 23: return "\(stringValue()) \(pick(["<", ">="])) \(quote(pick(["M", "arn:aws:s", "1", "eu-"])))"
        case 24: return "managementevent"
        default: return "\(timeValue()) \(pick(["<", ">"])) \(timeLiteral())"
        }
    }

    mutating func predicate(depth: Int = 0) -> String {
        switch depth < 2 ? int(7) : 0 {
        case 0, 1, 2: return atom()
        case 3, 4: return "(\(predicate(depth: depth + 1)) AND \(predicate(depth: depth + 1)))"
        case 5: return "(\(predicate(depth: depth + 1)) OR \(predicate(depth: depth + 1)))"
        default: return "NOT (\(predicate(depth: depth + 1)))"
        }
    }

    mutating func whereClause() -> String { chance(15) ? "" : " WHERE " + predicate() }

    // MARK: Aggregates

    mutating func aggregate() -> String {
        let base: String
        switch int(24) {
        case 0: base = "count(*)"
        case 1: base = "count(\(scalar()))"
        case 2: base = "count(DISTINCT \(stringValue()))"
        case 3: base = "sum(\(integerValue()))"
        case 4: base = "avg(\(integerValue()))"
        case 5: base = "\(pick(["min", "max"]))(\(pick([stringValue(), integerValue(), timeValue()])))"
        case 6: base = "approx_distinct(\(stringValue()))"
        case 7: base = "count_if(\(predicate(depth: 1)))"
        case 8: base = "bool_and(\(predicate(depth: 1)))"
        case 9: base = "bool_or(\(predicate(depth: 1)))"
        // Keys without ties, so the row max_by picks is defined (real data repeats eventids).
        case 10: base = "\(pick(["max_by", "min_by"]))(\(stringValue()), \(Self.uniqueKey))"
        case 11: base = "\(pick(["max_by", "min_by"]))(\(pick([integerValue(), timeValue()])), \(Self.uniqueKey))"
        case 12:
            base =
                "\(pick(["stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop"]))(\(integerValue()))"
        case 13: base = "cardinality(array_agg(\(stringValue())))"
        case 14: base = "cardinality(array_agg(DISTINCT \(stringValue())))"
        case 15: base = "approx_percentile(\(integerValue()), \(pick(["0.5", "0.9", "0.1"])))"
        case 16: base = "sum(\(doubleValue()))"
        case 17: base = "avg(\(doubleValue()))"
        case 18: base = "count(DISTINCT \(integerValue()))"
        case 19: base = "max(\(integerValue())) - min(\(integerValue()))"
        case 20: base = "arbitrary(recipientaccountid) IS NOT NULL"
        case 21: base = "contains(array_agg(eventname), \(quote(pick(sample.eventNames, or: "x"))))"
        case 22: base = "round((count(*) * 1.0) / \(1 + int(9)), 2)"
        default: base = "sum(\(integerValue())) / count(*)"
        }
        // FILTER (WHERE) on plain aggregate calls.
        if chance(15), !base.contains(" "), base.hasSuffix(")"), !base.hasPrefix("cardinality"),
            !base.hasPrefix("contains")
        {
            return base + " FILTER (WHERE \(predicate(depth: 1)))"
        }
        return base
    }

    mutating func aggregates(_ count: Int) -> String { (0..<count).map { _ in aggregate() }.joined(separator: ", ") }

    // MARK: Query shapes

    mutating func orderAll(_ columnCount: Int) -> String {
        let items = (1...columnCount).map { "\($0)\(chance(40) ? " DESC" : "")\(chance(20) ? " NULLS FIRST" : "")" }
        return " ORDER BY " + items.joined(separator: ", ")
    }

    mutating func projection() -> Generated {
        let items = (0...int(3)).map { _ in scalar() }
        var sql = "SELECT \(items.joined(separator: ", ")), eventid FROM default\(whereClause())"
        let ordered = chance(50)
        if ordered { sql += orderAll(items.count + 1) + (chance(70) ? " LIMIT \(1 + int(30))" : "") }
        return Generated(sql: sql, ordered: ordered)
    }

    mutating func groupBy() -> Generated {
        let keys = (0...int(2)).map { _ in chance(60) ? stringValue() : pick([integerValue(), timeValue(), "readonly"])
        }
        let aggregateCount = 1 + int(3)
        var sql = "SELECT \(keys.joined(separator: ", ")), \(aggregates(aggregateCount)) FROM default\(whereClause())"
        sql += " GROUP BY " + (1...keys.count).map(String.init).joined(separator: ", ")
        if chance(30) {
            sql +=
                " HAVING \(pick(["count(*) > 1", "count(*) >= \(1 + int(5))", "count_if(errorcode IS NULL) > 0", "max(eventtime) > \(timeLiteral())", "count(DISTINCT eventname) > 1"]))"
        }
        let ordered = chance(40)
        if ordered { sql += orderAll(keys.count + aggregateCount) + (chance(50) ? " LIMIT \(1 + int(10))" : "") }
        return Generated(sql: sql, ordered: ordered)
    }

    mutating func join() -> Generated {
        let key = pick(["useridentity.arn", "sourceipaddress", "recipientaccountid", "eventname", "awsregion"])
        let kind = pick(["JOIN", "LEFT JOIN", "INNER JOIN"])
        // Small sides (a few event names each), so the join stays cheap whatever the key's fan-out.
        let names = { (g: inout OracleQueryGenerator) in
            "eventname IN (\(g.quote(g.pick(g.sample.eventNames, or: "x"))), \(g.quote(g.pick(g.sample.eventNames, or: "y"))))"
        }
        let left = "SELECT \(key) AS k, eventname AS n, eventtime AS t FROM default WHERE \(names(&self))"
        let right =
            "SELECT \(key) AS k, eventname AS n, errorcode AS e FROM default WHERE (\(names(&self)) AND \(atom()))"
        let sql = """
            SELECT a.n, b.n, count(*), count(b.e), min(a.t) FROM (\(left)) a \(kind) (\(right)) b ON a.k = b.k\
            \(chance(30) ? " AND a.n <> b.n" : "") GROUP BY 1, 2
            """
        return Generated(sql: sql, ordered: false)
    }

    mutating func subquery() -> Generated {
        switch int(4) {
        case 0:
            return Generated(
                sql:
                    "SELECT eventname, count(*) FROM default WHERE eventtime >= (SELECT min(eventtime) FROM default WHERE \(predicate())) GROUP BY 1",
                ordered: false
            )
        case 1:
            return Generated(
                sql:
                    "SELECT \(stringValue()), eventid FROM default WHERE \(pick(["sourceipaddress", "useridentity.arn", "eventname"])) \(chance(30) ? "NOT " : "")IN (SELECT \(pick(["sourceipaddress", "useridentity.arn", "eventname"])) FROM default WHERE \(predicate()))",
                ordered: false
            )
        case 2:
            return Generated(
                sql: "SELECT eventname, (SELECT count(*) FROM default WHERE \(atom())) FROM default WHERE \(atom())",
                ordered: false
            )
        default:
            return Generated(
                sql:
                    "SELECT count(*), max(n) FROM (SELECT eventname AS n, \(integerValue()) AS v FROM default\(whereClause())) WHERE v > \(int(10))",
                ordered: true
            )
        }
    }

    mutating func commonTable() -> Generated {
        let key = stringValue()
        let sql = """
            WITH t AS (SELECT \(key) AS k, count(*) AS c, max(eventtime) AS m FROM default\(whereClause()) GROUP BY 1) \
            SELECT k, c, m FROM t WHERE c \(pick([">", ">=", "<"])) \(1 + int(3))
            """
        return Generated(sql: sql, ordered: false)
    }

    /// Window queries: ranking, offsets, values and aggregates over frames.
    ///
    /// ROWS, RANGE and GROUPS frames, over rows or over groups; orders end with enough columns that
    /// every row has one place.
    mutating func window() -> Generated {
        // Real data has events without an eventid and events sharing one: more keys, and only
        // rows with an id, so the order is total.
        let order = "ORDER BY eventtime\(pick(["", " DESC"])), eventid, eventname, eventsource, requestid, errorcode"
        let partition =
            chance(70) ? "PARTITION BY \(pick(["awsregion", "recipientaccountid", "eventsource", "errorcode"])) " : ""
        let frame = pick([
            "", "", " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", " ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING",
            " ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING", " ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING",
            " GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW",
        ])
        let function = pick([
            "row_number()", "rank()", "dense_rank()", "percent_rank()", "cume_dist()", "ntile(\(1 + int(5)))",
            "lag(eventname)", "lead(eventname, \(1 + int(3)), 'none')", "lag(errorcode) IGNORE NULLS",
            "first_value(eventname)", "last_value(errorcode)", "nth_value(eventname, 2)", "count(*)",
            "count(errorcode)", "min(eventtime)", "max(eventname)", "sum(hour(eventtime))", "avg(minute(eventtime))",
        ])
        let takesFrame = ["first_value", "last_value", "nth_value", "count", "min", "max", "sum", "avg"].contains {
            function.hasPrefix($0)
        }
        if chance(15) {
            // Time-range frames: events of the same partition within an interval.
            let sql = """
                SELECT eventid, count(*) OVER (\(partition)ORDER BY eventtime RANGE BETWEEN INTERVAL \
                '\(1 + int(6))' HOUR PRECEDING AND CURRENT ROW) FROM default\(whereClause())
                """
            return Generated(sql: sql, ordered: false)
        }
        if chance(20) {
            // Over groups: windows see the aggregates.
            let key = pick(["awsregion", "eventsource", "recipientaccountid", "eventname"])
            let sql = """
                SELECT \(key), count(*), rank() OVER (ORDER BY count(*) DESC, \(key)), \
                sum(count(*)) OVER () FROM default\(whereClause()) GROUP BY \(key)
                """
            return Generated(sql: sql, ordered: false)
        }
        let condition = whereClause()
        let sql = """
            SELECT eventid, \(function) OVER (\(partition)\(order)\(takesFrame ? frame : "")) \
            FROM default WHERE eventid IS NOT NULL\(condition.isEmpty ? "" : " AND (" + condition.dropFirst(7) + ")")
            """
        return Generated(sql: sql, ordered: false)
    }
}
