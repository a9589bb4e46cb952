import CairnCore
import Testing

@testable import CairnQuery

/// Top-N by eventTime where thousands of rows share one eventTime.
///
/// A busy server audits a thousand calls in the same second. The scan cuts tied rows by the second sort key before the top-N
/// buffer sees them. Expected rows come from sorting the input here, not from the engine.
@Suite struct TopNTieTests {
    struct Event {
        var id: String
        var time: String
        var region: String
    }

    static func events() -> [Event] {
        var events = [Event]()
        var rng = SplitMix64(seed: 5)
        func id() -> String {
            let hex = Array("0123456789abcdef")
            var text = ""
            for index in 0..<32 {
                if [8, 12, 16, 20].contains(index) { text.append("-") }
                text.append(hex[Int(rng.next() % 16)])
            }
            return text
        }
        for index in 0..<2_500 {
            events.append(
                Event(id: id(), time: "2026-11-20T10:00:00Z", region: index % 3 == 0 ? "eu-west-1" : "us-east-1")
            )
        }
        for index in 0..<120 {
            events.append(Event(id: id(), time: "2026-11-20T09:\(10 + index % 40):00Z", region: "us-east-1"))
        }
        for index in 0..<30 {
            events.append(Event(id: id(), time: "2026-11-20T10:00:0\(1 + index % 3)Z", region: "us-east-1"))
        }
        return events
    }

    static func line(_ event: Event) -> String {
        """
        {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"P","arn":"arn:aws:iam::123456789012:user/u","accountId":"123456789012","userName":"u"},"eventTime":"\(event.time)","eventSource":"iam.amazonaws.com","eventName":"GetUser","awsRegion":"\(event.region)","sourceIPAddress":"192.0.2.1","userAgent":"t","eventID":"\(event.id)","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}
        """
    }

    @Test(arguments: [
        ("DESC", "DESC", 51), ("DESC", "ASC", 40), ("ASC", "ASC", 20), ("ASC", "DESC", 7), ("DESC", "DESC", 1),
    ])
    func tiedRowsAreCutByTheSecondKey(timeOrder: String, idOrder: String, limit: Int) throws {
        let events = Self.events()
        let store = try ImportedStore(lines: events.map(Self.line))
        defer { store.close() }
        let result = try store.engine.execute(
            "SELECT eventid FROM default ORDER BY eventtime \(timeOrder), eventid \(idOrder) LIMIT \(limit)"
        )
        let expected = events.sorted { a, b in
            if a.time != b.time { return timeOrder == "DESC" ? a.time > b.time : a.time < b.time }
            return idOrder == "DESC" ? a.id > b.id : a.id < b.id
        }.prefix(limit).map(\.id)
        #expect(result.rows.map { $0[0].text ?? "" } == Array(expected))
    }
}
