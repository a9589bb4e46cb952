import CairnCore
import CairnServer
import CairnService
import CairnTestSupport
import Foundation
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The HTTP layer on a live port 0.
///
/// Health, the AWS JSON error body of an unsigned call (403, `__type`, request id), an unknown
/// path, S3's XML refusal of an unsigned bucket read, and a stop. The AWS CLI and boto3 drive the
/// rest (Tests/client).
@Suite struct ServerSmokeTests {
    /// Sends one raw HTTP/1.1 request and returns the whole response text.
    static func exchange(port: Int, _ request: String) throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ConnectionRefused() }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ConnectionRefused() }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func answersHealthAndModeledErrorsThenStops() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let service = try CairnService(dataPath: directory.appending("data"), runsStorageJobs: false)
        let server = CairnHTTPServer(service: service, port: 0, logger: Logger(label: "test"))
        let bound = Mutex<Int>(0)
        let task = Task { try await server.run { port in bound.withLock { $0 = port } } }
        var port = 0
        for _ in 0..<500 where port == 0 {
            try await Task.sleep(for: .milliseconds(10))
            port = bound.withLock { $0 }
        }
        try #require(port > 0)
        let health = try Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(health.hasPrefix("HTTP/1.1 200"))
        #expect(health.hasSuffix("ok\n"))
        let target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
        let unsigned = try Self.exchange(
            port: port,
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: \(target)LookupEvents\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}"
        )
        #expect(unsigned.hasPrefix("HTTP/1.1 403"))
        #expect(unsigned.contains(#""__type":"MissingAuthenticationTokenException""#))
        #expect(unsigned.lowercased().contains("x-amzn-requestid:"))
        let unknownPath = try Self.exchange(
            port: port,
            "POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        #expect(unknownPath.hasPrefix("HTTP/1.1 404"))
        // GET on any other path is S3's (a bucket): unsigned, it is refused in S3's XML.
        let unsignedS3 = try Self.exchange(port: port, "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(unsignedS3.hasPrefix("HTTP/1.1 403"))
        #expect(unsignedS3.contains("<Code>AccessDenied</Code>"))
        task.cancel()
        _ = try? await task.value
        // Stopped: the port no longer takes connections.
        #expect(throws: ConnectionRefused.self) {
            _ = try Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }
    }

    struct ConnectionRefused: Error {}
}
