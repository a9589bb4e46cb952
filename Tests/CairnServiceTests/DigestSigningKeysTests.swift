import CairnCore
import CairnService
import CairnTestSupport
import Foundation
import Testing

@Suite struct DigestSigningKeysTests {
    static let day: Int64 = 86_400_000
    /// 2025-01-01T00:00:00.250Z: a start that is not a whole second.
    static let t0: Int64 = 1_735_689_600_250

    @Test func keyIsMadeOnFirstUseWithAThirtyDayWindow() throws {
        let directory = TemporaryDirectory(prefix: "cairn-keys")
        defer { directory.remove() }
        let keys = DigestSigningKeys(dataPath: directory.path)
        #expect(try keys.publicKeys(region: "us-east-1", start: 0, end: .max).isEmpty)
        let key = try keys.signingKey(region: "us-east-1", now: Self.t0)
        #expect(key.info.validityStartMilliseconds == Self.t0 - 250)
        #expect(key.info.validityEndMilliseconds - key.info.validityStartMilliseconds == 30 * Self.day)
        #expect(key.fingerprint.count == 32)
        #expect(key.fingerprint.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        // The fingerprint is the MD5 of the DER PKCS#1 public key (spec §4.2).
        #expect(try key.fingerprint == Self.md5Hex(key.info.pkcs1DERBytes))
        #expect(key.info.pkcs1DERBytes.count == 270)
        #expect(try keys.signingKey(region: "us-east-1", now: Self.t0 + 29 * Self.day).fingerprint == key.fingerprint)
    }

    @Test func keysPersistAcrossARestartWithOwnerOnlyFiles() throws {
        let directory = TemporaryDirectory(prefix: "cairn-keys")
        defer { directory.remove() }
        let message = Array("2025-01-01T01:00:00Z\nbucket/key\nabc\nnull".utf8)
        let first = DigestSigningKeys(dataPath: directory.path)
        let (signature, fingerprint) = try first.sign(message, region: "eu-west-1", now: Self.t0)

        let second = DigestSigningKeys(dataPath: directory.path)
        #expect(try second.signingKey(region: "eu-west-1", now: Self.t0 + Self.day).fingerprint == fingerprint)
        #expect(try second.verify(signatureHex: signature, of: message, fingerprint: fingerprint, region: "eu-west-1"))
        #expect(try second.publicKeys(region: "eu-west-1", start: 0, end: .max).map(\.fingerprint) == [fingerprint])

        let regionPath = directory.appending("service/keys/eu-west-1")
        let pem = regionPath + "/\(fingerprint).pem"
        #expect(try Self.permissions(pem) == 0o600)
        #expect(try Self.permissions(regionPath) == 0o700)
        #expect(try Self.permissions(directory.appending("service/keys")) == 0o700)
        #expect(try String(contentsOfFile: pem, encoding: .utf8).hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        #expect(FileManager.default.fileExists(atPath: regionPath + "/keys.json"))
    }

    /// A key signs until an hour before its 30-day window ends; its successor starts then, so the
    /// two windows overlap by that hour and both are listed for an instant inside it.
    @Test func keyRotatesBeforeItsWindowEndsAndOldKeysStayVerifiable() throws {
        let directory = TemporaryDirectory(prefix: "cairn-keys")
        defer { directory.remove() }
        let keys = DigestSigningKeys(dataPath: directory.path)
        let message = Array("signed by the first key".utf8)
        let (oldSignature, first) = try keys.sign(message, region: "us-east-1", now: Self.t0)
        let firstEnd = Self.t0 - 250 + 30 * Self.day
        let lastMinute = firstEnd - 3_600_001
        #expect(try keys.signingKey(region: "us-east-1", now: lastMinute).fingerprint == first)

        let rotation = firstEnd - 3_600_000
        let second = try keys.signingKey(region: "us-east-1", now: rotation)
        #expect(second.fingerprint != first)
        #expect(second.info.validityStartMilliseconds == rotation)
        #expect(try keys.signingKey(region: "us-east-1", now: rotation + Self.day).fingerprint == second.fingerprint)

        #expect(try keys.publicKeys(region: "us-east-1", start: Self.t0, end: Self.t0).map(\.fingerprint) == [first])
        let overlap = try keys.publicKeys(region: "us-east-1", start: firstEnd - 60_000, end: firstEnd - 60_000)
        #expect(overlap.map(\.fingerprint) == [first, second.fingerprint])
        #expect(
            try keys.publicKeys(region: "us-east-1", start: firstEnd + 1, end: firstEnd + Self.day).map(\.fingerprint)
                == [second.fingerprint]
        )

        // After a restart and a long stop: the next key starts at the new time, the old ones still verify.
        let restarted = DigestSigningKeys(dataPath: directory.path)
        let third = try restarted.signingKey(region: "us-east-1", now: Self.t0 + 100 * Self.day)
        #expect(third.info.validityStartMilliseconds == Self.t0 - 250 + 100 * Self.day)
        #expect(try restarted.publicKeys(region: "us-east-1", start: 0, end: .max).count == 3)
        #expect(try restarted.verify(signatureHex: oldSignature, of: message, fingerprint: first, region: "us-east-1"))
    }

    @Test func signatureVerifiesOnlyForItsBytesAndKey() throws {
        let directory = TemporaryDirectory(prefix: "cairn-keys")
        defer { directory.remove() }
        let keys = DigestSigningKeys(dataPath: directory.path)
        let message = Array("digest bytes".utf8)
        let (signature, fingerprint) = try keys.sign(message, region: "us-east-1", now: Self.t0)
        #expect(signature.count == 512)
        #expect(try keys.verify(signatureHex: signature, of: message, fingerprint: fingerprint, region: "us-east-1"))
        #expect(
            try keys.verify(
                signatureHex: signature.uppercased(),
                of: message,
                fingerprint: fingerprint,
                region: "us-east-1"
            )
        )
        #expect(
            try !keys.verify(
                signatureHex: signature,
                of: Array("digest bytez".utf8),
                fingerprint: fingerprint,
                region: "us-east-1"
            )
        )
        #expect(try !keys.verify(signatureHex: "zz", of: message, fingerprint: fingerprint, region: "us-east-1"))
        #expect(try !keys.verify(signatureHex: signature, of: message, fingerprint: fingerprint, region: "us-west-2"))
        let other = try keys.signingKey(region: "us-west-2", now: Self.t0)
        #expect(other.fingerprint != fingerprint)
        #expect(
            try !keys.verify(signatureHex: signature, of: message, fingerprint: other.fingerprint, region: "us-west-2")
        )
    }

    @Test func regionThatCannotNameADirectoryIsRefused() throws {
        let directory = TemporaryDirectory(prefix: "cairn-keys")
        defer { directory.remove() }
        let keys = DigestSigningKeys(dataPath: directory.path)
        for region in ["..", "", "US-EAST-1", "us_east_1", "1us", String(repeating: "a", count: 65)] {
            let error = #expect(throws: ServiceError.self) { try keys.signingKey(region: region, now: Self.t0) }
            #expect(error?.code == .unsupportedOperationException)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appending("service/keys")))
    }

    @Test func corruptIndexIsReportedNotReplaced() throws {
        let directory = TemporaryDirectory(prefix: "cairn-keys")
        defer { directory.remove() }
        let first = try DigestSigningKeys(dataPath: directory.path).signingKey(region: "us-east-1", now: Self.t0)
        let pem = directory.appending("service/keys/us-east-1/\(first.fingerprint).pem")
        let other = try DigestSigningKeys(dataPath: directory.path).signingKey(region: "us-west-2", now: Self.t0)
        let otherPEM = directory.appending("service/keys/us-west-2/\(other.fingerprint).pem")
        // A key file swapped for another key no longer matches the fingerprint the index names.
        try FileManager.default.removeItem(atPath: pem)
        try FileManager.default.copyItem(atPath: otherPEM, toPath: pem)
        let error = #expect(throws: ServiceError.self) {
            try DigestSigningKeys(dataPath: directory.path).signingKey(region: "us-east-1", now: Self.t0)
        }
        #expect(error?.code == .internalFailure)
        #expect(error?.message.contains("corrupt") == true)
    }

    static func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    /// MD5 through `openssl`, independent of swift-crypto.
    static func md5Hex(_ bytes: [UInt8]) throws -> String {
        let directory = TemporaryDirectory(prefix: "cairn-md5")
        defer { directory.remove() }
        let path = directory.appending("in.bin")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let output = try OpenSSL.run(["dgst", "-md5", "-r", path])
        return String(output.prefix(32))
    }
}

/// Runs the `openssl` command line, the independent implementation the signing tests check against.
enum OpenSSL {
    /// Runs `openssl arguments` and returns its standard output; throws when it exits non-zero.
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailure(arguments: arguments, status: process.terminationStatus, output: text + errorText)
        }
        return text
    }

    struct OpenSSLFailure: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let output: String
        var description: String { "openssl \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }
}
