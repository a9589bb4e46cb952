/// The wrappers real pipelines put around CloudTrail records, and how to take a record out of them.
///
/// - EventBridge: CloudTrail sends each event to the default event bus as
///   `{"version":"0","id":..,"detail-type":"AWS API Call via CloudTrail","source":..,"account":..,
///   "time":..,"region":..,"resources":[..],"detail":{record}}`; rules archive them to S3 or
///   Firehose as JSON lines.
/// - CloudWatch Logs: a trail that sends to a log group makes each record a log event's `message`
///   (a JSON string); `aws logs filter-log-events` and similar tools write log events as
///   `{"timestamp":..,"message":"{record}"}` lines, and an export task writes
///   `TIMESTAMP {record}` lines (the framer strips the timestamp, `RecordFramer`).
/// - CloudWatch Logs subscription: a payload `{"messageType":"DATA_MESSAGE","owner":..,
///   "logGroup":..,"logStream":..,"subscriptionFilters":[..],"logEvents":[{"id":..,"timestamp":..,
///   "message":"{record}"}]}`, gzip-compressed, possibly several concatenated (Firehose to S3).
///   `CONTROL_MESSAGE` payloads hold no events.
///
/// Workload: an object is looked at here only after it failed to decode as a record, so plain
/// CloudTrail files never pay for this; an envelope's members are scanned once.
package enum RecordEnvelope {
    /// One record found inside an envelope.
    package enum Inner {
        /// The record is the object at this range of the bytes given to `unwrap` (`detail`).
        case object(Range<Int>)
        /// The record is this text (a `message` string, unescaped).
        case text([UInt8])
    }

    /// What an envelope held.
    package struct Unwrapped {
        package var format: RecordFormat
        package var records: [Inner] = []
        /// Why the envelope holds no CloudTrail record, when it does not (another EventBridge
        /// detail-type, a message that is not JSON).
        package var rejection: String?
    }

    /// The records wrapped in the object at `range` of `bytes`, or nil when it is no known envelope.
    package static func unwrap(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Unwrapped? {
        guard let members = topLevelMembers(bytes, range) else { return nil }
        if let detail = members["detail"], let type = members["detail-type"] {
            var unwrapped = Unwrapped(format: .eventBridge)
            let typeText = string(bytes, type) ?? ""
            if !typeText.hasSuffix("via CloudTrail") {
                unwrapped.rejection =
                    "an EventBridge event of detail-type \"\(typeText.prefix(80))\", not from CloudTrail"
            } else if bytes[detail.lowerBound] == 0x7B {
                unwrapped.records.append(.object(detail))
            } else {
                unwrapped.rejection = "an EventBridge event whose detail is not an object"
            }
            return unwrapped
        }
        if let messageType = members["messageType"], let logEvents = members["logEvents"] {
            var unwrapped = Unwrapped(format: .cloudWatchSubscription)
            if string(bytes, messageType) == "CONTROL_MESSAGE" { return unwrapped }
            guard bytes[logEvents.lowerBound] == 0x5B else {
                unwrapped.rejection = "a CloudWatch Logs payload whose logEvents is not an array"
                return unwrapped
            }
            for element in arrayElements(bytes, logEvents) {
                guard let message = topLevelMembers(bytes, element)?["message"], let inner = record(bytes, message)
                else {
                    unwrapped.rejection = "a CloudWatch Logs log event without a JSON message"
                    continue
                }
                unwrapped.records.append(inner)
            }
            return unwrapped
        }
        if let message = members["message"] {
            var unwrapped = Unwrapped(format: .cloudWatchLogs)
            if let inner = record(bytes, message) {
                unwrapped.records.append(inner)
            } else {
                unwrapped.rejection = "a CloudWatch Logs log event whose message is not a JSON object"
            }
            return unwrapped
        }
        return nil
    }

    /// A `message` value as a record: an object in place, or a string holding one.
    private static func record(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> Inner? {
        if bytes[value.lowerBound] == 0x7B { return .object(value) }
        guard bytes[value.lowerBound] == 0x22 else { return nil }
        var scanner = JSONScanner(bytes: bytes, position: value.lowerBound)
        var text = [UInt8]()
        guard let token = try? scanner.scanString(), (try? scanner.unescape(token, into: &text)) != nil else {
            return nil
        }
        guard let first = text.firstIndex(where: { !JSONScanner.isWhitespace($0) }), text[first] == 0x7B else {
            return nil
        }
        return .text(text)
    }

    /// The object's members by key (the first of each), as value ranges; nil when `range` does not
    /// hold one well-formed object.
    private static func topLevelMembers(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> [String: Range<Int>]? {
        let object = UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound])
        var scanner = JSONScanner(bytes: object, position: range.lowerBound)
        var members = [String: Range<Int>]()
        do throws(CoreError) {
            try scanner.expect(0x7B, "'{'")
            if scanner.peek() == 0x7D { return members }
            while true {
                let key = try scanner.decode(try scanner.scanString())
                try scanner.expect(0x3A, "':'")
                _ = scanner.peek()
                let value = try scanner.skipValue()
                if members[key] == nil { members[key] = value }
                guard let next = scanner.peek() else { return nil }
                scanner.position += 1
                if next == 0x7D { return members }
                guard next == 0x2C else { return nil }
            }
        } catch {
            return nil
        }
    }

    /// The elements of the array at `range`, as ranges.
    private static func arrayElements(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> [Range<Int>] {
        let array = UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound])
        var scanner = JSONScanner(bytes: array, position: range.lowerBound + 1)
        var elements = [Range<Int>]()
        while let next = scanner.peek(), next != 0x5D {
            guard let element = try? scanner.skipValue() else { break }
            elements.append(element)
            if scanner.peek() == 0x2C { scanner.position += 1 }
        }
        return elements
    }

    private static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String? {
        var scanner = JSONScanner(bytes: bytes, position: range.lowerBound)
        guard let token = try? scanner.scanString() else { return nil }
        return try? scanner.decode(token)
    }
}
