import CairnCore
import CairnService
import CairnTestSupport
import Foundation
import Testing

@Suite struct ListPublicKeysTests {
    static let day: Int64 = 86_400_000
    /// 2025-01-01T00:00:00Z.
    static let t0: Int64 = 1_735_689_600_000

    static func context(_ region: String = "us-east-1", now: Int64 = t0) -> CallContext {
        CallContext(accountId: ServiceHarness.account, region: region, requestId: "r", receivedMilliseconds: now)
    }

    static func listPublicKeys(_ harness: ServiceHarness, _ body: String, region: String = "us-east-1", now: Int64 = t0)
        async throws -> [JSONValue]
    {
        let output = try await harness.service.call(
            "ListPublicKeys",
            JSONValue(parsing: body),
            context: context(region, now: now)
        )
        #expect(APIValidator.checkOutput(output, operation: "ListPublicKeys", in: .cloudTrail).isEmpty)
        return output["PublicKeyList"]?.arrayValue ?? []
    }

    static func seconds(_ milliseconds: Int64) -> String { String(milliseconds / 1000) }

    @Test func firstCallMakesTheRegionsKeyAndAnswersItAsPKCS1() async throws {
        let harness = try ServiceHarness()
        let keys = try await Self.listPublicKeys(harness, "{}")
        try #require(keys.count == 1)
        let value = try #require(keys[0]["Value"]?.stringValue)
        // DER PKCS#1 RSAPublicKey of a 2048-bit key, which the AWS CLI needs (spec §4.2).
        #expect(value.hasPrefix("MIIBCgKCAQEA"))
        let fingerprint = try #require(keys[0]["Fingerprint"]?.stringValue)
        #expect(fingerprint.count == 32)
        #expect(keys[0]["ValidityStartTime"] == .number(Self.seconds(Self.t0)))
        #expect(keys[0]["ValidityEndTime"] == .number(Self.seconds(Self.t0 + 30 * Self.day)))
        #expect(try await Self.listPublicKeys(harness, "{}", now: Self.t0 + Self.day) == keys)
        await harness.close()
    }

    @Test func keysBelongToTheCallingRegionAndSurviveARestart() async throws {
        var harness = try ServiceHarness()
        let east = try await Self.listPublicKeys(harness, "{}")
        let west = try await Self.listPublicKeys(harness, "{}", region: "us-west-2")
        #expect(east.count == 1 && west.count == 1)
        #expect(east[0]["Fingerprint"] != west[0]["Fingerprint"])
        try await harness.restart()
        #expect(try await Self.listPublicKeys(harness, "{}") == east)
        #expect(try await Self.listPublicKeys(harness, "{}", region: "us-west-2") == west)
        let signature = try harness.service.digestSigningKeys.sign([1, 2, 3], region: "us-west-2", now: Self.t0)
        #expect(.string(signature.fingerprint) == west[0]["Fingerprint"])
        await harness.close()
    }

    @Test func windowsSelectTheKeysThatOverlapTheRange() async throws {
        let harness = try ServiceHarness()
        let first = try await Self.listPublicKeys(harness, "{}")
        // 40 days later the first key has stopped signing: the call makes its successor.
        let later = Self.t0 + 40 * Self.day
        let second = try await Self.listPublicKeys(harness, "{}", now: later)
        #expect(second.count == 1 && second != first)
        let all = try await Self.listPublicKeys(
            harness,
            #"{"StartTime":\#(Self.seconds(Self.t0)),"EndTime":\#(Self.seconds(later))}"#,
            now: later
        )
        #expect(all == first + second)
        let before = try await Self.listPublicKeys(harness, #"{"StartTime":0,"EndTime":1000}"#, now: later)
        #expect(before.isEmpty)
        let onlyFirst = try await Self.listPublicKeys(
            harness,
            #"{"StartTime":\#(Self.seconds(Self.t0 + Self.day)),"EndTime":\#(Self.seconds(Self.t0 + 2 * Self.day))}"#,
            now: later
        )
        #expect(onlyFirst == first)
        await harness.close()
    }

    @Test func badRangesAndTokensAnswerTheirModeledErrors() async throws {
        let harness = try ServiceHarness()
        let cases: [(String, CloudTrailErrorCode)] = [
            (#"{"StartTime":2000,"EndTime":1000}"#, .invalidTimeRangeException),
            // StartTime defaults to now, after an EndTime in the past.
            (#"{"EndTime":1000}"#, .invalidTimeRangeException),
            (#"{"NextToken":"abc"}"#, .invalidTokenException),
        ]
        for (body, code) in cases {
            let error = await #expect(throws: ServiceError.self) {
                try await Self.listPublicKeys(harness, body)
            }
            #expect(error?.code == code, "\(body)")
        }
        await harness.close()
    }

    /// The independent check: `openssl` loads the DER PKCS#1 key ListPublicKeys answered and
    /// verifies, as SHA256withRSA, a signature Cairn made over a digest's string to sign.
    @Test func opensslVerifiesCairnsSignatureWithTheListedKey() async throws {
        let harness = try ServiceHarness()
        let keys = try await Self.listPublicKeys(harness, "{}")
        let value = try #require(keys.first?["Value"]?.stringValue)
        let der = try #require(Data(base64Encoded: value))
        let message = "2025-01-01T01:00:00Z\nbucket/AWSLogs/123456789012/CloudTrail-Digest/x.json.gz\nabc\nnull"
        let signed = try harness.service.digestSigningKeys.sign(Array(message.utf8), region: "us-east-1", now: Self.t0)
        #expect(.string(signed.fingerprint) == keys.first?["Fingerprint"])

        let directory = TemporaryDirectory(prefix: "cairn-openssl")
        defer { directory.remove() }
        let paths = (der: directory.appending("key.der"), pem: directory.appending("key.pem"))
        let (messagePath, signaturePath) = (directory.appending("message.txt"), directory.appending("signature.bin"))
        try der.write(to: URL(fileURLWithPath: paths.der))
        try Data(message.utf8).write(to: URL(fileURLWithPath: messagePath))
        let signatureBytes = try #require(Self.bytes(hex: signed.signatureHex))
        try Data(signatureBytes).write(to: URL(fileURLWithPath: signaturePath))

        // -RSAPublicKey_in: the input is PKCS#1, not SubjectPublicKeyInfo; -pubout writes SPKI PEM.
        _ = try OpenSSL.run(
            ["rsa", "-pubin", "-inform", "DER", "-RSAPublicKey_in", "-in", paths.der, "-pubout", "-out", paths.pem]
        )
        let text = try OpenSSL.run(["rsa", "-pubin", "-in", paths.pem, "-noout", "-text"])
        #expect(text.contains("Public-Key: (2048 bit)"))
        let verified = try OpenSSL.run(
            ["dgst", "-sha256", "-verify", paths.pem, "-signature", signaturePath, messagePath]
        )
        #expect(verified.contains("Verified OK"))
        try Data((message + "!").utf8).write(to: URL(fileURLWithPath: messagePath))
        #expect(throws: (any Error).self) {
            try OpenSSL.run(["dgst", "-sha256", "-verify", paths.pem, "-signature", signaturePath, messagePath])
        }
        await harness.close()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        return stride(from: 0, to: digits.count, by: 2).compactMap { index in
            UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16)
        }
    }
}
