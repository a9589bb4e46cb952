import CairnCore
import CairnTestSupport
import Testing

/// Every real record decodes and re-encodes to JSON semantically equal to its input.
@Suite struct EventRecordRoundTripTests {
    /// One case per data file of the repository's copy (none when the copy is missing, which
    /// `everyDataFileIsACase` reports: a parameterized test with no cases passes).
    static let files = SharedData.recordFiles

    @Test func everyDataFileIsACase() throws {
        #expect(Self.files.count == SharedData.recordFileCount)
        #expect(Self.files == (try SharedData.checkedRecordFiles()))
    }

    @Test(arguments: files)
    func recordsRoundTripSemantically(path: String) throws {
        let loaded = try RecordFixtures.load(path)
        // Only the file that is malformed on purpose holds no record.
        #expect(!loaded.records.isEmpty || path.hasSuffix("/bad_cloudtrail.json"), "\(path) holds no record")
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
