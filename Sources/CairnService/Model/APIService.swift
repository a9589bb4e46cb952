/// One botocore API model as Swift data: the service's wire metadata, its shapes and its operations.
///
/// `APIService.cloudTrail` (AWS JSON 1.1, 60 operations) and `APIService.cloudTrailData` (REST-JSON,
/// PutAuditEvents) are generated from botocore by `Tools/model/generate.py`. Building one compiles
/// every pattern of the model once; look-ups by operation or shape name are hash look-ups, and shapes
/// refer to each other by index.
public struct APIService: Sendable {
    /// The wire protocol of a service (botocore's `metadata.protocol`).
    public enum WireProtocol: String, Sendable {
        /// AWS JSON 1.1: `POST /`, the operation in `X-Amz-Target`, every member in the JSON body.
        case json
        /// REST-JSON: the operation in the method and path, members in the body, query string or headers.
        case restJSON
    }

    /// The endpoint prefix (`cloudtrail`, `cloudtrail-data`).
    public let name: String
    public let apiVersion: String
    public let wireProtocol: WireProtocol
    /// The `X-Amz-Target` prefix of AWS JSON operations (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`).
    public let targetPrefix: String?
    /// The SigV4 service name.
    public let signingName: String
    /// Every shape, sorted by name; members and operations refer to shapes by index here.
    public let shapes: [APIShape]
    /// Every operation, sorted by name.
    public let operations: [APIOperation]
    private let operationIndex: [String: Int]
    private let shapeIndex: [String: Int]
    /// The compiled pattern of each string shape that has one, by shape index.
    private let patterns: [APIPattern?]

    init(
        name: String,
        apiVersion: String,
        protocol wireProtocol: WireProtocol,
        targetPrefix: String?,
        signingName: String,
        shapes: [APIShape],
        operations: [APIOperation]
    ) {
        self.name = name
        self.apiVersion = apiVersion
        self.wireProtocol = wireProtocol
        self.targetPrefix = targetPrefix
        self.signingName = signingName
        self.shapes = shapes
        self.operations = operations
        operationIndex = Dictionary(uniqueKeysWithValues: operations.enumerated().map { ($1.name, $0) })
        shapeIndex = Dictionary(uniqueKeysWithValues: shapes.enumerated().map { ($1.name, $0) })
        patterns = shapes.map { shape in
            shape.pattern.map { source in
                do {
                    return try APIPattern(source)
                } catch {
                    // The generated model is fixed at build time and a test compiles every pattern.
                    preconditionFailure("pattern \(source) of shape \(shape.name) does not compile: \(error)")
                }
            }
        }
    }

    /// The operation named `name` (`LookupEvents`), or nil.
    public func operation(named name: String) -> APIOperation? {
        operationIndex[name].map { operations[$0] }
    }

    /// The index in `shapes` of the shape named `name`, or nil.
    public func shapeIndex(named name: String) -> Int? {
        shapeIndex[name]
    }

    /// The shape named `name`, or nil.
    public func shape(named name: String) -> APIShape? {
        shapeIndex[name].map { shapes[$0] }
    }

    /// The compiled pattern of the shape at `index`, if it has one.
    public func pattern(ofShape index: Int) -> APIPattern? {
        patterns[index]
    }

    /// The service an operation name belongs to, searching `cloudTrail` then `cloudTrailData`.
    public static func owning(operation name: String) -> APIService? {
        if cloudTrail.operation(named: name) != nil { return cloudTrail }
        if cloudTrailData.operation(named: name) != nil { return cloudTrailData }
        return nil
    }
}
