import CairnCore
import CairnTestSupport
import Testing

/// Every real record decodes and re-encodes to JSON semantically equal to its input.
@Suite struct EventRecordRoundTripTests {
    static let files = SharedData.files(in: SharedData.cloudTrailDirectory).filter { !$0.contains("rule-tests") }

    @Test(arguments: files)
    func recordsRoundTripSemantically(path: String) throws {
        let loaded = try RecordFixtures.load(path)
        let writer = EventRecordWriter()
        for (record, original) in zip(loaded.records, loaded.originals) {
            let written = writer.string(record)
            let expected = try JSONValue(parsing: original)
            let actual = try JSONValue(parsing: written)
            #expect(actual == expected, "\(path): \(written)")
            // Writing is a fixed point: decoding the output gives the same record.
            var decoder = EventRecordDecoder()
            #expect(try decoder.decode(written) == record)
        }
    }

    @Test func keepsUnknownFieldsAndUnexpectedTypes() throws {
        let text = """
            {"eventVersion":"1.09","eventTime":"2024-01-02T03:04:05Z","managementEvent":"True",\
            "errorCode":null,"futureField":{"a":[1,2.5e3,true]},"userIdentity":{"type":"Root",\
            "accountId":123,"sessionContext":{"x":1}},"tlsDetails":{"tlsVersion":"TLSv1.3","keyExchange":"X25519"}}
            """
        var decoder = EventRecordDecoder()
        let record = try decoder.decode(text)
        #expect(record.managementEvent == nil)
        #expect(record.errorCode == nil)
        #expect(record.userIdentity?.type == "Root")
        #expect(record.userIdentity?.accountId == nil)
        #expect(record.tlsDetails?.tlsVersion == "TLSv1.3")
        #expect(record.hasExtraField("futureField"))
        let written = EventRecordWriter().string(record)
        #expect(try JSONValue(parsing: written) == JSONValue(parsing: text))
    }

}
