import CairnCore
import Testing

@Suite struct JSONScannerTests {
    @Test(arguments: [
        ("{\"eventTime\":", "unexpected end"),
        ("{\"a\":tru}", "invalid literal"),
        ("{\"a\":\"x\\q\"}", "invalid escape"),
        ("{\"a\":01}", "expected ',' or '}'"),
        ("{\"a\" 1}", "expected ':'"),
        ("[1]", "must be a JSON object"),
    ])
    func malformedInputIsRejectedWithItsOffset(text: String, message: String) {
        var decoder = EventRecordDecoder()
        do {
            _ = try decoder.decode(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.byteOffset != nil)
        }
    }

    @Test func escapesDecodeAndReencode() throws {
        let text = #"{"eventName":"a\"b\\c\n\u00e9\ud83d\ude00","eventTime":"2020-01-01T00:00:00Z"}"#
        var decoder = EventRecordDecoder()
        let record = try decoder.decode(text)
        #expect(record.eventName == "a\"b\\c\né😀")
        #expect(try JSONValue(parsing: EventRecordWriter().string(record)) == JSONValue(parsing: text))
    }

    /// Strings are scanned eight bytes at a time: a quote, backslash or control character at any
    /// position of a word, after any prefix length, must still be seen.
    @Test func specialBytesAreFoundAtEveryPosition() throws {
        var decoder = EventRecordDecoder()
        for prefix in 0..<20 {
            let head = String(repeating: "a", count: prefix)
            let escaped = try decoder.decode(#"{"eventName":"\#(head)\"é\\x","eventTime":"2020-01-01T00:00:00Z"}"#)
            #expect(escaped.eventName == head + "\"é\\x")
            let plain = try decoder.decode(
                #"{"eventName":"\#(head)","userAgent":"\#(head)ü","eventTime":"2020-01-01T00:00:00Z"}"#
            )
            #expect(plain.eventName == head)
            #expect(plain.userAgent == head + "ü")
            for control in ["\u{01}", "\n", "\u{1F}"] {
                let raw = "{\"eventName\":\"" + head + control + "tail\",\"eventTime\":\"2020-01-01T00:00:00Z\"}"
                #expect(throws: CoreError.self, "control character after \(prefix) bytes") { try decoder.decode(raw) }
            }
        }
    }

    @Test func deepNestingIsRejected() {
        let text =
            "{\"requestParameters\":" + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "}"
        var decoder = EventRecordDecoder()
        #expect(throws: CoreError.self) { try decoder.decode(text) }
    }

    @Test func framerFindsRecordsInEveryFraming() {
        let record = #"{"eventID":"x","eventTime":"2020-01-01T00:00:00Z"}"#
        let inputs: [(String, RecordFramer.Framing)] = [
            ("{\"Records\":[\(record),\(record)]}", .envelope),
            ("[\(record),\(record)]", .array),
            ("\(record)\n\(record)\n", .objectStream),
        ]
        for (input, framing) in inputs {
            var framer = RecordFramer()
            var count = 0
            var bytes = Array(input.utf8)
            let outcome = bytes.withUnsafeMutableBytes { raw in
                framer.scan(UnsafeRawBufferPointer(raw)) { item in
                    if case .success = item.result { count += 1 }
                }
            }
            #expect(count == 2)
            #expect(outcome.framing == framing)
            #expect(outcome.fatalError == nil)
        }
    }

    @Test func badNDJSONLineCostsOneRecord() {
        let good = #"{"eventID":"x","eventTime":"2020-01-01T00:00:00Z"}"#
        let input = "\(good)\n{\"eventID\": broken\n\(good)\nnot json\n\(good)\n"
        var framer = RecordFramer()
        var successes = 0
        var failures = [Int]()
        let bytes = Array(input.utf8)
        _ = bytes.withUnsafeBytes { raw in
            framer.scan(raw) { item in
                switch item.result {
                case .success: successes += 1
                case .failure: failures.append(item.byteOffset)
                }
            }
        }
        #expect(successes == 3)
        #expect(failures == [good.utf8.count + 1, 2 * good.utf8.count + 2 + "{\"eventID\": broken\n".utf8.count])
    }
}
