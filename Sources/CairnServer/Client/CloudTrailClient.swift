public import CairnCore
public import CairnService

/// Calls a CloudTrail endpoint (Cairn's, or any speaking AWS JSON 1.1) with SigV4: what
/// `cairn validate-logs --endpoint-url` needs (DescribeTrails, GetTrailStatus, ListPublicKeys).
public struct CloudTrailClient: Sendable {
    let http: HTTPClient
    let signer: SigV4Signer

    public init(endpoint: String, region: String, accessKeyId: String, secretAccessKey: String) throws(ServiceError) {
        do {
            http = try HTTPClient(endpoint: endpoint)
        } catch {
            throw ServiceError(.validationException, error.message)
        }
        signer = SigV4Signer(
            accessKeyId: accessKeyId,
            secretAccessKey: secretAccessKey,
            region: region,
            service: "cloudtrail"
        )
    }

    /// The operation's JSON output; a modeled error is thrown with its code and message.
    public func call(_ operation: String, _ input: JSONValue) async throws(ServiceError) -> JSONValue {
        let body = Array(input.description.utf8)
        var request = SignedRequest(
            method: "POST",
            rawPath: "/",
            rawQuery: "",
            headers: [
                ("Host", http.hostHeader), ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.\(operation)"),
            ],
            payloadSHA256Hex: PayloadHasher.sha256Hex(body)
        )
        request = signer.signNow(request)
        let response: HTTPClient.Response
        do {
            response = try await http.execute(method: "POST", target: "/", headers: request.headers, body: body)
        } catch {
            throw ServiceError(.serviceUnavailable, error.message, operation: operation)
        }
        let text = String(decoding: response.body, as: UTF8.self)
        let json = try? JSONValue(parsing: text.isEmpty ? "{}" : text)
        guard response.status == 200, let json else {
            var message = "the endpoint answered \(response.status)"
            if let json, case .string(let type)? = json["__type"] {
                let detail: String
                if case .string(let text)? = json["message"] ?? json["Message"] { detail = text } else { detail = "" }
                message = "\(type.split(separator: "#").last.map(String.init) ?? type): \(detail)"
            }
            throw ServiceError(.validationException, message, operation: operation)
        }
        return json
    }

    /// The public keys of a ListPublicKeys answer.
    public static func publicKeys(_ output: JSONValue) -> [PublicKeyInfo] {
        guard case .array(let items)? = output["PublicKeyList"] else { return [] }
        return items.compactMap { item in
            guard case .string(let value)? = item["Value"], let der = Base64.decode(value),
                case .string(let fingerprint)? = item["Fingerprint"]
            else { return nil }
            return PublicKeyInfo(
                pkcs1DERBytes: der,
                validityStartMilliseconds: seconds(item["ValidityStartTime"]) ?? 0,
                validityEndMilliseconds: seconds(item["ValidityEndTime"]) ?? .max,
                fingerprint: fingerprint
            )
        }
    }

    /// An AWS JSON timestamp (epoch seconds, fractional) as milliseconds.
    public static func seconds(_ value: JSONValue?) -> Int64? {
        guard case .number(let text)? = value, let seconds = Double(text) else { return nil }
        return Int64((seconds * 1000).rounded())
    }
}
