import CairnService
import Testing

@Suite struct SigV4TimestampTests {
    @Test func basicFormatRoundTrips() {
        let timestamp = SigV4Timestamp(basicFormat: "20150830T123600Z")
        #expect(timestamp?.milliseconds == 1_440_938_160_000)
        #expect(timestamp?.basicFormat == "20150830T123600Z")
        #expect(timestamp?.dateStamp == "20150830")
        #expect(SigV4Timestamp(basicFormat: "20240229T235959Z")?.basicFormat == "20240229T235959Z")
        #expect(SigV4Timestamp(milliseconds: 1_735_689_599_999).basicFormat == "20241231T235959Z")
    }

    @Test(arguments: [
        "2015-08-30T12:36:00Z", "20150830T123600", "20150830 123600Z", "20151330T123600Z", "20150230T123600Z",
        "20150830T243600Z", "20150830T126000Z", "2015083aT123600Z", "",
    ])
    func malformedBasicFormatIsRejected(_ text: String) {
        #expect(SigV4Timestamp(basicFormat: text) == nil)
    }

    @Test func httpDatesParse() {
        let expected: Int64 = 1_440_938_160_000
        #expect(SigV4Timestamp(httpDate: "Sun, 30 Aug 2015 12:36:00 GMT")?.milliseconds == expected)
        #expect(SigV4Timestamp(httpDate: "Sun, 30 Aug 2015 12:36:00 -0000")?.milliseconds == expected)
        #expect(SigV4Timestamp(httpDate: "30 Aug 2015 14:36:00 +0200")?.milliseconds == expected)
        #expect(SigV4Timestamp(httpDate: "Sun, 30 Aug 2015 12:36 GMT") == nil)
        #expect(SigV4Timestamp(httpDate: "Sun, 30 Foo 2015 12:36:00 GMT") == nil)
    }
}
